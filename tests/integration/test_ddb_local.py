"""The emulator behaves like DynamoDB where the in-process AWS mock does not, and the schema
file creates it."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from botocore.exceptions import ClientError

from devtools.ddb_local import DynamoDBLocal, free_port
from devtools.tables import create_tables, load_table_specs


def test_create_tables_builds_every_table_index_and_ttl_once(ddb_client, local_settings):
    assert create_tables(ddb_client, local_settings) == []  # the fixture already made them
    for spec in load_table_specs().values():
        name = getattr(local_settings, spec["setting"])
        table = ddb_client.describe_table(TableName=name)["Table"]
        want = {i["IndexName"] for i in spec["Properties"].get("GlobalSecondaryIndexes", [])}
        assert {i["IndexName"] for i in table.get("GlobalSecondaryIndexes", [])} == want
        ttl = ddb_client.describe_time_to_live(TableName=name)["TimeToLiveDescription"]
        assert ttl["AttributeName"] == spec["Properties"]["TimeToLiveSpecification"]["AttributeName"]


def test_conditional_decrement_never_overdraws_under_concurrency(ddb_client, local_settings):
    table = local_settings.table_name
    key = {"PK": {"S": "P#race"}, "SK": {"S": "COUNTER"}}
    ddb_client.put_item(TableName=table, Item={**key, "n": {"N": "5"}})

    def take(_: int) -> bool:
        try:
            ddb_client.update_item(TableName=table, Key=key, UpdateExpression="SET n = n - :one",
                                   ConditionExpression="n > :zero",
                                   ExpressionAttributeValues={":one": {"N": "1"}, ":zero": {"N": "0"}})
            return True
        except ClientError as err:
            assert err.response["Error"]["Code"] == "ConditionalCheckFailedException"
            return False

    with ThreadPoolExecutor(max_workers=20) as pool:
        results = list(pool.map(take, range(20)))
    assert results.count(True) == 5
    assert ddb_client.get_item(TableName=table, Key=key, ConsistentRead=True)["Item"]["n"] == {"N": "0"}


def test_data_survives_a_restart_with_the_same_db_path(tmp_path):
    import boto3

    def client(ddb):
        return boto3.client("dynamodb", endpoint_url=ddb.endpoint, region_name="us-east-1",
                            aws_access_key_id="x", aws_secret_access_key="x")

    with DynamoDBLocal(port=free_port(), db_path=tmp_path) as ddb:
        c = client(ddb)
        c.create_table(TableName="kept", BillingMode="PAY_PER_REQUEST",
                       AttributeDefinitions=[{"AttributeName": "k", "AttributeType": "S"}],
                       KeySchema=[{"AttributeName": "k", "KeyType": "HASH"}])
        c.put_item(TableName="kept", Item={"k": {"S": "kept"}})
    with DynamoDBLocal(port=free_port(), db_path=tmp_path) as ddb:
        assert client(ddb).get_item(TableName="kept", Key={"k": {"S": "kept"}})["Item"] == {"k": {"S": "kept"}}

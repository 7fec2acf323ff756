"""The fault injectors behave as real DynamoDB does, against DynamoDB Local: conflicts only
where transactions overlap, DynamoDB's own wire format (parsed by botocore as a real one),
writes that land although their answer is lost; and the app holds under them."""
from __future__ import annotations

import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from decimal import Decimal

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError, ConnectionClosedError

from chalicelib.auth import Principal, Role
from chalicelib.models.clients import ClientCreate
from chalicelib.models.entitlements import ChargeRequest, PackCreate
from chalicelib.services import charging, clients, codes, entitlements
from tests import stored
from tests.conftest import PRACTICE_A, USERS
from tests.faults import FaultConfig, app_faults
from tests.faults.proxy import FaultProxy

DESK = Principal(user_id=USERS[PRACTICE_A]["front_desk"], practice_id=PRACTICE_A, role=Role.FRONT_DESK)


@pytest.fixture
def table(ddb_local):
    """A bare table (PK, SK) on DynamoDB Local."""
    raw = _client(ddb_local.endpoint)
    name = f"faults-{uuid.uuid4().hex[:8]}"
    raw.create_table(TableName=name, BillingMode="PAY_PER_REQUEST",
                     KeySchema=[{"AttributeName": "PK", "KeyType": "HASH"},
                                {"AttributeName": "SK", "KeyType": "RANGE"}],
                     AttributeDefinitions=[{"AttributeName": "PK", "AttributeType": "S"},
                                           {"AttributeName": "SK", "AttributeType": "S"}])
    return name


def _client(endpoint: str, attempts: int = 1):
    return boto3.client("dynamodb", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="x",
                        aws_secret_access_key="x",
                        config=Config(retries={"mode": "standard", "max_attempts": attempts}))


def _add(table: str, sk: str) -> dict:
    return {"Update": {"TableName": table, "Key": {"PK": {"S": "p"}, "SK": {"S": sk}},
                       "UpdateExpression": "ADD n :one", "ExpressionAttributeValues": {":one": {"N": "1"}}}}


def _count(raw, table: str, sk: str) -> int:
    item = raw.get_item(TableName=table, Key={"PK": {"S": "p"}, "SK": {"S": sk}}, ConsistentRead=True).get("Item")
    return int(item["n"]["N"]) if item else 0


def _while_held(raw, table: str, sk: str, during):
    """Run `during` while a transaction on `sk` is in flight (the proxy holds it 300 ms)."""
    holder = threading.Thread(target=lambda: raw.transact_write_items(TransactItems=[_add(table, sk)]))
    holder.start()
    time.sleep(0.1)
    try:
        return during()
    finally:
        holder.join()


def test_proxy_cancels_a_transaction_overlapping_one_in_flight_as_dynamodb_does(ddb_local, table):
    with FaultProxy(ddb_local.endpoint, "conflict=1,hold_ms=300") as proxy:
        first, second = _client(proxy.endpoint), _client(proxy.endpoint)

        def overlap():
            with pytest.raises(ClientError) as raised:
                second.transact_write_items(TransactItems=[_add(table, "free"), _add(table, "held")])
            return raised.value

        err = _while_held(first, table, "held", overlap)
        # Disjoint items never conflict.
        second.transact_write_items(TransactItems=[_add(table, "other")])
    assert err.response["Error"]["Code"] == "TransactionCanceledException"
    assert [r["Code"] for r in err.response["CancellationReasons"]] == ["None", "TransactionConflict"]
    direct = _client(ddb_local.endpoint)
    assert (_count(direct, table, "held"), _count(direct, table, "free"), _count(direct, table, "other")) == (1, 0, 1)


def test_proxy_refuses_a_single_write_on_an_item_a_transaction_holds(ddb_local, table):
    with FaultProxy(ddb_local.endpoint, "conflict=1,hold_ms=300") as proxy:
        raw = _client(proxy.endpoint)

        def write():
            with pytest.raises(ClientError) as raised:
                raw.update_item(TableName=table, Key={"PK": {"S": "p"}, "SK": {"S": "held"}},
                                UpdateExpression="ADD n :one", ExpressionAttributeValues={":one": {"N": "1"}})
            return raised.value

        err = _while_held(_client(proxy.endpoint), table, "held", write)
    assert err.response["Error"]["Code"] == "TransactionConflictException"
    assert _count(_client(ddb_local.endpoint), table, "held") == 1


@pytest.mark.parametrize("setting, code, status", [
    ("throttle", "ThrottlingException", 400),
    ("provisioned", "ProvisionedThroughputExceededException", 400),
    ("internal", "InternalServerError", 500),
])
def test_proxy_refusal_is_parsed_by_botocore_as_dynamodbs_own_and_writes_nothing(ddb_local, table, setting, code,
                                                                                 status):
    with FaultProxy(ddb_local.endpoint, f"{setting}=1") as proxy, pytest.raises(ClientError) as raised:
        _client(proxy.endpoint).transact_write_items(TransactItems=[_add(table, setting)])
    assert raised.value.response["Error"]["Code"] == code
    assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == status
    assert _count(_client(ddb_local.endpoint), table, setting) == 0


def test_proxy_lost_answer_leaves_the_write_applied_and_the_caller_unaware(ddb_local, table):
    with FaultProxy(ddb_local.endpoint, "timeout=1") as proxy, pytest.raises(ConnectionClosedError):
        _client(proxy.endpoint).transact_write_items(TransactItems=[_add(table, "lost")])
    assert _count(_client(ddb_local.endpoint), table, "lost") == 1


def test_resent_transaction_after_lost_answers_applies_once_through_its_token(ddb_local, table):
    with FaultProxy(ddb_local.endpoint, "timeout=1") as proxy:
        # botocore resends after a dropped connection with the same ClientRequestToken.
        with pytest.raises(ConnectionClosedError):
            _client(proxy.endpoint, attempts=3).transact_write_items(TransactItems=[_add(table, "once")])
        assert proxy.policy.counts["timeout_after_write"] >= 3  # every resend was applied, then lost
    assert _count(_client(ddb_local.endpoint), table, "once") == 1


def test_fault_config_refuses_unknown_settings_and_rates_out_of_range():
    with pytest.raises(ValueError, match="conflicts"):
        FaultConfig.parse("conflicts=1")
    with pytest.raises(ValueError, match="between 0 and 1"):
        FaultConfig.parse("throttle=2")
    assert FaultConfig.parse("seed=3, conflict=0.5").conflict == 0.5


def test_in_process_injector_conflicts_across_threads_and_charges_stay_exact(seeded):
    client_id = clients.create_client(principal=DESK, data=ClientCreate(first_name="Fault", last_name="Thread")).id
    pack_id = entitlements.create_pack(principal=DESK, client_id=client_id, data=PackCreate(
        name="Ten", measure="sessions", limit=Decimal(10), price=Decimal(1))).id
    code = codes.billing_code_for_charge(principal=DESK, code="90837")

    def charge(i):
        return charging.charge_session(principal=DESK, client_id=client_id, code=code, request=ChargeRequest(
            session_ref=f"t{i}", date=date(2026, 11, 20), billing_code="90837"))

    with app_faults("seed=5,conflict=1,throttle=0.02,timeout=0.02,hold_ms=5") as policy, \
            ThreadPoolExecutor(max_workers=12) as pool:
        results = list(pool.map(charge, range(30)))
    assert policy.counts["cancel"] > 0  # overlaps really happened and were cancelled
    assert sum(r.status == "charged" for r in results) == 10
    pack = stored.entitlement(PRACTICE_A, client_id, "PACK", pack_id)
    assert (pack["used"], pack["remaining"]) == (10, 0)
    assert sum(e["amount"] for e in stored.ledger(PRACTICE_A, client_id, pack_id)) == 10

"""items.get_many asks BatchGetItem for at most 100 keys at a time (DynamoDB refuses more)."""
from __future__ import annotations

from moto import mock_aws

from chalicelib.config import get_settings
from chalicelib.store import dynamo, items
from devtools.tables import create_tables
from tests.conftest import reset_caches


def test_get_many_of_250_keys_returns_each_in_order_in_batches_of_100(monkeypatch):
    monkeypatch.delenv("CASELOAD_DYNAMODB_ENDPOINT", raising=False)
    with mock_aws():
        reset_caches()
        create_tables(dynamo.client(), get_settings())
        keys = [(f"P#x#C#{i % 3}", f"SESSION#{i:03d}") for i in range(250)]
        for pk, sk in keys[::2]:
            dynamo.client().put_item(TableName=get_settings().table_name, Item=dynamo.to_item({"PK": pk, "SK": sk}))
        sizes: list[int] = []
        real = dynamo.client().batch_get_item

        def spy(**kw):
            sizes.append(sum(len(t["Keys"]) for t in kw["RequestItems"].values()))
            return real(**kw)

        monkeypatch.setattr(dynamo.client(), "batch_get_item", spy)
        found = items.get_many(keys + keys[:5])
        assert max(sizes) <= 100 and sum(sizes) == 250
        expected = [sk if i % 2 == 0 else None for i, (_, sk) in enumerate(keys + keys[:5])]
        assert [f and f["SK"] for f in found] == expected
    reset_caches()

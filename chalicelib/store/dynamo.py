"""The DynamoDB adapter: one lazily built client, value (de)serialisation, metering hooks."""
from __future__ import annotations

from functools import lru_cache
from typing import Any

import boto3
from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from botocore.config import Config

from chalicelib.config import get_settings
from chalicelib.observability import current_meter

_serializer = TypeSerializer()
_deserializer = TypeDeserializer()

# Operations that accept ReturnConsumedCapacity; the hook asks for it so the meter can log cost.
_CAPACITY_OPS = {"GetItem", "PutItem", "UpdateItem", "DeleteItem", "Query", "Scan",
                 "BatchGetItem", "BatchWriteItem", "TransactGetItems", "TransactWriteItems"}


@lru_cache(maxsize=1)
def client() -> Any:
    """The process-wide DynamoDB client, built on first use with the metering hooks."""
    settings = get_settings()
    ddb = boto3.client(
        "dynamodb",
        region_name=settings.region,
        endpoint_url=settings.dynamodb_endpoint,
        # botocore resends one call after throttling, a 5xx or a lost answer (the same request,
        # so a transaction's ClientRequestToken makes the resend apply once); store/retry.py
        # retries the rest inside the request's budget. Short timeouts keep a lost answer from
        # eating that budget (DynamoDB answers in milliseconds; botocore's default is 60 s).
        config=Config(retries={"mode": "standard", "max_attempts": 3}, tcp_keepalive=True,
                      max_pool_connections=50, connect_timeout=2, read_timeout=5),
    )
    ddb.meta.events.register("provide-client-params.dynamodb", _ask_for_capacity)
    ddb.meta.events.register("before-call.dynamodb", _call_started)
    ddb.meta.events.register("after-call.dynamodb", _record_call)
    return ddb


def reset_clients() -> None:
    """Forget the cached client (tests switch endpoints and tables)."""
    client.cache_clear()


def _ask_for_capacity(params: dict[str, Any], model: Any, **_: Any) -> None:
    if model.name in _CAPACITY_OPS and "ReturnConsumedCapacity" not in params:
        params["ReturnConsumedCapacity"] = "TOTAL"


def _call_started(**_: Any) -> None:
    meter = current_meter()
    if meter is not None:
        meter.call_started()


def _record_call(http_response: Any, parsed: dict[str, Any], model: Any, **_: Any) -> None:
    meter = current_meter()
    if meter is not None:
        meter.record(model.name, parsed)


def to_item(values: dict[str, Any]) -> dict[str, Any]:
    """Python values → DynamoDB attribute values (None is dropped, never stored)."""
    return {k: _serializer.serialize(_plain(v)) for k, v in values.items() if v is not None}


def to_value(value: Any) -> dict[str, Any]:
    """One Python value → a DynamoDB attribute value."""
    serialized: dict[str, Any] = _serializer.serialize(_plain(value))  # boto3 ships no types
    return serialized


def from_item(item: dict[str, Any]) -> dict[str, Any]:
    """DynamoDB attribute values → Python values (numbers come back as Decimal)."""
    return {k: _deserializer.deserialize(v) for k, v in item.items()}


def _plain(value: Any) -> Any:
    # TypeSerializer refuses float, which is what we want for money; it also refuses tuples
    # and would store None inside maps, so normalise containers here.
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items() if v is not None}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value

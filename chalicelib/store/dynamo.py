"""The DynamoDB adapter: one lazily built client, value (de)serialisation, metering hooks.

It speaks botocore, not boto3: importing boto3 brings s3transfer, multiprocessing and
boto3's resource layer, about 50 ms of every cold start for nothing DynamoDB needs. The
(de)serialisation below is boto3's TypeSerializer/TypeDeserializer rules, written out.
"""
from __future__ import annotations

from collections.abc import Mapping, Set
from decimal import Clamped, Context, Decimal, Inexact, Overflow, Rounded, Underflow
from functools import lru_cache
from typing import Any

import botocore.session
from botocore.config import Config

from chalicelib.config import get_settings
from chalicelib.observability import current_meter

# DynamoDB's numbers: 38 digits, exponent -130..125; anything inexact is refused, not rounded.
_NUMBERS = Context(Emin=-128, Emax=126, prec=38, traps=[Clamped, Overflow, Inexact, Rounded, Underflow])

# Operations that accept ReturnConsumedCapacity; the hook asks for it so the meter can log cost.
_CAPACITY_OPS = {"GetItem", "PutItem", "UpdateItem", "DeleteItem", "Query", "Scan",
                 "BatchGetItem", "BatchWriteItem", "TransactGetItems", "TransactWriteItems"}


@lru_cache(maxsize=1)
def client() -> Any:
    """The process-wide DynamoDB client, built on first use with the metering hooks."""
    settings = get_settings()
    ddb = botocore.session.get_session().create_client(
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
    return {k: to_value(v) for k, v in values.items() if v is not None}


def to_value(value: Any) -> dict[str, Any]:
    """One Python value → a DynamoDB attribute value. A float is refused (money is Decimal);
    None inside a map is dropped; a tuple is stored as a list."""
    if value is None:
        return {"NULL": True}
    if isinstance(value, bool):
        return {"BOOL": value}
    if isinstance(value, (int, Decimal, float)):
        return {"N": _number(value)}
    if isinstance(value, str):
        return {"S": value}
    if isinstance(value, (bytes, bytearray)):
        return {"B": bytes(value)}
    if isinstance(value, Mapping):
        return {"M": {k: to_value(v) for k, v in value.items() if v is not None}}
    if isinstance(value, (list, tuple)):
        return {"L": [to_value(v) for v in value]}
    if isinstance(value, Set) and value:
        if all(isinstance(v, str) for v in value):
            return {"SS": list(value)}
        if all(isinstance(v, (int, Decimal)) and not isinstance(v, bool) for v in value):
            return {"NS": [_number(v) for v in value]}
    raise TypeError(f"DynamoDB cannot store a {type(value).__name__}")


def from_item(item: dict[str, Any]) -> dict[str, Any]:
    """DynamoDB attribute values → Python values (numbers come back as Decimal)."""
    return {k: from_value(v) for k, v in item.items()}


def from_value(value: dict[str, Any]) -> Any:
    """One DynamoDB attribute value → a Python value."""
    (kind, raw), = value.items()
    if kind == "S" or kind == "BOOL" or kind == "B":
        return raw
    if kind == "N":
        return _NUMBERS.create_decimal(raw)
    if kind == "M":
        return {k: from_value(v) for k, v in raw.items()}
    if kind == "L":
        return [from_value(v) for v in raw]
    if kind == "NULL":
        return None
    if kind == "SS":
        return set(raw)
    if kind == "NS":
        return {_NUMBERS.create_decimal(n) for n in raw}
    raise TypeError(f"unexpected DynamoDB type {kind}")


def _number(value: int | Decimal | float) -> str:
    if isinstance(value, float):
        raise TypeError("Float types are not supported. Use Decimal types instead.")
    number = str(_NUMBERS.create_decimal(value))
    if number in ("Infinity", "-Infinity", "NaN", "sNaN"):
        raise TypeError("Infinity and NaN not supported")
    return number

"""store/dynamo's value (de)serialisation: the store speaks botocore, so these rules replace
boto3's TypeSerializer/TypeDeserializer and must give the same attribute values."""
from __future__ import annotations

from decimal import Decimal

import pytest
from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from hypothesis import given, settings
from hypothesis import strategies as st

from chalicelib.store import dynamo

# Numbers DynamoDB stores exactly: at most 38 significant digits, modest exponents.
numbers = st.one_of(
    st.integers(min_value=-(10**37), max_value=10**37),
    st.decimals(allow_nan=False, allow_infinity=False, places=4, min_value=-(10**12), max_value=10**12),
)
scalars = st.one_of(st.text(max_size=20), st.booleans(), numbers)
# No None inside maps: boto3 stores it as NULL, the store drops it (tested below).
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(st.one_of(inner, st.none()), max_size=4),
        st.dictionaries(st.text(max_size=8), inner, max_size=4),
        st.frozensets(st.text(max_size=8), min_size=1, max_size=4),
    ),
    max_leaves=12,
)


def _normalise(attribute: object) -> object:
    """Sets come back in any order: compare their members sorted."""
    if isinstance(attribute, dict):
        return {k: sorted(v) if k in ("SS", "NS") else _normalise(v) for k, v in attribute.items()}
    if isinstance(attribute, list):
        return [_normalise(v) for v in attribute]
    return attribute


@settings(deadline=None)  # a loaded CI machine is slow, not wrong
@given(values)
def test_to_value_matches_boto3_serializer(value: object) -> None:
    assert _normalise(dynamo.to_value(value)) == _normalise(TypeSerializer().serialize(value))


@settings(deadline=None)  # a loaded CI machine is slow, not wrong
@given(values)
def test_from_value_matches_boto3_deserializer(value: object) -> None:
    attribute = dynamo.to_value(value)
    assert dynamo.from_value(attribute) == TypeDeserializer().deserialize(attribute)


@settings(deadline=None)
@given(st.dictionaries(st.text(min_size=1, max_size=8), values, max_size=5))
def test_item_round_trip_keeps_every_value(item: dict[str, object]) -> None:
    back = dynamo.from_item(dynamo.to_item(item))
    assert back == {k: TypeDeserializer().deserialize(TypeSerializer().serialize(v)) for k, v in item.items()}


def test_to_item_drops_none_at_top_level_and_in_maps() -> None:
    item = dynamo.to_item({"a": None, "b": {"c": None, "d": 1}, "e": [None, (1, 2)]})
    assert item == {"b": {"M": {"d": {"N": "1"}}}, "e": {"L": [{"NULL": True}, {"L": [{"N": "1"}, {"N": "2"}]}]}}


@pytest.mark.parametrize("bad", [1.5, Decimal("NaN"), Decimal("Infinity"), Decimal("-Infinity"), object(),
                                 Decimal("1." + "1" * 40), set()])
def test_to_value_refuses_what_dynamodb_cannot_hold_exactly(bad: object) -> None:
    with pytest.raises((TypeError, ArithmeticError)):
        dynamo.to_value(bad)


def test_from_value_reads_numbers_as_decimal_and_bytes_as_bytes() -> None:
    assert dynamo.from_value({"N": "12.50"}) == Decimal("12.50")
    assert dynamo.from_value({"B": b"\x00\x01"}) == b"\x00\x01"
    assert dynamo.from_value({"NS": ["1", "2"]}) == {Decimal(1), Decimal(2)}

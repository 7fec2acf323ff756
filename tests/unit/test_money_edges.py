"""domain.codes.money: any text or number a client sends is a Decimal of 2 places or a
ValueError (a 422 naming the field), never another exception (a 500)."""
from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chalicelib.domain.codes import money


@pytest.mark.parametrize("value", [10**30, "1e400", "1E+30", "999999999999999999999999999999.99", 10**9,
                                   "1000000000.00"])
def test_money_too_large_is_refused_with_a_reason(value):
    with pytest.raises(ValueError, match="less than"):
        money(value)


def test_money_just_under_the_ceiling_is_kept():
    assert money("999999999.99") == Decimal("999999999.99")


@given(st.one_of(st.integers(), st.text(), st.decimals(allow_nan=True, allow_infinity=True),
                 st.from_regex(r"-?[0-9]{0,40}(\.[0-9]{0,40})?([eE][+-]?[0-9]{1,4})?", fullmatch=True)))
def test_money_of_any_input_is_two_places_or_a_value_error(value):
    try:
        amount = money(value)
    except ValueError:
        return
    assert amount == amount.quantize(Decimal("0.01")) and Decimal(0) <= amount < Decimal(10) ** 9

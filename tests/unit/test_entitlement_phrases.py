"""The readable lines of a pack charge and of the client profile (pure, no AWS)."""
from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from chalicelib.domain.entitlements import format_money, pack_phrase, usage_phrase


def test_format_money_groups_thousands_and_places_the_symbol():
    assert format_money(Decimal("1000"), "USD") == "$1,000.00"
    assert format_money(Decimal("-180.5"), "EUR") == "-€180.50"
    assert format_money(Decimal("1234567.891"), "CHF") == "1,234,567.89 CHF"


def test_pack_phrase_reads_in_each_measure():
    assert pack_phrase(used=Decimal(4), limit=Decimal(6), measure="sessions",
                       currency="USD") == "session 4 of 6, 2 left"
    assert pack_phrase(used=Decimal(90), limit=Decimal(600), measure="minutes",
                       currency="USD") == "90 of 600 minutes, 510 left"
    assert pack_phrase(used=Decimal(180), limit=Decimal(1000), measure="money",
                       currency="USD") == "$180.00 of $1,000.00, $820.00 left"


def test_usage_phrase_uses_the_singular_for_a_capacity_of_one():
    assert usage_phrase(used=Decimal(0), capacity=Decimal(1), measure="sessions",
                        currency="USD") == "used 0 of 1 session, 1 left"
    assert usage_phrase(used=Decimal(6), capacity=Decimal(20), measure="units",
                        currency="USD") == "used 6 of 20 units, 14 left"


@given(used=st.integers(0, 10_000), extra=st.integers(0, 10_000), measure=st.sampled_from(["sessions", "minutes"]))
def test_usage_phrase_figures_add_up(used, extra, measure):
    capacity = used + extra
    words = usage_phrase(used=Decimal(used), capacity=Decimal(capacity), measure=measure, currency="USD").split()
    assert (int(words[1]), int(words[3]), int(words[5])) == (used, capacity, extra)

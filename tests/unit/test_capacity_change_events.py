"""What a new limit raises (domain/notifications.capacity_change_events): a cut that uses a pack
or authorization up, or puts an authorization under its low line, is news once; a raise never is."""
from __future__ import annotations

from datetime import date
from decimal import Decimal as D  # noqa: N817 - short for the many amounts written below

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chalicelib.domain import notifications as n
from chalicelib.domain.entitlements import Entitlement

TODAY = date(2026, 11, 20)


def events(kind: str, used: int, old: int, new: int, low_remaining: int = 2, low_percent: int = 80) -> list[str]:
    return n.capacity_change_events(kind, D(used), D(old), D(new), low_remaining=low_remaining,
                                    low_percent=low_percent)


@pytest.mark.parametrize(("kind", "used", "old", "new", "expected"), [
    ("PACK", 2, 5, 2, [n.PACK_USED_UP]),
    ("PACK", 2, 5, 3, []),  # a pack has no low line
    ("PACK", 2, 2, 2, []),  # unchanged: already used up, already raised
    ("PACK", 2, 2, 5, []),
    ("AUTH", 1, 3, 1, [n.AUTHORIZATION_USED_UP]),
    ("AUTH", 5, 12, 7, [n.AUTHORIZATION_LOW]),  # 7 left -> 2 left (line 2)
    ("AUTH", 5, 12, 8, []),  # 3 left, line 2
    ("AUTH", 10, 12, 11, []),  # was low already: only using it up is news
    ("AUTH", 9, 12, 15, []),  # a raise out of 'low' is no news
    ("AUTH", 1, 3, 0, []),  # below what is used: refused anyway
])
def test_capacity_change_events_for_each_kind_of_cut(kind, used, old, new, expected):
    assert events(kind, used, old, new) == expected


def test_capacity_change_events_use_the_percent_line():
    # 1 left or 50 % used: 10 allowed, 4 used is not low (6 > 5); 8 allowed is (4 <= 4).
    assert events("AUTH", 4, 10, 8, low_remaining=1, low_percent=50) == [n.AUTHORIZATION_LOW]
    assert events("AUTH", 4, 10, 9, low_remaining=1, low_percent=50) == []


amounts = st.integers(min_value=0, max_value=60)


@given(kind=st.sampled_from(["PACK", "AUTH"]), used=amounts, old_extra=amounts, new_extra=amounts,
       low_remaining=st.integers(0, 10), low_percent=st.integers(1, 100))
def test_capacity_change_events_are_news_the_digest_shows(kind, used, old_extra, new_extra, low_remaining,
                                                          low_percent):
    # Whatever a cut raises is shown by the digest as true now and was not true before; and
    # every alert true now but not before is raised (none is lost).
    old, new = D(used + old_extra), D(used + new_extra)
    raised = n.capacity_change_events(kind, D(used), old, new, low_remaining=low_remaining, low_percent=low_percent)
    candidates = [n.PACK_USED_UP] if kind == "PACK" else [n.AUTHORIZATION_USED_UP, n.AUTHORIZATION_LOW]

    def shown(event_type: str, cap: D) -> bool:
        entitlement = Entitlement(id="e1", kind=kind, client_id="cli_1", measure="sessions", state="open",
                                  capacity=cap, used=D(used), remaining=cap - used, end_on="2027-03-31",
                                  begin_on="2026-01-01", payer="Acme")
        event = {"type": event_type, "entitlement_kind": kind}
        return n.judge(event, entitlement, today=TODAY, low_remaining=low_remaining,
                       low_percent=low_percent).label is not None

    expected = [t for t in candidates if new < old and shown(t, new) and not shown(t, old)]
    if n.AUTHORIZATION_USED_UP in expected:
        expected = [n.AUTHORIZATION_USED_UP]  # used up overtakes low, as with a charge
    assert raised == expected


@pytest.mark.parametrize(("stored", "marker"), [("2", "2"), ("2.0", "2"), ("10", "10"), ("100000", "100000"),
                                                ("12.50", "12.5"), ("3000.00", "3000")])
def test_capacity_marker_reads_as_the_stored_limit(stored, marker):
    assert n.capacity_marker(D(stored)) == marker


@given(st.decimals(min_value=D("0.01"), max_value=D("1000000"), places=2))
def test_capacity_marker_is_the_plain_form_of_the_same_amount(amount):
    marker = n.capacity_marker(amount)
    assert D(marker) == amount and "E" not in marker and not (("." in marker) and marker.endswith("0"))

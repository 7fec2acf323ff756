"""Pure notification rules: milestones, charge outcomes and their bands, recipients."""
from __future__ import annotations

from datetime import date
from decimal import Decimal as D

from hypothesis import given
from hypothesis import strategies as st

from chalicelib.domain import notifications as n


def test_pack_milestones_walk_from_expiring_to_expired():
    pack = {"state": "open", "remaining": D(3), "expires_on": "2026-12-31"}
    assert n.pack_milestone(pack, date(2026, 12, 1), 14) == ([], date(2026, 12, 17))
    assert n.pack_milestone(pack, date(2026, 12, 17), 14) == ([n.PACK_EXPIRING], date(2027, 1, 1))
    assert n.pack_milestone(pack, date(2027, 1, 1), 14) == ([n.PACK_EXPIRED], None)
    assert n.pack_milestone({**pack, "remaining": D(0)}, date(2026, 12, 20), 14) == ([], None)
    assert n.pack_milestone({**pack, "state": "closed"}, date(2026, 12, 20), 14) == ([], None)


def test_authorization_milestone_is_ending_soon_once():
    auth = {"state": "open", "end_on": "2026-12-31"}
    assert n.authorization_milestone(auth, date(2026, 12, 20), 14) == ([n.AUTHORIZATION_ENDING], None)
    assert n.authorization_milestone(auth, date(2026, 12, 1), 14) == ([], date(2026, 12, 17))
    assert n.authorization_milestone(auth, date(2027, 1, 1), 14) == ([], None)


def test_due_dates_are_never_in_the_past():
    assert n.pack_due_on("2026-12-10", 14, date(2026, 12, 5)) == date(2026, 12, 5)
    assert n.pack_due_on(None, 14, date(2026, 12, 5)) is None
    assert n.authorization_due_on("2027-03-31", 14, date(2026, 12, 5)) == date(2027, 3, 17)


def _crossed(kind, before, cost, capacity, low=2, pct=80):
    after = before - cost
    line = n.low_line(capacity, low, pct)
    if after <= 0 < before:
        return [n.PACK_USED_UP if kind == "PACK" else n.AUTHORIZATION_USED_UP]
    if kind == "AUTH" and after <= line < before:
        return [n.AUTHORIZATION_LOW]
    return []


@given(kind=st.sampled_from(["PACK", "AUTH"]), capacity=st.integers(1, 40), used=st.integers(0, 40),
       cost=st.integers(1, 5))
def test_a_charge_raises_exactly_the_thresholds_it_crosses_and_its_band_holds_its_balance(kind, capacity, used, cost):
    before = D(capacity - min(used, capacity))
    if before < cost:
        return  # a charge never takes more than is left
    outcome = n.charge_outcome(kind, before, D(cost), D(capacity), low_remaining=2, low_percent=80)
    assert outcome.events == _crossed(kind, before, D(cost), D(capacity))
    assert (outcome.lo is None or before > outcome.lo) and (outcome.hi is None or before <= outcome.hi)
    # Any balance inside the band raises the same events: a concurrent charge can't fool it.
    for other in range(cost, capacity + 1):
        inside = (outcome.lo is None or other > outcome.lo) and (outcome.hi is None or other <= outcome.hi)
        if inside:
            assert _crossed(kind, D(other), D(cost), D(capacity)) == outcome.events


def test_recipients_follow_the_business_email_fallback_and_preferences():
    users = {"usr_p": {"id": "usr_p", "email": "p@x.org", "active": True, "notification_preferences": {}},
             "usr_c": {"id": "usr_c", "email": "c@x.org", "active": True,
                       "notification_preferences": {"pack_used_up": False}}}
    event = {"type": n.PACK_USED_UP, "practitioner_id": "usr_p", "created_by": "usr_c"}
    assert [r.email for r in n.recipients(event, business_email="Office@X.org", users=users)] == ["Office@X.org", "p@x.org"]
    assert [r.email for r in n.recipients(event, business_email=None, users=users)] == ["p@x.org"]
    alone = {**event, "practitioner_id": None}
    assert n.recipients(alone, business_email=None, users=users) == []  # the creator turned it off
    users["usr_c"]["notification_preferences"] = {}
    assert [r.key for r in n.recipients(alone, business_email=None, users=users)] == ["user:usr_c"]
    users["usr_c"]["active"] = False
    assert n.recipients(alone, business_email=None, users=users) == []


def test_client_label_keeps_first_name_and_last_initial():
    assert n.client_label("Jamie Rivera") == "Jamie R." and n.client_label("Cher") == "Cher"

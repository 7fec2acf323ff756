"""What a new limit does, decided without I/O (domain/charging.plan_capacity_change), checked
against what a charge that moves the balance the same way does (domain/charging.decide): the
same 'used up' and renewal, once per pack, and nothing for a pack or authorization that lapsed."""
from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from chalicelib.domain import notifications as n
from chalicelib.domain.charging import Entitlement, Policy, Session, decide, plan_capacity_change

TODAY = date(2026, 11, 20)
TERMS = {"template_id": "tpl_1", "name": "Four", "measure": "sessions", "quantity": "4", "limit": "4",
         "price": "400"}


def pack(*, limit: int = 4, used: int = 2, auto_renew: bool = True, **kw) -> Entitlement:
    return Entitlement(id="pack_a", kind="PACK", client_id="cli_1", measure="sessions", capacity=Decimal(limit),
                       used=Decimal(used), remaining=Decimal(limit - used), name="Four", auto_renew=auto_renew,
                       renew_terms=TERMS if auto_renew else None, **kw)


def auth(*, allowed: int = 12, used: int = 5, end_on: str = "2027-03-31") -> Entitlement:
    return Entitlement(id="auth_a", kind="AUTH", client_id="cli_1", measure="sessions", capacity=Decimal(allowed),
                       used=Decimal(used), remaining=Decimal(allowed - used), payer="Acme", number="PA-1",
                       begin_on="2026-01-01", end_on=end_on)


def types(change) -> list[str]:
    return [e["type"] for e in change.events]


def test_plan_capacity_change_when_a_cut_uses_an_auto_renew_pack_up_renews_it():
    change = plan_capacity_change(pack(), Decimal(2), today=TODAY)
    assert types(change) == [n.PACK_USED_UP] and change.renews is not None and change.renews.id == "pack_a"
    assert (change.entitlement.capacity, change.entitlement.remaining) == (Decimal(2), Decimal(0))


def test_plan_capacity_change_when_the_pack_renewed_before_raises_used_up_but_renews_nothing():
    change = plan_capacity_change(pack(renewed_pack_id="pack_b"), Decimal(2), today=TODAY)
    assert types(change) == [n.PACK_USED_UP] and change.renews is None


def test_plan_capacity_change_when_the_cut_leaves_room_or_is_a_raise_renews_nothing():
    for new in (3, 4, 6):
        change = plan_capacity_change(pack(), Decimal(new), today=TODAY)
        assert (types(change), change.renews) == ([], None), new


def test_plan_capacity_change_when_not_open_or_below_used_does_nothing():
    assert plan_capacity_change(pack(state="closed"), Decimal(2), today=TODAY).events == ()
    assert plan_capacity_change(pack(state="closed"), Decimal(2), today=TODAY).renews is None
    assert plan_capacity_change(pack(), Decimal(1), today=TODAY).renews is None


def test_plan_capacity_change_when_the_pack_expired_raises_and_renews_nothing():
    expired = plan_capacity_change(pack(expires_on="2026-11-19"), Decimal(2), today=TODAY)
    assert (expired.events, expired.renews) == ((), None)
    last_day = plan_capacity_change(pack(expires_on="2026-11-20"), Decimal(2), today=TODAY)
    assert types(last_day) == [n.PACK_USED_UP] and last_day.renews is not None


def test_plan_capacity_change_when_the_authorization_ended_raises_nothing():
    policy = Policy(low_remaining=2, low_percent=80)
    assert plan_capacity_change(auth(end_on="2026-11-19"), Decimal(5), today=TODAY, policy=policy).events == ()
    assert plan_capacity_change(auth(end_on="2026-11-19"), Decimal(7), today=TODAY, policy=policy).events == ()
    assert types(plan_capacity_change(auth(), Decimal(5), today=TODAY, policy=policy)) == [n.AUTHORIZATION_USED_UP]
    assert types(plan_capacity_change(auth(), Decimal(7), today=TODAY, policy=policy)) == [n.AUTHORIZATION_LOW]


@given(limit=st.integers(1, 12), used=st.integers(0, 12), cut=st.integers(1, 12), renewed=st.booleans())
def test_plan_capacity_change_renews_exactly_when_a_charge_using_the_pack_up_would(limit, used, cut, renewed):
    # A cut to `cut` leaves what a charge of (limit - cut) sessions would: when it uses the pack
    # up, both renew it (once) or neither does.
    used = min(used, limit)
    current = pack(limit=limit, used=used, renewed_pack_id="pack_b" if renewed else None)
    change = plan_capacity_change(current, Decimal(cut), today=TODAY)
    if cut < used or cut >= limit:
        assert change.renews is None
        return
    left = limit - used
    # The same fall in balance as one charge of a minutes pack (cost = the cut's difference).
    minutes = replace(current, measure="minutes")
    session = Session(session_ref="s", on=TODAY, billing_code="90837", minutes=limit - cut, fee=Decimal(0))
    charged = decide(session, [minutes])
    assert left >= limit - cut and charged.pack is not None
    assert (charged.renews is not None) == (change.renews is not None) == (cut == used and not renewed)

"""What a session is charged, decided without I/O (chalicelib/domain/charging.py): which
authorization and pack, what each costs in its measure, the band and events of the write,
corrections, first use, renewal, the readable lines, and a series' forecast."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from chalicelib.domain.charging import (
    BILLED_TO_CLIENT,
    NO_PACK,
    Entitlement,
    Policy,
    Session,
    Usage,
    Validity,
    decide,
    forecast,
    give_back,
    reversal,
)
from chalicelib.domain.entitlements import NO_EXPIRY, CodeRule, units_for

DAY = date(2026, 5, 10)


def pack(pid: str = "pack_a", *, limit: str = "6", used: str = "0", measure: str = "sessions",
         expires_on: str | None = None, **kw) -> Entitlement:
    return Entitlement(id=pid, kind="PACK", client_id="cli_1", measure=measure, capacity=Decimal(limit),
                       used=Decimal(used), remaining=Decimal(limit) - Decimal(used), name=kw.pop("name", "Six"),
                       expires_on=expires_on, **kw)


def auth(aid: str = "auth_a", *, allowed: str = "12", used: str = "0", measure: str = "sessions",
         begin_on: str = "2026-01-01", end_on: str = "2026-12-31", **kw) -> Entitlement:
    return Entitlement(id=aid, kind="AUTH", client_id="cli_1", measure=measure, capacity=Decimal(allowed),
                       used=Decimal(used), remaining=Decimal(allowed) - Decimal(used), payer="Acme",
                       number=kw.pop("number", "PA-1"), begin_on=begin_on, end_on=end_on, **kw)


def session(**kw) -> Session:
    values = {"session_ref": "ses_1", "on": DAY, "billing_code": "90837", "minutes": 60, "fee": Decimal("150.00")}
    return Session(**{**values, **kw})


# ---- which entitlement, never overdrawn --------------------------------------------------

@st.composite
def entitlement_sets(draw) -> list[Entitlement]:
    out = []
    for i in range(draw(st.integers(0, 6))):
        kind = draw(st.sampled_from(["PACK", "AUTH"]))
        capacity = Decimal(draw(st.integers(1, 20)))
        used = Decimal(draw(st.integers(0, int(capacity))))
        rule = CodeRule(draw(st.sampled_from(["only", "all_except"])),
                        frozenset(draw(st.sets(st.sampled_from(["90837", "90834", "97153"]), max_size=2))))
        state = draw(st.sampled_from(["open", "open", "open", "closed"]))
        ends = draw(st.sampled_from(["2026-05-09", "2026-05-10", "2026-06-30", "2026-12-31", None]))
        common = {"capacity": capacity, "used": used, "remaining": capacity - used, "codes": rule, "state": state}
        if kind == "PACK":
            measure = draw(st.sampled_from(["sessions", "minutes", "money"]))
            out.append(Entitlement(id=f"pack_{i}", kind="PACK", client_id="cli_1", measure=measure, name=f"P{i}",
                                   expires_on=ends, **common))
        else:
            measure = draw(st.sampled_from(["sessions", "units"]))
            begins = draw(st.sampled_from(["2026-01-01", "2026-05-10", "2026-05-11"]))
            out.append(Entitlement(id=f"auth_{i}", kind="AUTH", client_id="cli_1", measure=measure, payer="Acme",
                                   begin_on=begins, end_on=ends or "2026-12-31", **common))
    return out


def _ends(e: Entitlement) -> str:
    return e.end_on if e.kind == "AUTH" else (e.expires_on or NO_EXPIRY)


def _eligible(e: Entitlement, s: Session, cost: Decimal) -> bool:
    starts = e.begin_on if e.kind == "AUTH" else "0000-01-01"
    if e.kind == "AUTH" and e.measure == "units" and cost == 0:
        return False  # a session that rounds to no units cannot count in units
    return (e.open and e.codes.covers(s.billing_code) and starts <= s.on.isoformat() <= _ends(e)
            and e.remaining >= cost)


def _cost(e: Entitlement, s: Session) -> Decimal:
    if e.kind == "AUTH":
        return Decimal(1) if e.measure == "sessions" else Decimal(units_for(s.minutes, s.unit_minutes or 1))
    return {"sessions": Decimal(1), "minutes": Decimal(s.minutes), "money": s.fee}[e.measure]


@settings(max_examples=300, deadline=None)
@given(entitlement_sets(), st.integers(1, 15), st.sampled_from(["90837", "90834"]),
       st.sampled_from([Decimal("0.00"), Decimal("3.50"), Decimal("7")]))
def test_decide_takes_only_an_eligible_entitlement_that_ends_soonest_and_never_overdraws(entitlements, minutes, code,
                                                                                           fee):
    s = session(minutes=minutes, billing_code=code, fee=fee, unit_minutes=4)
    decision = decide(s, entitlements)
    for take, kind in ((decision.authorization, "AUTH"), (decision.pack, "PACK")):
        eligible = [e for e in entitlements if e.kind == kind and _eligible(e, s, _cost(e, s))]
        if take is None:
            assert not eligible
            continue
        assert take.entitlement in eligible
        assert take.cost == _cost(take.entitlement, s)
        assert take.remaining_after >= 0  # never overdrawn
        assert (_ends(take.entitlement), take.id) == min((_ends(e), e.id) for e in eligible)
    if decision.authorization is None:
        assert decision.authorization_reason
    if decision.pack is None:
        assert decision.pack_reason


@settings(max_examples=100, deadline=None)
@given(entitlement_sets())
def test_decide_explains_every_entitlement_it_does_not_take(entitlements):
    decision = decide(session(), entitlements)
    assert (decision.pack is None) == (decision.pack_reason is not None)
    assert (decision.authorization is None) == (decision.authorization_reason is not None)


def test_decide_names_a_used_up_pack_when_it_is_the_best_match():
    decision = decide(session(), [pack(used="6")])
    assert decision.pack is None
    assert decision.pack_reason == "pack 'Six' is used up"


def test_decide_names_what_is_left_when_a_pack_has_too_little():
    decision = decide(session(minutes=50), [pack(limit="600", used="580", measure="minutes")])
    assert decision.pack_reason == "pack 'Six' has 20 left, the session needs 50"


def test_decide_names_an_authorization_that_ended():
    decision = decide(session(), [auth(end_on="2026-05-09")])
    assert decision.authorization_reason == "authorization PA-1 (Acme) ended on 2026-05-09"


# ---- measures ---------------------------------------------------------------------------

def test_decide_counts_a_minutes_pack_in_minutes_and_a_money_pack_in_the_fee():
    minutes = decide(session(minutes=50), [pack(limit="600", measure="minutes")]).pack
    money = decide(session(fee=Decimal("180.004")), [pack(limit="1000", measure="money")]).pack
    assert minutes is not None and minutes.cost == Decimal(50)
    assert money is not None and money.cost == Decimal("180.00")


def test_decide_counts_a_units_authorization_in_rounded_units():
    decision = decide(session(minutes=53, unit_minutes=15), [auth(measure="units", allowed="40")])
    assert decision.authorization is not None and decision.authorization.cost == Decimal(4)


def test_decide_says_a_session_rounding_to_zero_units_is_why_a_covering_units_authorization_missed_it():
    only_units = decide(session(minutes=7, unit_minutes=15), [auth(measure="units", allowed="40")])
    assert only_units.authorization_reason == "7 minutes is less than half a billing unit"
    other_code = auth("auth_b", codes=CodeRule("only", frozenset({"97153"})))
    decision = decide(session(minutes=7, unit_minutes=15), [auth(measure="units", allowed="40"), other_code])
    assert decision.authorization is None
    assert decision.authorization_reason == ("7 minutes is less than half a billing unit (it rounds to 0 units of "
                                             "15 minutes), so no units authorization can count it")


def test_decide_refuses_units_for_a_code_without_unit_length():
    decision = decide(session(), [auth(measure="units")])
    assert decision.authorization_reason == "billing code 90837 has no unit length, so it cannot count in units"


# ---- who is billed, attendance ----------------------------------------------------------

def test_decide_billed_to_client_skips_authorizations_but_a_pack_still_pays():
    decision = decide(session(bill_to="client"), [auth(), pack()])
    assert decision.authorization is None and decision.authorization_reason == BILLED_TO_CLIENT
    assert decision.pack is not None
    assert decision.warnings() == []  # billing the client directly needs no number


def test_decide_no_show_counts_only_packs_that_charge_no_shows():
    plain = decide(session(attendance="no_show"), [auth(), pack()])
    charging = decide(session(attendance="no_show"), [auth(), pack(charge_no_shows=True)])
    assert plain.pack is None and plain.pack_reason == "no pack charges for a no show"
    assert plain.authorization_reason == "missed sessions are not counted against authorizations"
    assert charging.pack is not None and charging.authorization is None


def test_decide_pack_choice_none_charges_no_pack_and_an_unknown_pack_is_named():
    none = decide(session(), [pack()], pack_choice=NO_PACK)
    unknown = decide(session(), [pack()], pack_choice="pack_x")
    assert none.pack_reason == "no pack: the session is billed on its invoice"
    assert unknown.pack_reason == "pack pack_x is not one of the client's packs"


# ---- first use, renewal, events -----------------------------------------------------------

def test_decide_first_use_starts_the_pack_clock_from_the_session_date():
    first = pack(validity=Validity("first_use", 30, "days"))
    decision = decide(session(), [first])
    assert decision.pack is not None
    assert decision.pack.first_use_expires_on == "2026-06-08"
    assert decision.pack.entitlement.expires_on == "2026-06-08"
    again = decide(session(), [pack(validity=Validity("first_use", 30, "days"), expires_on="2026-06-08", used="1")])
    assert again.pack is not None and again.pack.first_use_expires_on is None


def test_decide_renews_an_auto_renew_pack_only_when_this_session_uses_it_up():
    terms = {"name": "Six", "measure": "sessions", "limit": 6, "quantity": 6, "price": "600"}
    last = decide(session(), [pack(used="5", auto_renew=True, renew_terms=terms)])
    not_last = decide(session(), [pack(used="4", auto_renew=True, renew_terms=terms)])
    assert last.renews is not None and last.renews.id == "pack_a"
    assert not_last.renews is None


def test_decide_raises_used_up_only_for_the_last_session_and_conditions_the_write_on_that_band():
    last = decide(session(), [pack(used="5")]).pack
    earlier = decide(session(), [pack(used="3")]).pack
    assert last is not None and [e["type"] for e in last.events] == ["pack_used_up"]
    assert last.band == (None, Decimal(1))
    assert earlier is not None and earlier.events == () and earlier.band == (Decimal(1), None)


def test_decide_raises_running_low_once_when_an_authorization_crosses_the_line():
    policy = Policy(low_remaining=2, low_percent=100)  # low: at most 2 left
    crossing = decide(session(), [auth(allowed="10", used="7")], policy=policy).authorization
    below = decide(session(), [auth(allowed="10", used="8")], policy=policy).authorization
    assert crossing is not None and [e["type"] for e in crossing.events] == ["authorization_low"]
    assert below is not None and below.events == ()


# ---- corrections and give-backs -----------------------------------------------------------

def test_decide_correction_on_the_same_pack_takes_only_the_difference():
    old = Usage("PACK", "pack_a", Decimal(50), on="2026-05-10")
    decision = decide(session(minutes=60), [pack(limit="600", used="50", measure="minutes")], replacing={"PACK": old})
    take = decision.pack
    assert take is not None and take.cost == Decimal(60) and take.shift == Decimal(50) and take.taken == Decimal(10)
    assert take.gives_back is None and take.replaces == old
    assert decision.give_backs == ()


def test_decide_correction_to_bill_the_client_gives_the_authorization_back():
    old = Usage("AUTH", "auth_a", Decimal(1))
    decision = decide(session(bill_to="client"), [auth(used="1")], replacing={"AUTH": old})
    assert decision.authorization is None
    assert [b.usage for b in decision.give_backs] == [old]
    assert decision.writes


def test_decide_correction_sees_the_replaced_amount_as_available_again():
    old = Usage("PACK", "pack_a", Decimal(1))
    decision = decide(session(), [pack(limit="1", used="1")], replacing={"PACK": old})
    assert decision.pack is not None and decision.pack.cost == Decimal(1)


def test_give_back_restarts_a_first_use_clock_only_when_nothing_else_is_used():
    clocked = {"validity": Validity("first_use", 30, "days"), "expires_on": "2026-06-08"}
    usage = Usage("PACK", "pack_a", Decimal(1))
    assert give_back(usage, pack(used="1", **clocked)).restarts_clock
    assert not give_back(usage, pack(used="2", **clocked)).restarts_clock
    assert not give_back(usage, pack(used="1", validity=Validity("purchase", 30, "days"),
                                     expires_on="2026-06-08")).restarts_clock
    assert not give_back(usage, None).restarts_clock


def test_reversal_gives_back_only_active_usages():
    active, reversed_ = Usage("PACK", "pack_a", Decimal(1)), Usage("AUTH", "auth_a", Decimal(1), state="reversed")
    assert [b.usage for b in reversal([active, reversed_], {})] == [active]


# ---- what the answer reads ----------------------------------------------------------------

def test_decision_lines_read_as_staff_expect():
    decision = decide(session(), [pack(used="3"), auth(allowed="12", used="6")], policy=Policy(currency="USD"))
    assert decision.pack_line() == "session 4 of 6, 2 left"
    assert decision.authorization_line() == "session 7 of 12 authorized, 5 left, ends 2026-12-31"
    assert decision.member_lines() == ["authorization PA-1: session 7 of 12 authorized, 5 left, ends 2026-12-31",
                                       "pack 'Six': 4 of 6 sessions"]
    money = decide(session(fee=Decimal("180")), [pack(limit="1000", measure="money")], policy=Policy(currency="USD"))
    assert money.pack_line() == "$180.00 of $1,000.00, $820.00 left"


def test_decision_stamp_is_the_number_or_why_there_is_none():
    assert decide(session(), [auth()]).authorization_stamp() == ("PA-1", None)
    assert decide(session(), [auth(number=None)]).authorization_stamp() == (None, "the authorization has no number")
    assert decide(session(), []).authorization_stamp() == (None, "the client has no authorization")
    assert "the authorization has no number to put on the claim" in decide(session(), [auth(number=None)]).warnings()


# ---- a series' forecast -------------------------------------------------------------------

def test_forecast_walks_the_balance_so_later_sessions_of_a_series_warn():
    weekly = [session(on=date(2026, 5, d)) for d in (4, 11, 18)]
    seen = forecast(weekly, [pack(limit="2"), auth(allowed="3", used="1")])
    assert [f.pack_reason for f in seen] == [None, None, "pack 'Six' is used up"]
    assert [f.authorization_reason for f in seen] == [None, None, "authorization PA-1 (Acme) is used up"]


def test_forecast_after_a_first_use_applies_the_expiry_it_set():
    seen = forecast([session(on=date(2026, 5, 1)), session(on=date(2026, 5, 20))],
                    [pack(validity=Validity("first_use", 7, "days"))])
    assert seen[0].pack_reason is None
    assert seen[1].pack_reason == "pack 'Six' ended on 2026-05-07"


@settings(max_examples=100, deadline=None)
@given(entitlement_sets(), st.integers(1, 8))
def test_forecast_never_takes_more_than_a_balance_holds(entitlements, count):
    weekly = [session(on=date(2026, 5, 1 + 3 * i)) for i in range(count)]
    seen = forecast(weekly, entitlements)
    room = sum((e.remaining for e in entitlements if e.kind == "PACK" and e.measure == "sessions" and e.open),
               Decimal(0))
    charged = sum(1 for f in seen if f.pack_reason is None)
    if all(e.measure == "sessions" for e in entitlements if e.kind == "PACK"):
        assert charged <= room


@settings(max_examples=200, deadline=None)
@given(entitlement_sets(), st.integers(1, 15), st.data())
def test_decide_correction_never_takes_more_than_the_stored_balance_holds(entitlements, minutes, data):
    packs = [e for e in entitlements if e.kind == "PACK" and e.used > 0]
    if not packs:
        return
    held = data.draw(st.sampled_from(packs))
    old = Usage("PACK", held.id, data.draw(st.integers(1, int(held.used))) * Decimal(1))
    decision = decide(session(minutes=minutes), entitlements, replacing={"PACK": old})
    stored = {e.id: e for e in entitlements}
    take = decision.pack
    if take is None:
        assert [b.usage for b in decision.give_backs] == [old]  # nothing charged: all of it goes back
        return
    # The write is conditioned on `remaining >= taken` against the stored balance: it holds.
    assert stored[take.id].remaining >= take.taken
    assert (take.gives_back is None) == (take.id == held.id)
    assert decision.give_backs == ()

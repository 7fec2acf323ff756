"""Pure notification rules: milestones, charge outcomes and their bands, recipients."""
from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal as D  # noqa: N817 - short for the many amounts written below

from hypothesis import given
from hypothesis import strategies as st

from chalicelib.domain import notifications as n
from chalicelib.domain.entitlements import Entitlement


def test_pack_milestones_walk_from_expiring_to_expired():
    pack = _pack(remaining=D(3), expires_on="2026-12-31")
    assert n.pack_milestone(pack, date(2026, 12, 1), 14) == ([], date(2026, 12, 17))
    assert n.pack_milestone(pack, date(2026, 12, 17), 14) == ([n.PACK_EXPIRING], date(2027, 1, 1))
    assert n.pack_milestone(pack, date(2027, 1, 1), 14) == ([n.PACK_EXPIRED], None)
    assert n.pack_milestone(replace(pack, remaining=D(0)), date(2026, 12, 20), 14) == ([], None)
    assert n.pack_milestone(replace(pack, state="closed"), date(2026, 12, 20), 14) == ([], None)


def test_authorization_milestone_is_ending_soon_once():
    auth = _auth(end_on="2026-12-31")
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
    users = {"usr_p": n.Staff(id="usr_p", email="p@x.org"),
             "usr_c": n.Staff(id="usr_c", email="c@x.org", muted=frozenset({"pack_used_up"}))}
    event = {"type": n.PACK_USED_UP, "practitioner_id": "usr_p", "created_by": "usr_c"}
    assert [r.email for r in n.recipients(event, business_email="Office@X.org", users=users)] == [
        "Office@X.org", "p@x.org"]
    assert [r.email for r in n.recipients(event, business_email=None, users=users)] == ["p@x.org"]
    alone = {**event, "practitioner_id": None}
    assert n.recipients(alone, business_email=None, users=users) == []  # the creator turned it off
    users["usr_c"] = replace(users["usr_c"], muted=frozenset())
    assert [r.key for r in n.recipients(alone, business_email=None, users=users)] == ["user:usr_c"]
    users["usr_c"] = replace(users["usr_c"], active=False)
    assert n.recipients(alone, business_email=None, users=users) == []


def test_client_label_keeps_first_name_and_last_initial():
    assert n.client_label("Jamie Rivera") == "Jamie R." and n.client_label("Cher") == "Cher"


# ---- what a digest shows: judged on the entitlement as it is when the email is sent ----------

TODAY = date(2026, 11, 20)
RULES = {"today": TODAY, "low_remaining": 2, "low_percent": 80}


def _auth(**over):
    return Entitlement(**{"kind": "AUTH", "id": "auth_1", "client_id": "cli_1", "client_name": "Jamie Rivera",
                          "number": "PA-1", "payer": "Acme", "state": "open", "capacity": D(3), "used": D(3),
                          "remaining": D(0), "begin_on": "2026-01-01", "end_on": "2026-11-25", "measure": "sessions",
                          **over})


def _pack(**over):
    return Entitlement(**{"kind": "PACK", "id": "pack_1", "client_id": "cli_1", "client_name": "Jamie Rivera",
                          "name": "Ten", "state": "open", "capacity": D(10), "used": D(4), "remaining": D(6),
                          "expires_on": "2026-11-30", "measure": "sessions", **over})


def _event(event_type, entitlement, **over):
    return {**n.event_of(event_type, entitlement, remaining=entitlement.remaining, marker="x"),
            "SK": f"EVENT#{event_type}", **over}


def test_judge_withholds_running_low_once_used_up_and_keeps_used_up_and_ending():
    auth = _auth()
    assert n.judge(_event(n.AUTHORIZATION_LOW, auth), auth, **RULES) == n.Verdict(withheld=n.OVERTAKEN)
    assert n.judge(_event(n.AUTHORIZATION_USED_UP, auth), auth, **RULES) == n.Verdict(label="used up")
    assert n.judge(_event(n.AUTHORIZATION_ENDING, auth), auth, **RULES) == n.Verdict(label="ending soon")


def test_judge_withholds_what_a_raised_limit_made_untrue():
    raised = _auth(capacity=D(20), remaining=D(17))
    assert n.judge(_event(n.AUTHORIZATION_USED_UP, raised), raised, **RULES).withheld == n.NO_LONGER_TRUE
    assert n.judge(_event(n.AUTHORIZATION_LOW, raised), raised, **RULES).withheld == n.NO_LONGER_TRUE
    still_low = _auth(capacity=D(5), remaining=D(2))
    assert n.judge(_event(n.AUTHORIZATION_LOW, still_low), still_low, **RULES).label == "running low"
    pack = _pack(capacity=D(12), remaining=D(2))
    assert n.judge(_event(n.PACK_USED_UP, pack), pack, **RULES).withheld == n.NO_LONGER_TRUE


def test_judge_withholds_alerts_of_deleted_closed_and_consolidated_entitlements():
    event = _event(n.PACK_USED_UP, _pack(remaining=D(0)))
    assert n.judge(event, None, **RULES).withheld == n.GONE
    assert n.judge(event, _pack(remaining=D(0), state="deleted"), **RULES).withheld == n.GONE
    assert n.judge(event, _pack(remaining=D(0), state="closed"), **RULES).withheld == n.CLOSED
    assert n.judge(event, _pack(remaining=D(0), state="consolidated"), **RULES).withheld == n.CONSOLIDATED


def test_judge_follows_a_pack_from_expiring_to_expired_and_a_moved_date():
    pack = _pack()
    expiring = _event(n.PACK_EXPIRING, pack)
    assert n.judge(expiring, pack, **RULES).label == "expiring soon"
    assert n.judge(expiring, pack, **{**RULES, "today": date(2026, 12, 1)}).withheld == n.OVERTAKEN
    assert n.judge(_event(n.PACK_EXPIRED, pack), pack, **{**RULES, "today": date(2026, 12, 1)}).label == "expired"
    assert n.judge(expiring, _pack(expires_on="2027-06-30"), **RULES).withheld == n.DATE_MOVED
    assert n.judge(expiring, _pack(remaining=D(0)), **RULES).withheld == n.OVERTAKEN  # used up since


def test_judge_says_ended_when_ending_soon_is_sent_after_the_end():
    auth = _auth(remaining=D(4), capacity=D(10), used=D(6))
    after_the_end = {**RULES, "today": date(2026, 11, 26)}
    assert n.judge(_event(n.AUTHORIZATION_ENDING, auth), auth, **after_the_end).label == "ended"
    moved = _auth(end_on="2027-05-31")
    assert n.judge(_event(n.AUTHORIZATION_ENDING, auth), moved, **RULES).withheld == n.DATE_MOVED


def test_renewal_covers_ending_soon_without_a_gap_and_used_up_once_in_effect():
    old = _auth()
    follows = _auth(id="auth_2", remaining=D(10), capacity=D(10), used=D(0), begin_on="2026-11-26",
                    end_on="2027-05-31")
    ending, used_up = _event(n.AUTHORIZATION_ENDING, old), _event(n.AUTHORIZATION_USED_UP, old)
    assert n.judge(ending, old, siblings=[old, follows], **RULES).withheld == n.RENEWED
    # Not in effect until the 26th: the sessions before then are still uncovered.
    assert n.judge(used_up, old, siblings=[follows], **RULES).label == "used up"
    assert n.judge(used_up, old, siblings=[follows], **{**RULES, "today": date(2026, 11, 26)}).label is None
    for not_a_renewal in (replace(follows, begin_on="2026-12-10"), replace(follows, payer="Other"),
                          replace(follows, state="closed"), replace(follows, remaining=D(0)),
                          replace(follows, end_on="2026-11-25")):
        assert n.judge(ending, old, siblings=[not_a_renewal], **RULES).label == "ending soon", not_a_renewal


def test_digest_rows_show_each_entitlement_once_with_current_figures_most_pressing_first():
    auth, pack = _auth(), _pack()
    later_auth_event = _event(n.AUTHORIZATION_ENDING, auth)
    shown = [(_event(n.PACK_EXPIRING, pack), "expiring soon"), (later_auth_event, "ending soon"),
             (_event(n.AUTHORIZATION_USED_UP, auth, remaining=D(2)), "used up")]
    rows = n.digest_rows(shown, {("AUTH", "auth_1"): auth, ("PACK", "pack_1"): pack, ("PACK", "gone"): None},
                         today=TODAY)
    assert [r.line() for r in rows] == [
        "Authorization used up and ending soon: 'authorization PA-1 (Acme)' for Jamie R. — 0 of 3 left, "
        "ends 2026-11-25",
        "Pack expiring soon: 'Ten' for Jamie R. — 6 of 10 left, expires 2026-11-30"]
    assert [a.label for a in rows[0].alerts] == ["used up", "ending soon"] and rows[0].urgent and not rows[1].urgent
    assert rows[0].line([rows[0].alerts[1]]).startswith("Authorization ending soon: ")

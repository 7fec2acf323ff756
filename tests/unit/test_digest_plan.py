"""The sweep's pure delivery plan: which alerts land in which recipient's digest, which are
shown, and which events stay pending after the emails (no moto, no HTTP)."""
from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from chalicelib.domain.notifications import Recipient, Verdict
from chalicelib.jobs import digest_plan

PEOPLE = [Recipient(key=f"user:u{i}", email=f"u{i}@example.org", user_id=f"u{i}") for i in range(4)] + [
    Recipient(key="email:front@example.org", email="front@example.org")]

events_st = st.lists(st.integers(0, 40), unique=True, max_size=12)


@st.composite
def plans(draw):
    events = draw(events_st)
    wanted = {e: draw(st.lists(st.sampled_from(PEOPLE), unique_by=lambda r: r.key, max_size=3)) for e in events}
    delivered = {e: draw(st.sets(st.sampled_from([r.key for r in wanted[e]]) if wanted[e] else st.nothing()))
                 for e in events}
    return events, wanted, delivered


@given(plans())
def test_digests_give_each_recipient_exactly_the_events_it_is_still_owed(plan):
    events, wanted, delivered = plan
    sent = digest_plan.digests(events, wanted, delivered)
    got = {(r.key, e) for r, its in sent for e in its}
    owed = {(r.key, e) for e in events for r in wanted[e] if r.key not in delivered[e]}
    assert got == owed
    assert sum(len(its) for _, its in sent) == len(owed)  # nothing twice


@given(plans())
def test_digests_when_built_have_one_nonempty_digest_per_recipient_in_key_order(plan):
    events, wanted, delivered = plan
    sent = digest_plan.digests(events, wanted, delivered)
    keys = [r.key for r, _ in sent]
    assert keys == sorted(set(keys))
    assert all(its for _, its in sent)
    for _, its in sent:  # a digest keeps the order the events were found in
        assert its == sorted(its, key=events.index)


def test_digests_when_everyone_has_everything_send_nothing():
    wanted = {1: PEOPLE[:2], 2: PEOPLE[1:3]}
    delivered = {1: {PEOPLE[0].key, PEOPLE[1].key}, 2: {PEOPLE[1].key, PEOPLE[2].key}}
    assert digest_plan.digests([1, 2], wanted, delivered) == []


verdicts_st = st.sampled_from([Verdict(label="used up"), Verdict(label="expiring soon"), Verdict(label="ended"),
                               Verdict(withheld="deleted"), Verdict(withheld="overtaken"),
                               Verdict(withheld="renewed")])


@given(st.dictionaries(st.integers(0, 40), verdicts_st, max_size=12))
def test_shown_holds_exactly_the_alerts_still_news_with_their_labels(verdicts):
    events = list(verdicts)
    shown = digest_plan.shown(events, verdicts)
    assert shown == [(e, verdicts[e].label) for e in events if verdicts[e].withheld is None]


def test_shown_when_everything_is_withheld_is_empty():
    verdicts = {1: Verdict(withheld="deleted"), 2: Verdict(withheld="no longer true")}
    assert digest_plan.shown([1, 2], verdicts) == []


@given(events_st, st.sets(st.integers(0, 40)))
def test_settle_keeps_failed_events_pending_and_finishes_the_rest(events, failed):
    pending, finished = digest_plan.settle(events, failed)
    assert pending == [e for e in events if e in failed]
    assert finished == [e for e in events if e not in failed]

"""The sweep's pure delivery plan: which alerts land in which recipient's digest, which are
shown, and which events stay pending after the emails (no moto, no HTTP)."""
from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from chalicelib.domain.notifications import Recipient, Verdict
from chalicelib.jobs import digest_plan

PEOPLE = [Recipient(key=f"user:u{i}", email=f"u{i}@example.org", user_id=f"u{i}") for i in range(4)] + [
    Recipient(key="email:front@example.org", email="front@example.org")]

events_st = st.lists(st.integers(0, 40), unique=True, max_size=12)


def _people(mask: int) -> list[Recipient]:
    return [r for i, r in enumerate(PEOPLE) if mask >> i & 1]


# Each event: who should hear of it, and who has had it already, as bit masks over PEOPLE
# (cheap to draw and to shrink).
plans = st.dictionaries(st.integers(0, 40), st.tuples(st.integers(0, 31), st.integers(0, 31)), max_size=12).map(
    lambda drawn: (list(drawn), {e: _people(w) for e, (w, _) in drawn.items()},
                   {e: {r.key for r in _people(w & d)} for e, (w, d) in drawn.items()}))


@settings(deadline=None)  # pure and fast: a deadline would only measure the shared machine's load
@given(plans)
def test_digests_give_each_recipient_exactly_the_events_it_is_still_owed(plan):
    events, wanted, delivered = plan
    sent = digest_plan.digests(events, wanted, delivered)
    got = {(r.key, e) for r, its in sent for e in its}
    owed = {(r.key, e) for e in events for r in wanted[e] if r.key not in delivered[e]}
    assert got == owed
    assert sum(len(its) for _, its in sent) == len(owed)  # nothing twice


@settings(deadline=None)  # pure and fast: a deadline would only measure the shared machine's load
@given(plans)
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


@settings(deadline=None)  # pure and fast: a deadline would only measure the shared machine's load
@given(st.dictionaries(st.integers(0, 40), verdicts_st, max_size=12))
def test_shown_holds_exactly_the_alerts_still_news_with_their_labels(verdicts):
    events = list(verdicts)
    shown = digest_plan.shown(events, verdicts)
    assert shown == [(e, verdicts[e].label) for e in events if verdicts[e].withheld is None]


def test_shown_when_everything_is_withheld_is_empty():
    verdicts = {1: Verdict(withheld="deleted"), 2: Verdict(withheld="no longer true")}
    assert digest_plan.shown([1, 2], verdicts) == []


@settings(deadline=None)  # pure and fast: a deadline would only measure the shared machine's load
@given(events_st, st.sets(st.integers(0, 40)))
def test_settle_keeps_failed_events_pending_and_finishes_the_rest(events, failed):
    pending, finished = digest_plan.settle(events, failed)
    assert pending == [e for e in events if e in failed]
    assert finished == [e for e in events if e not in failed]

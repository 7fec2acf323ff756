"""The daily sweep: read what is due from the DUE index, raise the events it calls for, and
email each practice's staff one digest per recipient.

1. Read. For each day from the first bucket still to read up to today, Query each shard of
   the DUE index. Nothing else is read, so the cost follows what is due, not the number of
   packs: a pack sits in the index only from the day it starts expiring soon.
2. Raise. A pack or authorization found there raises its milestone event (expiring soon,
   expired, ending soon) and moves on to its next milestone's bucket, or out of the index.
   Events raised at charge time (used up, running low) are already there: the charge wrote
   them in its own transaction (the outbox).
3. Deliver. Per practice, events are grouped by recipient; each recipient gets one email.
   The email is written from the packs and authorizations as they are when it is sent (one
   BatchGetItem of those the events name): each once, with every alert still true of it. An
   alert that is no longer news (the pack was deleted, closed or consolidated, a raised limit
   made 'used up' untrue, a date moved, a later alert overtook it, the authorization was
   renewed) is withheld: not shown, but settled with the email like the others, so it never
   comes later. A recipient left with nothing to read gets no email.
   Only after SES accepts it is each event marked delivered to that recipient, with a
   conditional write; an event every recipient has is finished and leaves the index. A
   failed email leaves its events pending in today's bucket for the next run. A rerun sends
   nothing new. A run that nears the Lambda time limit stops between emails; the next run
   reads the same buckets and carries on.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from chalicelib.config import get_settings
from chalicelib.domain.entitlements import Entitlement
from chalicelib.domain.notifications import (
    DigestRow,
    Recipient,
    Verdict,
    authorization_milestone,
    digest_rows,
    event_of,
    judge,
    pack_milestone,
    recipients,
)
from chalicelib.domain.practice import Practice
from chalicelib.jobs import digest_plan
from chalicelib.notify.mailer import Mailer, MailerError, default_mailer
from chalicelib.notify.templates import digest
from chalicelib.observability import logger
from chalicelib.store import events, inbox, practices
from chalicelib.store import sweep as due
from chalicelib.store import users as staff_store
from chalicelib.store.sweep import DueEntitlement, DuePractice, PendingEvent

# Stop sending when less than this is left of the Lambda's time: one more digest and the
# bookkeeping after it fit comfortably.
MARGIN_SECONDS = 30.0
LEASE_SECONDS = 15 * 60
# The very first run reads this far back: an item is bucketed on the day it was written at
# the earliest, so this covers what was written in the month before the first run.
FIRST_LOOK_BACK = timedelta(days=30)

EventKey = tuple[str, str]  # (practice id, event id)


@dataclass
class SweepReport:
    """What one run did (logged, and returned to tests and `make sweep`)."""

    buckets: int = 0
    items_read: int = 0
    items_due: int = 0
    events_raised: int = 0
    emails_sent: int = 0
    emails_failed: int = 0
    events_finished: int = 0
    alerts_withheld: int = 0
    purged_practices: list[str] = field(default_factory=list)
    finished: bool = True
    skipped: str | None = None


def run_sweep(*, today: date | None = None, mailer: Mailer | None = None,
              time_left: Callable[[], float] = lambda: float("inf"),
              purge: Callable[[DuePractice, date], bool] | None = None) -> SweepReport:
    """One run of the sweep (see the module docstring). `today` pins the date (tests, replays);
    by default buckets are read up to today in UTC and each practice's milestones use its
    own local date. `purge` handles a closed practice whose retention ended (its record sits
    in the same index)."""
    pinned = today
    today = today or datetime.now(UTC).date()
    report = SweepReport()
    lease = due.acquire_lease(LEASE_SECONDS)
    if lease is None:
        report.finished, report.skipped = False, "another sweep holds the lease"
        return report
    try:
        found = due.read_due(due.next_bucket() or today - FIRST_LOOK_BACK, today)
        report.buckets, report.items_read = found.buckets, found.items_read
        open_practices = _Practices()
        pending = _raise_milestones(found.entitlements, today, pinned, open_practices, report)
        pending.update({e.key: e for e in found.events})
        report.items_due += len(found.events)
        for practice in found.practices:
            report.items_due += 1
            if purge is not None and _purge(purge, practice, today):
                report.purged_practices.append(practice.id)
        report.finished = _deliver(list(pending.values()), today, pinned, open_practices,
                                   mailer or default_mailer(), time_left, report)
        if report.finished:
            due.set_next_bucket(today)
    finally:
        due.release_lease(lease)
    logger().info("sweep", extra={k: v for k, v in report.__dict__.items() if k != "purged_practices"})
    return report


def _purge(purge: Callable[[DuePractice, date], bool], practice: DuePractice, today: date) -> bool:
    try:
        return purge(practice, today)
    except Exception:  # noqa: BLE001  one practice's failed purge must not stop the others' emails
        logger().exception("purge failed", extra={"practice_id": practice.id})
        due.move(practice.ref, today)  # tried again on the next run
        return False


# ---- 2. raise ----------------------------------------------------------------------------

def _raise_milestones(entitlements: list[DueEntitlement], today: date, pinned: date | None,
                      open_practices: _Practices, report: SweepReport) -> dict[EventKey, PendingEvent]:
    """Raise each due entitlement's milestone event and move it to its next bucket; the
    events raised, by key, ready to deliver in this run."""
    raised: dict[EventKey, PendingEvent] = {}
    for found in entitlements:
        entitlement = found.entitlement
        practice = open_practices.get(found.practice_id)
        if practice is None:
            due.move(found.ref, today)  # closed: looked at again daily, in case it reopens
            continue
        local_today = _local_today(practice, today, pinned)
        if entitlement.kind == "PACK":
            types, next_due = pack_milestone(entitlement, local_today, practice.expiring_soon_days)
            marker = entitlement.expires_on or ""
        else:
            types, next_due = authorization_milestone(entitlement, local_today, practice.authorization_ending_days)
            marker = entitlement.end_on
        for event_type in types:
            event = event_of(event_type, entitlement, remaining=entitlement.remaining, marker=marker)
            # What is stored now: a run that died after raising it may even have delivered it.
            stored = due.raise_milestone(found.practice_id, event, on=today)
            if stored is not None:
                raised[stored.key] = stored
                report.events_raised += 1
        if types:
            report.items_due += 1
        due.move(found.ref, next_due)
    return raised


def _local_today(practice: Practice, today: date, pinned: date | None) -> date:
    # Never ahead of the run's date: a practice east of UTC is not a day early.
    return pinned or min(today, datetime.now(ZoneInfo(practice.time_zone)).date())


class _Practices:
    """Practices read once per run (None: closed or gone, so nobody is emailed)."""

    def __init__(self) -> None:
        self._seen: dict[str, Practice | None] = {}

    def get(self, practice_id: str) -> Practice | None:
        if practice_id not in self._seen:
            practice = practices.get(practice_id)
            self._seen[practice_id] = practice if practice and practice.status != "closed" else None
        return self._seen[practice_id]


# ---- 3. deliver --------------------------------------------------------------------------

def _deliver(pending: list[PendingEvent], today: date, pinned: date | None, open_practices: _Practices,
             mailer: Mailer, time_left: Callable[[], float], report: SweepReport) -> bool:
    """Email every pending event's recipients; False if it stopped for lack of time."""
    by_practice: dict[str, list[PendingEvent]] = {}
    for event in pending:
        by_practice.setdefault(event.practice_id, []).append(event)
    open_ones: dict[str, Practice] = {}
    for practice_id, practice_events in by_practice.items():
        practice = open_practices.get(practice_id)
        if practice is None:
            for event in practice_events:
                due.move(event.ref, today)  # a closed practice gets no email, unless it reopens
        else:
            open_ones[practice_id] = practice
    # What the emails say is read now, once for the whole run: only what the events name.
    current = events.named_entitlements([e.data for practice_id in open_ones for e in by_practice[practice_id]])
    for practice_id, practice in sorted(open_ones.items()):
        practice_events = by_practice[practice_id]
        local_today = _local_today(practice, today, pinned)
        verdicts = _judge(practice, practice_events, current, local_today)
        report.alerts_withheld += sum(1 for v in verdicts.values() if v.withheld)
        users = {u.id: u for u in staff_store.digest_staff(practice_id)}
        wanted = {e.key: recipients(e.data, business_email=practice.business_email, users=users)
                  for e in practice_events}
        delivery = _Delivery(practice, {e.key: e for e in practice_events}, verdicts, current, local_today,
                             pinned or _local_now(practice))
        if not _deliver_practice(delivery, wanted, today, mailer, time_left, report):
            return False
    return True


def _local_now(practice: Practice) -> date:
    return datetime.now(ZoneInfo(practice.time_zone)).date()


def _judge(practice: Practice, practice_events: list[PendingEvent],
           current: Mapping[tuple[str, str], Entitlement | None], today: date) -> dict[EventKey, Verdict]:
    """Each event's verdict: still news (with its label now), or withheld and why. A client's
    authorizations are read (one Query per client) only when an authorization alert would
    otherwise be shown, to see whether it has been renewed."""
    siblings: dict[str, list[Entitlement]] = {}
    verdicts: dict[EventKey, Verdict] = {}
    for event in practice_events:
        data = event.data
        entitlement = current.get((data["entitlement_kind"], data["entitlement_id"]))
        verdict = judge(data, entitlement, today=today, low_remaining=practice.authorization_low_remaining,
                        low_percent=practice.authorization_low_percent)
        if verdict.label and data["entitlement_kind"] == "AUTH":
            client_id = data["client_id"]
            if client_id not in siblings:
                siblings[client_id] = events.client_authorizations(practice.id, client_id)
            verdict = judge(data, entitlement, siblings=siblings[client_id], today=today,
                            low_remaining=practice.authorization_low_remaining,
                            low_percent=practice.authorization_low_percent)
        verdicts[event.key] = verdict
    return verdicts


@dataclass(frozen=True)
class _Delivery:
    """What one practice's digests are written from, this run."""

    practice: Practice
    events: dict[EventKey, PendingEvent]  # in the order they were found
    verdicts: dict[EventKey, Verdict]
    current: Mapping[tuple[str, str], Entitlement | None]
    today: date  # the date the alerts are judged on
    on: date  # the date the digest is for

    def rows(self, its_events: list[EventKey]) -> list[DigestRow]:
        """One recipient's rows: the alerts still news among their events."""
        shown = [(self.events[key].data, label) for key, label in digest_plan.shown(its_events, self.verdicts)]
        return digest_rows(shown, self.current, today=self.today)


def _deliver_practice(delivery: _Delivery, wanted: dict[EventKey, list[Recipient]], today: date, mailer: Mailer,
                      time_left: Callable[[], float], report: SweepReport) -> bool:
    practice = delivery.practice
    keys = list(delivery.events)
    delivered = {key: event.delivered_to for key, event in delivery.events.items()}
    failed: set[EventKey] = set()
    for recipient, its_events in digest_plan.digests(keys, wanted, delivered):
        if time_left() < MARGIN_SECONDS:
            return False
        rows = delivery.rows(its_events)
        sent: tuple[str, str] | None = None
        if rows:  # else nothing is news to them: the withheld alerts are settled without an email
            message = digest(to=recipient.email, practice_name=practice.name, on=delivery.on.isoformat(), rows=rows,
                             console_url=get_settings().console_url, currency=practice.currency)
            try:
                message_id = mailer.send(message)
            except MailerError as err:
                report.emails_failed += 1
                failed.update(its_events)
                logger().warning("digest not sent", extra={"practice_id": practice.id,
                                                           "recipient": recipient.key.split(":")[0],
                                                           "error": str(err), "events": len(its_events)})
                continue
            report.emails_sent += 1
            sent = (message_id, message.subject)
        for key in its_events:
            due.mark_delivered(delivery.events[key], recipient.key)
        if sent and recipient.user_id:
            _to_inbox(practice.id, recipient.user_id, *sent, rows)
    still_pending, finished = digest_plan.settle(keys, failed)
    for key in still_pending:
        due.move(delivery.events[key].ref, today)  # still pending: today's bucket is read next run
    for key in finished:
        due.finish(delivery.events[key], on=today, withheld=delivery.verdicts[key].withheld)
        report.events_finished += 1
    return True


def _to_inbox(practice_id: str, user_id: str, message_id: str, subject: str, rows: list[DigestRow]) -> None:
    """What the user was sent and about what, for GET /v1/notifications: one entry per alert
    shown, with the figures the email showed."""
    inbox.add(practice_id, user_id, message_id=message_id, subject=subject, alerts=[
        {"type": a.type, "headline": row.headline([a]), "line": row.line([a]),
         "entitlement_kind": "pack" if row.kind == "PACK" else "authorization",
         "entitlement_id": row.entitlement_id, "client_id": row.client_id}
        for row in rows for a in row.alerts])


def run_scheduled(context: Any) -> SweepReport:
    """The daily schedule's entry point: the sweep, with the Lambda's clock as its deadline,
    and the purge of closed practices whose retention has ended."""
    from chalicelib.jobs.purge import purge_practice

    def time_left() -> float:
        return context.get_remaining_time_in_millis() / 1000 if context else float("inf")

    return run_sweep(time_left=time_left, purge=purge_practice)

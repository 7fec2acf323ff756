"""Pure rules for staff notifications (PRODUCT.md §8): when a pack or an authorization is due
for a look, which events it raises, which events a charge raises, and who hears about each."""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from chalicelib.domain.entitlements import Entitlement, format_amount

# Event types; each is also the user preference that turns its emails on or off.
PACK_EXPIRING = "pack_expiring"
PACK_EXPIRED = "pack_expired"
PACK_USED_UP = "pack_used_up"
AUTHORIZATION_LOW = "authorization_low"
AUTHORIZATION_USED_UP = "authorization_used_up"
AUTHORIZATION_ENDING = "authorization_ending"
EVENT_TYPES = (PACK_EXPIRING, PACK_EXPIRED, PACK_USED_UP, AUTHORIZATION_LOW, AUTHORIZATION_USED_UP,
               AUTHORIZATION_ENDING)

def pack_due_on(expires_on: str | None, soon_days: int, today: date) -> date | None:
    """The first day a pack needs the sweep: when it starts 'expiring soon' (today, if it
    already has)."""
    return max(date.fromisoformat(expires_on) - timedelta(days=soon_days), today) if expires_on else None


def authorization_due_on(end_on: str, ending_days: int, today: date) -> date:
    """The first day an authorization needs the sweep: when it starts 'ending soon'."""
    return max(date.fromisoformat(end_on) - timedelta(days=ending_days), today)


def pack_milestone(pack: Entitlement, today: date, soon_days: int) -> tuple[list[str], date | None]:
    """The events a pack raises today and the next day to look at it (None: never again).
    A closed or used-up pack raises no expiry events: nobody can use it anyway."""
    if pack.state != "open" or pack.remaining <= 0 or not pack.expires_on:
        return [], None
    expires = date.fromisoformat(pack.expires_on)
    if today > expires:
        return [PACK_EXPIRED], None
    if today >= expires - timedelta(days=soon_days):
        return [PACK_EXPIRING], expires + timedelta(days=1)
    return [], expires - timedelta(days=soon_days)  # the practice's threshold changed since


def authorization_milestone(auth: Entitlement, today: date, ending_days: int) -> tuple[list[str], date | None]:
    """The events an authorization raises today and the next day to look at it."""
    if auth.state != "open":
        return [], None
    end = date.fromisoformat(auth.end_on)
    if today > end:
        return [], None
    if today >= end - timedelta(days=ending_days):
        return [AUTHORIZATION_ENDING], None
    return [], end - timedelta(days=ending_days)


def low_line(allowed: Decimal, low_remaining: int, low_percent: int) -> Decimal:
    """The balance at or under which an authorization is 'running low': at most N left, or
    at least P % used."""
    return max(Decimal(low_remaining), allowed * (100 - low_percent) / 100)


@dataclass(frozen=True)
class ChargeOutcome:
    """The events a charge raises on one entitlement, and the balances (`lo` < remaining <=
    `hi`, None: unbounded) for which that is true. The charge's write is conditioned on the
    balance being in that band, so a concurrent charge can never leave an event unraised or
    raised twice: if the balance moved out of the band, the charge is re-read and re-planned."""

    events: list[str]
    lo: Decimal | None
    hi: Decimal | None


def charge_outcome(kind: str, before: Decimal, cost: Decimal, capacity: Decimal, *, low_remaining: int,
                   low_percent: int) -> ChargeOutcome:
    """What a charge of `cost` does when it finds `before` left (a charge never takes more
    than is left, so before >= cost): it uses the entitlement up when before == cost; an
    authorization crosses into 'running low' when before is above the low line and the
    balance after is at or under it. Each crossing happens once."""
    if before <= cost:
        return ChargeOutcome([PACK_USED_UP if kind == "PACK" else AUTHORIZATION_USED_UP], None, cost)
    if kind == "PACK":
        return ChargeOutcome([], cost, None)
    line = low_line(capacity, low_remaining, low_percent)
    if before > cost + line:
        return ChargeOutcome([], cost + line, None)
    if before > line:
        return ChargeOutcome([AUTHORIZATION_LOW], max(line, cost), cost + line)
    return ChargeOutcome([], cost, line)  # already low: only using it up is news


def capacity_change_events(kind: str, used: Decimal, old: Decimal, new: Decimal, *, low_remaining: int,
                           low_percent: int) -> list[str]:
    """The events a new limit (`old` -> `new`, with `used` already used) raises, as a charge
    would: 'used up' when it leaves nothing where something was left; for an authorization,
    'running low' when it moves the balance from above the low line (the old limit's) to at
    or under it (the new limit's) without using it up. Raising a limit is never news."""
    before, after = old - used, new - used
    if new >= old or after < 0:
        return []  # a raise, or refused anyway (below what is used)
    if after == 0:
        return [PACK_USED_UP if kind == "PACK" else AUTHORIZATION_USED_UP]
    if (kind == "AUTH" and before > low_line(old, low_remaining, low_percent)
            and after <= low_line(new, low_remaining, low_percent)):
        return [AUTHORIZATION_LOW]
    return []


def capacity_marker(capacity: Decimal) -> str:
    """An event's marker for a limit, as the limit reads back from DynamoDB (which keeps no
    trailing zeros and no exponent): a charge's event about the same limit (str of the stored
    value) then has the same id, so each is raised once per limit."""
    return format(capacity.normalize(), "f")


@dataclass(frozen=True)
class Recipient:
    """Where one digest goes: `key` identifies it in an event's delivered_to set."""

    key: str
    email: str
    user_id: str | None = None


DAILY_DIGEST = "daily_digest"  # the preference that turns every digest email off


@dataclass(frozen=True)
class Staff:
    """A user as the digest sees them: whether active, and the preferences they switched off
    (event types, or DAILY_DIGEST for all of them)."""

    id: str
    email: str
    active: bool = True
    muted: frozenset[str] = frozenset()


def recipients(event: dict[str, Any], *, business_email: str | None,
               users: Mapping[str, Staff]) -> list[Recipient]:
    """Who hears of an event: the business email (else, by the fallback rule, the practitioner
    on the pack or authorization, else whoever created it), plus the practitioner of the
    client concerned; users only while active and only if their preferences allow it."""
    def user(user_id: str | None) -> Recipient | None:
        found = users.get(user_id or "")
        if not found or not found.active:
            return None
        if DAILY_DIGEST in found.muted or event["type"] in found.muted:
            return None
        return Recipient(key=f"user:{found.id}", email=found.email, user_id=found.id)

    chosen: list[Recipient | None] = []
    if business_email:
        chosen.append(Recipient(key=f"email:{business_email.lower()}", email=business_email))
    else:
        chosen.append(user(event.get("practitioner_id") or event.get("created_by")))
    chosen.append(user(event.get("practitioner_id")))
    unique: dict[str, Recipient] = {}
    for r in chosen:
        if r is not None:
            unique.setdefault(r.key, r)
    return list(unique.values())


def client_label(display_name: str) -> str:
    """How an email names a client: enough for staff to find them, no more ('Jamie R.')."""
    parts = display_name.split()
    return f"{parts[0]} {parts[-1][:1]}." if len(parts) > 1 else display_name


def event_of(event_type: str, entitlement: Entitlement, *, remaining: Decimal, marker: str) -> dict[str, Any]:
    """An event about a pack or authorization, carrying what its email line shows and who
    hears of it; `marker` tells one occurrence of the event from a later one (a new limit,
    a new expiry date). The id is what deduplicates stored events: it must not change."""
    auth = entitlement.kind == "AUTH"
    return {"id": f"{event_type}#{entitlement.id}#{marker}", "type": event_type, "entitlement_kind": entitlement.kind,
            "entitlement_id": entitlement.id, "entitlement_name": entitlement_name(entitlement),
            "client_id": entitlement.client_id, "client_label": client_label(entitlement.client_name),
            "remaining": remaining, "limit": entitlement.capacity, "expires_on": entitlement.expires_on,
            # A pack has no end date (its Entitlement says NO_EXPIRY): its events carry none.
            "end_on": entitlement.end_on if auth else None, "practitioner_id": entitlement.practitioner_id,
            "created_by": entitlement.created_by}


def entitlement_name(entitlement: Entitlement) -> str:
    """How a digest names a pack ('Ten sessions') or an authorization ('authorization PA-1 (Acme)')."""
    if entitlement.kind == "PACK":
        return entitlement.name
    return f"authorization {entitlement.number or entitlement.id} ({entitlement.payer})"


# ---- what a digest shows -------------------------------------------------------------------
# A digest is read when it is sent, not when its events were raised: each pack or authorization
# is one row with the figures it has now, carrying the alerts that are still true of it. An alert
# that is no longer news is withheld: it rides with the email (marked delivered when the email
# goes, so it never comes later) but is not shown.

# Most pressing first: rows are sorted by their most pressing alert, a row's alerts in this order.
SEVERITY = (PACK_USED_UP, AUTHORIZATION_USED_UP, PACK_EXPIRED, AUTHORIZATION_LOW, AUTHORIZATION_ENDING,
            PACK_EXPIRING)
LABELS = {PACK_EXPIRING: "expiring soon", PACK_EXPIRED: "expired", PACK_USED_UP: "used up",
          AUTHORIZATION_LOW: "running low", AUTHORIZATION_USED_UP: "used up", AUTHORIZATION_ENDING: "ending soon"}
# An alert that calls for action today (the entitlement cannot be used, or soon cannot be).
URGENT = frozenset({"used up", "expired", "ended"})

# Why an alert is withheld (counted in the sweep's report, and kept on the event as `withheld`).
GONE = "deleted"
CLOSED = "closed"
CONSOLIDATED = "consolidated"
NO_LONGER_TRUE = "no longer true"  # a limit raised since 'used up' or 'running low'
DATE_MOVED = "date moved"  # a new expiry or end date: its own alert comes when due
OVERTAKEN = "overtaken"  # low, then used up; expiring soon, then expired; either, then used up
RENEWED = "renewed"


@dataclass(frozen=True)
class Verdict:
    """Whether an event is still news when its digest is sent: the label it is shown with
    ('used up', 'ended'), or why it is withheld."""

    label: str | None = None
    withheld: str | None = None


def judge(event: Mapping[str, Any], current: Entitlement | None, *, today: date, low_remaining: int,
          low_percent: int, siblings: Iterable[Entitlement] = ()) -> Verdict:
    """Is this event still news, given the pack or authorization as it is now (None: gone)?
    `siblings` are the client's other authorizations, read only to see a renewal."""
    if current is None or current.state == "deleted":
        return Verdict(withheld=GONE)
    if current.state == "consolidated":
        return Verdict(withheld=CONSOLIDATED)  # its sessions count against the pack it went into
    if current.state != "open":
        return Verdict(withheld=CLOSED)  # staff closed it on purpose
    kind, remaining = event["type"], current.remaining
    label = LABELS[kind]
    if kind in (PACK_USED_UP, AUTHORIZATION_USED_UP):
        if remaining > 0:
            return Verdict(withheld=NO_LONGER_TRUE)
    elif kind in (PACK_EXPIRING, PACK_EXPIRED):
        if remaining <= 0:
            return Verdict(withheld=OVERTAKEN)  # used up: nobody can use what would expire
        if current.expires_on != event.get("expires_on"):
            return Verdict(withheld=DATE_MOVED)
        if kind == PACK_EXPIRING and current.expires_on and today > date.fromisoformat(current.expires_on):
            return Verdict(withheld=OVERTAKEN)  # it has expired: the expired alert says so
    elif kind == AUTHORIZATION_LOW:
        if remaining <= 0:
            return Verdict(withheld=OVERTAKEN)
        if remaining > low_line(current.capacity, low_remaining, low_percent):
            return Verdict(withheld=NO_LONGER_TRUE)
    elif kind == AUTHORIZATION_ENDING:
        if current.end_on != event.get("end_on"):
            return Verdict(withheld=DATE_MOVED)
        if today > date.fromisoformat(current.end_on):
            label = "ended"  # sent late (failed emails): what is true now
    if event["entitlement_kind"] == "AUTH" and renewal(kind, current, siblings, today=today) is not None:
        return Verdict(withheld=RENEWED)
    return Verdict(label=label)


def renewal(event_type: str, auth: Entitlement, siblings: Iterable[Entitlement], *,
            today: date) -> Entitlement | None:
    """The authorization that takes over from `auth`, if the practice already has one: same
    client and payer, open, with something left, ending later. For 'ending soon' it must
    begin by the day after `auth` ends (no gap); for 'running low' and 'used up' it must
    already be in effect (else sessions before it begins are still uncovered)."""
    end = date.fromisoformat(auth.end_on)
    starts_by = end + timedelta(days=1) if event_type == AUTHORIZATION_ENDING else today
    for other in siblings:
        if (other.id != auth.id and other.state == "open" and other.remaining > 0
                and other.payer == auth.payer and date.fromisoformat(other.end_on) > end
                and date.fromisoformat(other.begin_on) <= starts_by):
            return other
    return None


@dataclass(frozen=True)
class Alert:
    """One event shown on a digest row, with the label that is true now."""

    type: str
    label: str
    event: dict[str, Any]

    @property
    def urgent(self) -> bool:
        return self.label in URGENT


@dataclass(frozen=True)
class DigestRow:
    """One pack or authorization on a digest, with its figures as they are now."""

    kind: str  # PACK or AUTH
    entitlement_id: str
    client_id: str
    client_label: str
    name: str
    measure: str
    used: Decimal
    capacity: Decimal
    remaining: Decimal
    date_word: str | None  # expires, expired, ends, ended
    date: str | None
    alerts: tuple[Alert, ...]

    @property
    def noun(self) -> str:
        return "Pack" if self.kind == "PACK" else "Authorization"

    @property
    def urgent(self) -> bool:
        return any(a.urgent for a in self.alerts)

    def headline(self, alerts: Iterable[Alert] | None = None) -> str:
        """'Authorization used up and ending soon'."""
        labels = [a.label for a in (self.alerts if alerts is None else alerts)]
        joined = labels[0] if len(labels) == 1 else ", ".join(labels[:-1]) + " and " + labels[-1]
        return f"{self.noun} {joined}"

    def line(self, alerts: Iterable[Alert] | None = None) -> str:
        """The row in one sentence: "Pack used up: 'Ten' for Jamie R. — 0 of 10 left, expires 2026-12-01"."""
        when = f", {self.date_word} {self.date}" if self.date else ""
        return (f"{self.headline(alerts)}: '{self.name}' for {self.client_label} — "
                f"{format_amount(self.remaining)} of {format_amount(self.capacity)} left{when}")


def digest_row(current: Entitlement, alerts: Iterable[Alert], *, today: date) -> DigestRow:
    """A row from the entitlement as read at send time."""
    day: str | None
    if current.kind == "PACK":
        day = current.expires_on
        word = None if not day else ("expires" if today <= date.fromisoformat(day) else "expired")
    else:
        day = current.end_on
        word = "ends" if today <= date.fromisoformat(day) else "ended"
    ordered = tuple(sorted(alerts, key=lambda a: SEVERITY.index(a.type)))
    return DigestRow(kind=current.kind, entitlement_id=current.id, client_id=current.client_id,
                     client_label=client_label(current.client_name), name=entitlement_name(current),
                     measure=current.measure or "sessions", used=current.used, capacity=current.capacity,
                     remaining=current.remaining, date_word=word, date=day, alerts=ordered)


def digest_rows(shown: Iterable[tuple[dict[str, Any], str]],
                current: Mapping[tuple[str, str], Entitlement | None], *, today: date) -> list[DigestRow]:
    """Each entitlement once, with every alert shown about it: (event, label) pairs grouped by
    the entitlement they name, most pressing rows first, then by client and name."""
    grouped_alerts: dict[tuple[str, str], list[Alert]] = {}
    for event, label in shown:
        key = (event["entitlement_kind"], event["entitlement_id"])
        if all(a.type != event["type"] for a in grouped_alerts.get(key, [])):
            grouped_alerts.setdefault(key, []).append(Alert(type=event["type"], label=label, event=event))
    rows = [digest_row(entitlement, alerts, today=today) for key, alerts in grouped_alerts.items()
            if (entitlement := current.get(key)) is not None]
    return sorted(rows, key=lambda r: (SEVERITY.index(r.alerts[0].type), r.client_label, r.name, r.entitlement_id))

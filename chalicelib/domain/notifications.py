"""Pure rules for staff notifications (PRODUCT.md §8): when a pack or an authorization is due
for a look, which events it raises, which events a charge raises, and who hears about each."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, Iterable

# Event types; each is also the user preference that turns its emails on or off.
PACK_EXPIRING = "pack_expiring"
PACK_EXPIRED = "pack_expired"
PACK_USED_UP = "pack_used_up"
AUTHORIZATION_LOW = "authorization_low"
AUTHORIZATION_USED_UP = "authorization_used_up"
AUTHORIZATION_ENDING = "authorization_ending"
EVENT_TYPES = (PACK_EXPIRING, PACK_EXPIRED, PACK_USED_UP, AUTHORIZATION_LOW, AUTHORIZATION_USED_UP,
               AUTHORIZATION_ENDING)

HEADLINES = {
    PACK_EXPIRING: "Pack expiring soon", PACK_EXPIRED: "Pack expired", PACK_USED_UP: "Pack used up",
    AUTHORIZATION_LOW: "Authorization running low", AUTHORIZATION_USED_UP: "Authorization used up",
    AUTHORIZATION_ENDING: "Authorization ending soon",
}


def pack_due_on(expires_on: str | None, soon_days: int, today: date) -> date | None:
    """The first day a pack needs the sweep: when it starts 'expiring soon' (today, if it
    already has)."""
    return max(date.fromisoformat(expires_on) - timedelta(days=soon_days), today) if expires_on else None


def authorization_due_on(end_on: str, ending_days: int, today: date) -> date:
    """The first day an authorization needs the sweep: when it starts 'ending soon'."""
    return max(date.fromisoformat(end_on) - timedelta(days=ending_days), today)


def pack_milestone(pack: dict[str, Any], today: date, soon_days: int) -> tuple[list[str], date | None]:
    """The events a pack raises today and the next day to look at it (None: never again).
    A closed or used-up pack raises no expiry events: nobody can use it anyway."""
    if pack["state"] != "open" or pack["remaining"] <= 0 or not pack.get("expires_on"):
        return [], None
    expires = date.fromisoformat(pack["expires_on"])
    if today > expires:
        return [PACK_EXPIRED], None
    if today >= expires - timedelta(days=soon_days):
        return [PACK_EXPIRING], expires + timedelta(days=1)
    return [], expires - timedelta(days=soon_days)  # the practice's threshold changed since


def authorization_milestone(auth: dict[str, Any], today: date, ending_days: int) -> tuple[list[str], date | None]:
    """The events an authorization raises today and the next day to look at it."""
    if auth["state"] != "open":
        return [], None
    end = date.fromisoformat(auth["end_on"])
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


@dataclass(frozen=True)
class Recipient:
    """Where one digest goes: `key` identifies it in an event's delivered_to set."""

    key: str
    email: str
    user_id: str | None = None


def recipients(event: dict[str, Any], *, business_email: str | None,
               users: dict[str, dict[str, Any]]) -> list[Recipient]:
    """Who hears of an event: the business email (else, by the fallback rule, the practitioner
    on the pack or authorization, else whoever created it), plus the practitioner of the
    client concerned; users only while active and only if their preferences allow it."""
    def user(user_id: str | None) -> Recipient | None:
        found = users.get(user_id or "")
        if not found or not found.get("active", True):
            return None
        prefs = found.get("notification_preferences") or {}
        if not prefs.get("daily_digest", True) or not prefs.get(event["type"], True):
            return None
        return Recipient(key=f"user:{found['id']}", email=found["email"], user_id=found["id"])

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


def event_of(event_type: str, kind: str, entitlement: dict[str, Any], *, remaining: Decimal,
             marker: str) -> dict[str, Any]:
    """An event about a pack or authorization, carrying what its email line shows and who
    hears of it; `marker` tells one occurrence of the event from a later one (a new limit,
    a new expiry date)."""
    if kind == "PACK":
        name, capacity = entitlement["name"], entitlement["limit"]
    else:
        name = f"authorization {entitlement.get('number') or entitlement['id']} ({entitlement['payer']})"
        capacity = entitlement["allowed"]
    return {"id": f"{event_type}#{entitlement['id']}#{marker}", "type": event_type, "entitlement_kind": kind,
            "entitlement_id": entitlement["id"], "entitlement_name": name, "client_id": entitlement["client_id"],
            "client_label": client_label(entitlement.get("client_name") or ""), "remaining": remaining,
            "limit": capacity, "expires_on": entitlement.get("expires_on"), "end_on": entitlement.get("end_on"),
            "practitioner_id": entitlement.get("practitioner_id"), "created_by": entitlement.get("created_by")}


def event_line(event: dict[str, Any]) -> str:
    """One line of a digest, e.g. "Pack expiring soon: 'Ten sessions' for Jamie R. — 3 of 10
    left, expires 2026-12-01"."""
    what = f"'{event['entitlement_name']}'"
    figures = f"{event['remaining']} of {event['limit']} left"
    when = {PACK_EXPIRING: f", expires {event.get('expires_on')}", PACK_EXPIRED: f", expired {event.get('expires_on')}",
            AUTHORIZATION_ENDING: f", ends {event.get('end_on')}"}.get(event["type"], "")
    return f"{HEADLINES[event['type']]}: {what} for {event['client_label']} — {figures}{when}"


def grouped(events: Iterable[dict[str, Any]]) -> list[tuple[str, list[dict[str, Any]]]]:
    """Events by type, in the order staff read them (used up and expired first)."""
    order = (PACK_USED_UP, AUTHORIZATION_USED_UP, PACK_EXPIRED, AUTHORIZATION_LOW, AUTHORIZATION_ENDING,
             PACK_EXPIRING)
    events = list(events)
    return [(HEADLINES[t], sorted((e for e in events if e["type"] == t), key=lambda e: e["client_label"]))
            for t in order if any(e["type"] == t for e in events)]

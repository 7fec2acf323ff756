"""Every partition of one practice, found through its own keys and indexes (never a Scan):
what an export reads and what a purge deletes.

The data is walked in units, each small enough for one export page: the practice's own
partition (settings, catalogues, clients, users, groups), then each client (their
entitlements, ledger, sessions and invoices, their appointments' partitions and their chart
notes), each group (memberships, sessions, group notes), the notification events, and each
user's inbox. Room slots are not listed: they are derived from appointments (see slot_keys).
"""
from __future__ import annotations

from datetime import datetime
from typing import Any, Iterator

from chalicelib.domain.scheduling import room_slots
from chalicelib.store import items
from chalicelib.store.keys import (
    APPOINTMENT_SK,
    client_notes_pk,
    client_pk,
    client_schedule_pk,
    events_pk,
    group_notes_pk,
    group_pk,
    group_schedule_pk,
    inbox_pk,
    practice_pk,
    room_slot_pk,
)
from chalicelib.store.repository import CLIENTS, GROUPS, USERS

Unit = tuple[str, str]  # (kind, id): ("practice", ""), ("client", id), ("group", id), ("events", ""), ("inbox", id)


def units(practice_id: str, after: Unit | None = None) -> Iterator[Unit]:
    """The practice's units in a fixed order, starting after `after`."""
    order = ["practice", "client", "group", "events", "inbox"]
    kind, last = after or (None, None)
    start = order.index(kind) if kind else 0
    for position in range(start, len(order)):
        current = order[position]
        resume = last if current == kind else None
        if current in ("practice", "events"):
            if current != kind:
                yield current, ""
            continue
        collection = {"client": CLIENTS, "group": GROUPS, "inbox": USERS}[current]
        for entity_id in _ids(practice_id, collection.kind, resume):
            yield current, entity_id


def _ids(practice_id: str, kind: str, after: str | None) -> Iterator[str]:
    start = {"PK": practice_pk(practice_id), "SK": f"{kind}#{after}"} if after else None
    yield from (i["id"] for i in items.every_item(practice_pk(practice_id), f"{kind}#", consistent=True,
                                                  start_key=start))


def partitions(practice_id: str, unit: Unit) -> list[str]:
    """The partition keys of one unit."""
    kind, entity_id = unit
    if kind == "practice":
        return [practice_pk(practice_id)]
    if kind == "events":
        return [events_pk(practice_id)]
    if kind == "inbox":
        return [inbox_pk(practice_id, entity_id)]
    own, schedule, notes = ((client_pk(practice_id, entity_id), client_schedule_pk(practice_id, entity_id),
                             client_notes_pk(practice_id, entity_id)) if kind == "client" else
                            (group_pk(practice_id, entity_id), group_schedule_pk(practice_id, entity_id),
                             group_notes_pk(practice_id, entity_id)))
    appointments = [a["PK"] for a in items.every_item(schedule, index="GSI3")]
    # A group's copies of notes live in the members' charts, so each note is listed once.
    chart = [n["PK"] for n in items.every_item(notes, index="GSI1")]
    return [own, *appointments, *chart]


def slot_keys(practice_id: str, appointment: dict[str, Any]) -> list[tuple[str, str]]:
    """The room slots an appointment may hold (hard-block mode)."""
    if appointment.get("SK") != APPOINTMENT_SK or not appointment.get("room_id"):
        return []
    start, end = datetime.fromisoformat(appointment["start"]), datetime.fromisoformat(appointment["end"])
    return [(room_slot_pk(practice_id, appointment["room_id"], slot), "SLOT") for slot in room_slots(start, end)]

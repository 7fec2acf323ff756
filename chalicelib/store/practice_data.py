"""Every partition of one practice, found through its own keys and indexes (never a Scan):
what an export reads and what a purge deletes.

The data is walked in units, each small enough for one export page: the practice's own
partition (settings, catalogues, clients, users, groups), then each client (their
entitlements, ledger, sessions and invoices, their appointments' partitions and their chart
notes), each group (memberships, sessions, group notes), the notification events, and each
user's inbox. Room slots are not listed: they are derived from appointments (see slot_keys).
"""
from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from chalicelib.domain.scheduling import room_slots
from chalicelib.models.practice import ExportedItem
from chalicelib.store import dynamo, items
from chalicelib.store.keys import (
    APPOINTMENT_SK,
    PK,
    PRACTICE_SK,
    SK,
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
    start = {PK: practice_pk(practice_id), SK: f"{kind}#{after}"} if after else None
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
    appointments = [a[PK] for a in items.every_item(schedule, index="GSI3")]
    # A group's copies of notes live in the members' charts, so each note is listed once.
    chart = [n[PK] for n in items.every_item(notes, index="GSI1")]
    return [own, *appointments, *chart]


def slot_keys(practice_id: str, appointment: dict[str, Any]) -> list[tuple[str, str]]:
    """The room slots an appointment may hold (hard-block mode)."""
    if appointment.get(SK) != APPOINTMENT_SK or not appointment.get("room_id"):
        return []
    start, end = datetime.fromisoformat(appointment["start"]), datetime.fromisoformat(appointment["end"])
    return [(room_slot_pk(practice_id, appointment["room_id"], slot), "SLOT") for slot in room_slots(start, end)]


# ---- export: one page of a unit at a time ----------------------------------------------------

def export_page(practice_id: str, start: dict[str, Any] | None, *,
                page_size: int) -> tuple[list[ExportedItem], dict[str, Any] | None]:
    """One page of everything the practice has stored: one unit, or up to `page_size` items of
    it. `start` (and the position returned, None at the end) names the unit, the partition and
    the item to go on from; the caller carries it in an encrypted cursor."""
    unit: Unit = (start["unit"][0], start["unit"][1]) if start else ("practice", "")
    parts = partitions(practice_id, unit)
    index = parts.index(start["pk"]) if start and start.get("pk") in parts else 0
    resume = {PK: start["pk"], SK: start["sk"]} if start and start.get("sk") else None
    found: list[ExportedItem] = []
    for pk in parts[index:]:
        while True:
            page = items.query_page(pk, limit=page_size - len(found), start_key=resume, consistent=True)
            found += [_exported(i) for i in page.items]
            resume = page.last_key
            if len(found) >= page_size:
                return found, ({"unit": list(unit), "pk": pk, "sk": resume[SK]} if resume else
                               _after(practice_id, unit, parts, pk))
            if resume is None:
                break
    return found, _next_unit(practice_id, unit)


def _after(practice_id: str, unit: Unit, parts: list[str], pk: str) -> dict[str, Any] | None:
    following = parts[parts.index(pk) + 1:]
    return {"unit": list(unit), "pk": following[0], "sk": None} if following else _next_unit(practice_id, unit)


def _next_unit(practice_id: str, unit: Unit) -> dict[str, Any] | None:
    following = next(units(practice_id, after=unit), None)
    return {"unit": list(following), "pk": None, "sk": None} if following else None


def _exported(item: dict[str, Any]) -> ExportedItem:
    data = {k: v for k, v in item.items() if k not in (PK, SK)}
    return ExportedItem(partition=item[PK], sort_key=item[SK], kind=item.get("kind"), data=data)


# ---- purge ---------------------------------------------------------------------------------

_BATCH = 25  # BatchWriteItem's limit


def delete_everything(practice_id: str) -> int:
    """Delete every item of the practice, its own record last (a purge cut short leaves the
    record, still due, for the next run to finish). The number of items deleted."""
    deleted = 0
    own = practice_pk(practice_id)
    for unit in units(practice_id):
        for pk in partitions(practice_id, unit):
            if pk == own:
                continue  # the practice partition goes last
            keys: list[tuple[str, str]] = []
            for item in items.every_item(pk):
                keys.append((item[PK], item[SK]))
                keys += slot_keys(practice_id, item)
            deleted += _delete(keys)
    rest = [(i[PK], i[SK]) for i in items.every_item(own) if i[SK] != PRACTICE_SK]
    return deleted + _delete(rest) + _delete([(own, PRACTICE_SK)])


def _delete(keys: list[tuple[str, str]]) -> int:
    for start in range(0, len(keys), _BATCH):
        requests = [{"DeleteRequest": {"Key": items.key_of(pk, sk)}} for pk, sk in keys[start:start + _BATCH]]
        pending = {items.table(): requests}
        while pending:  # unprocessed items are retried until DynamoDB takes them
            pending = dynamo.client().batch_write_item(RequestItems=pending).get("UnprocessedItems") or {}
    return len(keys)

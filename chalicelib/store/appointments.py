"""Appointments: one item per occurrence in its own partition (`P#p#APPT#id`, sort key
`APPT`), indexed three ways for the views and conflict checks: GSI1 the practitioner's
schedule, GSI2 the room's (only with a room), GSI3 the client's or the group's, each sorted
by the UTC start (`<start>#<id>`). The room slots a booking holds are store/room_slots.py's."""
from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from chalicelib.domain.scheduling import MAX_LENGTH, iso
from chalicelib.store import items
from chalicelib.store.keys import (
    APPOINTMENT_SK,
    MEMBER,
    appointment_pk,
    client_schedule_pk,
    group_pk,
    group_schedule_pk,
    practitioner_schedule_pk,
    room_schedule_pk,
)

KIND = "APPT"
Schedule = Literal["practitioner", "room", "client", "group"]
_INDEX: dict[str, tuple[str, Any]] = {
    "practitioner": ("GSI1", practitioner_schedule_pk),
    "room": ("GSI2", room_schedule_pk),
    "client": ("GSI3", client_schedule_pk),
    "group": ("GSI3", group_schedule_pk),
}


def appointment_key(practice_id: str, appointment_id: str) -> tuple[str, str]:
    return appointment_pk(practice_id, appointment_id), APPOINTMENT_SK


def get(practice_id: str, appointment_id: str) -> dict[str, Any]:
    """The appointment as stored, or NotFound."""
    return items.get_existing(*appointment_key(practice_id, appointment_id), resource="Appointment",
                              resource_id=appointment_id)


def new_item(practice_id: str, appointment_id: str, values: dict[str, Any]) -> dict[str, Any]:
    """A whole new appointment item from its fields (start, practitioner_id, room_id,
    client_id or group_id among them), keyed and indexed."""
    item = {**values, "PK": appointment_pk(practice_id, appointment_id), "SK": APPOINTMENT_SK, "kind": KIND,
            "id": appointment_id}
    group_id = values.get("group_id")
    item["GSI3PK"] = (group_schedule_pk(practice_id, group_id) if group_id
                      else client_schedule_pk(practice_id, values["client_id"]))
    return items.new_item(reindexed(practice_id, item))


def reindexed(practice_id: str, item: dict[str, Any]) -> dict[str, Any]:
    """The item with its schedule index keys set from its own start, practitioner and room
    (changed in place and returned): a move or a new room moves it in the indexes."""
    sort = f"{iso(datetime.fromisoformat(item['start']))}#{item['id']}"
    item.update({"GSI1PK": practitioner_schedule_pk(practice_id, item["practitioner_id"]), "GSI1SK": sort,
                 "GSI3SK": sort})
    if item.get("room_id"):
        item.update({"GSI2PK": room_schedule_pk(practice_id, item["room_id"]), "GSI2SK": sort})
    else:
        item.pop("GSI2PK", None)
        item.pop("GSI2SK", None)
    return item


def drop_action(item: dict[str, Any]) -> dict[str, Any]:
    """Delete an appointment this request wrote itself (a series booked whole or not at all)."""
    return {"Delete": {"TableName": items.table(), "Key": items.key_of(item["PK"], item["SK"])}}


def live_between(schedule: Schedule, practice_id: str, owner_id: str, first: datetime,
                 last: datetime) -> list[dict[str, Any]]:
    """Appointments not cancelled in one schedule that may overlap [first, last): one Query
    (an appointment is at most MAX_LENGTH long, so those starting that much earlier)."""
    index, pk = _INDEX[schedule]
    return items.query_page(pk(practice_id, owner_id), limit=1000, start_key=None, index=index,
                            between=(iso(first - MAX_LENGTH), iso(last) + "#~"),
                            filter="#status <> :cancelled", filter_names={"#status": "status"},
                            filter_values={":cancelled": "cancelled"}).items


def schedule_page(schedule: Schedule, practice_id: str, owner_id: str, low: datetime, high: datetime, *,
                  limit: int, start_key: dict[str, Any] | None) -> items.Page:
    """One page of a schedule's appointments starting in [low, high), by start time."""
    index, pk = _INDEX[schedule]
    return items.query_page(pk(practice_id, owner_id), limit=limit, start_key=start_key, index=index,
                            between=(iso(low), iso(high)))


def booked_from(practice_id: str, client_id: str, start: datetime) -> list[dict[str, Any]]:
    """A client's booked appointments from `start` on (one Query)."""
    return items.query_page(client_schedule_pk(practice_id, client_id), limit=1000, start_key=None, index="GSI3",
                            between=(iso(start), "9999"), filter="#status = :booked",
                            filter_names={"#status": "status"}, filter_values={":booked": "booked"}).items


def series_booked_from(item: dict[str, Any]) -> list[dict[str, Any]]:
    """The booked occurrences of an appointment's series from its start on, by start (one
    Query of the client's or group's schedule)."""
    page = items.query_page(item["GSI3PK"], limit=1000, start_key=None, index="GSI3",
                            between=(iso(datetime.fromisoformat(item["start"])), "9999"),
                            filter="series_id = :series AND #status = :booked", filter_names={"#status": "status"},
                            filter_values={":series": item["series_id"], ":booked": "booked"})
    return sorted(page.items, key=lambda i: i["start"])


def group_members(practice_id: str, group_id: str) -> list[dict[str, Any]]:
    """A group's member items, for the balance warnings of its sessions (the groups service
    writes them)."""
    return items.query_all(group_pk(practice_id, group_id), MEMBER)


def put_action(item: dict[str, Any], *, expected_version: int | None = None) -> dict[str, Any]:
    """Write a whole appointment: new (None) or replacing the version read."""
    return items.put_action(item, expected_version=expected_version)


def write(item: dict[str, Any], *, expected_version: int | None = None,
          also: list[dict[str, Any]] | None = None) -> None:
    """Write an appointment and what must land with it (its room slots) in one transaction;
    items.TransactionCancelled names the refused action (0: the appointment)."""
    items.transact([put_action(item, expected_version=expected_version), *(also or [])])


def release(item: dict[str, Any], also: list[dict[str, Any]]) -> None:
    """Take back an appointment this request wrote, with the room slots it held."""
    items.transact([drop_action(item), *also])

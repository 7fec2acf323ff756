"""Appointments: one item per occurrence in its own partition (`P#p#APPT#id`, sort key
`APPT`), indexed three ways for the views and conflict checks: GSI1 the practitioner's
schedule, GSI2 the room's (only with a room), GSI3 the client's or the group's, each sorted
by the UTC start (`<start>#<id>`). The room slots a booking holds (store/room_slots.py) are
written in the same transaction as the appointment.

Appointments go in and out as StoredAppointment (no key attributes); the keys and index
entries follow from its own fields, so a move or a new room re-files it."""
from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from datetime import datetime
from typing import Any, Literal

from chalicelib.domain.scheduling import CHARGED_STATES, MAX_LENGTH, HourChange, iso
from chalicelib.errors import AlreadyExists, PreconditionFailed
from chalicelib.models.clients import Client
from chalicelib.models.codes import BillingCode
from chalicelib.models.locations import Location, Room
from chalicelib.models.users import User
from chalicelib.store import clients, codes, dynamo, items, locations, room_slots, users
from chalicelib.store.keys import (
    APPOINTMENT_SK,
    PK,
    SK,
    appointment_pk,
    client_schedule_pk,
    group_schedule_pk,
    practitioner_schedule_pk,
    room_schedule_pk,
)
from chalicelib.store.repository import BILLING_CODES, CLIENTS, LOCATIONS, ROOMS, USERS, Collection, get_each

KIND = "APPT"
RESOURCE = "Appointment"
Schedule = Literal["practitioner", "room", "client", "group"]
_INDEX: dict[str, tuple[str, Any]] = {
    "practitioner": ("GSI1", practitioner_schedule_pk),
    "room": ("GSI2", room_schedule_pk),
    "client": ("GSI3", client_schedule_pk),
    "group": ("GSI3", group_schedule_pk),
}


@dataclass(frozen=True)
class StoredAppointment:
    """An appointment as stored: its times in UTC (ISO 8601), and whether it holds its room's
    slots (one stored before slots were recorded in every mode holds none)."""

    id: str
    practitioner_id: str
    location_id: str
    start: str
    end: str
    billing_code: str
    telehealth: bool
    status: str
    version: int
    created_at: str
    updated_at: str
    series_id: str | None = None
    occurrence: int = 1
    client_id: str | None = None
    group_id: str | None = None
    room_id: str | None = None
    notes: str | None = None
    cancel_reason: str | None = None
    prior_authorization_number: str | None = None  # as the charge stamped it; shown: the authorization's
    authorization_id: str | None = None  # the authorization the attended session counts against
    holds_room_slots: bool | None = None


_FIELDS = frozenset(f.name for f in fields(StoredAppointment))


def appointment_of(item: dict[str, Any]) -> StoredAppointment:
    """A stored appointment item as StoredAppointment (other repositories' reads use it too)."""
    return StoredAppointment(**{k: v for k, v in item.items() if k in _FIELDS})


def appointment_key(practice_id: str, appointment_id: str) -> tuple[str, str]:
    return appointment_pk(practice_id, appointment_id), APPOINTMENT_SK


def item_of(practice_id: str, appointment: StoredAppointment) -> dict[str, Any]:
    """The appointment as stored: keyed, and filed in its schedules by its own start,
    practitioner, room and client (or group)."""
    item = {**asdict(appointment), PK: appointment_pk(practice_id, appointment.id), SK: APPOINTMENT_SK,
            "kind": KIND}
    sort = f"{iso(datetime.fromisoformat(appointment.start))}#{appointment.id}"
    item.update({"GSI1PK": practitioner_schedule_pk(practice_id, appointment.practitioner_id), "GSI1SK": sort,
                 "GSI3PK": _owner_schedule(practice_id, appointment), "GSI3SK": sort})
    if appointment.room_id:
        item.update({"GSI2PK": room_schedule_pk(practice_id, appointment.room_id), "GSI2SK": sort})
    return item


def _owner_schedule(practice_id: str, appointment: StoredAppointment) -> str:
    if appointment.group_id:
        return group_schedule_pk(practice_id, appointment.group_id)
    return client_schedule_pk(practice_id, appointment.client_id or "")


def get(practice_id: str, appointment_id: str) -> StoredAppointment:
    """The appointment, or NotFound."""
    return appointment_of(items.get_existing(*appointment_key(practice_id, appointment_id), resource=RESOURCE,
                                             resource_id=appointment_id))


def new(appointment_id: str, fields: dict[str, Any]) -> StoredAppointment:
    """A new appointment from its fields (start, practitioner_id, room_id, client_id or
    group_id among them): version 1, created and updated now."""
    return appointment_of(items.new_item({**fields, "id": appointment_id}))


def stale(appointment: StoredAppointment, expected_version: int) -> PreconditionFailed:
    """The 412 for a write sent with an If-Match other than the appointment's version as read."""
    return items.stale(RESOURCE, appointment.id, appointment.version, expected_version)


@dataclass(frozen=True)
class References:
    """What a booking names, as this practice has it (None: no such record, or not asked)."""

    practitioner: User | None
    location: Location | None
    client: Client | None
    room: Room | None
    code: BillingCode | None


def references(practice_id: str, *, practitioner_id: str, location_id: str, client_id: str | None,
               room_id: str | None, billing_code: str | None) -> References:
    """The practitioner, location, client, room and billing code a booking names: one BatchGetItem."""
    wanted: list[tuple[Collection, str]] = [(USERS, practitioner_id), (LOCATIONS, location_id)]
    asked = [(CLIENTS, client_id), (ROOMS, room_id), (BILLING_CODES, billing_code)]
    wanted += [(collection, value) for collection, value in asked if value]
    found = iter(get_each(practice_id, wanted))
    user, location = next(found), next(found)
    client, room, code = (next(found) if value else None for _, value in asked)
    return References(practitioner=None if user is None else users.user_of(user),
                      location=None if location is None else locations.location_of(location),
                      client=None if client is None else clients.client_of(client),
                      room=None if room is None else locations.room_of(room),
                      code=None if code is None else codes.billing_code_of(code))


def billing_code(practice_id: str, code: str) -> BillingCode | None:
    """One billing code of the catalogue, or None."""
    return codes.billing_codes(practice_id, [code])[0]


def live_between(schedule: Schedule, practice_id: str, owner_id: str, first: datetime,
                 last: datetime) -> list[StoredAppointment]:
    """Appointments not cancelled in one schedule that may overlap [first, last): one Query
    (an appointment is at most MAX_LENGTH long, so those starting that much earlier)."""
    index, pk = _INDEX[schedule]
    return [appointment_of(i) for i in items.query_page(
        pk(practice_id, owner_id), limit=1000, start_key=None, index=index,
        between=(iso(first - MAX_LENGTH), iso(last) + "#~"), filter="#status <> :cancelled",
        filter_names={"#status": "status"}, filter_values={":cancelled": "cancelled"}).items]


def schedule_page(schedule: Schedule, practice_id: str, owner_id: str, low: datetime, high: datetime, *,
                  limit: int,
                  start_key: dict[str, Any] | None) -> tuple[list[StoredAppointment], dict[str, Any] | None]:
    """One page of a schedule's appointments starting in [low, high), by start time, and the
    key to continue from."""
    index, pk = _INDEX[schedule]
    page = items.query_page(pk(practice_id, owner_id), limit=limit, start_key=start_key, index=index,
                            between=(iso(low), iso(high)))
    return [appointment_of(i) for i in page.items], page.last_key


def booked_from(practice_id: str, client_id: str, start: datetime) -> list[StoredAppointment]:
    """A client's booked appointments from `start` on (one Query)."""
    return [appointment_of(i) for i in items.query_page(
        client_schedule_pk(practice_id, client_id), limit=1000, start_key=None, index="GSI3",
        between=(iso(start), "9999"), filter="#status = :booked", filter_names={"#status": "status"},
        filter_values={":booked": "booked"}).items]


def series_booked_from(practice_id: str, appointment: StoredAppointment) -> list[StoredAppointment]:
    """The booked occurrences of an appointment's series from its start on, by start (one
    Query of the client's or group's schedule)."""
    page = items.query_page(_owner_schedule(practice_id, appointment), limit=1000, start_key=None, index="GSI3",
                            between=(iso(datetime.fromisoformat(appointment.start)), "9999"),
                            filter="series_id = :series AND #status = :booked", filter_names={"#status": "status"},
                            filter_values={":series": appointment.series_id, ":booked": "booked"})
    return sorted((appointment_of(i) for i in page.items), key=lambda a: a.start)


def put_action(practice_id: str, appointment: StoredAppointment, *,
               expected_version: int | None = None) -> dict[str, Any]:
    """Write a whole appointment: new (None) or replacing the version read."""
    return items.put_action(item_of(practice_id, appointment), expected_version=expected_version)


def slot_actions(practice_id: str, appointment: StoredAppointment, slots: list[HourChange]) -> list[dict[str, Any]]:
    """The room-hour writes that move the appointment's slots."""
    return [room_slots.hold_action(practice_id, appointment.id, change) for change in slots]


def write_actions(practice_id: str, appointment: StoredAppointment, *, expected_version: int | None,
                  slots: list[HourChange]) -> list[dict[str, Any]]:
    """An appointment and the room-hour writes that go with it, as one transaction's actions
    (the appointment first): what a charge's companion writes."""
    return [put_action(practice_id, appointment, expected_version=expected_version),
            *slot_actions(practice_id, appointment, slots)]


def create(practice_id: str, appointment: StoredAppointment) -> None:
    """Write a new appointment with no room (an imported one); AlreadyExists if its id is
    taken (imported before)."""
    try:
        items.transact([put_action(practice_id, appointment)])
    except items.TransactionCancelled as err:
        raise AlreadyExists(f"Appointment {appointment.id} already exists") from err


class Refused(Exception):
    """A write of an appointment with its room slots was refused: `own` is the appointment's own
    refusal (gone 404, stale 412) when it was that, else None and `holders` are the
    appointments holding the slots it had to find free."""

    def __init__(self, own: Exception | None, holders: list[str]) -> None:
        super().__init__("appointment write refused")
        self.own = own
        self.holders = holders


def write(practice_id: str, appointment: StoredAppointment, *, expected_version: int | None = None,
          slots: list[HourChange]) -> None:
    """Write an appointment and the room-hour writes that go with it in one transaction;
    Refused names why not."""
    try:
        items.transact(write_actions(practice_id, appointment, expected_version=expected_version, slots=slots))
    except items.TransactionCancelled as err:
        own = items.write_error(err, 0, expected_version=expected_version, resource=RESOURCE,
                                resource_id=appointment.id)
        holders = sorted({held for index in err.failed() if index > 0
                          for held in room_slots.holders(err.items[index], slots[index - 1].free)})
        raise Refused(own, holders) from err


def save(practice_id: str, appointment: StoredAppointment, *, expected_version: int,
         slots: list[HourChange]) -> None:
    """Write an appointment still at the version read, with its room-hour writes: its own
    refusal is NotFound or PreconditionFailed, any other the transaction's conflict."""
    items.transact_entity(write_actions(practice_id, appointment, expected_version=expected_version, slots=slots),
                          expected_version=expected_version, resource=RESOURCE, resource_id=appointment.id)


def write_refused(err: items.TransactionCancelled, index: int, *, expected_version: int,
                  appointment_id: str) -> Exception | None:
    """Why the appointment's write at `index` of a charge's transaction was refused (404, 412), or None."""
    return items.write_error(err, index, expected_version=expected_version, resource=RESOURCE,
                             resource_id=appointment_id)


def release(practice_id: str, appointment: StoredAppointment, slots: list[HourChange]) -> None:
    """Take back an appointment this request wrote, with the room slots it held."""
    pk, sk = appointment_key(practice_id, appointment.id)
    items.transact([{"Delete": {"TableName": items.table(), "Key": items.key_of(pk, sk)}},
                    *slot_actions(practice_id, appointment, slots)])


def not_recording_check(practice_id: str, appointment_id: str, client_id: str) -> dict[str, Any]:
    """A transaction's check that no appointment of this client records the session keyed by
    its id (attending records it; a missed appointment's charge has the same reference): it
    passes when there is no such appointment, or it is in no charged state. Read the refusal
    with `recording`."""
    states = {f":s{i}": state for i, state in enumerate(CHARGED_STATES)}
    return {"ConditionCheck": {
        "TableName": items.table(), "Key": items.key_of(*appointment_key(practice_id, appointment_id)),
        "ConditionExpression": f"attribute_not_exists(PK) OR client_id <> :client OR NOT #status IN "
                               f"({', '.join(states)})",
        "ExpressionAttributeNames": {"#status": "status"},
        "ExpressionAttributeValues": dynamo.to_item({":client": client_id, **states}),
        "ReturnValuesOnConditionCheckFailure": "ALL_OLD"}}


def recording(err: items.TransactionCancelled, index: int) -> StoredAppointment | None:
    """The appointment that still records the session, when the not_recording_check at
    `index` of a cancelled transaction was refused; None when it passed."""
    old = err.items[index] if index in err.failed() else None
    return appointment_of(old) if old else None

"""Use cases for appointments: book (one or a series), the schedule views, and attendance,
which charges the client's pack or authorization in the same transaction as the status."""
from __future__ import annotations

import copy
from datetime import datetime, time, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

from chalicelib.auth import Principal
from chalicelib.domain.ids import new_id
from chalicelib.domain.codes import DEFAULT_POS, TELEHEALTH_POS
from chalicelib.domain.scheduling import MAX_LENGTH, Occurrence, clashes, iso, occurrences, room_slots, to_utc
from chalicelib.errors import Conflict, ValidationFailed
from chalicelib.models.appointments import (
    Appointment,
    AppointmentCreate,
    AppointmentUpdate,
    Booking,
    BookingWarning,
    SeriesChange,
    StatusChange,
    StatusResult,
)
from chalicelib.models.codes import BillingCode
from chalicelib.models.entitlements import ChargeRequest
from chalicelib.models.practice import Practice
from chalicelib.services import charging, sessions
from chalicelib.services.entitlements import client_history_added
from chalicelib.services.practice import cached_practice, load_practice
from chalicelib.store import entitlements as entitlement_store
from chalicelib.store import items
from chalicelib.store.keys import (
    APPOINTMENT_SK,
    ATTENDANCE as ATTENDANCE_SK,
    appointment_pk,
    client_schedule_pk,
    group_schedule_pk,
    practitioner_schedule_pk,
    room_schedule_pk,
    room_slot_pk,
)
from chalicelib.store.repository import BILLING_CODES, CLIENTS, LOCATIONS, ROOMS, USERS

ATTENDANCE = ("attended", "no_show", "late_cancel")


def appointment_view(item: dict[str, Any], tz: str) -> Appointment:
    """A stored appointment with its times in the practice's time zone."""
    zone = ZoneInfo(tz)
    return Appointment.model_validate({
        **items.public(item),
        "start": datetime.fromisoformat(item["start"]).astimezone(zone),
        "end": datetime.fromisoformat(item["end"]).astimezone(zone)})


def _get(practice_id: str, appointment_id: str) -> dict[str, Any]:
    return items.get_existing(appointment_pk(practice_id, appointment_id), APPOINTMENT_SK, resource="Appointment",
                              resource_id=appointment_id)


def _current(principal: Principal, appointment_id: str, expected_version: int, *,
             must_be_booked_to: str | None = None) -> dict[str, Any]:
    """The appointment as the caller last read it (412 if it changed since), optionally
    refusing anything but a booked one."""
    current = _get(principal.practice_id, appointment_id)
    if current["version"] != expected_version:
        raise items.stale("Appointment", appointment_id, current["version"], expected_version)
    if must_be_booked_to and current["status"] != "booked":
        raise Conflict(f"Only booked appointments can be {must_be_booked_to}; this one is {current['status']}")
    return current


def get_appointment(*, principal: Principal, appointment_id: str) -> Appointment:
    practice = cached_practice(principal.practice_id)
    return appointment_view(_get(principal.practice_id, appointment_id), practice.time_zone)


# ---- booking --------------------------------------------------------------------------

def book(*, principal: Principal, data: AppointmentCreate) -> Booking:
    """Book one appointment or a series. A room clash is refused unless overridden (or always,
    in hard-block mode); a practitioner clash and a missing balance are warnings (the latter
    refused in the practice's block mode). Nothing is written when a booking is refused."""
    practice = load_practice(principal.practice_id)
    code = _check_references(principal, data)
    planned = _planned(practice, data)
    warnings = _room_warnings(principal, practice, data, planned)
    warnings += _practitioner_warnings(principal, data, planned)
    warnings += _balance_warnings(principal, practice, data.client_id, code, planned)
    if practice.balance_booking == "block":
        short = [w for w in warnings if w.kind in ("authorization", "pack")]
        if short:
            raise Conflict("The booking goes past the client's balance", warnings=_plain(short))
    return _write_booking(principal, practice, data, code.code, planned, warnings)


def book_group(*, principal: Principal, group_id: str, data: AppointmentCreate, member_ids: list[str]) -> Booking:
    """Book a group session or series (`data` has no client). Room and practitioner conflicts
    work as for one client; each member's balance shortfall is a warning naming the member,
    never a refusal: one member's empty pack does not stop the group from meeting."""
    practice = load_practice(principal.practice_id)
    code = _check_references(principal, data)
    planned = _planned(practice, data)
    warnings = _room_warnings(principal, practice, data, planned)
    warnings += _practitioner_warnings(principal, data, planned)
    for member_id in member_ids:
        warnings += [w.model_copy(update={"client_id": member_id})
                     for w in _balance_warnings(principal, practice, member_id, code, planned)]
    return _write_booking(principal, practice, data, code.code, planned, warnings, group_id=group_id)


def _planned(practice: Practice, data: AppointmentCreate) -> list[Occurrence]:
    rule = data.recurrence
    planned = occurrences(data.start, data.end, practice.time_zone, frequency=rule.frequency if rule else None,
                          count=rule.count if rule else None, until=rule.until if rule else None)
    _check_plan(practice, data, planned)
    return planned


def _write_booking(principal: Principal, practice: Practice, data: AppointmentCreate, code: str,
                   planned: list[Occurrence], warnings: list[BookingWarning], group_id: str | None = None) -> Booking:
    series_id = new_id("ser") if len(planned) > 1 else None
    written: list[dict[str, Any]] = []
    for occ in planned:
        item = appointment_item(principal.practice_id, data, code, occ, series_id, group_id=group_id)
        actions = [items.put_action(item)]
        if data.room_id and practice.room_booking == "block":
            actions += [items.put_action({"PK": room_slot_pk(principal.practice_id, data.room_id, slot), "SK": "SLOT",
                                          "appointment_id": item["id"]}) for slot in room_slots(occ.start, occ.end)]
        try:
            items.transact(actions)
        except items.TransactionCancelled as err:
            _release(principal.practice_id, written)  # a series is booked whole or not at all
            raise Conflict("The room was booked by someone else a moment ago",
                           warnings=_plain([BookingWarning(occurrence=occ.number, start=occ.start, kind="room",
                                                           detail="taken while booking")])) from err
        written.append(item)
    return Booking(appointments=[appointment_view(i, practice.time_zone) for i in written], warnings=warnings)


MAX_OCCURRENCES = 104
# A transaction holds 100 actions: the appointment plus at most this many five-minute slots.
MAX_SLOTS = 96


def _check_plan(practice: Practice, data: AppointmentCreate, planned: list[Occurrence]) -> None:
    if not planned:
        raise ValidationFailed.field("body.recurrence", "the recurrence ends before its first occurrence")
    if len(planned) > MAX_OCCURRENCES:
        raise ValidationFailed.field("body.recurrence", f"a series has at most {MAX_OCCURRENCES} occurrences")
    if data.room_id and practice.room_booking == "block" and len(room_slots(planned[0].start, planned[0].end)) > MAX_SLOTS:
        raise ValidationFailed.field("body.end", "in hard-block mode a room is booked for at most 8 hours at a time")


def _check_references(principal: Principal, data: AppointmentCreate) -> BillingCode:
    """The client (none for a group), practitioner, location, room and code must exist in this
    practice: one read."""
    pid = principal.practice_id
    keys = {"practitioner_id": USERS.key(pid, data.practitioner_id), "location_id": LOCATIONS.key(pid, data.location_id)}
    if data.client_id:
        keys["client_id"] = CLIENTS.key(pid, data.client_id)
    if data.room_id:
        keys["room_id"] = ROOMS.key(pid, data.room_id)
    if data.billing_code:
        keys["billing_code"] = BILLING_CODES.key(pid, data.billing_code)
    found = dict(zip(keys, items.get_many(list(keys.values()))))
    errors = [{"field": f"body.{name}", "reason": "does not exist in this practice"}
              for name, item in found.items() if item is None]
    if found["practitioner_id"] and found["practitioner_id"]["role"] != "practitioner":
        errors.append({"field": "body.practitioner_id", "reason": "is not a practitioner"})
    if data.room_id and found["room_id"] and data.location_id not in found["room_id"]["location_ids"]:
        errors.append({"field": "body.room_id", "reason": "is not a room of this location"})
    if errors:
        raise ValidationFailed(errors)
    code_item = found.get("billing_code")
    if code_item is None:
        default = (found["client_id"].get("default_service") or {}).get("billing_code")
        if not default:
            raise ValidationFailed.field("body.billing_code", "give a code: the client has no default billing code")
        code_item = items.get(*BILLING_CODES.key(pid, default))
        if code_item is None:
            raise ValidationFailed.field("body.billing_code", f"the client's default code {default} no longer exists")
    return BillingCode.model_validate(items.public(code_item))


def appointment_item(practice_id: str, data: AppointmentCreate, code: str, occ: Occurrence,
                     series_id: str | None, appointment_id: str | None = None,
                     group_id: str | None = None) -> dict[str, Any]:
    """A whole appointment item, indexed for the practitioner's, room's and client's (or
    group's) views."""
    appointment_id = appointment_id or new_id("appt")
    start = iso(occ.start)
    item = {
        "PK": appointment_pk(practice_id, appointment_id), "SK": APPOINTMENT_SK, "kind": "APPT", "id": appointment_id,
        "series_id": series_id, "occurrence": occ.number, "client_id": data.client_id, "group_id": group_id,
        "practitioner_id": data.practitioner_id, "location_id": data.location_id, "room_id": data.room_id,
        "start": occ.start.isoformat(), "end": occ.end.isoformat(), "billing_code": code,
        "telehealth": data.telehealth, "notes": data.notes, "status": "booked",
        "GSI1PK": practitioner_schedule_pk(practice_id, data.practitioner_id), "GSI1SK": f"{start}#{appointment_id}",
        "GSI3PK": group_schedule_pk(practice_id, group_id) if group_id else client_schedule_pk(practice_id, data.client_id),
        "GSI3SK": f"{start}#{appointment_id}",
    }
    if data.room_id:
        item.update({"GSI2PK": room_schedule_pk(practice_id, data.room_id), "GSI2SK": f"{start}#{appointment_id}"})
    return items.new_item(item)


def _release(practice_id: str, written: list[dict[str, Any]]) -> None:
    for item in written:
        actions = [{"Delete": {"TableName": items.table(), "Key": items.key_of(item["PK"], item["SK"])}}]
        actions += _slot_releases(practice_id, item)
        items.transact(actions)


def _slot_releases(practice_id: str, item: dict[str, Any]) -> list[dict[str, Any]]:
    """Deletes of the room slots an appointment may hold (none unless booked in block mode)."""
    if not item.get("room_id"):
        return []
    start, end = datetime.fromisoformat(item["start"]), datetime.fromisoformat(item["end"])
    return [{"Delete": {"TableName": items.table(), "Key": items.key_of(
                room_slot_pk(practice_id, item["room_id"], slot), "SLOT"),
             "ConditionExpression": "attribute_not_exists(PK) OR appointment_id = :mine",
             "ExpressionAttributeValues": {":mine": {"S": item["id"]}}}}
            for slot in room_slots(start, end)]


def _booked_between(index: str, pk: str, first: datetime, last: datetime) -> list[tuple[str, datetime, datetime]]:
    """Live appointments in a schedule that may overlap [first, last): one Query."""
    page = items.query_page(pk, limit=1000, start_key=None, index=index,
                            between=(iso(first - MAX_LENGTH), iso(last) + "#~"),
                            filter="#status <> :cancelled", filter_names={"#status": "status"},
                            filter_values={":cancelled": "cancelled"})
    return [(i["id"], datetime.fromisoformat(i["start"]), datetime.fromisoformat(i["end"])) for i in page.items]


def _room_warnings(principal: Principal, practice: Practice, data: AppointmentCreate,
                   planned: list[Occurrence], ignore: set[str] = frozenset()) -> list[BookingWarning]:
    if not data.room_id:
        return []
    existing = [e for e in _booked_between("GSI2", room_schedule_pk(principal.practice_id, data.room_id),
                                           planned[0].start, planned[-1].end) if e[0] not in ignore]
    found = clashes(planned, existing)
    warnings = [BookingWarning(occurrence=o.number, start=o.start, kind="room",
                               detail=f"room is booked for {', '.join(found[o.number])}") for o in planned
                if o.number in found]
    if warnings and (practice.room_booking == "block" or not data.override_room_conflict):
        hint = "" if practice.room_booking == "block" else "; send override_room_conflict: true to book anyway"
        raise Conflict(f"The room is taken{hint}", warnings=_plain(warnings))
    return warnings


def _practitioner_warnings(principal: Principal, data: AppointmentCreate,
                           planned: list[Occurrence], ignore: set[str] = frozenset()) -> list[BookingWarning]:
    existing = [e for e in _booked_between("GSI1", practitioner_schedule_pk(principal.practice_id,
                                                                            data.practitioner_id),
                                           planned[0].start, planned[-1].end) if e[0] not in ignore]
    found = clashes(planned, existing)
    return [BookingWarning(occurrence=o.number, start=o.start, kind="practitioner",
                           detail=f"practitioner is booked for {', '.join(found[o.number])}")
            for o in planned if o.number in found]


def _balance_warnings(principal: Principal, practice: Practice, client_id: str, code: BillingCode,
                      planned: list[Occurrence]) -> list[BookingWarning]:
    """Which occurrences would find no authorization or pack to count against, walking the
    client's balances forward through its booked appointments (when the practice counts
    them as pending) and then through the new ones."""
    entitlements = copy.deepcopy(entitlement_store.read_entitlements(principal.practice_id, client_id))
    if not entitlements:
        return []
    pending: list[tuple[datetime, datetime, str]] = []
    if practice.count_booked_as_pending:
        now = datetime.now(timezone.utc)
        page = items.query_page(client_schedule_pk(principal.practice_id, client_id), limit=1000, start_key=None,
                                index="GSI3", between=(iso(now), "9999"), filter="#status = :booked",
                                filter_names={"#status": "status"}, filter_values={":booked": "booked"})
        pending = [(datetime.fromisoformat(i["start"]), datetime.fromisoformat(i["end"]), i["billing_code"])
                   for i in page.items]
    zone = ZoneInfo(practice.time_zone)
    warnings = []
    timeline = [(s, e, c, None) for s, e, c in pending] + [(o.start, o.end, code.code, o) for o in planned]
    for start, end, code_value, occ in sorted(timeline, key=lambda t: t[0]):
        minutes = int((end - start).total_seconds() // 60)
        request = ChargeRequest(session_ref="forecast", date=start.astimezone(zone).date(), billing_code=code_value,
                                minutes=minutes)
        plan = charging.plan_charge(practice_id=principal.practice_id, client_id=client_id, request=request,
                                    code=code, entitlements=entitlements)
        for chosen, cost in ((plan.auth, plan.auth_cost), (plan.pack, plan.pack_cost)):
            if chosen:
                chosen["remaining"] -= cost
        if occ is None:
            continue
        has_auths = any(e["kind"] == "AUTH" for e in entitlements)
        has_packs = any(e["kind"] == "PACK" for e in entitlements)
        if has_auths and not plan.auth:
            warnings.append(BookingWarning(occurrence=occ.number, start=occ.start, kind="authorization",
                                           detail=plan.auth_reason or "no authorization"))
        if has_packs and not plan.pack:
            warnings.append(BookingWarning(occurrence=occ.number, start=occ.start, kind="pack",
                                           detail=plan.pack_reason or "no pack"))
    return warnings


def _plain(warnings: list[BookingWarning]) -> list[dict[str, Any]]:
    return [w.model_dump(mode="json") for w in warnings]


# ---- views ----------------------------------------------------------------------------

def schedule(*, principal: Principal, practitioner_id: str | None = None, room_id: str | None = None,
             client_id: str | None = None, group_id: str | None = None, first_day: Any, last_day: Any, limit: int,
             start_key: dict | None) -> tuple[list[Appointment], dict | None]:
    """A practitioner's, a room's, a client's or a group's appointments between two days, by
    start time."""
    practice = cached_practice(principal.practice_id)
    zone = ZoneInfo(practice.time_zone)
    low = datetime.combine(first_day, time.min, tzinfo=zone)
    high = datetime.combine(last_day, time.min, tzinfo=zone) + timedelta(days=1)
    if practitioner_id:
        index, pk = "GSI1", practitioner_schedule_pk(principal.practice_id, practitioner_id)
    elif room_id:
        index, pk = "GSI2", room_schedule_pk(principal.practice_id, room_id)
    elif group_id:
        index, pk = "GSI3", group_schedule_pk(principal.practice_id, group_id)
    else:
        index, pk = "GSI3", client_schedule_pk(principal.practice_id, client_id or "")
    page = items.query_page(pk, limit=limit, start_key=start_key, index=index, between=(iso(low), iso(high)))
    return [appointment_view(i, practice.time_zone) for i in page.items], page.last_key


# ---- attendance -----------------------------------------------------------------------

def change_status(*, principal: Principal, appointment_id: str, change: StatusChange,
                  expected_version: int) -> StatusResult:
    """Attend, miss or cancel an appointment (or put it back to booked). Leaving a charged
    state gives the charge back and entering one charges, each in the same transaction as the
    status, so a status and its charge never disagree."""
    practice = cached_practice(principal.practice_id)
    current = _current(principal, appointment_id, expected_version)
    if current.get("group_id"):
        if change.status != "cancelled":
            raise Conflict("A group appointment's attendance is marked per member: "
                           f"POST /v1/appointments/{appointment_id}/attendance")
        _refuse_if_marked(principal.practice_id, current)
    if change.status == current["status"]:
        raise Conflict(f"The appointment is already {change.status}")
    if current["status"] == "cancelled":
        raise Conflict("A cancelled appointment stays cancelled; book a new one")
    reversal = charge = None
    version = expected_version
    if current["status"] in ATTENDANCE:
        # Moving between attendance states passes through booked: give back, then charge anew.
        interim = "booked" if change.status in ATTENDANCE else change.status
        reversal = charging.reverse_session(
            principal=principal, client_id=current["client_id"], session_ref=appointment_id,
            companion=_status_write(principal.practice_id, current, interim, version, change.reason))
        version += 1
        current = {**current, "status": interim, "version": version, "prior_authorization_number": None,
                   "cancel_reason": change.reason if interim == "cancelled" else None}
    if change.status in ATTENDANCE:
        charge = _attend(principal, practice, current, change, version)
        current = {**current, "status": change.status, "version": version + 1, "cancel_reason": None,
                   "prior_authorization_number": charge.prior_authorization_number if charge else None}
    elif current["status"] != change.status:
        _write_status(principal.practice_id, current, change.status, version, change.reason)
        current = {**current, "status": change.status, "version": version + 1, "cancel_reason": change.reason,
                   "prior_authorization_number": None}
    appointment = appointment_view({**current, "updated_at": items.now()}, practice.time_zone)
    return StatusResult(appointment=appointment, charge=charge, reversal=reversal, version=appointment.version)


def place_of_service(practice: Practice, appointment: dict[str, Any], location_pos: str | None) -> str:
    """The POS a session of this appointment bills with: the location's, except that a
    telehealth appointment at an office location uses the practice's telehealth POS."""
    if appointment["telehealth"] and location_pos not in TELEHEALTH_POS:
        return practice.default_telehealth_pos
    return location_pos or DEFAULT_POS


def _refuse_if_marked(practice_id: str, current: dict[str, Any]) -> None:
    """A group session whose members are marked keeps its marks: clear them first, so every
    charge is given back by the one path that knows how."""
    marks = items.query_all(appointment_pk(practice_id, current["id"]), ATTENDANCE_SK)
    if any(m["status"] != "unmarked" for m in marks):
        raise Conflict(f"Members of the group session on {current['start'][:10]} are marked; set them to "
                       "unmarked before cancelling it")


def _attend(principal: Principal, practice: Practice, current: dict[str, Any], change: StatusChange,
            version: int) -> Any:
    """Charge an attended (or charged missed) appointment; attending also records its client
    session, keyed by the appointment, in the same transaction."""
    code, location_pos = sessions.check_codes(principal, current["billing_code"], [], current["location_id"])
    start, end = datetime.fromisoformat(current["start"]), datetime.fromisoformat(current["end"])
    minutes = change.minutes if change.minutes is not None else int((end - start).total_seconds() // 60)
    day = start.astimezone(ZoneInfo(practice.time_zone)).date()
    request = ChargeRequest(session_ref=current["id"], billing_code=current["billing_code"], minutes=minutes,
                            date=day, attendance=change.status)
    session = None
    if change.status == "attended":
        pos = place_of_service(practice, current, location_pos)
        session = {"date_of_service": day.isoformat(), "billing_code": code.code, "minutes": minutes,
                   "fee": str(code.default_charge), "location_id": current["location_id"],
                   "appointment_id": current["id"], "bill_to": "automatic",
                   "place_of_service": pos,
                   "additional_diagnoses": [], "modifiers": [], "additional_dates": [], "add_on_codes": []}
    return charging.charge_session(principal=principal, client_id=current["client_id"], request=request, code=code,
                                   companion=_status_write(principal.practice_id, current, change.status, version,
                                                           None, session=session))


def _status_update(practice_id: str, current: dict[str, Any], status: str, version: int, reason: str | None,
                   authorization_number: str | None) -> list[dict[str, Any]]:
    values: dict[str, Any] = {"status": status, "version": version + 1, "updated_at": items.now(),
                              "cancel_reason": reason if status == "cancelled" else None,
                              "prior_authorization_number": authorization_number}
    actions = [items.put_action({**current, **values}, expected_version=version)]
    if status == "cancelled":
        actions += _slot_releases(practice_id, current)
    return actions


def _status_write(practice_id: str, current: dict[str, Any], status: str, version: int, reason: str | None,
                  session: dict[str, Any] | None = None) -> charging.Companion:
    """The appointment's new status (and its client session's creation or removal) as the
    companion of the charge or reversal that goes with it."""
    def actions(plan: Any) -> list[dict[str, Any]]:
        number, why = plan.authorization_stamp() if plan else (None, None)
        writes = _status_update(practice_id, current, status, version, reason, number)
        if session is not None:
            writes += [items.put_action(sessions.new_session_item(practice_id, current["client_id"], current["id"],
                                                                  session, (number, why))),
                       client_history_added(practice_id, current["client_id"])]
        elif current["status"] == "attended":
            # Leaving attended: the session it recorded goes with the charge it made.
            key = sessions.session_key(practice_id, current["client_id"], current["id"])
            writes.append({"Delete": {"TableName": items.table(), "Key": items.key_of(*key)}})
        return writes

    return charging.Companion(
        actions=actions,
        refused=lambda err, index: items.write_error(err, index, expected_version=version, resource="Appointment",
                                                     resource_id=current["id"]) or Conflict("Try again"))


def _write_status(practice_id: str, current: dict[str, Any], status: str, version: int, reason: str | None) -> None:
    items.transact_entity(_status_update(practice_id, current, status, version, reason, None),
                          expected_version=version, resource="Appointment", resource_id=current["id"])



# ---- moving and cancelling occurrences ------------------------------------------------

def _targets(principal: Principal, current: dict[str, Any], following: bool) -> list[dict[str, Any]]:
    """This appointment, or it and the later booked occurrences of its series (one Query)."""
    if not following or not current.get("series_id"):
        return [current]
    page = items.query_page(current["GSI3PK"], limit=1000,
                            start_key=None, index="GSI3", between=(iso(datetime.fromisoformat(current["start"])), "9999"),
                            filter="series_id = :series AND #status = :booked",
                            filter_names={"#status": "status"},
                            filter_values={":series": current["series_id"], ":booked": "booked"})
    return sorted(page.items, key=lambda i: i["start"])


def update_appointment(*, principal: Principal, appointment_id: str, changes: AppointmentUpdate,
                       expected_version: int) -> SeriesChange:
    """Move or change a booked appointment (or it and the rest of its series). Conflicts are
    checked again for the new times; in hard-block mode the room slots move in the same
    transaction as the appointment."""
    practice = load_practice(principal.practice_id)
    current = _current(principal, appointment_id, expected_version, must_be_booked_to="moved")
    values = changes.model_dump(mode="json", exclude_unset=True, exclude={"scope", "override_room_conflict"})
    shift = timedelta(0)
    length = None
    if changes.start is not None:
        new_start = to_utc(changes.start, practice.time_zone)
        shift = new_start - datetime.fromisoformat(current["start"])
        length = to_utc(changes.end, practice.time_zone) - new_start
    targets = _targets(principal, current, changes.scope == "following")
    moved = []
    for item in targets:
        start = datetime.fromisoformat(item["start"]) + shift
        end = start + length if length is not None else datetime.fromisoformat(item["end"]) + shift
        updated = {**item, **{k: v for k, v in values.items() if k not in ("start", "end")},
                   "start": start.isoformat(), "end": end.isoformat()}
        moved.append((item, updated, Occurrence(item["occurrence"], start, end)))
    first = moved[0][1]
    data = AppointmentCreate.model_construct(
        client_id=first["client_id"], practitioner_id=first["practitioner_id"], location_id=first["location_id"],
        room_id=first.get("room_id"), billing_code=first["billing_code"],
        override_room_conflict=changes.override_room_conflict)
    if {"practitioner_id", "room_id", "billing_code"} & values.keys():
        _check_references(principal, data)
    planned = [occ for _, _, occ in moved]
    own = {item["id"] for item, _, _ in moved}
    warnings = _room_warnings(principal, practice, data, planned, ignore=own)
    warnings += _practitioner_warnings(principal, data, planned, ignore=own)
    for old, new, occ in moved:
        _reindex(principal.practice_id, new, occ)
        version = old["version"]
        new.update(version=version + 1, updated_at=items.now())
        actions = [items.put_action(new, expected_version=version)]
        if practice.room_booking == "block":
            # Only the slots that change hands are written: one action per item per transaction.
            held, wanted = _slots_of(old), _slots_of(new)
            actions += [{"Delete": {"TableName": items.table(), "Key": items.key_of(
                            room_slot_pk(principal.practice_id, room, slot), "SLOT")}} for room, slot in held - wanted]
            actions += [items.put_action({"PK": room_slot_pk(principal.practice_id, room, slot), "SK": "SLOT",
                                          "appointment_id": new["id"]}) for room, slot in wanted - held]
        try:
            items.transact(actions)
        except items.TransactionCancelled as err:
            raise (items.write_error(err, 0, expected_version=version, resource="Appointment",
                                     resource_id=old["id"]) or
                   Conflict("The room was booked by someone else a moment ago")) from err
    return SeriesChange(appointments=[appointment_view(new, practice.time_zone) for _, new, _ in moved],
                        warnings=warnings)


def _slots_of(item: dict[str, Any]) -> set[tuple[str, str]]:
    if not item.get("room_id"):
        return set()
    start, end = datetime.fromisoformat(item["start"]), datetime.fromisoformat(item["end"])
    return {(item["room_id"], slot) for slot in room_slots(start, end)}


def _reindex(practice_id: str, item: dict[str, Any], occ: Occurrence) -> None:
    start = iso(occ.start)
    item.update({"GSI1PK": practitioner_schedule_pk(practice_id, item["practitioner_id"]),
                 "GSI1SK": f"{start}#{item['id']}", "GSI3SK": f"{start}#{item['id']}"})
    if item.get("room_id"):
        item.update({"GSI2PK": room_schedule_pk(practice_id, item["room_id"]), "GSI2SK": f"{start}#{item['id']}"})
    else:
        item.pop("GSI2PK", None)
        item.pop("GSI2SK", None)


def cancel_following(*, principal: Principal, appointment_id: str, reason: str,
                     expected_version: int) -> SeriesChange:
    """Cancel this appointment and the later booked occurrences of its series."""
    practice = cached_practice(principal.practice_id)
    current = _current(principal, appointment_id, expected_version, must_be_booked_to="cancelled this way")
    cancelled = []
    targets = _targets(principal, current, True)
    for item in targets if current.get("group_id") else []:
        _refuse_if_marked(principal.practice_id, item)
    for item in targets:
        _write_status(principal.practice_id, item, "cancelled", item["version"], reason)
        cancelled.append({**item, "status": "cancelled", "cancel_reason": reason, "version": item["version"] + 1})
    return SeriesChange(appointments=[appointment_view(i, practice.time_zone) for i in cancelled])

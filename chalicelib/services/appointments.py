"""Use cases for appointments: book (one or a series), the schedule views, and attendance,
which charges the client's pack or authorization in the same transaction as the status."""
from __future__ import annotations

from collections.abc import Set as AbstractSet
from dataclasses import replace
from datetime import UTC, datetime, time, timedelta
from typing import Any, Literal, cast
from zoneinfo import ZoneInfo

from chalicelib.auth import Principal, Role
from chalicelib.clock import now as clock_now
from chalicelib.domain.charging import ChargeDecision, Session, forecast, shown_authorization
from chalicelib.domain.codes import DEFAULT_POS, TELEHEALTH_POS
from chalicelib.domain.entitlements import Attendance
from chalicelib.domain.groups import member_at, practitioners_of
from chalicelib.domain.ids import new_id
from chalicelib.domain.practice import Practice
from chalicelib.domain.scheduling import (
    HourChange,
    Occurrence,
    clashes,
    occurrences,
    room_slots,
    shifted,
    slot_changes,
    span,
    status_refusal,
    status_steps,
    wall_clock_shift,
)
from chalicelib.errors import Conflict, NotFound, ValidationFailed
from chalicelib.models.appointments import (
    Appointment,
    AppointmentCreate,
    AppointmentUpdate,
    Booking,
    BookingPreview,
    BookingWarning,
    PlannedOccurrence,
    SeriesChange,
    StatusChange,
    StatusResult,
)
from chalicelib.models.codes import BillingCode
from chalicelib.models.entitlements import ChargeRequest
from chalicelib.models.groups import Group
from chalicelib.services import charging, sessions
from chalicelib.services.practice import cached_practice, load_practice
from chalicelib.store import appointments as store
from chalicelib.store import attendance as attendance_store
from chalicelib.store import entitlements as entitlement_store
from chalicelib.store import groups as group_store
from chalicelib.store import sessions as session_store
from chalicelib.store.appointments import StoredAppointment
from chalicelib.store.history import history_marker, history_refused

ATTENDANCE = ("attended", "no_show", "late_cancel")


def appointment_view(item: StoredAppointment, tz: str) -> Appointment:
    """A stored appointment with its times in the practice's time zone."""
    zone = ZoneInfo(tz)
    return Appointment.model_validate({
        **vars(item),
        "start": datetime.fromisoformat(item.start).astimezone(zone),
        "end": datetime.fromisoformat(item.end).astimezone(zone)})


def _get(principal: Principal, appointment_id: str) -> StoredAppointment:
    """The appointment, or 404 if it does not exist or the caller may not see it."""
    item = store.get(principal.practice_id, appointment_id)
    if item.group_id and principal.role == Role.PRACTITIONER:
        group = group_store.find_group(principal.practice_id, item.group_id)
        if group is None or not may_see_group(principal, group):
            raise NotFound("Appointment", appointment_id)
    return item


def may_see_group(principal: Principal, group: Group) -> bool:
    """Whether the caller may see a group and its sessions: any non-practitioner role, its
    practitioner, or a practitioner it is shared with."""
    return principal.role != Role.PRACTITIONER or principal.user_id in practitioners_of(group)


def visible_only(principal: Principal, found: list[StoredAppointment]) -> list[StoredAppointment]:
    """A schedule page without the group sessions the caller may not see: one batch read of
    their groups, and only for a practitioner (every other role sees every group)."""
    group_ids = sorted({i.group_id for i in found if i.group_id})
    if principal.role != Role.PRACTITIONER or not group_ids:
        return found
    groups = group_store.groups_by_id(principal.practice_id, group_ids)
    visible = {g for g, group in zip(group_ids, groups, strict=True)
               if group is not None and may_see_group(principal, group)}
    return [i for i in found if not i.group_id or i.group_id in visible]


def _current(principal: Principal, appointment_id: str, expected_version: int, *,
             must_be_booked_to: str | None = None) -> StoredAppointment:
    """The appointment as the caller last read it (412 if it changed since), optionally
    refusing anything but a booked one."""
    current = _get(principal, appointment_id)
    if current.version != expected_version:
        raise store.stale(current, expected_version)
    if must_be_booked_to and current.status != "booked":
        raise Conflict(f"Only booked appointments can be {must_be_booked_to}; this one is {current.status}")
    return current


def get_appointment(*, principal: Principal, appointment_id: str) -> Appointment:
    practice = cached_practice(principal.practice_id)
    return appointment_view(numbered(principal.practice_id, [_get(principal, appointment_id)])[0],
                            practice.time_zone)


def numbered(practice_id: str, found: list[StoredAppointment]) -> list[StoredAppointment]:
    """Attended appointments with the number of the authorization their session counts
    against, as it is now (one read for all; none when none counts)."""
    wanted = list(dict.fromkeys((a.client_id or "", a.authorization_id) for a in found if a.authorization_id))
    current = entitlement_store.authorizations(practice_id, wanted)
    out = []
    for a in found:
        auth = current.get((a.client_id or "", a.authorization_id)) if a.authorization_id else None
        number, _ = shown_authorization((a.prior_authorization_number, None), a.authorization_id, auth)
        out.append(replace(a, prior_authorization_number=number))
    return out


# ---- booking --------------------------------------------------------------------------

def book(*, principal: Principal, data: AppointmentCreate) -> Booking:
    """Book one appointment or a series. A room clash is refused unless overridden (or always,
    in hard-block mode); a practitioner clash and a missing balance are warnings (the latter
    refused in the practice's block mode). Nothing is written when a booking is refused."""
    practice = load_practice(principal.practice_id)
    code = _check_references(principal, data)
    planned = _planned(practice, data)
    warnings = _booking_warnings(principal, practice, data, code, planned, member_ids=None, refuse=True)
    if practice.balance_booking == "block":
        short = [w for w in warnings if w.kind in ("authorization", "pack")]
        if short:
            raise Conflict("The booking goes past the client's balance", warnings=_plain(short, practice.time_zone))
    return _write_booking(principal, practice, data, code.code, planned, warnings)


def book_group(*, principal: Principal, group_id: str, data: AppointmentCreate, member_ids: list[str]) -> Booking:
    """Book a group session or series (`data` has no client). Room and practitioner conflicts
    work as for one client; each member's balance shortfall is a warning naming the member,
    never a refusal: one member's empty pack does not stop the group from meeting."""
    practice = load_practice(principal.practice_id)
    code = _check_references(principal, data)
    planned = _planned(practice, data)
    warnings = _booking_warnings(principal, practice, data, code, planned, member_ids=member_ids, refuse=True)
    return _write_booking(principal, practice, data, code.code, planned, warnings, group_id=group_id)


def preview(*, principal: Principal, data: AppointmentCreate, member_ids: list[str] | None = None) -> BookingPreview:
    """What booking `data` would do, writing nothing: every occurrence, every warning (a room
    clash included, which the booking itself answers with 409) and the outcome, so a screen
    can show them all before anyone confirms. `member_ids`: a group session's members."""
    practice = load_practice(principal.practice_id)
    code = _check_references(principal, data)
    planned = _planned(practice, data)
    warnings = _booking_warnings(principal, practice, data, code, planned, member_ids=member_ids, refuse=False)
    kinds = {w.kind for w in warnings}
    outcome: Literal["books", "needs_override", "refused"] = "books"
    if "room" in kinds:
        outcome = "refused" if practice.room_booking == "block" else \
            "books" if data.override_room_conflict else "needs_override"
    if member_ids is None and practice.balance_booking == "block" and kinds & {"authorization", "pack"}:
        outcome = "refused"
    zone = ZoneInfo(practice.time_zone)
    return BookingPreview(
        occurrences=[PlannedOccurrence(occurrence=o.number, start=o.start.astimezone(zone), end=o.end.astimezone(zone))
                     for o in planned],
        warnings=_localized(warnings, practice.time_zone), outcome=outcome)


def _booking_warnings(principal: Principal, practice: Practice, data: AppointmentCreate, code: BillingCode,
                      planned: list[Occurrence], *, member_ids: list[str] | None, refuse: bool) -> list[BookingWarning]:
    """Room, practitioner and balance warnings of a new booking: the client's balances, or each
    group member's (naming the member). `refuse`: a room clash raises 409 instead."""
    warnings = _room_warnings(principal, practice, data, planned, refuse=refuse)
    warnings += _practitioner_warnings(principal, practice, data, planned)
    if member_ids is None:
        return warnings + _balance_warnings(principal, practice, data.client_id, code, planned)
    for member_id in member_ids:
        warnings += [w.model_copy(update={"client_id": member_id})
                     for w in _balance_warnings(principal, practice, member_id, code, planned)]
    return warnings


def _planned(practice: Practice, data: AppointmentCreate) -> list[Occurrence]:
    rule = data.recurrence
    planned = occurrences(data.start, data.end, practice.time_zone, frequency=rule.frequency if rule else None,
                          count=rule.count if rule else None, until=rule.until if rule else None)
    _check_plan(practice, data, planned)
    return planned


def _write_booking(principal: Principal, practice: Practice, data: AppointmentCreate, code: str,
                   planned: list[Occurrence], warnings: list[BookingWarning], group_id: str | None = None) -> Booking:
    series_id = new_id("ser") if len(planned) > 1 else None
    exclusive = practice.room_booking == "block" or not data.override_room_conflict
    written: list[tuple[StoredAppointment, list[HourChange]]] = []
    for occ in planned:
        item, changes = _slot_changes(None, new_appointment(data, code, occ, series_id, group_id=group_id), exclusive)
        try:
            store.write(principal.practice_id, item, slots=changes)
        except store.Refused as err:
            _release(principal.practice_id, [i for i, _ in written])  # a series is booked whole or not at all
            raise _room_taken(practice, occ, err.holders) from err
        written.append((item, changes))
    return Booking(appointments=[appointment_view(i, practice.time_zone) for i, _ in written],
                   warnings=_localized(warnings, practice.time_zone), version=written[0][0].version)


def _slot_changes(old: StoredAppointment | None, new: StoredAppointment,
                  exclusive: bool) -> tuple[StoredAppointment, list[HourChange]]:
    """`new` marked as holding its slots (or not, once cancelled), and the room-hour writes
    taking the appointment from what `old` holds to what `new` needs. An appointment stored
    before slots were recorded in every mode holds none, and its own times need no check."""
    held = _slots_of(old) if old and old.holds_room_slots else set()
    wanted = _slots_of(new) if new.status != "cancelled" else set()
    return (replace(new, holds_room_slots=True if wanted else None),
            slot_changes(held, wanted, _slots_of(old) if old else set(), exclusive))


def _room_taken(practice: Practice, occ: Occurrence, holders: list[str]) -> Exception:
    """A refused room-hour condition as the room warning a booking would have met had the
    other appointment been there when it looked."""
    detail = f"room is booked for {', '.join(holders)}" if holders else "room was taken while booking"
    hint = "" if practice.room_booking == "block" else "; send override_room_conflict: true to book anyway"
    return Conflict(f"The room was booked by someone else a moment ago{hint}",
                    warnings=_plain([BookingWarning(occurrence=occ.number, start=occ.start, kind="room",
                                                    detail=detail)], practice.time_zone))


MAX_OCCURRENCES = 104
# In hard-block mode a room is booked for at most 8 hours at a time (96 five-minute slots).
MAX_SLOTS = 96


def _check_plan(practice: Practice, data: AppointmentCreate, planned: list[Occurrence]) -> None:
    if not planned:
        raise ValidationFailed.field("body.recurrence", "the recurrence ends before its first occurrence")
    if len(planned) > MAX_OCCURRENCES:
        raise ValidationFailed.field("body.recurrence", f"a series has at most {MAX_OCCURRENCES} occurrences")
    if (data.room_id and practice.room_booking == "block"
            and len(room_slots(planned[0].start, planned[0].end)) > MAX_SLOTS):
        raise ValidationFailed.field("body.end", "in hard-block mode a room is booked for at most 8 hours at a time")


def _check_references(principal: Principal, data: AppointmentCreate) -> BillingCode:
    """The client (none for a group), practitioner, location, room and code must exist in this
    practice: one read."""
    pid = principal.practice_id
    found = store.references(pid, practitioner_id=data.practitioner_id, location_id=data.location_id,
                             client_id=data.client_id, room_id=data.room_id, billing_code=data.billing_code)
    named = {"practitioner_id": found.practitioner, "location_id": found.location, "client_id": found.client,
             "room_id": found.room, "billing_code": found.code}
    errors = [{"field": f"body.{name}", "reason": "does not exist in this practice"}
              for name, record in named.items() if record is None and getattr(data, name)]
    if found.practitioner and found.practitioner.role != "practitioner":
        errors.append({"field": "body.practitioner_id", "reason": "is not a practitioner"})
    if data.room_id and found.room and data.location_id not in found.room.location_ids:
        errors.append({"field": "body.room_id", "reason": "is not a room of this location"})
    if errors:
        raise ValidationFailed(errors)
    code = found.code
    if code is None:
        service = found.client.default_service if found.client else None
        default = service.billing_code if service else None
        if not default:
            raise ValidationFailed.field("body.billing_code", "give a code: the client has no default billing code")
        code = store.billing_code(pid, default)
        if code is None:
            raise ValidationFailed.field("body.billing_code", f"the client's default code {default} no longer exists")
    return code


def new_appointment(data: AppointmentCreate, code: str, occ: Occurrence, series_id: str | None,
                     appointment_id: str | None = None, group_id: str | None = None) -> StoredAppointment:
    """A new booked appointment for one occurrence."""
    return store.new(appointment_id or new_id("appt"), {
        "series_id": series_id, "occurrence": occ.number, "client_id": data.client_id, "group_id": group_id,
        "practitioner_id": data.practitioner_id, "location_id": data.location_id, "room_id": data.room_id,
        "start": occ.start.isoformat(), "end": occ.end.isoformat(), "billing_code": code,
        "telehealth": data.telehealth, "notes": data.notes, "status": "booked"})


def appointment_item(practice_id: str, data: AppointmentCreate, code: str, occ: Occurrence,
                     series_id: str | None, appointment_id: str | None = None,
                     group_id: str | None = None) -> dict[str, Any]:
    """A whole appointment item, indexed for the practitioner's, room's and client's (or
    group's) views (calendar import writes it with store.appointment_partition.create)."""
    return store.item_of(practice_id, new_appointment(data, code, occ, series_id, appointment_id, group_id))


def _release(practice_id: str, written: list[StoredAppointment]) -> None:
    for item in written:
        _, slots = _slot_changes(item, replace(item, status="cancelled"), False)
        store.release(practice_id, item, slots)


def _booked_between(schedule: store.Schedule, practice_id: str, owner_id: str, first: datetime,
                    last: datetime) -> list[tuple[str, datetime, datetime]]:
    """Live appointments in a schedule that may overlap [first, last): one Query."""
    return [(i.id, datetime.fromisoformat(i.start), datetime.fromisoformat(i.end))
            for i in store.live_between(schedule, practice_id, owner_id, first, last)]


def _room_warnings(principal: Principal, practice: Practice, data: AppointmentCreate,
                   planned: list[Occurrence], ignore: AbstractSet[str] = frozenset(),
                   refuse: bool = True) -> list[BookingWarning]:
    if not data.room_id:
        return []
    existing = [e for e in _booked_between("room", principal.practice_id, data.room_id,
                                           planned[0].start, planned[-1].end) if e[0] not in ignore]
    found = clashes(planned, existing)
    warnings = [BookingWarning(occurrence=o.number, start=o.start, kind="room",
                               detail=_booked("room", found[o.number], existing, practice.time_zone))
                for o in planned if o.number in found]
    if warnings and refuse and (practice.room_booking == "block" or not data.override_room_conflict):
        hint = "" if practice.room_booking == "block" else "; send override_room_conflict: true to book anyway"
        raise Conflict(f"The room is taken{hint}", warnings=_plain(warnings, practice.time_zone))
    return warnings


def _practitioner_warnings(principal: Principal, practice: Practice, data: AppointmentCreate,
                           planned: list[Occurrence], ignore: AbstractSet[str] = frozenset()) -> list[BookingWarning]:
    existing = [e for e in _booked_between("practitioner", principal.practice_id, data.practitioner_id,
                                           planned[0].start, planned[-1].end) if e[0] not in ignore]
    found = clashes(planned, existing)
    return [BookingWarning(occurrence=o.number, start=o.start, kind="practitioner",
                           detail=_booked("practitioner", found[o.number], existing, practice.time_zone))
            for o in planned if o.number in found]


def _booked(what: str, ids: list[str], existing: list[tuple[str, datetime, datetime]], time_zone: str) -> str:
    """'room is booked 10:00-10:50 (appt_…)': the clashing times a person reads, in the
    practice's zone, and the appointments' ids for a screen to link."""
    zone, times = ZoneInfo(time_zone), {i: (s, e) for i, s, e in existing}
    spans = [f"{times[i][0].astimezone(zone):%H:%M}-{times[i][1].astimezone(zone):%H:%M} ({i})" for i in ids]
    return f"{what} is booked {', '.join(spans)}"


def _balance_warnings(principal: Principal, practice: Practice, client_id: str, code: BillingCode,
                      planned: list[Occurrence]) -> list[BookingWarning]:
    """Which occurrences would find no authorization or pack to count against, walking the
    client's balances forward through its booked appointments (when the practice counts
    them as pending) and then through the new ones."""
    entitlements = entitlement_store.client_entitlements(principal.practice_id, client_id)
    if not entitlements:
        return []
    pending: list[tuple[datetime, datetime, str]] = []
    if practice.count_booked_as_pending:
        now = datetime.now(UTC)
        pending = [(datetime.fromisoformat(i.start), datetime.fromisoformat(i.end), i.billing_code)
                   for i in store.booked_from(principal.practice_id, client_id, now)]
    zone = ZoneInfo(practice.time_zone)
    timeline = sorted([(s, e, c, None) for s, e, c in pending] + [(o.start, o.end, code.code, o) for o in planned],
                      key=lambda t: t[0])
    # Each is charged as the new appointment's code would be (its unit length and fee).
    outlook = forecast([Session(session_ref="forecast", on=start.astimezone(zone).date(), billing_code=code_value,
                                minutes=int((end - start).total_seconds() // 60), fee=code.default_charge,
                                unit_minutes=code.unit_minutes) for start, end, code_value, _ in timeline],
                       entitlements)
    has_auths = any(e.kind == "AUTH" for e in entitlements)
    has_packs = any(e.kind == "PACK" for e in entitlements)
    warnings = []
    for (_, _, _, occ), seen in zip(timeline, outlook, strict=True):
        if occ is None:
            continue
        if has_auths and seen.authorization_reason is not None:
            warnings.append(BookingWarning(occurrence=occ.number, start=occ.start, kind="authorization",
                                           detail=seen.authorization_reason))
        if has_packs and seen.pack_reason is not None:
            warnings.append(BookingWarning(occurrence=occ.number, start=occ.start, kind="pack",
                                           detail=seen.pack_reason))
    return warnings


def _localized(warnings: list[BookingWarning], zone: str) -> list[BookingWarning]:
    """Warnings name each occurrence's start in the practice's time zone, as appointments do."""
    tz = ZoneInfo(zone)
    return [w.model_copy(update={"start": w.start.astimezone(tz)}) for w in warnings]


def _plain(warnings: list[BookingWarning], zone: str) -> list[dict[str, Any]]:
    return [w.model_dump(mode="json") for w in _localized(warnings, zone)]


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
    which: tuple[store.Schedule, str]
    if practitioner_id:
        which = ("practitioner", practitioner_id)
    elif room_id:
        which = ("room", room_id)
    elif group_id:
        which = ("group", group_id)
    else:
        which = ("client", client_id or "")
    page, last_key = store.schedule_page(which[0], principal.practice_id, which[1], low, high, limit=limit,
                                         start_key=start_key)
    # A group's own schedule is read only by those who may see the group.
    found = page if group_id else visible_only(principal, page)
    return [appointment_view(i, practice.time_zone) for i in numbered(principal.practice_id, found)], last_key


# ---- attendance -----------------------------------------------------------------------

def change_status(*, principal: Principal, appointment_id: str, change: StatusChange,
                  expected_version: int) -> StatusResult:
    """Attend, miss or cancel an appointment (or put it back to booked). Leaving a charged
    state gives the charge back and entering one charges, each in the same transaction as the
    status, so a status and its charge never disagree."""
    practice = cached_practice(principal.practice_id)
    current = _current(principal, appointment_id, expected_version)
    if current.group_id:
        if change.status != "cancelled":
            raise Conflict("A group appointment's attendance is marked per member: "
                           f"POST /v1/appointments/{appointment_id}/attendance")
        _refuse_if_marked(principal.practice_id, current)
    refusal = status_refusal(current.status, change.status)
    if refusal:
        raise Conflict(refusal)
    steps = status_steps(current.status, change.status)
    if current.status == "attended" and change.status != "attended" and current.client_id:
        sessions.refuse_if_billed(principal.practice_id, current.client_id, appointment_id)  # its session goes
    reversal = charge = None
    version = expected_version
    if steps.give_back_as is not None:
        # Moving between attendance states passes through booked: give back, then charge anew.
        interim = steps.give_back_as
        reversal = charging.reverse_session(
            principal=principal, client_id=current.client_id or "", session_ref=appointment_id,
            companion=_status_write(principal.practice_id, current, interim, version, change.reason))
        version += 1
        current = replace(current, status=interim, version=version, prior_authorization_number=None,
                          cancel_reason=change.reason if interim == "cancelled" else None)
    if steps.charge:
        charge = _attend(principal, practice, current, change, version)
        current = replace(current, status=change.status, version=version + 1, cancel_reason=None,
                          prior_authorization_number=charge.prior_authorization_number if charge else None)
    elif steps.write:
        _write_status(principal.practice_id, current, change.status, version, change.reason)
        current = replace(current, status=change.status, version=version + 1, cancel_reason=change.reason,
                          prior_authorization_number=None)
    appointment = appointment_view(replace(current, updated_at=clock_now()), practice.time_zone)
    return StatusResult(appointment=appointment, charge=charge, reversal=reversal, version=appointment.version)


def place_of_service(practice: Practice, telehealth: bool, location_pos: str | None) -> str:
    """The POS a session of an appointment bills with: the location's, except that a
    telehealth appointment at an office location uses the practice's telehealth POS."""
    if telehealth and location_pos not in TELEHEALTH_POS:
        return practice.default_telehealth_pos
    return location_pos or DEFAULT_POS


def _refuse_if_marked(practice_id: str, current: StoredAppointment, doing: str = "cancelling") -> None:
    """A group session whose members are marked keeps its marks: clear them first, so every
    charge is given back by the one path that knows how."""
    marks = attendance_store.marks_of(practice_id, current.id)
    if any(m.status != "unmarked" for m in marks):
        raise Conflict(f"Members of the group session on {current.start[:10]} are marked; set them to "
                       f"unmarked before {doing} it")


def _attend(principal: Principal, practice: Practice, current: StoredAppointment, change: StatusChange,
            version: int) -> Any:
    """Charge an attended (or charged missed) appointment; attending also records its client
    session, keyed by the appointment, in the same transaction."""
    # Whether the client has a history comes in the same read: its marker is written only if missing.
    client_id = current.client_id or ""
    code, location_pos, client = sessions.codes_and_client(principal, current.billing_code, [],
                                                           current.location_id, client_id)
    start, end = datetime.fromisoformat(current.start), datetime.fromisoformat(current.end)
    minutes = change.minutes if change.minutes is not None else int((end - start).total_seconds() // 60)
    day = start.astimezone(ZoneInfo(practice.time_zone)).date()
    attendance = cast(Attendance, change.status)  # status_steps charges only an attendance state
    request = ChargeRequest(session_ref=current.id, billing_code=current.billing_code, minutes=minutes,
                            date=day, attendance=attendance)
    session = None
    if change.status == "attended":
        pos = place_of_service(practice, current.telehealth, location_pos)
        session = {"date_of_service": day.isoformat(), "billing_code": code.code, "minutes": minutes,
                   "fee": str(code.default_charge), "location_id": current.location_id,
                   "appointment_id": current.id, "bill_to": "automatic",
                   "place_of_service": pos,
                   "additional_diagnoses": [], "modifiers": [], "additional_dates": [], "add_on_codes": []}
    return charging.charge_session(principal=principal, client_id=client_id, request=request, code=code,
                                   companion=_status_write(principal.practice_id, current, change.status, version,
                                                           None, session=session, client=client))


def _status_update(current: StoredAppointment, status: str, version: int, reason: str | None,
                   authorization_number: str | None,
                   authorization_id: str | None = None) -> tuple[StoredAppointment, list[HourChange]]:
    """The appointment in its new status, and the room-hour writes that go with it."""
    updated = replace(current, status=status, version=version + 1, updated_at=clock_now(),
                      cancel_reason=reason if status == "cancelled" else None,
                      prior_authorization_number=authorization_number, authorization_id=authorization_id)
    # Cancelling frees the room; the other states keep it (the session took place there).
    return _slot_changes(current, updated, False) if status == "cancelled" else (updated, [])


def _status_write(practice_id: str, current: StoredAppointment, status: str, version: int, reason: str | None,
                  session: dict[str, Any] | None = None, client: bool | None = None) -> charging.Companion:
    """The appointment's new status (and its client session's creation or removal) as the
    companion of the charge or reversal that goes with it (`client`: whether the client has a
    history already)."""
    marker_at: dict[str, int] = {}
    client_id = current.client_id or ""

    def actions(decision: ChargeDecision | None) -> list[dict[str, Any]]:
        number, why = decision.authorization_stamp() if decision else (None, None)
        authorization_id = decision.authorization_id if decision else None
        updated, slots = _status_update(current, status, version, reason, number, authorization_id)
        writes = store.write_actions(practice_id, updated, expected_version=version, slots=slots)
        if session is not None:
            recorded = sessions.new_session_item(practice_id, client_id, current.id, session, (number, why),
                                                 authorization_id)
            writes.append(session_store.put_action(practice_id, client_id, recorded))
            marker = history_marker(practice_id, client_id, client)
            marker_at.update({"index": len(writes)} if marker else {})
            writes += marker
        elif current.status == "attended":
            # Leaving attended: the session it recorded goes with the charge it made.
            writes.append(session_store.drop_action(practice_id, client_id, current.id))
        return writes

    return charging.Companion(
        actions=actions,
        # Only a refusal of its own answers (stale 412, missing 404, client gone 404); None: a
        # conflict or a moved balance, which the charge retries.
        refused=lambda err, index: store.write_refused(err, index, expected_version=version,
                                                       appointment_id=current.id) or history_refused(
            err, index + marker_at["index"] if "index" in marker_at else None, client_id))


def _write_status(practice_id: str, current: StoredAppointment, status: str, version: int,
                  reason: str | None) -> None:
    updated, slots = _status_update(current, status, version, reason, None)
    store.save(practice_id, updated, expected_version=version, slots=slots)



# ---- moving and cancelling occurrences ------------------------------------------------

def _targets(principal: Principal, current: StoredAppointment, following: bool) -> list[StoredAppointment]:
    """This appointment, or it and the later booked occurrences of its series (one Query)."""
    if not following or not current.series_id:
        return [current]
    return store.series_booked_from(principal.practice_id, current)


def update_appointment(*, principal: Principal, appointment_id: str, changes: AppointmentUpdate,
                       expected_version: int) -> SeriesChange:
    """Move or change a booked appointment or group session (or it and the rest of its
    series). Conflicts are checked again for the new times, and the room slots move in the
    same transaction as the appointment; a group session's members get balance warnings,
    never a refusal."""
    practice = load_practice(principal.practice_id)
    current = _current(principal, appointment_id, expected_version, must_be_booked_to="moved")
    values = changes.model_dump(mode="json", exclude_unset=True, exclude={"scope", "override_room_conflict"})
    shift = timedelta(0)
    length = None
    if changes.start is not None and changes.end is not None:  # the model sends both or neither
        new_start, length = span(changes.start, changes.end, practice.time_zone)
        shift = wall_clock_shift(datetime.fromisoformat(current.start), new_start, practice.time_zone)
    targets = _targets(principal, current, changes.scope == "following")
    moved = []
    for item in targets:
        old_start = datetime.fromisoformat(item.start)
        # The one moved goes exactly where asked (an offset given on a fall-back night counts);
        # the rest of its series keep their place on the practice's clock.
        start = new_start if length is not None and item.id == current.id else \
            shifted(old_start, shift, practice.time_zone)
        end = start + (length if length is not None else datetime.fromisoformat(item.end) - old_start)
        updated = replace(item, **{k: v for k, v in values.items() if k not in ("start", "end")},
                          start=start.isoformat(), end=end.isoformat())
        moved.append((item, updated, Occurrence(item.occurrence, start, end)))
    first = moved[0][1]
    data = AppointmentCreate.model_construct(
        client_id=first.client_id or "", practitioner_id=first.practitioner_id,
        location_id=first.location_id, room_id=first.room_id, billing_code=first.billing_code,
        start=moved[0][2].start,
        end=moved[0][2].end, override_room_conflict=changes.override_room_conflict)
    group_id = current.group_id
    code = None
    if {"practitioner_id", "room_id", "billing_code"} & values.keys() or (group_id and
                                                                        {"start", "billing_code"} & values.keys()):
        code = _check_references(principal, data)
    planned = [occ for _, _, occ in moved]
    if group_id:
        _check_group_change(principal, group_id, values, [item for item, _, _ in moved])
    own = {item.id for item, _, _ in moved}
    # Only a new time, room or practitioner can make a new clash: an edit of the notes does
    # not ask again about a double booking someone already overrode.
    warnings = _room_warnings(principal, practice, data, planned, ignore=own) \
        if {"start", "room_id"} & values.keys() else []
    if {"start", "practitioner_id"} & values.keys():
        warnings += _practitioner_warnings(principal, practice, data, planned, ignore=own)
    if group_id and code is not None:
        warnings += _member_balance_warnings(principal, practice, group_id, code, planned)
    exclusive = practice.room_booking == "block" or not changes.override_room_conflict
    done: list[tuple[StoredAppointment, StoredAppointment]] = []
    for old, moving, occ in moved:
        version = old.version
        new, slot_writes = _slot_changes(old, replace(moving, version=version + 1, updated_at=clock_now()),
                                         exclusive)
        try:
            store.write(principal.practice_id, new, expected_version=version, slots=slot_writes)
        except store.Refused as err:
            _move_back(principal.practice_id, done)  # a series moves whole or not at all
            raise (err.own or _room_taken(practice, occ, err.holders)) from err
        done.append((old, new))
    return SeriesChange(appointments=[appointment_view(new, practice.time_zone) for _, new in done],
                        warnings=_localized(warnings, practice.time_zone), version=done[0][1].version)


def _move_back(practice_id: str, done: list[tuple[StoredAppointment, StoredAppointment]]) -> None:
    """Put back the occurrences of a series already moved when a later one is refused (one
    changed again meanwhile keeps that change)."""
    for old, new in done:
        restored, slots = _slot_changes(new, replace(old, version=new.version + 1, updated_at=clock_now()), False)
        try:
            store.write(practice_id, restored, expected_version=new.version, slots=slots)
        except store.Refused:
            continue


def _check_group_change(principal: Principal, group_id: str, values: dict[str, Any],
                        sessions: list[StoredAppointment]) -> None:
    """A group session is led by a practitioner who runs or shares the group, and one whose
    members are marked keeps its time and terms (as when cancelling it)."""
    if "practitioner_id" in values:
        group = group_store.find_group(principal.practice_id, group_id)
        if group is None or values["practitioner_id"] not in practitioners_of(group):
            raise ValidationFailed.field("body.practitioner_id",
                                         "does not run the group and it is not shared with them")
    for session in sessions:
        _refuse_if_marked(principal.practice_id, session, "moving or changing")


def _member_balance_warnings(principal: Principal, practice: Practice, group_id: str, code: BillingCode,
                             planned: list[Occurrence]) -> list[BookingWarning]:
    """Each member's balance shortfall for the sessions they are a member at, by member."""
    warnings = []
    for member in group_store.members(principal.practice_id, group_id):
        theirs = [occ for occ in planned if member_at(member.periods, occ.start)]
        if theirs:
            warnings += [w.model_copy(update={"client_id": member.client_id})
                         for w in _balance_warnings(principal, practice, member.client_id, code, theirs)]
    return warnings


def _slots_of(item: StoredAppointment) -> set[tuple[str, str]]:
    if not item.room_id:
        return set()
    start, end = datetime.fromisoformat(item.start), datetime.fromisoformat(item.end)
    return {(item.room_id, slot) for slot in room_slots(start, end)}


def cancel_following(*, principal: Principal, appointment_id: str, reason: str,
                     expected_version: int) -> SeriesChange:
    """Cancel this appointment and the later booked occurrences of its series."""
    practice = cached_practice(principal.practice_id)
    current = _current(principal, appointment_id, expected_version, must_be_booked_to="cancelled this way")
    cancelled = []
    targets = _targets(principal, current, True)
    for item in targets if current.group_id else []:
        _refuse_if_marked(principal.practice_id, item)
    for item in targets:
        _write_status(principal.practice_id, item, "cancelled", item.version, reason)
        cancelled.append(replace(item, status="cancelled", cancel_reason=reason, version=item.version + 1))
    return SeriesChange(appointments=[appointment_view(i, practice.time_zone) for i in cancelled],
                        version=cancelled[0].version)

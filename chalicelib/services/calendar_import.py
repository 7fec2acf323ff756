"""Import an iCalendar (.ics) file: each event (each occurrence of a repeating one) becomes an
appointment, or a charged client session when sent to billing. Attendees are matched to
clients by email. Ids are derived from the event's UID and start, so importing the same file
again creates nothing twice, and an updated export that cancels an event (STATUS:CANCELLED, a
cancelled RECURRENCE-ID occurrence, EXDATE) finds what an earlier import made for it: a booked
appointment is cancelled, anything else (attended, missed, sent to billing) is kept and listed
as a conflict. Each event is imported on its own (no preview, no all-or-nothing), as before."""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from chalicelib.auth import Principal
from chalicelib.domain.icalendar_lines import first_error
from chalicelib.domain.recurrence import never_occurs
from chalicelib.domain.scheduling import MAX_LENGTH, Occurrence, booked_length, first_overlap, local_instant
from chalicelib.errors import AlreadyExists, Conflict, NotFound, PreconditionFailed, ValidationFailed
from chalicelib.models.appointments import (
    AppointmentCreate,
    CalendarImport,
    CalendarImportResult,
    ImportedEvent,
    StatusChange,
)
from chalicelib.models.sessions import SessionCreate
from chalicelib.services import appointments, sessions
from chalicelib.services.clients import clients_with_email
from chalicelib.services.practice import cached_practice
from chalicelib.store import appointments as appointment_store
from chalicelib.store import calendar_import as import_store
from chalicelib.store import clients as client_store
from chalicelib.store import sessions as session_store
from chalicelib.store.appointments import StoredAppointment

MAX_OCCURRENCES = 104
# A session repeats at most daily: a faster RRULE is a mistake or a flood, never a schedule.
_SUB_DAILY = {"SECONDLY": "second", "MINUTELY": "minute", "HOURLY": "hour"}
_TIMED = ("DTSTART", "DTEND", "RDATE", "EXDATE", "RECURRENCE-ID")
_FLOATING_UNTIL = re.compile(r"UNTIL=(\d{8})(?:T(\d{6}))?(?![\dTZ])")
# Tries to cancel an appointment that changes under the import (each re-read decides afresh).
_CANCEL_TRIES = 3
_CANCELLED_EVENT = "the event is cancelled in the calendar (STATUS:CANCELLED)"
_CANCELLED_OCCURRENCE = "this occurrence is cancelled in the calendar (STATUS:CANCELLED on its RECURRENCE-ID)"
_EXCLUDED = "this occurrence is cancelled in the calendar (taken out of its series by EXDATE)"


@dataclass(frozen=True)
class _Withdrawn:
    """An occurrence the calendar no longer holds, which an earlier import may have booked or billed."""

    uid: str
    start: datetime
    client_id: str | None
    why: str


class _Plan(NamedTuple):
    """One event's lines; the occurrences it withdraws; and the lines shown instead of what
    withdrawing them settles when that is nothing (a cancelled event's single 'skipped')."""

    lines: list[ImportedEvent]
    withdrawn: tuple[_Withdrawn, ...] = ()
    otherwise: tuple[ImportedEvent, ...] = ()


def import_calendar(*, principal: Principal, data: CalendarImport) -> CalendarImportResult:
    """Create what the calendar holds; report every event, matched or not."""
    from icalendar import Calendar  # only imports pay for the parser

    text = data.calendar.removeprefix("\ufeff")  # a byte-order mark, as Windows editors save files
    problem = first_error(text)
    if problem:
        raise ValidationFailed.field("body.calendar", f"line {problem[0]}: {problem[1]}")
    try:
        calendar = Calendar.from_ical(text)
    except ValueError as err:
        raise ValidationFailed.field("body.calendar", f"not a valid calendar: {err}") from err
    _check_references(principal, data)
    practice = cached_practice(principal.practice_id)
    zone = ZoneInfo(practice.time_zone)
    horizon = data.until or (datetime.now(zone).date() + timedelta(days=365))
    plans = []
    overridden = _overridden(calendar, zone)
    for event in calendar.walk("VEVENT"):
        try:
            plans.append(_import_event(principal, data, event, zone, horizon,
                                       overridden.get(str(event.get("UID") or ""))))
        except (ValueError, TypeError, KeyError):
            # One unreadable event (a bad RRULE or date) is reported, not fatal to the rest.
            plans.append(_Plan([ImportedEvent(
                uid=str(event.get("UID") or "(none)"), start=_day_start(None, zone), outcome="skipped",
                detail="the event cannot be read: a date, time, duration or repeat rule in it is not valid")]))
    settled = _withdraw(principal, data, [w for plan in plans for w in plan.withdrawn])
    events = []
    for plan in plans:
        done = [line for w in plan.withdrawn for line in settled.pop(w, [])]  # an event listed twice: once
        events += plan.lines + (done or list(plan.otherwise))
    return CalendarImportResult(
        created=sum(e.outcome == "created" for e in events),
        already_imported=sum(e.outcome == "already_imported" for e in events),
        unmatched=sum(e.outcome == "no_matching_client" for e in events),
        cancelled=sum(e.outcome == "cancelled" for e in events),
        conflicts=sum(e.outcome == "conflict" for e in events), events=events)


def _check_references(principal: Principal, data: CalendarImport) -> None:
    found = appointment_store.references(principal.practice_id, practitioner_id=data.practitioner_id,
                                         location_id=data.location_id, client_id=None, room_id=None,
                                         billing_code=data.billing_code)
    named = {"practitioner_id": found.practitioner, "location_id": found.location, "billing_code": found.code}
    errors = [{"field": f"body.{name}", "reason": "does not exist in this practice"}
              for name, record in named.items() if record is None and getattr(data, name)]
    if found.practitioner and found.practitioner.role != "practitioner":
        errors.append({"field": "body.practitioner_id", "reason": "is not a practitioner"})
    if errors:
        raise ValidationFailed(errors)


def _import_event(principal: Principal, data: CalendarImport, event: Any, zone: ZoneInfo,
                  horizon: date, overridden: set[datetime] | None) -> _Plan:
    uid = str(event.get("UID") or "")
    start = event.decoded("DTSTART") if "DTSTART" in event else None
    if not uid or not isinstance(start, datetime):
        return _Plan([ImportedEvent(uid=uid or "(none)", start=_day_start(start, zone), outcome="skipped",
                                    detail="an event needs a UID and a start time (all-day events are skipped)")])
    unknown = _unknown_zone(event)
    start = start if start.tzinfo else start.replace(tzinfo=zone)  # floating times are the practice's
    refusal = _refusal(event, unknown, start)
    if unknown is not None:
        return _Plan([ImportedEvent(uid=uid, start=start, outcome="skipped", detail=refusal)])
    withdrawn = _withdrawn(principal, event, uid, start, zone, overridden or set())
    if refusal:
        skipped = [ImportedEvent(uid=uid, start=start, outcome="skipped", detail=refusal)]
        return _Plan([], withdrawn, tuple(skipped)) if _is_cancelled(event) else _Plan(skipped, withdrawn)
    return _Plan(_book_event(principal, data, event, uid, start, zone, horizon, overridden), withdrawn)


def _book_event(principal: Principal, data: CalendarImport, event: Any, uid: str, start: datetime, zone: ZoneInfo,
                horizon: date, overridden: set[datetime] | None) -> list[ImportedEvent]:
    end = event.decoded("DTEND") if "DTEND" in event else start + event.decoded("DURATION", timedelta(hours=1))
    end = end if end.tzinfo else end.replace(tzinfo=zone)
    length = booked_length(start, end)  # 01:30-02:30 is 60 minutes on fall-back night too, as booked
    if not timedelta(0) < length <= MAX_LENGTH:
        return [ImportedEvent(uid=uid, start=start, outcome="skipped", detail="the event's length is not 1 min–12 h")]  # noqa: RUF001
    starts, left_out = _starts(event, start, zone, horizon, overridden or set())
    clash = first_overlap(starts, length)
    if clash:
        return [ImportedEvent(uid=uid, start=start, outcome="skipped", detail=(
            f"its occurrences overlap each other ({clash[0].isoformat()} and {clash[1].isoformat()}): one client "
            "cannot attend both, so none of it is imported"))]
    tail = [] if left_out is None else [ImportedEvent(uid=uid, start=left_out, outcome="skipped", detail=(
        f"it repeats more than {MAX_OCCURRENCES} times before {horizon.isoformat()}: the first {MAX_OCCURRENCES} "
        "are imported, the occurrences from this one on are not"))]
    client_id = _client_for(principal, event)
    if client_id is None:
        return [ImportedEvent(uid=uid, start=s, outcome="no_matching_client",
                              detail="no attendee's email belongs to exactly one client") for s in starts] + tail
    # The end as an instant: adding to a local time would add on the clock face (01:30 + 1 h on
    # fall-back night is 02:30 EST, two hours on).
    return [_create(principal, data, uid, client_id, s, s.astimezone(UTC) + length) for s in starts] + tail


def _is_cancelled(event: Any) -> bool:
    return str(event.get("STATUS") or "").upper() == "CANCELLED"


def _withdrawn(principal: Principal, event: Any, uid: str, start: datetime, zone: ZoneInfo,
               overridden: set[datetime]) -> tuple[_Withdrawn, ...]:
    """The occurrences this event says are not happening, which an earlier import of an older
    export may have booked: all of a cancelled event's (the first MAX_OCCURRENCES, as many as an
    import ever makes, whatever the horizon it had), a cancelled override's own (at its
    RECURRENCE-ID and at its start, if it was moved first), and those EXDATE takes out."""
    gone: list[tuple[datetime, str]] = []
    if _is_cancelled(event) and "RECURRENCE-ID" in event:
        replaced = event.decoded("RECURRENCE-ID")
        gone += [(_placed(when, zone), _CANCELLED_OCCURRENCE)
                 for when in (replaced, start) if isinstance(when, datetime)]
    elif _is_cancelled(event):
        rule = event.get("RRULE")
        if not (rule and hasattr(rule, "get") and never_occurs(rule, start.date())):  # no date: nothing to list
            gone += [(s, _CANCELLED_EVENT) for s in _starts(event, start, zone, date.max, overridden)[0]]
    gone += [(_placed(when, zone), _EXCLUDED) for when in _listed_times(event, "EXDATE", start.tzinfo)]
    unique: dict[datetime, tuple[datetime, str]] = {}
    for when, why in gone:
        unique.setdefault(when.astimezone(UTC), (when, why))  # one instant once, with its first reason
    if not unique:
        return ()
    client_id = _client_for(principal, event)  # finds a session sent to billing (it is filed under its client)
    return tuple(_Withdrawn(uid, when, client_id, why) for when, why in unique.values())


def _placed(when: datetime, zone: ZoneInfo) -> datetime:
    """A listed time placed as an occurrence's start is (see `_starts`): floating in the
    practice's zone, a repeated or skipped wall time as a booking's is."""
    zone_of = when.tzinfo or zone
    return local_instant(when.replace(tzinfo=None), zone_of).astimezone(zone_of)


def _refusal(event: Any, unknown_zone: str | None, start: datetime) -> str | None:
    """Why a whole event is not imported, read from the event alone (None: it may be)."""
    if _is_cancelled(event):
        return "the event is cancelled in the calendar (STATUS:CANCELLED): nothing is booked or billed for it"
    if unknown_zone is not None:
        return (f"its time zone {unknown_zone!r} is not known and the file does not define it (no VTIMEZONE): "
                "its times are not guessed; export it with a known zone such as America/New_York")
    rule = event.get("RRULE")
    frequency = str((rule.get("FREQ") or [""])[0]).upper() if hasattr(rule, "get") else ""
    if frequency in _SUB_DAILY:
        return (f"it repeats every {_SUB_DAILY[frequency]} (FREQ={frequency}): an appointment repeats at most "
                "daily, so none of it is imported")
    if frequency and never_occurs(rule, start.date()):
        return ("its repeat rule (RRULE) falls on no date, e.g. the 30th of February or a 6th Monday: "
                "nothing to import")
    return None


def _unknown_zone(event: Any) -> str | None:
    """The TZID of a time in the event that names a zone neither known nor defined in the file
    (the parser then leaves the time floating; it must not silently become practice time)."""
    for name in _TIMED:
        value = event.get(name)
        for entry in value if isinstance(value, list) else [] if value is None else [value]:
            tzid = getattr(entry, "params", {}).get("TZID")
            single = getattr(entry, "dt", None)
            times = [single] if single is not None else [d.dt for d in getattr(entry, "dts", [])]
            if tzid and any(isinstance(t, datetime) and t.tzinfo is None for t in times):
                return str(tzid)
    return None


def _overridden(calendar: Any, zone: ZoneInfo) -> dict[str, set[datetime]]:
    """Per UID, the occurrences (UTC) that a RECURRENCE-ID event replaces: the master's rule
    leaves them out and the replacing event (moved, or cancelled) stands for them."""
    found: dict[str, set[datetime]] = {}
    for event in calendar.walk("VEVENT"):
        try:
            when = event.decoded("RECURRENCE-ID") if "RECURRENCE-ID" in event else None
        except (ValueError, TypeError, KeyError):
            continue
        if isinstance(when, datetime):
            when = when if when.tzinfo else when.replace(tzinfo=zone)
            found.setdefault(str(event.get("UID") or ""), set()).add(when.astimezone(UTC))
    return found


def _day_start(value: Any, zone: ZoneInfo) -> datetime:
    if isinstance(value, datetime):
        return value
    return datetime.combine(value or date(1970, 1, 1), datetime.min.time(), tzinfo=zone)


def _client_for(principal: Principal, event: Any) -> str | None:
    attendees = event.get("ATTENDEE") or []
    for attendee in attendees if isinstance(attendees, list) else [attendees]:
        email = str(attendee).removeprefix("mailto:").removeprefix("MAILTO:")
        matches = clients_with_email(principal.practice_id, email) if "@" in email else []
        if len(matches) == 1:
            return matches[0]
    return None


def _starts(event: Any, start: datetime, zone: ZoneInfo, horizon: date,
            overridden: set[datetime]) -> tuple[list[datetime], datetime | None]:
    """Every occurrence's start: RRULE and RDATE expanded in the event's own zone, less EXDATE
    and the occurrences other events replace, up to the horizon and at most MAX_OCCURRENCES;
    with the first one left out by that cap (None: none was). A repeated or skipped wall time
    is placed as a booking's is (`local_instant`)."""
    from dateutil.rrule import rruleset

    occurrences = rruleset()
    occurrences.rdate(start)
    rule = event.get("RRULE")
    if rule:
        occurrences.rrule(_rule(rule.to_ical().decode(), start))
    for when in _listed_times(event, "RDATE", start.tzinfo):
        occurrences.rdate(when)
    for when in _listed_times(event, "EXDATE", start.tzinfo):
        occurrences.exdate(when)
    limit = datetime.combine(horizon, datetime.max.time(), tzinfo=start.tzinfo)
    out: list[datetime] = []
    for occurrence in occurrences:
        if occurrence > limit:
            break
        placed = _placed(occurrence, zone)  # the zone is always set: floating starts took the practice's
        if placed.astimezone(UTC) in overridden and "RECURRENCE-ID" not in event:
            continue
        if len(out) == MAX_OCCURRENCES:
            return out, placed
        out.append(placed)
    return out, None


def _rule(text: str, start: datetime) -> Any:
    """The RRULE from an aware start, so each occurrence keeps the wall-clock time across daylight
    saving; a floating UNTIL (no Z, as some programs write) is read in the start's zone."""
    from dateutil.rrule import rrulestr

    def in_utc(match: re.Match[str]) -> str:
        local = datetime.strptime(match.group(1) + (match.group(2) or "235959"), "%Y%m%d%H%M%S")
        return "UNTIL=" + local.replace(tzinfo=start.tzinfo).astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")

    return rrulestr(_FLOATING_UNTIL.sub(in_utc, text), dtstart=start)


def _listed_times(event: Any, name: str, zone: Any) -> list[datetime]:
    """The date-times an RDATE or EXDATE property lists (it may repeat); floating ones are in `zone`.
    Whole dates and periods are not occurrences of a timed event and are left out."""
    value = event.get(name)
    out = []
    for entry in value if isinstance(value, list) else [] if value is None else [value]:
        for listed in getattr(entry, "dts", []):
            when = listed.dt
            if isinstance(when, datetime):
                out.append(when if when.tzinfo else when.replace(tzinfo=zone))
    return out


def _ident(uid: str, start: datetime) -> str:
    """The occurrence's part of the ids of what an import makes of it (one per UID and instant)."""
    return hashlib.sha256(f"{uid}|{start.astimezone(UTC).isoformat()}".encode()).hexdigest()[:24]


def _create(principal: Principal, data: CalendarImport, uid: str, client_id: str, start: datetime,
            end: datetime) -> ImportedEvent:
    ident = _ident(uid, start)
    if data.send_to_billing and end > datetime.now(UTC):
        return ImportedEvent(uid=uid, start=start, outcome="skipped", detail=(
            "a future event is not sent to billing: a client session records care given; import it without "
            "send_to_billing to book it, and attend it once it has taken place"))
    client = client_store.get_client(principal.practice_id, client_id)
    code = data.billing_code or (client.default_service.billing_code if client.default_service else None)
    if not code:
        return ImportedEvent(uid=uid, start=start, client_id=client_id, outcome="skipped",
                             detail="no billing_code given and the client has no default code")
    if data.send_to_billing:
        session_id = f"ses_ics_{ident}"
        try:
            session_store.get(principal.practice_id, client_id, session_id)
            return ImportedEvent(uid=uid, start=start, client_id=client_id, created_id=session_id,
                                 outcome="already_imported")
        except NotFound:
            pass  # not imported yet
        sessions.create_session(principal=principal, client_id=client_id, session_id=session_id, data=SessionCreate(
            date_of_service=start.astimezone(ZoneInfo(cached_practice(principal.practice_id).time_zone)).date(),
            billing_code=code, minutes=int((end - start).total_seconds() // 60), location_id=data.location_id))
        return ImportedEvent(uid=uid, start=start, client_id=client_id, created_id=session_id, outcome="created")
    appointment_id = f"appt_ics_{ident}"
    utc_start, utc_end = start.astimezone(UTC), end.astimezone(UTC)
    booking = AppointmentCreate.model_construct(
        client_id=client_id, practitioner_id=data.practitioner_id, location_id=data.location_id, room_id=None,
        telehealth=False, notes=None, start=utc_start, end=utc_end)
    appointment = appointments.new_appointment(booking, code, Occurrence(1, utc_start, utc_end),
                                               None, appointment_id=appointment_id)
    try:
        appointment_store.create(principal.practice_id, appointment)
    except AlreadyExists:
        return ImportedEvent(uid=uid, start=start, client_id=client_id, created_id=appointment_id,
                             outcome="already_imported")
    return ImportedEvent(uid=uid, start=start, client_id=client_id, created_id=appointment_id, outcome="created")



# ---- what an updated export cancels ---------------------------------------------------

def _withdraw(principal: Principal, data: CalendarImport,
              withdrawn: list[_Withdrawn]) -> dict[_Withdrawn, list[ImportedEvent]]:
    """Settle what earlier imports made for occurrences the calendar no longer holds (one
    batched read for all): a booked appointment is cancelled; anything else is kept and listed
    as a conflict; nothing made, or an appointment cancelled already, gives no line."""
    withdrawn = list(dict.fromkeys(withdrawn))
    wanted = [import_store.Imported(f"appt_ics_{_ident(w.uid, w.start)}", w.client_id,
                                    f"ses_ics_{_ident(w.uid, w.start)}") for w in withdrawn]
    found = import_store.earlier_imports(principal.practice_id, wanted) if wanted else []
    out: dict[_Withdrawn, list[ImportedEvent]] = {}
    for w, made in zip(withdrawn, found, strict=True):
        lines = []
        if made.appointment is not None:
            lines += _settle(principal, data, w, made.appointment)
        if made.session is not None:
            lines.append(ImportedEvent(
                uid=w.uid, start=w.start, client_id=w.client_id, created_id=made.session.id, outcome="conflict",
                detail=(f"{w.why}, but it was sent to billing by an earlier import, as client session "
                        f"{made.session.id}: the session is kept; correct or remove it by hand if the care was "
                        "not given")))
        out[w] = lines
    return out


def _settle(principal: Principal, data: CalendarImport, w: _Withdrawn,
            appointment: StoredAppointment) -> list[ImportedEvent]:
    """Cancel an earlier import's appointment if it is still booked, with the practitioner
    the import books for. The write is conditioned on the version read (so on its status): an
    appointment attended, moved or reassigned meanwhile is read again and decided afresh."""
    current = appointment
    for tries in range(1, _CANCEL_TRIES + 1):
        line = ImportedEvent(uid=w.uid, start=w.start, client_id=current.client_id, created_id=current.id,
                             outcome="conflict")
        if current.status == "cancelled":
            return []  # the schedule already agrees with the calendar
        if current.status != "booked":
            return [line.model_copy(update={"detail": (
                f"{w.why}, but the appointment an earlier import booked is {current.status}: it is kept; "
                "change its status by hand if the session did not take place")})]
        if current.practitioner_id != data.practitioner_id:
            return [line.model_copy(update={"detail": (
                f"{w.why}, but the appointment an earlier import booked is now with another practitioner: "
                "it is kept; cancel it by hand if it is not happening")})]
        try:
            appointments.change_status(
                principal=principal, appointment_id=current.id, expected_version=current.version,
                change=StatusChange(status="cancelled", reason=f"Calendar import: {w.why}"))
            return [line.model_copy(update={"outcome": "cancelled", "detail": (
                f"{w.why}: the appointment an earlier import booked is cancelled")})]
        except PreconditionFailed:
            if tries == _CANCEL_TRIES:
                break
        except Conflict as err:
            return [line.model_copy(update={"detail": f"{w.why}, but the appointment was not cancelled: {err}"})]
        except NotFound:
            return []  # gone meanwhile: nothing left to cancel
        try:
            current = appointment_store.get(principal.practice_id, current.id)
        except NotFound:
            return []
    return [line.model_copy(update={"detail": (
        f"{w.why}, but the appointment an earlier import booked kept changing while this import ran: "
        "it is kept; import the file again")})]

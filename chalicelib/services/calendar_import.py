"""Import an iCalendar (.ics) file: each event (each occurrence of a repeating one) becomes an
appointment, or a charged client session when sent to billing. Attendees are matched to
clients by email. Ids are derived from the event's UID and the occurrence's original start
(its RECURRENCE-ID, or its own start in the series), and each imported event keeps a note of
where it placed each occurrence, so importing the same file again creates nothing twice and an
updated export finds what an earlier import made for it: a moved occurrence moves its booked
appointment (through the same path PATCH /v1/appointments takes), an occurrence the calendar
cancels or a shortened series drops cancels it, an occurrence live again after the calendar
cancelled it is booked again; anything the practice recorded (attended, missed, billed, moved
or cancelled by staff) is kept and listed as a conflict. Each event is imported on its own (no
preview, no all-or-nothing), as before."""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from chalicelib.auth import Principal
from chalicelib.domain.calendar_moves import paired_moves
from chalicelib.domain.icalendar_lines import first_error
from chalicelib.domain.recurrence import never_occurs
from chalicelib.domain.scheduling import (
    MAX_LENGTH,
    Occurrence,
    booked_length,
    first_overlap,
    local_instant,
    overlaps,
)
from chalicelib.errors import AlreadyExists, Conflict, NotFound, PreconditionFailed, ValidationFailed
from chalicelib.models.appointments import (
    AppointmentCreate,
    AppointmentUpdate,
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
from chalicelib.store.calendar_import import Placed

MAX_OCCURRENCES = 104
# A session repeats at most daily: a faster RRULE is a mistake or a flood, never a schedule.
_SUB_DAILY = {"SECONDLY": "second", "MINUTELY": "minute", "HOURLY": "hour"}
_TIMED = ("DTSTART", "DTEND", "RDATE", "EXDATE", "RECURRENCE-ID")
_FLOATING_UNTIL = re.compile(r"UNTIL=(\d{8})(?:T(\d{6}))?(?![\dTZ])")
# Tries to cancel or move an appointment that changes under the import (each re-read decides afresh).
_CANCEL_TRIES = 3
_BY_IMPORT = "Calendar import: "  # how the reason of a cancellation an import made begins
_CANCELLED_EVENT = "the event is cancelled in the calendar (STATUS:CANCELLED)"
_CANCELLED_OCCURRENCE = "this occurrence is cancelled in the calendar (STATUS:CANCELLED on its RECURRENCE-ID)"
_EXCLUDED = "this occurrence is cancelled in the calendar (taken out of its series by EXDATE)"
_REMOVED = ("this occurrence is no longer in the calendar (its series was shortened, or the occurrence "
            "deleted from it)")
_BOOKED_TWICE = ("this occurrence was moved in the calendar and an earlier import booked it again at its new "
                 "time, as {other}")


@dataclass(frozen=True)
class _Withdrawn:
    """An occurrence the calendar no longer holds, which an earlier import may have booked or billed."""

    uid: str
    start: datetime
    client_id: str | None
    why: str


@dataclass(frozen=True)
class _Wanted:
    """An occurrence the calendar holds: known by its original start (RECURRENCE-ID, or its own
    start in the series, or the start it had when an earlier import placed it), now at start-end."""

    uid: str
    original: datetime
    start: datetime
    end: datetime
    client_id: str


@dataclass(frozen=True)
class _Series:
    """An event whose occurrences are all in the file (not an override, not cancelled): an
    occurrence an earlier import placed that it no longer holds was dropped from it."""

    uid: str
    event: Any
    start: datetime
    one_off: bool


class _Plan(NamedTuple):
    """One event's lines; the occurrences it withdraws; the lines shown instead of what
    withdrawing them settles when that is nothing (a cancelled event's single 'skipped'); the
    occurrences it places; the lines after those; and the series it stands for, if any."""

    lines: list[ImportedEvent]
    withdrawn: tuple[_Withdrawn, ...] = ()
    otherwise: tuple[ImportedEvent, ...] = ()
    wanted: tuple[_Wanted, ...] = ()
    tail: tuple[ImportedEvent, ...] = ()
    series: _Series | None = None


def import_calendar(*, principal: Principal, data: CalendarImport) -> CalendarImportResult:
    """Create, move, cancel or book again what the calendar holds; report every event, matched or not."""
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
    uids = sorted({w.uid for plan in plans for w in plan.wanted} | {w.uid for plan in plans for w in plan.withdrawn})
    placed = import_store.placed_occurrences(principal.practice_id, uids)
    plans = _reconciled(plans, placed, zone, overridden)
    # Cancel first: a moved or revived occurrence may take the time or room a cancelled one frees.
    settled = _withdraw(principal, data, [w for plan in plans for w in plan.withdrawn], placed)
    done, notes = _place(principal, data, [w for plan in plans for w in plan.wanted], placed)
    events = []
    for plan in plans:
        withdrawn = [line for w in plan.withdrawn for line in settled.pop(w, [])]  # an event listed twice: once
        events += plan.lines + [line for w in plan.wanted for line in done.pop(w, [])] + list(plan.tail)
        events += withdrawn or list(plan.otherwise)
    for uid, changed in notes.items():  # after the writes: a note never says more than the schedule holds
        import_store.record_placed(principal.practice_id, uid, changed)
    return CalendarImportResult(
        created=sum(e.outcome == "created" for e in events),
        already_imported=sum(e.outcome == "already_imported" for e in events),
        unmatched=sum(e.outcome == "no_matching_client" for e in events),
        moved=sum(e.outcome == "moved" for e in events),
        rebooked=sum(e.outcome == "rebooked" for e in events),
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
    return _book_event(principal, event, uid, start, zone, horizon, overridden)._replace(withdrawn=withdrawn)


def _book_event(principal: Principal, event: Any, uid: str, start: datetime, zone: ZoneInfo,
                horizon: date, overridden: set[datetime] | None) -> _Plan:
    end = event.decoded("DTEND") if "DTEND" in event else start + event.decoded("DURATION", timedelta(hours=1))
    end = end if end.tzinfo else end.replace(tzinfo=zone)
    length = booked_length(start, end)  # 01:30-02:30 is 60 minutes on fall-back night too, as booked
    if not timedelta(0) < length <= MAX_LENGTH:
        return _Plan([ImportedEvent(uid=uid, start=start, outcome="skipped",
                                    detail="the event's length is not 1 min–12 h")])  # noqa: RUF001
    starts, left_out = _starts(event, start, zone, horizon, overridden or set())
    clash = first_overlap(starts, length)
    if clash:
        return _Plan([ImportedEvent(uid=uid, start=start, outcome="skipped", detail=(
            f"its occurrences overlap each other ({clash[0].isoformat()} and {clash[1].isoformat()}): one client "
            "cannot attend both, so none of it is imported"))])
    tail = () if left_out is None else (ImportedEvent(uid=uid, start=left_out, outcome="skipped", detail=(
        f"it repeats more than {MAX_OCCURRENCES} times before {horizon.isoformat()}: the first {MAX_OCCURRENCES} "
        "are imported, the occurrences from this one on are not")),)
    client_id = _client_for(principal, event)
    if client_id is None:
        return _Plan([ImportedEvent(uid=uid, start=s, outcome="no_matching_client",
                                    detail="no attendee's email belongs to exactly one client") for s in starts],
                     tail=tail)
    # An override stands for the occurrence its RECURRENCE-ID names, wherever it has moved it.
    replaced = event.decoded("RECURRENCE-ID") if "RECURRENCE-ID" in event else None
    original = _placed(replaced, zone) if isinstance(replaced, datetime) else None
    # The end as an instant: adding to a local time would add on the clock face (01:30 + 1 h on
    # fall-back night is 02:30 EST, two hours on).
    wanted = tuple(_Wanted(uid, original if original is not None and i == 0 else s, s, s.astimezone(UTC) + length,
                           client_id) for i, s in enumerate(starts))
    series = None if replaced is not None else _Series(
        uid, event, start, one_off=not event.get("RRULE") and not event.get("RDATE"))
    return _Plan([], wanted=wanted, tail=tail, series=series)


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
    limit = datetime.combine(horizon, datetime.max.time(), tzinfo=start.tzinfo)
    out: list[datetime] = []
    for occurrence in _occurrences(event, start):
        if occurrence > limit:
            break
        placed = _placed(occurrence, zone)  # the zone is always set: floating starts took the practice's
        if placed.astimezone(UTC) in overridden and "RECURRENCE-ID" not in event:
            continue
        if len(out) == MAX_OCCURRENCES:
            return out, placed
        out.append(placed)
    return out, None


def _occurrences(event: Any, start: datetime) -> Any:
    """The event's occurrences as its RRULE, RDATE and EXDATE give them, in order (lazily)."""
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
    return occurrences


def _occurs_at(series: _Series, when: datetime, zone: ZoneInfo) -> bool:
    """Whether the series (whatever the horizon or the cap of this import) has an occurrence
    starting at the instant `when`: one an earlier import placed may lie past this one's horizon."""
    wanted = when.astimezone(UTC)
    for occurrence in _occurrences(series.event, series.start):
        placed = _placed(occurrence, zone).astimezone(UTC)
        if placed == wanted:
            return True
        if placed > wanted + timedelta(days=1):  # placing moves a time by an hour at most
            return False
    return False


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
    """The occurrence's part of the ids of what an import makes of it (one per UID and original start)."""
    return hashlib.sha256(f"{uid}|{start.astimezone(UTC).isoformat()}".encode()).hexdigest()[:24]


def _key(when: datetime) -> str:
    """An original start as the import's note keeps it (UTC, ISO 8601)."""
    return when.astimezone(UTC).isoformat()


def _appointment_id(placed: dict[str, dict[str, Placed]], uid: str, original: datetime) -> str:
    """The appointment standing for an occurrence: the one an import last placed for it (it may
    have been booked again under a new id), else the id derived from its UID and original start."""
    entry = placed.get(uid, {}).get(_key(original))
    if entry and entry.appointment_id.startswith("appt_ics_"):
        return entry.appointment_id
    return f"appt_ics_{_ident(uid, original)}"


def _local(value: str | datetime, zone: ZoneInfo) -> str:
    when = datetime.fromisoformat(value) if isinstance(value, str) else value
    return when.astimezone(zone).isoformat()


# ---- what an updated export moves or drops ------------------------------------------

def _reconciled(plans: list[_Plan], placed: dict[str, dict[str, Placed]], zone: ZoneInfo,
                overridden: dict[str, set[datetime]]) -> list[_Plan]:
    """The plans with each series' moves and drops worked out against what earlier imports
    placed: an occurrence that appears where one vanished (a one-off event moved, a series moved
    to another hour) is that one moved; one that vanished otherwise is withdrawn. Only a series
    in the file is compared: an event missing from it may lie outside the dates it covers."""
    held: dict[str, set[str]] = {}  # per UID, the original starts the file places or cancels
    for plan in plans:
        for w in plan.wanted:
            held.setdefault(w.uid, set()).add(_key(w.original))
        for gone_one in plan.withdrawn:  # cancelled in the calendar: settled there
            held.setdefault(gone_one.uid, set()).add(_key(gone_one.start))
    out = []
    for plan in plans:
        series = plan.series
        earlier = placed.get(series.uid, {}) if series else {}
        if series is None or not earlier:
            out.append(plan)
            continue
        uid = series.uid
        kept = held.get(uid, set()) | {_key(when) for when in overridden.get(uid, set())}
        gone = [datetime.fromisoformat(k) for k in earlier
                if k not in kept and not _occurs_at(series, datetime.fromisoformat(k), zone)]
        added = [w.original for w in plan.wanted if _key(w.original) not in earlier]
        moves = paired_moves([(a, a.astimezone(zone).date()) for a in added],
                             [(g, g.astimezone(zone).date()) for g in gone], one_off=series.one_off)
        wanted = tuple(replace(w, original=moves.get(w.original, w.original)) for w in plan.wanted)
        client_id = plan.wanted[0].client_id if plan.wanted else None
        dropped = tuple(_Withdrawn(uid, g.astimezone(zone), client_id, _REMOVED)
                        for g in gone if g not in moves.values())
        out.append(plan._replace(wanted=wanted, withdrawn=plan.withdrawn + dropped))
    return out


def _place(principal: Principal, data: CalendarImport, wanted: list[_Wanted],
           placed: dict[str, dict[str, Placed]]) -> tuple[dict[_Wanted, list[ImportedEvent]],
                                                          dict[str, dict[str, Placed]]]:
    """Each occurrence's lines, and per UID the notes of where occurrences now stand that
    changed. One batched read finds what earlier imports made (appointments; client sessions
    when sending to billing are read one by one, as they are created)."""
    lines: dict[_Wanted, list[ImportedEvent]] = {}
    notes: dict[str, dict[str, Placed]] = {}
    ids = {w: _appointment_id(placed, w.uid, w.original) for w in wanted}
    # An occurrence an override moved, imported before these notes were kept, was booked under
    # the id of its new start: that is read too, so it is not booked a third time.
    legacy = {w: f"appt_ics_{_ident(w.uid, w.start)}" for w in wanted
              if _key(w.start) != _key(w.original) and _key(w.original) not in placed.get(w.uid, {})}
    asked = list(dict.fromkeys([*ids.values(), *legacy.values()])) if not data.send_to_billing else []
    read = import_store.earlier_imports(principal.practice_id, [import_store.Imported(i, None, "") for i in asked])
    records = {i: found.appointment for i, found in zip(asked, read, strict=True)}
    for w in wanted:
        earlier = placed.get(w.uid, {}).get(_key(w.original))
        if data.send_to_billing:
            result, note = _bill(principal, data, w, earlier)
        else:
            result, note = _book(principal, data, w, earlier, records[ids[w]],
                                 records[legacy[w]] if w in legacy else None)
        lines[w] = result
        if note is not None and note != earlier:
            notes.setdefault(w.uid, {})[_key(w.original)] = note
    return lines, notes


def _line(w: _Wanted, outcome: str, record_id: str | None, detail: str | None = None) -> ImportedEvent:
    return ImportedEvent.model_validate({"uid": w.uid, "start": w.start, "client_id": w.client_id,
                                         "created_id": record_id, "outcome": outcome, "detail": detail})


def _note(w: _Wanted, record_id: str) -> Placed:
    return Placed(w.start.astimezone(UTC).isoformat(), w.end.astimezone(UTC).isoformat(), record_id)


def _code(principal: Principal, data: CalendarImport, client_id: str) -> str | None:
    client = client_store.get_client(principal.practice_id, client_id)
    return data.billing_code or (client.default_service.billing_code if client.default_service else None)


def _bill(principal: Principal, data: CalendarImport, w: _Wanted,
          earlier: Placed | None) -> tuple[list[ImportedEvent], Placed | None]:
    """A past occurrence as a client session: made once; one an earlier import billed and the
    calendar has since moved is kept (care given is not re-dated by a calendar) and listed."""
    if w.end > datetime.now(UTC):
        return [_line(w, "skipped", None, (
            "a future event is not sent to billing: a client session records care given; import it without "
            "send_to_billing to book it, and attend it once it has taken place"))], None
    session_id = earlier.appointment_id if earlier and earlier.appointment_id.startswith("ses_ics_") else \
        f"ses_ics_{_ident(w.uid, w.original)}"
    try:
        session = session_store.get(principal.practice_id, w.client_id, session_id)
    except NotFound:
        session = None  # not imported yet
    if session is not None:
        now = _note(w, session_id)
        if earlier and (earlier.start, earlier.end) != (now.start, now.end):
            return [_line(w, "conflict", session_id, (
                f"this occurrence was moved in the calendar, but an earlier import sent it to billing as client "
                f"session {session_id} (date of service {session.date_of_service}): the session is kept; correct "
                "it by hand if the care was given on another day"))], None
        return [_line(w, "already_imported", session_id)], now
    code = _code(principal, data, w.client_id)
    if not code:
        return [_line(w, "skipped", None, "no billing_code given and the client has no default code")], None
    zone = ZoneInfo(cached_practice(principal.practice_id).time_zone)
    sessions.create_session(principal=principal, client_id=w.client_id, session_id=session_id, data=SessionCreate(
        date_of_service=w.start.astimezone(zone).date(), billing_code=code,
        minutes=int((w.end - w.start).total_seconds() // 60), location_id=data.location_id))
    return [_line(w, "created", session_id)], _note(w, session_id)


def _new_appointment(principal: Principal, data: CalendarImport, w: _Wanted, appointment_id: str,
                     outcome: str, detail: str | None = None) -> tuple[list[ImportedEvent], Placed | None]:
    """Book the occurrence as a new appointment under the id given (made once, whoever races)."""
    code = _code(principal, data, w.client_id)
    if not code:
        return [_line(w, "skipped", None, "no billing_code given and the client has no default code")], None
    utc_start, utc_end = w.start.astimezone(UTC), w.end.astimezone(UTC)
    booking = AppointmentCreate.model_construct(
        client_id=w.client_id, practitioner_id=data.practitioner_id, location_id=data.location_id, room_id=None,
        telehealth=False, notes=None, start=utc_start, end=utc_end)
    appointment = appointments.new_appointment(booking, code, Occurrence(1, utc_start, utc_end),
                                               None, appointment_id=appointment_id)
    try:
        appointment_store.create(principal.practice_id, appointment)
    except AlreadyExists:
        return [_line(w, "already_imported", appointment_id)], _note(w, appointment_id)
    return [_line(w, outcome, appointment_id, detail)], _note(w, appointment_id)


def _book(principal: Principal, data: CalendarImport, w: _Wanted, earlier: Placed | None,
          found: StoredAppointment | None,
          legacy: StoredAppointment | None) -> tuple[list[ImportedEvent], Placed | None]:
    """Book, move or book again the appointment of one occurrence the calendar holds (None note:
    the schedule does not follow the calendar there yet, so the next import tries again)."""
    if legacy is not None and legacy.status != "cancelled":
        lines = [_line(w, "already_imported", legacy.id)]
        if found is not None and found.id != legacy.id:  # booked twice before: the older one goes
            twice = _Withdrawn(w.uid, w.original, w.client_id, _BOOKED_TWICE.format(other=legacy.id))
            lines += _settle(principal, data, twice, found)
        return lines, _note(w, legacy.id)
    if found is None:
        return _new_appointment(principal, data, w, f"appt_ics_{_ident(w.uid, w.original)}", "created")
    zone = ZoneInfo(cached_practice(principal.practice_id).time_zone)
    # Where the calendar had it when last imported (before notes were kept: where imports book it).
    then_start = earlier.start if earlier else _key(w.original)
    then_end = earlier.end if earlier else None
    current = found
    for tries in range(1, _CANCEL_TRIES + 1):
        at = (datetime.fromisoformat(current.start), datetime.fromisoformat(current.end))
        if current.status == "cancelled":
            return _revive(principal, data, w, current, zone)
        changed = datetime.fromisoformat(then_start) != w.start or (
            then_end is not None and datetime.fromisoformat(then_end) != w.end)
        if not changed or at == (w.start, w.end):
            # The calendar kept it where it was (a move made in Caseload stands), or it is there already.
            return [_line(w, "already_imported", current.id)], _note(w, current.id)
        was = f"this occurrence was moved in the calendar from {_local(then_start, zone)}"
        refusal = None
        if current.status != "booked":
            refusal = (f"{was}, but the appointment an earlier import booked is {current.status}: it is kept where "
                       "it is; move or rebook by hand if the session was at another time")
        elif current.practitioner_id != data.practitioner_id:
            refusal = (f"{was}, but the appointment an earlier import booked is now with another practitioner: "
                       "it is kept; move it by hand")
        elif at[0] != datetime.fromisoformat(then_start) or (then_end is not None and
                                                              at[1] != datetime.fromisoformat(then_end)):
            # Moved in Caseload and in the calendar: staff's move stands, and is not reported again.
            return [_line(w, "conflict", current.id, (
                f"{was}, but the appointment was moved in Caseload meanwhile, to {_local(current.start, zone)}: "
                "it is kept there; move it by hand if the calendar is right"))], _note(w, current.id)
        if refusal:
            return [_line(w, "conflict", current.id, refusal)], None
        try:
            result = appointments.update_appointment(
                principal=principal, appointment_id=current.id, expected_version=current.version,
                changes=AppointmentUpdate(start=w.start.astimezone(UTC), end=w.end.astimezone(UTC)))
        except PreconditionFailed:
            if tries == _CANCEL_TRIES:
                break
        except (Conflict, ValidationFailed) as err:
            said = "; ".join(str(x.get("detail") or x.get("reason") or "")
                             for x in err.extra.get("warnings") or err.extra.get("errors") or [])
            return [_line(w, "conflict", current.id, (
                f"{was}, but the appointment was not moved: {said or err.detail}; it stays at "
                f"{_local(current.start, zone)}"))], None
        except NotFound:
            return _new_appointment(principal, data, w, current.id, "created")  # gone meanwhile
        else:
            warned = "".join(f"; note: {x.detail}" for x in result.warnings)
            return [_line(w, "moved", current.id, f"{was} to {_local(w.start, zone)}: the appointment is moved"
                          f"{warned}")], _note(w, current.id)
        try:
            current = appointment_store.get(principal.practice_id, current.id)
        except NotFound:
            return _new_appointment(principal, data, w, current.id, "created")  # gone meanwhile
    return [_line(w, "conflict", current.id, (
        "this occurrence was moved in the calendar, but its appointment kept changing while this import ran: "
        "it is kept; import the file again"))], None


def _revive(principal: Principal, data: CalendarImport, w: _Wanted, cancelled: StoredAppointment,
            zone: ZoneInfo) -> tuple[list[ImportedEvent], Placed | None]:
    """An occurrence live in the calendar whose appointment is cancelled. If an import cancelled
    it (the calendar had cancelled or dropped it), it is booked again under a new id, unless the
    practitioner has another booking then; a cancellation made in Caseload stands."""
    reason = cancelled.cancel_reason or ""
    if not reason.startswith(_BY_IMPORT):
        said = (f"the calendar has this occurrence, but its appointment was cancelled in Caseload "
                f"({reason or 'no reason'}): it stays cancelled")
        if w.end <= datetime.now(UTC):  # a past one is history: said once more each import, not a conflict
            return [_line(w, "already_imported", cancelled.id, said)], None
        return [_line(w, "conflict", cancelled.id, f"{said}; book it again by hand if it is happening")], None
    start, end = w.start.astimezone(UTC), w.end.astimezone(UTC)
    busy = [a.id for a in appointment_store.live_between("practitioner", principal.practice_id,
                                                          data.practitioner_id, start, end)
            if overlaps(start, end, datetime.fromisoformat(a.start), datetime.fromisoformat(a.end))]
    if busy:
        return [_line(w, "conflict", cancelled.id, (
            f"the calendar has this occurrence again, but the practitioner is booked then ({', '.join(busy)}): "
            f"its appointment {cancelled.id}, cancelled by an earlier import, stays cancelled; book it by hand"))], None
    base, _, number = cancelled.id.partition("_r")
    again = f"{base}_r{int(number) + 1 if number.isdigit() else 2}"
    return _new_appointment(principal, data, w, again, "rebooked", (
        f"the calendar has this occurrence again after an earlier import cancelled it ({cancelled.id}): "
        f"it is booked again at {_local(w.start, zone)}"))


# ---- what an updated export cancels ---------------------------------------------------

def _withdraw(principal: Principal, data: CalendarImport, withdrawn: list[_Withdrawn],
              placed: dict[str, dict[str, Placed]]) -> dict[_Withdrawn, list[ImportedEvent]]:
    """Settle what earlier imports made for occurrences the calendar no longer holds (one
    batched read for all): a booked appointment is cancelled; anything else is kept and listed
    as a conflict; nothing made, or an appointment cancelled already, gives no line."""
    withdrawn = list(dict.fromkeys(withdrawn))
    wanted = [import_store.Imported(_appointment_id(placed, w.uid, w.start), w.client_id,
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

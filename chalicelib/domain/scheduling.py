"""Pure scheduling rules: recurrence in the practice's wall-clock time, overlaps, and the
five-minute room slots that make a taken room impossible to double-book by accident."""
from __future__ import annotations

import itertools
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Literal
from zoneinfo import ZoneInfo

SLOT = timedelta(minutes=5)
MAX_LENGTH = timedelta(hours=12)


@dataclass(frozen=True)
class Occurrence:
    """One appointment of a booking, in UTC."""

    number: int
    start: datetime
    end: datetime


def local_instant(wall: datetime, zone: tzinfo) -> datetime:
    """A wall-clock time of `zone` (naive) as a UTC instant, read as RFC 5545 reads local times:
    a time the clocks show twice (01:30 on the night they fall back) is the first one, still in
    daylight time, the one a person's clock shows first; a time they skip (02:30 when they jump
    to 03:00) takes the offset before the change, so it lands as far past the jump as it was
    past the change. A skipped time just before midnight would land on the next day, so there
    it takes the offset after the change: the date of service stays the date given."""
    utc = wall.replace(tzinfo=zone, fold=0).astimezone(UTC)
    if utc.astimezone(zone).date() != wall.date():
        utc = wall.replace(tzinfo=zone, fold=1).astimezone(UTC)
    return utc


def to_utc(value: datetime, tz: str) -> datetime:
    """A naive time is the practice's wall-clock time; an aware one keeps its offset."""
    if value.tzinfo is None:
        return local_instant(value, ZoneInfo(tz))
    return value.astimezone(UTC)


def booked_length(start: datetime, end: datetime) -> timedelta:
    """How long a booking asks to last. Two wall-clock times (naive, or of one named zone) last
    what the clock face says, on the nights clocks change too: 01:30 to 02:30 is 60 minutes
    when 01:30 comes twice, and when 02:00-03:00 is skipped, so a 60-minute session is never
    stored (or billed) as 120 or 0. Times with different offsets or zones are instants: the
    time between them."""
    same_zone = start.tzinfo is end.tzinfo or (
        getattr(start.tzinfo, "key", None) is not None and getattr(start.tzinfo, "key", None) == getattr(
            end.tzinfo, "key", None))
    if same_zone:
        return end.replace(tzinfo=None) - start.replace(tzinfo=None)
    return end.astimezone(UTC) - start.astimezone(UTC)


def span(start: datetime, end: datetime, tz: str) -> tuple[datetime, timedelta]:
    """A booking's start in UTC and its length. Times without an offset are the practice's
    wall-clock time: the start is placed by `local_instant` and the booking lasts the
    wall-clock length given (`booked_length`), so on a daylight-saving night its end is the
    start plus that length, whatever the clock then shows."""
    if (start.tzinfo is None) != (end.tzinfo is None):  # refused by the models; read both as instants
        return to_utc(start, tz), to_utc(end, tz) - to_utc(start, tz)
    return to_utc(start, tz), booked_length(start, end)


def wall_clock_shift(old_start: datetime, new_start: datetime, tz: str) -> timedelta:
    """How far a move goes on the practice's clock: moving one occurrence of a weekly series
    by a day moves the rest by a day at the same local time, whatever daylight saving does."""
    zone = ZoneInfo(tz)
    return new_start.astimezone(zone).replace(tzinfo=None) - old_start.astimezone(zone).replace(tzinfo=None)


def shifted(start: datetime, shift: timedelta, tz: str) -> datetime:
    """`start` moved by `shift` on the practice's wall clock, in UTC, the new wall time read as
    `local_instant` reads it (the caller keeps the length). No shift keeps the very instant: the
    second 01:30 of a fall-back night, booked with its offset, stays the second."""
    if not shift:
        return start.astimezone(UTC)
    zone = ZoneInfo(tz)
    return local_instant(start.astimezone(zone).replace(tzinfo=None) + shift, zone)


def occurrences(start: datetime, end: datetime, tz: str, *, frequency: Literal["weekly", "fortnightly"] | None,
                count: int | None, until: date | None) -> list[Occurrence]:
    """Every occurrence of a booking. Repeats keep the local wall-clock time across daylight
    saving changes (a 10:00 session stays at 10:00), so the rule runs in the practice zone;
    each lasts the length asked (`span`), the first starts exactly where asked."""
    from dateutil.rrule import WEEKLY, rrule

    zone = ZoneInfo(tz)
    first, length = span(start, end, tz)
    starts = [first]
    if frequency is not None:
        # The rule repeats the wall time given (02:30 stays 02:30 on the weeks that have one).
        naive = start if start.tzinfo is None else first.astimezone(zone).replace(tzinfo=None)
        until_dt = datetime.combine(until, datetime.max.time()) if until else None
        rule = rrule(WEEKLY, interval=1 if frequency == "weekly" else 2, dtstart=naive, count=count, until=until_dt)
        starts = [first if i == 0 else local_instant(s, zone) for i, s in enumerate(rule)]
    return [Occurrence(i + 1, s, s + length) for i, s in enumerate(starts)]


def first_overlap(starts: Iterable[datetime], length: timedelta) -> tuple[datetime, datetime] | None:
    """The first two of a repeating event's occurrences (each `length` long) that overlap each
    other, or None: one client cannot attend two at once, so such a repeat is not a schedule."""
    ordered = sorted(starts)
    for earlier, later in itertools.pairwise(ordered):
        if later < earlier + length:
            return earlier, later
    return None


def overlaps(a_start: datetime, a_end: datetime, b_start: datetime, b_end: datetime) -> bool:
    """Whether two half-open intervals share any time (back-to-back does not overlap)."""
    return a_start < b_end and b_start < a_end


def room_slots(start: datetime, end: datetime) -> list[str]:
    """The five-minute slots an appointment occupies, as UTC keys. Two appointments that
    overlap share a slot, so unique slot items make double-booking a failed condition."""
    epoch = datetime(2000, 1, 1, tzinfo=UTC)
    first = epoch + ((start - epoch) // SLOT) * SLOT
    slots, slot = [], first
    while slot < end:
        slots.append(slot.strftime("%Y%m%dT%H%M"))
        slot += SLOT
    return slots


def iso(value: datetime) -> str:
    """UTC time as stored and sorted: 2026-11-20T15:00:00Z."""
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def clashes(new: Iterable[Occurrence], existing: Iterable[tuple[str, datetime, datetime]]) -> dict[int, list[str]]:
    """For each new occurrence, the ids of existing appointments it overlaps."""
    existing = list(existing)
    found: dict[int, list[str]] = {}
    for occ in new:
        ids = [i for i, s, e in existing if overlaps(occ.start, occ.end, s, e)]
        if ids:
            found[occ.number] = ids
    return found


@dataclass(frozen=True)
class HourChange:
    """What one write does to one hour of a room: each hour is one item holding, per
    five-minute slot ("m00" ... "m55"), the set of appointments in that slot."""

    room_id: str
    hour: str  # UTC, e.g. "20261201T15"
    take: frozenset[str]  # slots the appointment joins
    release: frozenset[str]  # slots it leaves
    free: frozenset[str]  # slots (of `take`) that must hold no appointment yet


def slot_name(slot: str) -> tuple[str, str]:
    """A room_slots() key as (hour, slot within the hour): "20261201T1505" -> ("20261201T15", "m05")."""
    return slot[:11], "m" + slot[11:]


def slot_changes(held: set[tuple[str, str]], wanted: set[tuple[str, str]], occupied: set[tuple[str, str]],
                 exclusive: bool) -> list[HourChange]:
    """The room-hour writes that take an appointment from the (room, slot) pairs it holds to
    those it wants. Exclusive (no override, or hard-block mode), every slot it newly occupies
    (not merely newly records) must be empty, so of two racing bookings only one gets in;
    an appointment written before slots were recorded takes its own times without a check."""
    hours: dict[tuple[str, str], dict[str, set[str]]] = {}

    def add(pairs: set[tuple[str, str]], part: str) -> None:
        for room, slot in pairs:
            hour, name = slot_name(slot)
            hours.setdefault((room, hour), {"take": set(), "release": set(), "free": set()})[part].add(name)

    add(wanted - held, "take")
    add(held - wanted, "release")
    if exclusive:
        add(wanted - occupied, "free")
    return [HourChange(room, hour, frozenset(parts["take"]), frozenset(parts["release"]), frozenset(parts["free"]))
            for (room, hour), parts in sorted(hours.items())]


# ---- attendance transitions ----------------------------------------------------------------
# Attendance states charge (an attended session, a missed one a pack may charge for). Leaving
# one gives its charge back, entering one charges, each in the same transaction as the status
# or mark written with it; moving between two passes through a state that charges nothing.

CHARGED_STATES = ("attended", "no_show", "late_cancel")


@dataclass(frozen=True)
class StatusSteps:
    """How an appointment moves to a new status: first give back its charge, writing
    `give_back_as` with it (None: nothing to give back); then charge, writing the new status
    with it (`charge`), or write the new status alone (`write`)."""

    give_back_as: str | None
    charge: bool
    write: bool


def status_refusal(current: str, new: str) -> str | None:
    """Why an appointment cannot go from `current` to `new` (None: it can)."""
    if new == current:
        return f"The appointment is already {new}"
    if current == "cancelled":
        return "A cancelled appointment stays cancelled; book a new one"
    return None


def status_steps(current: str, new: str) -> StatusSteps:
    """The writes that take an appointment from `current` to `new` (an allowed change)."""
    give_back_as = ("booked" if new in CHARGED_STATES else new) if current in CHARGED_STATES else None
    charge = new in CHARGED_STATES
    return StatusSteps(give_back_as, charge, not charge and give_back_as is None)


@dataclass(frozen=True)
class MarkSteps:
    """How a group member's mark moves: give back what the old mark took (dropping the session
    it recorded, if attended) with an interim 'unmarked'; then, unless unmarked is the aim,
    write the new mark with its charge (`charge`) or alone, recording a session if attended."""

    give_back: bool
    drop_session: bool
    done_after_give_back: bool
    records_session: bool
    charge: bool


def mark_steps(current: str | None, wanted: str, fee: str) -> MarkSteps:
    """The writes that take a member from mark `current` (None: never marked) to `wanted`;
    `fee` 'none' charges nothing (a no-fee session is still recorded)."""
    give_back = current in CHARGED_STATES
    return MarkSteps(give_back=give_back, drop_session=current == "attended",
                     done_after_give_back=give_back and wanted == "unmarked",
                     records_session=wanted == "attended", charge=wanted in CHARGED_STATES and fee != "none")

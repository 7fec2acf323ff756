"""Time and time-zone edges of the scheduling rules, as classes (hypothesis), not examples:
every zone with an odd daylight-saving rule, gaps and overlaps, month and year ends, far
past and future. Pure functions: no moto, no HTTP."""
from __future__ import annotations

import itertools
import os
from datetime import UTC, date, datetime, timedelta, timezone
from functools import cache
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from chalicelib.domain.scheduling import MAX_LENGTH, occurrences, room_slots, to_utc

EXAMPLES = int(os.environ.get("CASELOAD_EDGE_EXAMPLES", "60"))
# New York (1 h DST), Lord Howe (30 min DST), Chatham (+12:45/+13:45), Kathmandu (+05:45, no DST),
# Sydney (southern hemisphere), UTC, and a zone west of the date line.
ZONES = ["America/New_York", "Australia/Lord_Howe", "Pacific/Chatham", "Asia/Kathmandu", "Australia/Sydney",
         "UTC", "Pacific/Honolulu", "Europe/London"]


@cache
def _transitions(zone: str, year: int) -> tuple[datetime, ...]:
    """Local wall times just before each UTC-offset change of `zone` in `year`: a day that
    changes offset, then the quarter hour within it."""
    tz = ZoneInfo(zone)
    out, day = [], datetime(year, 1, 1, tzinfo=UTC)
    while day.year == year:
        nxt = day + timedelta(days=1)
        if day.astimezone(tz).utcoffset() != nxt.astimezone(tz).utcoffset():
            t = day
            while t.astimezone(tz).utcoffset() == (t + timedelta(minutes=15)).astimezone(tz).utcoffset():
                t += timedelta(minutes=15)
            out.append(t.astimezone(tz).replace(tzinfo=None))
        day = nxt
    return tuple(out)


@st.composite
def wall_times_near_transitions(draw, zones: tuple[str, ...] = ()) -> tuple[str, datetime]:
    """A zone and a local wall time within two hours of one of its offset changes (gap or overlap)."""
    zone = draw(st.sampled_from([z for z in zones or ZONES if _transitions(z, 2027)]))
    edge = draw(st.sampled_from(_transitions(zone, draw(st.integers(2026, 2030)))))
    # Mostly inside the hour after the change (the gap or the repeated hour), sometimes around it.
    return zone, edge + timedelta(minutes=draw(st.one_of(st.integers(1, 75), st.integers(-120, 120))))


local_times = st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(2199, 12, 31))
# Short ones cross a gap's far edge; long ones span midnight and the whole change.
lengths = st.one_of(st.integers(1, 90), st.integers(1, int(MAX_LENGTH.total_seconds() // 60))).map(
    lambda m: timedelta(minutes=m))


@settings(max_examples=EXAMPLES, deadline=None)
@given(wall_times_near_transitions(), lengths)
def test_occurrence_ends_after_it_starts_when_booked_in_a_dst_gap_or_overlap(edge, length):
    zone, start = edge
    (occ,) = occurrences(start, start + length, zone, frequency=None, count=None, until=None)
    assert occ.end > occ.start, (zone, start, length, occ)


@settings(max_examples=EXAMPLES, deadline=None)
@given(wall_times_near_transitions(), lengths, st.sampled_from(["weekly", "fortnightly"]), st.integers(2, 30))
def test_series_keeps_wall_clock_time_and_length_across_dst_changes(edge, length, frequency, count):
    zone, start = edge
    # Start the series a few weeks before the change so it walks across it.
    first = start - timedelta(weeks=count // 2)
    series = occurrences(first, first + length, zone, frequency=frequency, count=count, until=None)
    assert len(series) == count and [o.number for o in series] == list(range(1, count + 1))
    tz = ZoneInfo(zone)
    for occ in series:
        assert occ.end - occ.start == series[0].end - series[0].start
        local = occ.start.astimezone(tz)
        # Every existing wall time is kept exactly; one in a gap moves by the gap, never further.
        wanted = first.replace(year=local.year, month=local.month, day=local.day)
        drift = abs(local.replace(tzinfo=None) - wanted)
        assert drift == timedelta(0) or drift <= timedelta(hours=1), (zone, first, occ)
    steps = {(b.start.astimezone(tz).date() - a.start.astimezone(tz).date()).days
             for a, b in itertools.pairwise(series)}
    assert steps == {7 if frequency == "weekly" else 14}


@settings(max_examples=EXAMPLES, deadline=None)
@given(local_times, lengths, st.sampled_from(ZONES))
def test_any_time_far_past_or_future_converts_and_fills_room_slots(start, length, zone):
    (occ,) = occurrences(start, start + length, zone, frequency=None, count=None, until=None)
    assert occ.start.tzinfo is UTC and occ.start == to_utc(start, zone)
    slots = room_slots(occ.start, occ.end)
    assert slots == sorted(slots) and len(slots) >= 1 and len(set(slots)) == len(slots)


@settings(max_examples=EXAMPLES, deadline=None)
@given(st.dates(min_value=date(1999, 12, 1), max_value=date(2100, 12, 31)), st.sampled_from(ZONES),
       st.sampled_from(["weekly", "fortnightly"]), st.integers(0, 400))
def test_series_until_a_date_never_passes_it_and_includes_that_day(day, zone, frequency, span):
    start = datetime.combine(day, datetime.min.time()).replace(hour=23, minute=30)  # spans midnight
    until = day + timedelta(days=span)
    series = occurrences(start, start + timedelta(hours=1), zone, frequency=frequency, count=None, until=until)
    tz = ZoneInfo(zone)
    local_days = [o.start.astimezone(tz).date() for o in series]
    assert local_days[0] == day and all(d <= until for d in local_days)
    step = 7 if frequency == "weekly" else 14
    assert local_days[-1] + timedelta(days=step) > until


@settings(max_examples=EXAMPLES, deadline=None)
@given(local_times, st.sampled_from(ZONES), st.integers(-14 * 60, 14 * 60))
def test_time_with_an_offset_is_kept_and_one_without_is_practice_time(start, zone, offset_minutes):
    offset = timezone(timedelta(minutes=offset_minutes))
    aware = start.replace(tzinfo=offset)
    assert to_utc(aware, zone) == aware.astimezone(UTC)
    assert to_utc(start, zone) == start.replace(tzinfo=ZoneInfo(zone)).astimezone(UTC)

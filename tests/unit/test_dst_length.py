"""The length of a booking on the nights clocks change, as classes (hypothesis): whatever the
zone and however the times sit around a gap or a repeated hour, a booking lasts what its
wall-clock times say, starts on the local date it was given, and a move keeps both. Pure."""
from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from chalicelib.domain.scheduling import (
    booked_length,
    local_instant,
    occurrences,
    shifted,
    span,
    wall_clock_shift,
)
from tests.unit.test_edge_time import wall_times_near_transitions

EXAMPLES = int(os.environ.get("CASELOAD_EDGE_EXAMPLES", "150"))
# Northern and southern hemisphere, a 1 h change at 01:00, 02:00, 03:00 and at midnight (Santiago).
DST_ZONES = ("America/New_York", "Europe/London", "Australia/Sydney", "America/Santiago")
near_a_change = wall_times_near_transitions(DST_ZONES)
lengths = st.one_of(st.integers(1, 120), st.integers(1, 12 * 60)).map(lambda m: timedelta(minutes=m))


def test_span_of_the_repeated_hour_keeps_the_wall_clock_length():
    # New York falls back at 02:00 EDT on 1 Nov 2026: 01:30 is shown twice.
    start, length = span(datetime(2026, 11, 1, 1, 30), datetime(2026, 11, 1, 2, 30), "America/New_York")
    assert (start, length) == (datetime(2026, 11, 1, 5, 30, tzinfo=UTC), timedelta(hours=1))


def test_local_instant_of_a_repeated_time_is_its_first_occurrence():
    zone = ZoneInfo("America/New_York")
    assert local_instant(datetime(2026, 11, 1, 1, 30), zone) == datetime(2026, 11, 1, 5, 30, tzinfo=UTC)
    # In the spring gap the offset before the change is used: 02:30 is 03:30 EDT.
    assert local_instant(datetime(2027, 3, 14, 2, 30), zone) == datetime(2027, 3, 14, 7, 30, tzinfo=UTC)


def test_local_instant_of_a_gap_before_midnight_stays_on_its_date():
    # Santiago skipped 23:00-24:00 on 21 May 1947: 23:30 read forward would be the 22nd.
    zone = ZoneInfo("America/Santiago")
    placed = local_instant(datetime(1947, 5, 21, 23, 30), zone).astimezone(zone)
    assert placed.date().isoformat() == "1947-05-21"


@settings(max_examples=EXAMPLES, deadline=None)
@given(near_a_change, lengths)
def test_booking_lasts_its_wall_clock_length_and_starts_on_its_date_around_dst_changes(edge, length):
    zone, start = edge
    (occ,) = occurrences(start, start + length, zone, frequency=None, count=None, until=None)
    assert occ.end - occ.start == length, (zone, start, length, occ)
    assert occ.start.astimezone(ZoneInfo(zone)).date() == start.date(), (zone, start, occ)
    assert span(start, start + length, zone) == (occ.start, length)


@settings(max_examples=EXAMPLES, deadline=None)
@given(near_a_change, lengths, st.sampled_from(["weekly", "fortnightly"]), st.integers(2, 12))
def test_every_occurrence_of_a_series_across_dst_lasts_the_length_asked(edge, length, frequency, count):
    zone, start = edge
    first = start - timedelta(weeks=count // 2)  # walks across the change
    series = occurrences(first, first + length, zone, frequency=frequency, count=count, until=None)
    step = 7 if frequency == "weekly" else 14
    for occ in series:
        assert occ.end - occ.start == length, (zone, first, length, occ)
        wanted = first.date() + timedelta(days=step * (occ.number - 1))
        assert occ.start.astimezone(ZoneInfo(zone)).date() == wanted, (zone, first, occ)


@settings(max_examples=EXAMPLES, deadline=None)
@given(near_a_change, lengths, st.integers(-3, 3))
def test_moving_onto_a_dst_day_keeps_the_length_and_the_local_date(edge, length, weeks):
    zone, target = edge
    tz = ZoneInfo(zone)
    # An occurrence on an ordinary day `weeks` weeks away is moved to `target`; a later one follows.
    old_wall = target + timedelta(weeks=weeks) + timedelta(days=1)
    old_start = local_instant(old_wall, tz)
    new_start, new_length = span(target, target + length, zone)
    assert new_length == length
    shift = wall_clock_shift(old_start, new_start, zone)
    follower = shifted(local_instant(old_wall + timedelta(weeks=1), tz), shift, zone)
    assert follower.astimezone(tz).date() == (new_start.astimezone(tz) + timedelta(weeks=1)).date()
    assert shifted(new_start, timedelta(0), zone) == new_start


def test_shifting_by_nothing_keeps_the_second_of_a_repeated_time():
    second = datetime(2026, 11, 1, 6, 30, tzinfo=UTC)  # 01:30 EST, booked with its offset
    assert shifted(second, timedelta(0), "America/New_York") == second


@settings(max_examples=EXAMPLES, deadline=None)
@given(near_a_change, lengths)
def test_booked_length_of_two_times_in_one_zone_is_the_wall_clock_length(edge, length):
    zone, start = edge
    tz = ZoneInfo(zone)
    assert booked_length(start.replace(tzinfo=tz), (start + length).replace(tzinfo=tz)) == length
    # Times in different zones (an end in UTC) are exact instants: the time between them.
    utc_end = (start + length).replace(tzinfo=tz).astimezone(UTC)
    assert booked_length(start.replace(tzinfo=tz), utc_end) == utc_end - start.replace(tzinfo=tz).astimezone(UTC)

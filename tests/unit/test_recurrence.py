"""never_occurs: a repeat rule that can never fall on a day is found without expanding it (dateutil
would spin to the year 9999), and a rule that can is never refused."""
from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from dateutil.rrule import YEARLY, rrule, weekday
from hypothesis import given, settings
from hypothesis import strategies as st

from chalicelib.domain.recurrence import never_occurs

START = date(2026, 12, 1)


@pytest.mark.parametrize(("rule", "never"), [
    ({"FREQ": ["DAILY"], "BYMONTH": [2], "BYMONTHDAY": [30]}, True),
    ({"FREQ": ["YEARLY"], "BYMONTH": [4, 6, 9, 11], "BYMONTHDAY": [31]}, True),
    ({"FREQ": ["MONTHLY"], "BYDAY": ["6MO"]}, True),
    ({"FREQ": ["WEEKLY"], "BYDAY": ["MO"], "BYSETPOS": [9]}, True),
    ({"FREQ": ["YEARLY"], "BYMONTH": [2], "BYMONTHDAY": [29]}, False),  # leap years
    ({"FREQ": ["YEARLY"], "BYMONTH": [2], "BYMONTHDAY": [29], "BYDAY": ["MO"]}, False),  # 2044
    ({"FREQ": ["MONTHLY"], "BYDAY": ["2TU"]}, False),
    ({"FREQ": ["MONTHLY"], "BYDAY": ["-1FR"]}, False),
    ({"FREQ": ["MONTHLY"], "BYMONTHDAY": [-1]}, False),
    ({"FREQ": ["MONTHLY"], "BYDAY": ["MO", "TU", "WE", "TH", "FR"], "BYSETPOS": [-1]}, False),
    ({"FREQ": ["YEARLY"], "BYYEARDAY": [366]}, False),
    ({"FREQ": ["YEARLY"], "BYWEEKNO": [53], "BYDAY": ["TH"]}, False),
    ({"FREQ": ["WEEKLY"], "BYDAY": ["MO", "WE"]}, False),
])
def test_never_occurs_when_read_matches_the_calendar(rule, never):
    assert never_occurs(rule, START) is never


_DAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]


@settings(max_examples=150, deadline=None)
@given(months=st.sets(st.integers(1, 12), max_size=3), month_days=st.sets(st.sampled_from([1, 15, 28, 29, 30, 31, -1]),
                                                                           max_size=2),
       weekdays=st.sets(st.integers(0, 6), max_size=2))
def test_never_occurs_when_false_dateutil_finds_a_date_within_28_years(months, month_days, weekdays):
    rule = {"FREQ": ["YEARLY"], "BYMONTH": sorted(months), "BYMONTHDAY": sorted(month_days),
            "BYDAY": [_DAYS[d] for d in sorted(weekdays)]}
    # YEARLY walks year by year, so even a rule that never matches ends at 9999 in milliseconds.
    dates = rrule(YEARLY, dtstart=datetime(2026, 12, 1), bymonth=sorted(months) or None,
                  bymonthday=sorted(month_days) or None, byweekday=[weekday(d) for d in sorted(weekdays)] or None,
                  until=datetime(2026, 12, 1) + timedelta(days=28 * 366))
    assert never_occurs({k: v for k, v in rule.items() if v}, START) is (next(iter(dates), None) is None)

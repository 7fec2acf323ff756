"""Whether a calendar repeat rule (RRULE) can ever fall on a day, decided without expanding it.

dateutil expands a rule period by period and checks UNTIL only when a date matches, so a rule
that can never match (the 30th of February, the 6th Monday of a month) spins through every
period to the year 9999: seconds of CPU per event. A file's events are checked here first."""
from __future__ import annotations

from calendar import isleap, monthrange
from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from typing import Any

# 28 years hold every weekday-and-leap-year combination of the Gregorian calendar but the
# century years, which no rule a calendar program writes depends on.
_SCAN_DAYS = 28 * 366
_WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


def _numbers(values: Sequence[Any] | None) -> set[int]:
    return {int(v) for v in values or ()}


def _weekday_ordinals(values: Sequence[Any] | None) -> tuple[set[int], list[int]]:
    """BYDAY as (weekdays, ordinals): "2TU" is Tuesday with ordinal 2, "SU" Sunday with none."""
    days: set[int] = set()
    ordinals: list[int] = []
    for value in values or ():
        text = str(value).upper()
        days.add(_WEEKDAYS.index(text[-2:]))
        if text[:-2] not in ("", "+", "-"):
            ordinals.append(int(text[:-2]))
    return days, ordinals


def never_occurs(rule: Mapping[str, Sequence[Any]], start: date) -> bool:
    """True when no day of the next 28 years from `start` meets the rule's month, day-of-month,
    day-of-year, week-number and weekday parts, or it asks for a weekday ordinal no month or year
    has (a 6th Monday) or a position past any period's dates (BYSETPOS=9 in a week)."""
    frequency = str((rule.get("FREQ") or [""])[0]).upper()
    weekdays, ordinals = _weekday_ordinals(rule.get("BYDAY"))
    widest = 5 if frequency == "MONTHLY" or rule.get("BYMONTH") else 53
    if any(not 1 <= abs(n) <= widest for n in ordinals):
        return True
    # BYSETPOS picks from each period's dates: a week has at most 7 days, a month 31.
    if any(not 1 <= abs(n) <= {"WEEKLY": 7, "MONTHLY": 31}.get(frequency, 366)
           for n in _numbers(rule.get("BYSETPOS"))):
        return True
    parts = (_numbers(rule.get("BYMONTH")), _numbers(rule.get("BYMONTHDAY")), _numbers(rule.get("BYYEARDAY")),
             _numbers(rule.get("BYWEEKNO")), weekdays)
    day = start
    for _ in range(_SCAN_DAYS):
        if _meets(day, *parts):
            return False
        day += timedelta(days=1)
    return True


def _counted(number: int, count: int, wanted: set[int]) -> bool:
    """Whether the `number`th of `count` (a week, day of month, day of year) is wanted, counted
    from the start (1, 2, …) or from the end (-1 is the last)."""
    return number in wanted or number - count - 1 in wanted


def _meets(day: date, months: set[int], month_days: set[int], year_days: set[int], week_numbers: set[int],
           weekdays: set[int]) -> bool:
    if week_numbers:  # ISO weeks, as dateutil numbers them with WKST=MO (the default)
        iso_year, week, _ = day.isocalendar()
        if not _counted(week, date(iso_year, 12, 28).isocalendar().week, week_numbers):
            return False
    if months and day.month not in months:
        return False
    if month_days and not _counted(day.day, monthrange(day.year, day.month)[1], month_days):
        return False
    if year_days and not _counted(day.timetuple().tm_yday, 366 if isleap(day.year) else 365, year_days):
        return False
    return not weekdays or day.weekday() in weekdays

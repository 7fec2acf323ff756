"""How a re-imported calendar event's occurrences relate to those an earlier import placed:
which new occurrence is an old one moved, and which old ones the event no longer holds.

An occurrence is known by its original start (RECURRENCE-ID, or its own start in the series).
When an event's times change with no RECURRENCE-ID to say so (a one-off event moved; a whole
series moved to another hour), the old original starts vanish and new ones appear: a one-off
event's one new occurrence is its one old occurrence moved, and in a series an occurrence that
appears on the day one vanished is that one moved. The rest that vanished are gone."""
from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime


def paired_moves(added: Iterable[tuple[datetime, date]], gone: Iterable[tuple[datetime, date]], *,
                 one_off: bool) -> dict[datetime, datetime]:
    """For each new original start (with its day) that is an old one moved, the old one.
    `one_off`: the event does not repeat, so its single new occurrence is its single old one,
    whatever the day."""
    added, gone = list(added), list(gone)
    if one_off:
        return {added[0][0]: gone[0][0]} if len(added) == 1 and len(gone) == 1 else {}
    by_day: dict[date, list[datetime]] = {}
    for original, day in sorted(gone):
        by_day.setdefault(day, []).append(original)
    out = {}
    for original, day in sorted(added):
        left = by_day.get(day)
        if left:
            out[original] = left.pop(0)
    return out

"""Who is told what in one sweep: the pure part of delivery, no I/O.

Events are named by any hashable key (the sweep uses the event's (practice, id)); recipients
are `domain.notifications.Recipient`. The sweep reads, judges and sends; these functions decide
which alerts land in which recipient's digest, which are shown, and what happens to each
event after the emails.
"""
from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from typing import TypeVar

from chalicelib.domain.notifications import Recipient, Verdict

K = TypeVar("K", bound=Hashable)


def digests(events: Sequence[K], wanted: Mapping[K, Sequence[Recipient]],
            delivered: Mapping[K, Iterable[str]]) -> list[tuple[Recipient, list[K]]]:
    """One digest per recipient still owed something: each event goes to every recipient who
    should hear of it and has not had it yet, in the events' order. Digests come sorted by
    recipient key, so a run cut short and its rerun send in the same order."""
    owed: dict[str, tuple[Recipient, list[K]]] = {}
    for event in events:
        done = set(delivered.get(event) or ())
        for recipient in wanted.get(event, ()):
            if recipient.key not in done:
                owed.setdefault(recipient.key, (recipient, []))[1].append(event)
    return [owed[key] for key in sorted(owed)]


def shown(events: Iterable[K], verdicts: Mapping[K, Verdict]) -> list[tuple[K, str]]:
    """The alerts a digest shows, with their labels: the events still news. A withheld event
    rides with the email (settled when it is sent) but is not shown."""
    return [(event, label) for event in events if (label := verdicts[event].label)]


def settle(events: Iterable[K], failed: set[K]) -> tuple[list[K], list[K]]:
    """After the emails: (still pending, finished). An event on a digest that failed stays
    pending for the next run; every other event is finished (sent to all, or withheld)."""
    pending: list[K] = []
    finished: list[K] = []
    for event in events:
        (pending if event in failed else finished).append(event)
    return pending, finished

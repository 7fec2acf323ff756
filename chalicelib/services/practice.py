"""Use cases for the practice's own record: read, update, provision."""
from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from chalicelib.auth import Principal
from chalicelib.domain.practice import REQUIRED_PRACTICE_FIELDS, Practice
from chalicelib.errors import Conflict, NotFound
from chalicelib.services.common import changes_of
from chalicelib.store import practices

if TYPE_CHECKING:  # a write's body model: a read of the practice never loads pydantic
    from chalicelib.models.practice import PracticeUpdate


def load_practice(practice_id: str) -> Practice:
    """The practice record (404 if it was never provisioned)."""
    practice = practices.get(practice_id)
    if practice is None:
        raise NotFound("Practice", practice_id)
    return practice


@dataclass(frozen=True)
class Calendar:
    """What date it is for a practice, how soon counts as 'expiring soon', and its currency."""

    today: date
    soon_days: int
    currency: str


_calendars: dict[str, tuple[float, Practice]] = {}  # practice id → (read at, practice)
_CALENDAR_SECONDS = 60.0


def cached_practice(practice_id: str) -> Practice:
    """The practice as read at most a minute ago in this container: for its time zone and
    display settings, which change rarely, so that views do not cost a read. Rules that must
    see a change at once (booking modes) read the practice with load_practice."""
    cached = _calendars.get(practice_id)
    if cached is None or time.monotonic() - cached[0] > _CALENDAR_SECONDS:
        cached = (time.monotonic(), load_practice(practice_id))
        _calendars[practice_id] = cached
    return cached[1]


def practice_calendar(practice_id: str) -> Calendar:
    """Today in the practice's time zone, its 'expiring soon' threshold and its currency."""
    practice = cached_practice(practice_id)
    return Calendar(datetime.now(ZoneInfo(practice.time_zone)).date(), practice.expiring_soon_days, practice.currency)


def due_floor(calendar: Calendar) -> date:
    """The earliest DUE bucket worth filing something in now: never before UTC's date, which the
    daily sweep reads up to and resumes from (in a western evening the practice's own date is a
    day behind it, and that bucket may already have been read)."""
    return max(calendar.today, datetime.now(UTC).date())


def refuse_writes_if_closed(practice_id: str) -> None:
    """Every write to a closed account is a 409 that says what to do instead. Read from the
    per-container practice cache: another container sees a closure within a minute."""
    practice = cached_practice(practice_id)
    if practice.status == "closed":
        raise Conflict(f"The account was closed on {(practice.closed_at or '')[:10]} and is read-only until "
                       f"{practice.purge_on}, when its data is deleted. An admin can export it "
                       "(GET /v1/practice/export) or reopen it (POST /v1/practice/reopen).",
                       closed_at=practice.closed_at, purge_on=str(practice.purge_on))


def get_practice(*, principal: Principal) -> Practice:
    """The caller's practice."""
    return load_practice(principal.practice_id)


def update_practice(*, principal: Principal, changes: PracticeUpdate, expected_version: int) -> Practice:
    """Change business information or policies (admins only; checked by the route)."""
    values = changes_of(changes, required=REQUIRED_PRACTICE_FIELDS)
    practice = practices.update(principal.practice_id, values, expected_version=expected_version)
    _calendars.pop(principal.practice_id, None)  # this container sees the change at once
    return practice


def provision_practice(*, practice_id: str, name: str, time_zone: str, currency: str,
                       **fields: Any) -> Practice:
    """Create a practice record (onboarding and the demo seed); AlreadyExists if present."""
    from chalicelib.models import practice as models  # onboarding and the seed only

    # PracticeUpdate validates the fields; Practice fills the policy defaults.
    checked = models.PracticeUpdate.model_validate({"name": name, "time_zone": time_zone, "currency": currency,
                                             **fields}).model_dump(mode="json", exclude_unset=True)
    data = models.Practice.model_validate({"id": practice_id, "version": 1, "created_at": "", "updated_at": "",
                                    **checked}).model_dump(mode="json", exclude={"version", "created_at", "updated_at"})
    return practices.create(practice_id, data)


def forget_cached_practices() -> None:
    """Drop the per-container practice cache (tests switch databases)."""
    _calendars.clear()

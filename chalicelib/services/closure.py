"""Account closure (PRODUCT.md §1): an admin closes the account; for 30 days everything is
read-only and the admin can export it all or reopen; then the daily sweep purges it.

The practice record carries the closure. It enters the sweep's DUE index on its purge day, so
the purge is found like anything else that is due, and it gets a TTL a week after that day
as a backstop should the purge never run (business logic never waits on TTL)."""
from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Any

from chalicelib.auth import Principal
from chalicelib.clock import now
from chalicelib.domain.practice import Practice
from chalicelib.models.practice import ExportedItem
from chalicelib.services.practice import forget_cached_practices, practice_calendar
from chalicelib.store import practice_data, practices

RETENTION = timedelta(days=30)
TTL_BACKSTOP = timedelta(days=7)
EXPORT_PAGE = 1000


def close_account(*, principal: Principal, expected_version: int) -> Practice:
    purge_on = practice_calendar(principal.practice_id).today + RETENTION
    backstop = datetime.combine(purge_on + TTL_BACKSTOP, time.min, tzinfo=UTC)
    closed = practices.close(principal.practice_id, closed_at=now(), closed_by=principal.user_id,
                             purge_on=purge_on, expires_at=int(backstop.timestamp()),
                             expected_version=expected_version)
    forget_cached_practices()  # this container sees the change at once
    return closed


def reopen_account(*, principal: Principal, expected_version: int) -> Practice:
    reopened = practices.reopen(principal.practice_id, expected_version=expected_version)
    forget_cached_practices()  # this container sees the change at once
    return reopened


def export(*, principal: Principal, start_key: dict[str, Any] | None) -> tuple[list[ExportedItem], dict | None]:
    """One page of everything the practice has stored: one unit (see store/practice_data), or
    up to EXPORT_PAGE items of it. The cursor names the unit, partition and item to go on from."""
    return practice_data.export_page(principal.practice_id, start_key, page_size=EXPORT_PAGE)

"""The purge of a closed practice whose 30 days of read-only retention are over."""
from __future__ import annotations

from datetime import date

from chalicelib.observability import logger
from chalicelib.store import practice_data
from chalicelib.store import sweep as due
from chalicelib.store.sweep import DuePractice


def purge_practice(practice: DuePractice, today: date) -> bool:
    """Delete every item of the practice, its own record last: a purge cut short leaves the
    record in the sweep's index, and the next run finishes the job. False if it is not due."""
    if practice.status != "closed" or practice.purge_on is None:
        due.move(practice.ref, None)  # reopened: nothing to purge
        return False
    purge_on = date.fromisoformat(practice.purge_on)
    if purge_on > today:
        due.move(practice.ref, purge_on)
        return False
    deleted = practice_data.delete_everything(practice.id)
    logger().info("practice purged", extra={"practice_id": practice.id, "items_deleted": deleted})
    return True

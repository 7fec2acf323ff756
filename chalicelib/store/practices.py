"""The practice's own record (`P#<practice>` / `PRACTICE`): read, change, provision, close and
reopen. A closed practice also sits in the sweep's DUE index on its purge day."""
from __future__ import annotations

from datetime import date
from typing import Any

from chalicelib.domain.practice import Practice
from chalicelib.store import items
from chalicelib.store.keys import PK, PRACTICE_SK, SK, due_keys, practice_pk

RESOURCE = "Practice"


def _key(practice_id: str) -> tuple[str, str]:
    return practice_pk(practice_id), PRACTICE_SK


def _practice(item: dict[str, Any]) -> Practice:
    return Practice.from_record(items.public(item))


def get(practice_id: str) -> Practice | None:
    """The practice (strongly consistent), or None if it was never provisioned (or is purged)."""
    item = items.get(*_key(practice_id))
    return _practice(item) if item else None


def create(practice_id: str, data: dict[str, Any]) -> Practice:
    """A new practice record at version 1; AlreadyExists if present."""
    pk, sk = _key(practice_id)
    return _practice(items.create({PK: pk, SK: sk, "kind": "PRACTICE", **data}, resource=RESOURCE,
                                  resource_id=practice_id))


def update(practice_id: str, changes: dict[str, Any], *, expected_version: int) -> Practice:
    """Set (None: remove) fields if the practice is still at `expected_version`."""
    return _practice(items.update(*_key(practice_id), changes, expected_version=expected_version,
                                  resource=RESOURCE, resource_id=practice_id))


def close(practice_id: str, *, closed_at: str, closed_by: str, purge_on: date, expires_at: int,
          expected_version: int) -> Practice:
    """Mark an open practice closed, due for purging on `purge_on` (the sweep finds it in that
    day's DUE bucket); Conflict if it is closed already."""
    pk, sk = _key(practice_id)
    return _practice(items.update(
        pk, sk, {"status": "closed", "closed_at": closed_at, "closed_by": closed_by,
                 "purge_on": purge_on.isoformat(), "expires_at": expires_at, **due_keys(pk, sk, purge_on.isoformat())},
        expected_version=expected_version, resource=RESOURCE, resource_id=practice_id,
        condition="#status <> :closed", condition_names={"#status": "status"},
        condition_values={":closed": "closed"}, condition_reason="The account is already closed"))


def reopen(practice_id: str, *, expected_version: int) -> Practice:
    """Undo a closure (out of the DUE index, no TTL); Conflict if the practice is not closed."""
    pk, sk = _key(practice_id)
    return _practice(items.update(
        pk, sk, {"status": "active", "closed_at": None, "closed_by": None, "purge_on": None,
                 "expires_at": None, **due_keys(pk, sk, None)},
        expected_version=expected_version, resource=RESOURCE, resource_id=practice_id,
        condition="#status = :closed", condition_names={"#status": "status"},
        condition_values={":closed": "closed"}, condition_reason="The account is not closed"))

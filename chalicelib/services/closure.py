"""Account closure (PRODUCT.md §1): an admin closes the account; for 30 days everything is
read-only and the admin can export it all or reopen; then the daily sweep purges it.

The practice record carries the closure. It enters the sweep's DUE index on its purge day, so
the purge is found like anything else that is due, and it gets a TTL a week after that day
as a backstop should the purge never run (business logic never waits on TTL)."""
from __future__ import annotations

from datetime import datetime, time, timedelta, timezone
from typing import Any

from chalicelib.auth import Principal
from chalicelib.models.practice import ExportedItem, Practice
from chalicelib.services.practice import forget_cached_practices, practice_calendar
from chalicelib.store import items, practice_data
from chalicelib.store.keys import PRACTICE_SK, due_keys, practice_pk

RETENTION = timedelta(days=30)
TTL_BACKSTOP = timedelta(days=7)
EXPORT_PAGE = 1000


def _view(item: dict[str, Any]) -> Practice:
    forget_cached_practices()  # this container sees the change at once
    return Practice.model_validate(items.public(item))


def close_account(*, principal: Principal, expected_version: int) -> Practice:
    pk, sk = practice_pk(principal.practice_id), PRACTICE_SK
    purge_on = practice_calendar(principal.practice_id).today + RETENTION
    backstop = datetime.combine(purge_on + TTL_BACKSTOP, time.min, tzinfo=timezone.utc)
    item = items.update(pk, sk, {"status": "closed", "closed_at": items.now(), "closed_by": principal.user_id,
                                 "purge_on": purge_on.isoformat(), "expires_at": int(backstop.timestamp()),
                                 **due_keys(pk, sk, purge_on.isoformat())},
                        expected_version=expected_version, resource="Practice", resource_id=principal.practice_id,
                        condition="#status <> :closed", condition_names={"#status": "status"},
                        condition_values={":closed": "closed"}, condition_reason="The account is already closed")
    return _view(item)


def reopen_account(*, principal: Principal, expected_version: int) -> Practice:
    pk, sk = practice_pk(principal.practice_id), PRACTICE_SK
    item = items.update(pk, sk, {"status": "active", "closed_at": None, "closed_by": None, "purge_on": None,
                                 "expires_at": None, **due_keys(pk, sk, None)},
                        expected_version=expected_version, resource="Practice", resource_id=principal.practice_id,
                        condition="#status = :closed", condition_names={"#status": "status"},
                        condition_values={":closed": "closed"}, condition_reason="The account is not closed")
    return _view(item)


def export(*, principal: Principal, start_key: dict[str, Any] | None) -> tuple[list[ExportedItem], dict | None]:
    """One page of everything the practice has stored: one unit (see store/practice_data), or
    up to EXPORT_PAGE items of it. The cursor names the unit, partition and item to go on from."""
    practice_id = principal.practice_id
    unit = tuple(start_key["unit"]) if start_key else ("practice", "")
    parts = practice_data.partitions(practice_id, unit)
    index = parts.index(start_key["pk"]) if start_key and start_key.get("pk") in parts else 0
    resume = {"PK": start_key["pk"], "SK": start_key["sk"]} if start_key and start_key.get("sk") else None
    found: list[ExportedItem] = []
    for pk in parts[index:]:
        while True:
            page = items.query_page(pk, limit=EXPORT_PAGE - len(found), start_key=resume, consistent=True)
            found += [_exported(i) for i in page.items]
            resume = page.last_key
            if len(found) >= EXPORT_PAGE:
                return found, ({"unit": list(unit), "pk": pk, "sk": resume["SK"]} if resume else
                               _after(practice_id, unit, parts, pk))
            if resume is None:
                break
    return found, _next_unit(practice_id, unit)


def _after(practice_id: str, unit: tuple[str, str], parts: list[str], pk: str) -> dict[str, Any] | None:
    following = parts[parts.index(pk) + 1:]
    return {"unit": list(unit), "pk": following[0], "sk": None} if following else _next_unit(practice_id, unit)


def _next_unit(practice_id: str, unit: tuple[str, str]) -> dict[str, Any] | None:
    following = next(practice_data.units(practice_id, after=unit), None)
    return {"unit": list(following), "pk": None, "sk": None} if following else None


def _exported(item: dict[str, Any]) -> ExportedItem:
    data = {k: v for k, v in item.items() if k not in ("PK", "SK")}
    return ExportedItem(partition=item["PK"], sort_key=item["SK"], kind=item.get("kind"),
                        data=data)

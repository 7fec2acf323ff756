"""The purge of a closed practice whose 30 days of read-only retention are over."""
from __future__ import annotations

from datetime import date
from typing import Any

from chalicelib.observability import logger
from chalicelib.store import dynamo, events, items, practice_data
from chalicelib.store.keys import PRACTICE_SK, practice_pk

_BATCH = 25  # BatchWriteItem's limit


def purge_practice(practice: dict[str, Any], today: date) -> bool:
    """Delete every item of the practice, its own record last: a purge cut short leaves the
    record in the sweep's index, and the next run finishes the job. False if it is not due."""
    practice_id = practice["id"]
    if practice.get("status") != "closed" or date.fromisoformat(practice["purge_on"]) > today:
        events.move_to(practice, None if practice.get("status") != "closed" else practice["purge_on"])
        return False
    deleted = 0
    own = practice_pk(practice_id)
    for unit in practice_data.units(practice_id):
        for pk in practice_data.partitions(practice_id, unit):
            if pk == own:
                continue  # the practice partition goes last
            keys: list[tuple[str, str]] = []
            for item in items.every_item(pk):
                keys.append((item["PK"], item["SK"]))
                keys += practice_data.slot_keys(practice_id, item)
            deleted += _delete(keys)
    rest = [(i["PK"], i["SK"]) for i in items.every_item(own) if i["SK"] != PRACTICE_SK]
    deleted += _delete(rest) + _delete([(own, PRACTICE_SK)])
    logger().info("practice purged", extra={"practice_id": practice_id, "items_deleted": deleted})
    return True


def _delete(keys: list[tuple[str, str]]) -> int:
    for start in range(0, len(keys), _BATCH):
        requests = [{"DeleteRequest": {"Key": items.key_of(pk, sk)}} for pk, sk in keys[start:start + _BATCH]]
        pending = {items.table(): requests}
        while pending:  # unprocessed items are retried until DynamoDB takes them
            pending = dynamo.client().batch_write_item(RequestItems=pending).get("UnprocessedItems") or {}
    return len(keys)

"""Locations and rooms (repository.LOCATIONS, repository.ROOMS in the practice partition).
Each location keeps `room_count`, moved in the same transaction as every room write that
attaches or detaches it, so deleting a location that still has rooms is refused by a condition,
not by a read that a concurrent room write could invalidate."""
from __future__ import annotations

from typing import Any

from chalicelib.store import items
from chalicelib.store.repository import LOCATIONS, ROOMS


class MissingLocations(Exception):
    """Locations a room was to join do not exist (nothing was written)."""

    def __init__(self, location_ids: list[str]) -> None:
        super().__init__(", ".join(location_ids))
        self.location_ids = location_ids


def delete_location(practice_id: str, location_id: str, *, expected_version: int, reason: str) -> None:
    """Delete a location at the version read unless rooms are attached to it (Conflict: `reason`)."""
    LOCATIONS.delete(practice_id, location_id, expected_version=expected_version,
                     condition="attribute_not_exists(room_count) OR room_count = :zero",
                     condition_values={":zero": 0}, condition_reason=reason)


def _write_room(practice_id: str, room_write: dict[str, Any], *, added: list[str], removed: list[str],
                expected_version: int | None, room_id: str) -> None:
    """One transaction: the room write plus the room counts of the locations it joins or leaves."""
    def count(location_id: str, delta: int) -> dict[str, Any]:
        return items.add_action(*LOCATIONS.key(practice_id, location_id), "room_count", delta)

    actions = [room_write] + [count(i, +1) for i in added] + [count(i, -1) for i in removed]
    try:
        items.transact(actions)
    except items.TransactionCancelled as err:
        refused = items.write_error(err, 0, expected_version=expected_version, resource=ROOMS.resource,
                                    resource_id=room_id)
        if refused:
            raise refused from err
        missing = [added[i - 1] for i in err.failed() if 0 < i <= len(added)]
        if missing:
            raise MissingLocations(missing) from err
        raise


def create_room(practice_id: str, room_id: str, data: dict[str, Any]) -> dict[str, Any]:
    """A new room, counted on each of its `location_ids` (which must exist)."""
    item = items.new_item(ROOMS.item(practice_id, room_id, data))
    _write_room(practice_id, items.put_action(item), added=data["location_ids"], removed=[], expected_version=None,
                room_id=room_id)
    return items.public(item)


def move_room(practice_id: str, current: dict[str, Any], values: dict[str, Any], *,
              expected_version: int) -> dict[str, Any]:
    """Apply changes that include new `location_ids` to the room at the version read, moving the
    room counts of the locations it leaves and joins in the same transaction."""
    old_ids, new_ids = current["location_ids"], values["location_ids"]
    merged = ROOMS.item(practice_id, current["id"], {**items.public(current), **values,
                                                     "version": expected_version + 1, "updated_at": items.now()})
    _write_room(practice_id, items.put_action(merged, expected_version=expected_version),
                added=[i for i in new_ids if i not in old_ids], removed=[i for i in old_ids if i not in new_ids],
                expected_version=expected_version, room_id=current["id"])
    return items.public(merged)


def delete_room(practice_id: str, current: dict[str, Any], *, expected_version: int) -> None:
    """Delete the room at the version read and release it from its locations' room counts."""
    delete = items.delete_action(*ROOMS.key(practice_id, current["id"]), expected_version=expected_version)
    _write_room(practice_id, delete, added=[], removed=current["location_ids"], expected_version=expected_version,
                room_id=current["id"])

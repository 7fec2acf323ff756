"""Locations and rooms (repository.LOCATIONS, repository.ROOMS in the practice partition).
Each location keeps `room_count`, moved in the same transaction as every room write that
attaches or detaches it, so deleting a location that still has rooms is refused by a condition,
not by a read that a concurrent room write could invalidate."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from chalicelib.domain import codes
from chalicelib.models.locations import Location, LocationCreate, Room, RoomCreate
from chalicelib.store import items
from chalicelib.store.repository import LOCATIONS, ROOMS, Entities


class MissingLocations(Exception):
    """Locations a room was to join do not exist (nothing was written)."""

    def __init__(self, location_ids: list[str]) -> None:
        super().__init__(", ".join(location_ids))
        self.location_ids = location_ids


def location_of(item: dict[str, Any]) -> Location:
    """A stored location as the Location model (other repositories' batch reads use it too)."""
    return Location.model_validate({**items.public(item), "place_of_service_name":
                                    codes.place_of_service_name(item["place_of_service"])})


def room_of(item: dict[str, Any]) -> Room:
    """A stored room as the Room model (other repositories' batch reads use it too)."""
    return Room.model_validate(items.public(item))


_LOCATIONS = Entities(LOCATIONS, location_of)
_ROOMS = Entities(ROOMS, room_of)


def get_location(practice_id: str, location_id: str) -> Location:
    """One location, or NotFound."""
    return _LOCATIONS.get(practice_id, location_id)


def list_locations(practice_id: str, *, limit: int,
                   start_key: dict[str, Any] | None) -> tuple[list[Location], dict[str, Any] | None]:
    """One page of the practice's locations in id order, and the key to continue from."""
    return _LOCATIONS.page(practice_id, limit=limit, start_key=start_key)


def create_location(practice_id: str, location_id: str, data: LocationCreate, *, place_of_service: str) -> Location:
    """A new location, with no rooms attached yet; AlreadyExists if the id is taken."""
    return _LOCATIONS.create(practice_id, location_id, {**data.model_dump(mode="json"),
                                                        "place_of_service": place_of_service, "room_count": 0})


def update_location(practice_id: str, location_id: str, changes: Mapping[str, Any], *,
                    expected_version: int) -> Location:
    """Set (None: clear) the fields in `changes` on the location at the version read."""
    return _LOCATIONS.update(practice_id, location_id, changes, expected_version=expected_version)


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


def get_room(practice_id: str, room_id: str) -> Room:
    """One room, or NotFound."""
    return _ROOMS.get(practice_id, room_id)


def list_rooms(practice_id: str, *, limit: int,
               start_key: dict[str, Any] | None) -> tuple[list[Room], dict[str, Any] | None]:
    """One page of the practice's rooms in id order, and the key to continue from."""
    return _ROOMS.page(practice_id, limit=limit, start_key=start_key)


def create_room(practice_id: str, room_id: str, data: RoomCreate, *, location_ids: list[str]) -> Room:
    """A new room, counted on each of its `location_ids` (which must exist)."""
    item = items.new_item(ROOMS.item(practice_id, room_id, {**data.model_dump(mode="json"),
                                                           "location_ids": location_ids}))
    _write_room(practice_id, items.put_action(item), added=location_ids, removed=[], expected_version=None,
                room_id=room_id)
    return room_of(item)


def update_room(practice_id: str, room_id: str, changes: Mapping[str, Any], *, expected_version: int) -> Room:
    """Set (None: clear) fields other than `location_ids` on the room at the version read."""
    return _ROOMS.update(practice_id, room_id, changes, expected_version=expected_version)


def move_room(practice_id: str, room_id: str, changes: Mapping[str, Any], *, expected_version: int) -> Room:
    """Apply changes that include new `location_ids` to the room at the version read, moving the
    room counts of the locations it leaves and joins in the same transaction."""
    current = ROOMS.get(practice_id, room_id)
    old_ids, new_ids = current["location_ids"], changes["location_ids"]
    merged = ROOMS.item(practice_id, room_id, {**items.public(current), **changes,
                                               "version": expected_version + 1, "updated_at": items.now()})
    _write_room(practice_id, items.put_action(merged, expected_version=expected_version),
                added=[i for i in new_ids if i not in old_ids], removed=[i for i in old_ids if i not in new_ids],
                expected_version=expected_version, room_id=room_id)
    return room_of(merged)


def delete_room(practice_id: str, room_id: str, *, expected_version: int) -> None:
    """Delete the room at the version read and release it from its locations' room counts."""
    current = ROOMS.get(practice_id, room_id)
    delete = items.delete_action(*ROOMS.key(practice_id, room_id), expected_version=expected_version)
    _write_room(practice_id, delete, added=[], removed=current["location_ids"], expected_version=expected_version,
                room_id=room_id)

"""Use cases for service locations and rooms.

Each location keeps a count of the rooms attached to it, changed in the same transaction as
the room, so "delete a location that still has rooms" is refused by a condition, not by a
read that a concurrent room booking could invalidate.
"""
from __future__ import annotations

from chalicelib.auth import Principal
from chalicelib.domain.ids import new_id
from chalicelib.domain.places import location_pos
from chalicelib.errors import ValidationFailed
from chalicelib.models.locations import Location, LocationCreate, LocationUpdate, Room, RoomCreate, RoomUpdate
from chalicelib.services.common import changes_of
from chalicelib.services.practice import load_practice
from chalicelib.store import locations as store


def _pos(principal: Principal, telehealth: bool, requested: str | None) -> str:
    # The practice's telehealth default is read only when it is needed.
    default = load_practice(principal.practice_id).default_telehealth_pos if telehealth and not requested else "10"
    try:
        return location_pos(telehealth=telehealth, requested=requested, telehealth_default=default)
    except ValueError as err:
        raise ValidationFailed.field("body.place_of_service", str(err)) from err


def create_location(*, principal: Principal, data: LocationCreate, location_id: str | None = None) -> Location:
    """A new service location with a valid Place of Service code."""
    place_of_service = _pos(principal, data.telehealth, data.place_of_service)
    return store.create_location(principal.practice_id, location_id or new_id("loc"), data,
                                 place_of_service=place_of_service)


def get_location(*, principal: Principal, location_id: str) -> Location:
    return store.get_location(principal.practice_id, location_id)


def list_locations(*, principal: Principal, limit: int, start_key: dict | None) -> tuple[list[Location], dict | None]:
    return store.list_locations(principal.practice_id, limit=limit, start_key=start_key)


def update_location(*, principal: Principal, location_id: str, changes: LocationUpdate,
                    expected_version: int) -> Location:
    """Change a location; POS and telehealth are checked together on the result."""
    values = changes_of(changes, required=("name", "telehealth", "active"))
    if "telehealth" in values or "place_of_service" in values:
        current = store.get_location(principal.practice_id, location_id)
        telehealth = values.get("telehealth", current.telehealth)
        requested = values.get("place_of_service")
        # Flipping telehealth without a new code picks the default for the new kind.
        if requested is None and telehealth == current.telehealth:
            requested = current.place_of_service
        values["place_of_service"] = _pos(principal, telehealth, requested)
        values["telehealth"] = telehealth
    return store.update_location(principal.practice_id, location_id, values, expected_version=expected_version)


def delete_location(*, principal: Principal, location_id: str, expected_version: int) -> None:
    """Delete a location that no room is attached to."""
    store.delete_location(principal.practice_id, location_id, expected_version=expected_version,
                          reason="The location still has rooms; move or delete them first")


def _missing(location_ids: list[str], err: store.MissingLocations) -> ValidationFailed:
    return ValidationFailed([{"field": f"body.location_ids.{location_ids.index(m)}",
                              "reason": f"location {m} does not exist"} for m in err.location_ids])


def create_room(*, principal: Principal, data: RoomCreate, room_id: str | None = None) -> Room:
    """A new room attached to existing locations."""
    location_ids = list(dict.fromkeys(data.location_ids))
    room_id = room_id or new_id("room")
    try:
        return store.create_room(principal.practice_id, room_id, data, location_ids=location_ids)
    except store.MissingLocations as err:
        raise _missing(location_ids, err) from err


def get_room(*, principal: Principal, room_id: str) -> Room:
    return store.get_room(principal.practice_id, room_id)


def list_rooms(*, principal: Principal, limit: int, start_key: dict | None) -> tuple[list[Room], dict | None]:
    return store.list_rooms(principal.practice_id, limit=limit, start_key=start_key)


def update_room(*, principal: Principal, room_id: str, changes: RoomUpdate, expected_version: int) -> Room:
    """Change a room; moving it between locations updates their room counts atomically."""
    values = changes_of(changes, required=("name", "location_ids", "active"))
    if "location_ids" not in values:
        return store.update_room(principal.practice_id, room_id, values, expected_version=expected_version)
    new_ids = list(dict.fromkeys(values["location_ids"]))
    try:
        return store.move_room(principal.practice_id, room_id, {**values, "location_ids": new_ids},
                               expected_version=expected_version)
    except store.MissingLocations as err:
        raise _missing(new_ids, err) from err


def delete_room(*, principal: Principal, room_id: str, expected_version: int) -> None:
    """Delete a room and release it from its locations' room counts."""
    store.delete_room(principal.practice_id, room_id, expected_version=expected_version)


"""/v1/locations and /v1/rooms."""
from __future__ import annotations

from typing import TYPE_CHECKING

from chalice import Blueprint

from chalicelib.auth import Role
from chalicelib.http import Call, Listing, operation
from chalicelib.lazy import lazy, models_of

bp = Blueprint(__name__)
if TYPE_CHECKING:  # what mypy and an IDE follow; at run time each is imported on first use
    from chalicelib.models import locations as models
    from chalicelib.services import locations as service
else:
    models = models_of("chalicelib.models.locations")
    service = lazy("chalicelib.services.locations")
ADMIN = {Role.ADMIN}


@operation(bp, "POST", "/v1/locations", roles=ADMIN, summary="Create a location", tag="Locations",
           body=models.LocationCreate, response=models.Location, location="/v1/locations/{id}")
def create_location(call: Call) -> models.Location:
    return service.create_location(principal=call.principal, data=call.body)


@operation(bp, "GET", "/v1/locations", summary="List locations", tag="Locations", response=models.Location,
           paginated=True)
def list_locations(call: Call) -> Listing:
    return Listing(*service.list_locations(principal=call.principal, limit=call.query.limit,
                                           start_key=call.start_key))


@operation(bp, "GET", "/v1/locations/{location_id}", summary="Read a location", tag="Locations",
           response=models.Location)
def get_location(call: Call) -> models.Location:
    return service.get_location(principal=call.principal, location_id=call.params["location_id"])


@operation(bp, "PATCH", "/v1/locations/{location_id}", roles=ADMIN, summary="Update a location",
           tag="Locations", body=models.LocationUpdate, response=models.Location)
def update_location(call: Call) -> models.Location:
    return service.update_location(principal=call.principal, location_id=call.params["location_id"],
                                   changes=call.body, expected_version=call.version)


@operation(bp, "DELETE", "/v1/locations/{location_id}", roles=ADMIN, summary="Delete a location",
           tag="Locations")
def delete_location(call: Call) -> None:
    service.delete_location(principal=call.principal, location_id=call.params["location_id"],
                            expected_version=call.version)


@operation(bp, "POST", "/v1/rooms", roles=ADMIN, summary="Create a room", tag="Rooms", body=models.RoomCreate,
           response=models.Room, location="/v1/rooms/{id}")
def create_room(call: Call) -> models.Room:
    return service.create_room(principal=call.principal, data=call.body)


@operation(bp, "GET", "/v1/rooms", summary="List rooms", tag="Rooms", response=models.Room, paginated=True)
def list_rooms(call: Call) -> Listing:
    return Listing(*service.list_rooms(principal=call.principal, limit=call.query.limit,
                                       start_key=call.start_key))


@operation(bp, "GET", "/v1/rooms/{room_id}", summary="Read a room", tag="Rooms", response=models.Room)
def get_room(call: Call) -> models.Room:
    return service.get_room(principal=call.principal, room_id=call.params["room_id"])


@operation(bp, "PATCH", "/v1/rooms/{room_id}", roles=ADMIN, summary="Update a room", tag="Rooms",
           body=models.RoomUpdate, response=models.Room)
def update_room(call: Call) -> models.Room:
    return service.update_room(principal=call.principal, room_id=call.params["room_id"], changes=call.body,
                               expected_version=call.version)


@operation(bp, "DELETE", "/v1/rooms/{room_id}", roles=ADMIN, summary="Delete a room", tag="Rooms")
def delete_room(call: Call) -> None:
    service.delete_room(principal=call.principal, room_id=call.params["room_id"], expected_version=call.version)

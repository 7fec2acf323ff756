"""Service locations (with their Place of Service code) and rooms."""

from typing import Annotated

from pydantic import AfterValidator, Field

from chalicelib.domain import codes
from chalicelib.models.common import Address, Flag, Input, NonEmpty, Output, Ref, Whole
from chalicelib.models.payers import Npi

PosCode = Annotated[str, AfterValidator(codes.place_of_service)]


class LocationCreate(Input):
    name: NonEmpty
    telehealth: Flag = False
    place_of_service: PosCode | None = Field(
        None, description="CMS POS code; defaults to 11 (Office), or the practice's telehealth POS")
    address: Address | None = None
    phone: str | None = Field(None, max_length=40)
    active: Flag = True
    npi: Npi | None = Field(None, description="The service facility's NPI, where it has its own")


class LocationUpdate(Input):
    name: NonEmpty | None = None
    telehealth: Flag | None = None
    place_of_service: PosCode | None = None
    address: Address | None = None
    phone: str | None = Field(None, max_length=40)
    active: Flag | None = None
    npi: Npi | None = None


class Location(Output):
    id: str
    name: str
    telehealth: bool
    place_of_service: str
    place_of_service_name: str
    address: Address | None = None
    phone: str | None = None
    active: bool
    npi: str | None = None
    room_count: int = Field(0, description="Rooms attached; a location with rooms cannot be deleted")
    version: int
    created_at: str
    updated_at: str


LocationIds = Annotated[list[Ref], Field(min_length=1, max_length=20)]


class RoomCreate(Input):
    name: NonEmpty
    location_ids: LocationIds
    capacity: Whole | None = Field(None, ge=1, le=500)
    active: Flag = True


class RoomUpdate(Input):
    name: NonEmpty | None = None
    location_ids: LocationIds | None = None
    capacity: Whole | None = Field(None, ge=1, le=500)
    active: Flag | None = None


class Room(Output):
    id: str
    name: str
    location_ids: list[str]
    capacity: int | None = None
    active: bool
    version: int
    created_at: str
    updated_at: str

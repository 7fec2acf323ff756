"""Demo data for `make run` and tests: a practice with a user per role, a location, a room
and the seeded psychotherapy codes. Idempotent: running it twice creates nothing twice."""
from __future__ import annotations

from collections.abc import Callable
from contextlib import suppress
from functools import partial

from chalicelib.auth import Principal, Role
from chalicelib.errors import AlreadyExists
from chalicelib.models.locations import LocationCreate, RoomCreate
from chalicelib.models.users import UserCreate
from chalicelib.services import codes, locations, practice, users

DEMO_PRACTICE_ID = "prc_demo"
DEMO_USERS = {
    "admin": "usr_demo_admin",
    "practitioner": "usr_demo_practitioner",
    "front_desk": "usr_demo_front_desk",
    "billing": "usr_demo_billing",
}
_NAMES = {"admin": ("Ada", "Admin"), "practitioner": ("Pat", "Practitioner"),
          "front_desk": ("Frankie", "Desk"), "billing": ("Bill", "Ing")}


def _once(create: Callable[[], object]) -> None:
    with suppress(AlreadyExists):  # seeded before
        create()


def seed_practice(practice_id: str, name: str, *, user_ids: dict[str, str],
                  time_zone: str = "America/New_York", currency: str = "USD") -> None:
    """A practice with one user per role, a location with a room, and the seeded codes."""
    _once(lambda: practice.provision_practice(practice_id=practice_id, name=name, time_zone=time_zone,
                                              currency=currency))
    admin = Principal(user_id=user_ids["admin"], practice_id=practice_id, role=Role.ADMIN)
    for role, user_id in user_ids.items():
        first, last = _NAMES[role]
        data = UserCreate(email=f"{role.replace('_', '-')}@{practice_id.replace('_', '-')}.example",
                          first_name=first, last_name=last, role=Role(role))
        _once(partial(users.create_user, principal=admin, data=data, user_id=user_id))
    location_id, room_id = f"loc_{practice_id}_main", f"room_{practice_id}_1"
    _once(lambda: locations.create_location(principal=admin, location_id=location_id,
                                            data=LocationCreate(name="Main clinic", place_of_service="11")))
    _once(lambda: locations.create_room(principal=admin, room_id=room_id,
                                        data=RoomCreate(name="Room 1", location_ids=[location_id])))
    codes.seed_billing_codes(practice_id)


def seed_demo() -> None:
    """The demo practice `make run` serves."""
    seed_practice(DEMO_PRACTICE_ID, "Harbour Street Therapy (demo)", user_ids=DEMO_USERS)

"""Races on the settings resources, against DynamoDB Local (the in-process AWS mock lets them
race)."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from chalicelib.auth import Principal, Role
from chalicelib.errors import AlreadyExists, Conflict, PreconditionFailed
from chalicelib.models.locations import LocationCreate, LocationUpdate
from chalicelib.models.users import UserCreate
from chalicelib.services import locations, users
from chalicelib.store import idempotency
from tests.conftest import PRACTICE_A, USERS

ADMIN = Principal(user_id=USERS[PRACTICE_A]["admin"], practice_id=PRACTICE_A, role=Role.ADMIN)


def _race(fn, n):
    with ThreadPoolExecutor(max_workers=n) as pool:
        futures = [pool.submit(fn, i) for i in range(n)]
    outcomes = []
    for future in futures:
        try:
            outcomes.append(future.result())
        except Exception as err:  # noqa: BLE001 - the outcome is what we count
            outcomes.append(err)
    return outcomes


def test_twenty_concurrent_retries_of_one_idempotency_key_create_one_location(seeded):
    def create(_):
        return idempotency.run_once(
            scope=f"{PRACTICE_A}#create_location", key="retry-storm", request={"name": "Annex"},
            run=lambda: {"status": 201, "body": locations.create_location(
                principal=ADMIN, data=LocationCreate(name="Annex")).model_dump(mode="json")})

    outcomes = _race(create, 20)
    answers = [o for o in outcomes if isinstance(o, dict)]
    assert answers and all(not isinstance(o, dict) and isinstance(o, Conflict) for o in outcomes
                           if not isinstance(o, dict))
    assert len({a["body"]["id"] for a in answers}) == 1
    listed, _ = locations.list_locations(principal=ADMIN, limit=100, start_key=None)
    assert [loc.name for loc in listed].count("Annex") == 1
    # Once the first finished, a late retry replays it.
    assert create(0)["body"]["id"] == answers[0]["body"]["id"]


def test_concurrent_users_with_one_email_create_exactly_one(seeded):
    def create(i):
        return users.create_user(principal=ADMIN, data=UserCreate(
            email="same@a.example", first_name=f"N{i}", last_name="X", role=Role.PRACTITIONER))

    outcomes = _race(create, 10)
    assert sum(not isinstance(o, Exception) for o in outcomes) == 1
    assert all(isinstance(o, AlreadyExists) for o in outcomes if isinstance(o, Exception))


def test_concurrent_updates_with_one_if_match_apply_exactly_once(seeded):
    created = locations.create_location(principal=ADMIN, data=LocationCreate(name="Start"))

    def rename(i):
        return locations.update_location(principal=ADMIN, location_id=created.id,
                                         changes=LocationUpdate(name=f"Name {i}"), expected_version=1)

    outcomes = _race(rename, 10)
    winners = [o for o in outcomes if not isinstance(o, Exception)]
    assert len(winners) == 1
    assert all(isinstance(o, PreconditionFailed) for o in outcomes if isinstance(o, Exception))
    assert locations.get_location(principal=ADMIN, location_id=created.id).name == winners[0].name


def test_concurrent_room_creates_keep_the_location_room_count_exact(seeded):
    main = f"loc_{PRACTICE_A}_main"
    from chalicelib.models.locations import RoomCreate

    _race(lambda i: locations.create_room(principal=ADMIN, data=RoomCreate(name=f"R{i}", location_ids=[main])), 15)
    assert locations.get_location(principal=ADMIN, location_id=main).room_count == 16  # + the seeded room

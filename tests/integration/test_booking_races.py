"""Booking and attendance races on DynamoDB Local."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from decimal import Decimal

from chalicelib.auth import Principal, Role
from chalicelib.errors import CaseloadError
from chalicelib.models.appointments import AppointmentCreate, AppointmentUpdate, StatusChange
from chalicelib.models.clients import ClientCreate
from chalicelib.models.entitlements import PackCreate
from chalicelib.models.practice import PracticeUpdate
from chalicelib.services import appointments, clients, entitlements, practice
from tests import stored
from tests.conftest import PRACTICE_A, USERS

ADMIN = Principal(user_id=USERS[PRACTICE_A]["admin"], practice_id=PRACTICE_A, role=Role.ADMIN)


def _race(fn, n):
    def guarded(i):
        try:
            return fn(i)
        except CaseloadError as err:
            return err
    with ThreadPoolExecutor(max_workers=n) as pool:
        return list(pool.map(guarded, range(n)))


def _client():
    return clients.create_client(principal=ADMIN, data=ClientCreate(first_name="Race", last_name="Booker")).id


def test_twenty_concurrent_bookings_of_one_room_slot_in_block_mode_book_one(seeded):
    current = practice.get_practice(principal=ADMIN)
    practice.update_practice(principal=ADMIN, changes=PracticeUpdate(room_booking="block"),
                             expected_version=current.version)
    client_ids = [_client() for _ in range(20)]

    def book(i):
        return appointments.book(principal=ADMIN, data=AppointmentCreate(
            client_id=client_ids[i], practitioner_id=USERS[PRACTICE_A]["practitioner"],
            location_id=f"loc_{PRACTICE_A}_main", room_id=f"room_{PRACTICE_A}_1", billing_code="90837",
            start=datetime(2026, 12, 1, 10, 0 + i % 3 * 5), end=datetime(2026, 12, 1, 10, 50),
            override_room_conflict=True))

    outcomes = _race(book, 20)
    booked = [o for o in outcomes if not isinstance(o, Exception)]
    assert len(booked) == 1, outcomes
    assert all(o.status == 409 for o in outcomes if isinstance(o, Exception))
    room_day, _ = appointments.schedule(principal=ADMIN, practitioner_id=None, room_id=f"room_{PRACTICE_A}_1",
                                        client_id=None, first_day=datetime(2026, 12, 1).date(),
                                        last_day=datetime(2026, 12, 1).date(), limit=100, start_key=None)
    assert [a.id for a in room_day] == [booked[0].appointments[0].id]


def _room_booking(client_id, minute, override):
    return AppointmentCreate(
        client_id=client_id, practitioner_id=USERS[PRACTICE_A]["practitioner"], location_id=f"loc_{PRACTICE_A}_main",
        room_id=f"room_{PRACTICE_A}_1", billing_code="90837", start=datetime(2026, 12, 1, 10, minute),
        end=datetime(2026, 12, 1, 10, 50), override_room_conflict=override)


def _room_day():
    booked, _ = appointments.schedule(principal=ADMIN, room_id=f"room_{PRACTICE_A}_1",
                                      first_day=datetime(2026, 12, 1).date(), last_day=datetime(2026, 12, 1).date(),
                                      limit=100, start_key=None)
    return [a.id for a in booked if a.status == "booked"]


def test_concurrent_warn_mode_bookings_of_one_room_slot_book_one_without_override(seeded):
    client_ids = [_client() for _ in range(12)]
    outcomes = _race(lambda i: appointments.book(principal=ADMIN, data=_room_booking(client_ids[i], i % 3 * 5,
                                                                                      False)), 12)
    booked = [o for o in outcomes if not isinstance(o, Exception)]
    assert len(booked) == 1, outcomes
    winner = booked[0].appointments[0].id
    refused = [o for o in outcomes if isinstance(o, Exception)]
    assert all(o.status == 409 for o in refused), refused
    # Each refusal names the clash: the room, and (once committed) the appointment holding it.
    assert all(o.extra["warnings"][0]["kind"] == "room" for o in refused)
    assert all(winner in o.extra["warnings"][0]["detail"] for o in refused), refused
    assert _room_day() == [winner]


def test_concurrent_warn_mode_bookings_with_override_all_book(seeded):
    client_ids = [_client() for _ in range(8)]
    outcomes = _race(lambda i: appointments.book(principal=ADMIN, data=_room_booking(client_ids[i], i % 3 * 5,
                                                                                      True)), 8)
    assert not [o for o in outcomes if isinstance(o, Exception)], outcomes
    assert len(_room_day()) == 8
    # Cancelling every one of them frees the room for a booking without override.
    for outcome in outcomes:
        appt = outcome.appointments[0]
        appointments.change_status(principal=ADMIN, appointment_id=appt.id,
                                   change=StatusChange(status="cancelled", reason="race"),
                                   expected_version=appt.version)
    assert appointments.book(principal=ADMIN, data=_room_booking(client_ids[0], 0, False)).appointments


def test_concurrent_moves_into_one_free_room_slot_move_one(seeded):
    client_ids = [_client() for _ in range(6)]
    booked = [appointments.book(principal=ADMIN, data=AppointmentCreate(
        client_id=client_ids[i], practitioner_id=USERS[PRACTICE_A]["practitioner"],
        location_id=f"loc_{PRACTICE_A}_main", room_id=f"room_{PRACTICE_A}_1", billing_code="90837",
        start=datetime(2026, 12, 2 + i, 10, 0), end=datetime(2026, 12, 2 + i, 10, 50))).appointments[0]
        for i in range(6)]

    def move(i):
        return appointments.update_appointment(
            principal=ADMIN, appointment_id=booked[i].id, expected_version=booked[i].version,
            changes=AppointmentUpdate(start=datetime(2026, 12, 1, 10, 0), end=datetime(2026, 12, 1, 10, 50)))

    outcomes = _race(move, 6)
    moved = [o for o in outcomes if not isinstance(o, Exception)]
    assert len(moved) == 1, outcomes
    assert all(o.status == 409 for o in outcomes if isinstance(o, Exception))
    assert _room_day() == [moved[0].appointments[0].id]


def test_concurrent_attends_of_one_appointment_charge_once(seeded):
    client_id = _client()
    pack = entitlements.create_pack(principal=ADMIN, client_id=client_id, data=PackCreate(
        name="Ten", measure="sessions", limit=Decimal(10), price=Decimal(1)))
    appt = appointments.book(principal=ADMIN, data=AppointmentCreate(
        client_id=client_id, practitioner_id=USERS[PRACTICE_A]["practitioner"], location_id=f"loc_{PRACTICE_A}_main",
        billing_code="90837", start=datetime(2026, 12, 1, 10, 0), end=datetime(2026, 12, 1, 10, 50))).appointments[0]

    outcomes = _race(lambda i: appointments.change_status(principal=ADMIN, appointment_id=appt.id,
                                                          change=StatusChange(status="attended"),
                                                          expected_version=appt.version), 12)
    assert sum(not isinstance(o, Exception) for o in outcomes) == 1
    assert stored.entitlement(PRACTICE_A, client_id, "PACK", pack.id)["used"] == 1
    assert appointments.get_appointment(principal=ADMIN, appointment_id=appt.id).status == "attended"

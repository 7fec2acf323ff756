"""A re-import moving imported appointments racing staff who attend them, on DynamoDB Local:
each appointment is either moved by the import (and may be attended after, at its new time) or
attended where it was and left there, and the import's answer says which."""
from __future__ import annotations

from chalicelib.auth import Principal, Role
from chalicelib.models.appointments import CalendarImport
from chalicelib.models.clients import ClientCreate
from chalicelib.services import appointments, calendar_import, clients
from tests.conftest import PRACTICE_A, USERS
from tests.integration.test_calendar_import_races import race_reimport_against_attends

ADMIN = Principal(user_id=USERS[PRACTICE_A]["admin"], practice_id=PRACTICE_A, role=Role.ADMIN)
EVENT = """BEGIN:VCALENDAR\r
VERSION:2.0\r
PRODID:-//Caseload tests//EN\r
BEGIN:VEVENT\r
UID:race-move@example.com\r
DTSTART;TZID=America/New_York:20261007T{hour}0000\r
DTEND;TZID=America/New_York:20261007T{hour}5000\r
RRULE:FREQ=WEEKLY;COUNT=6\r
ATTENDEE:mailto:race.mover@example.com\r
END:VEVENT\r
END:VCALENDAR\r
"""


def _import(hour):
    return calendar_import.import_calendar(principal=ADMIN, data=CalendarImport(
        calendar=EVENT.format(hour=hour), practitioner_id=USERS[PRACTICE_A]["practitioner"],
        location_id=f"loc_{PRACTICE_A}_main", billing_code="90837"))


def test_reimport_moving_while_staff_attend_leaves_each_appointment_one_way(seeded):
    clients.create_client(principal=ADMIN, data=ClientCreate(
        first_name="Race", last_name="Mover", email="race.mover@example.com"))
    made = _import(14)
    ids = [e.created_id or "" for e in made.events]
    assert made.created == 6

    result = race_reimport_against_attends(lambda: _import(15), ids)
    said = {e.created_id: e.outcome for e in result.events}
    for appointment_id in ids:
        now = appointments.get_appointment(principal=ADMIN, appointment_id=appointment_id)
        assert (now.start.hour, said.get(appointment_id)) in {(15, "moved"), (14, "conflict")}, (appointment_id, now)
        assert now.status == "attended" or (now.start.hour, now.status) == (15, "booked")
    assert result.moved + result.conflicts == 6 and result.created == 0
    again = _import(15)  # the conflicts are listed again, nothing else changes
    assert (again.moved, again.created, again.conflicts) == (0, 0, result.conflicts)

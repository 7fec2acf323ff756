"""A re-import that cancels imported appointments racing staff who attend them, on DynamoDB
Local: each appointment ends either cancelled by the import or attended (with its session),
never both, and the import's answer says which."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from chalicelib.auth import Principal, Role
from chalicelib.errors import CaseloadError
from chalicelib.models.appointments import CalendarImport, StatusChange
from chalicelib.models.clients import ClientCreate
from chalicelib.services import appointments, calendar_import, clients
from chalicelib.store import sessions as session_store
from tests.conftest import PRACTICE_A, USERS

ADMIN = Principal(user_id=USERS[PRACTICE_A]["admin"], practice_id=PRACTICE_A, role=Role.ADMIN)
EVENT = """BEGIN:VCALENDAR\r
VERSION:2.0\r
PRODID:-//Caseload tests//EN\r
BEGIN:VEVENT\r
UID:race-weekly@example.com\r
DTSTART;TZID=America/New_York:20261007T140000\r
DTEND;TZID=America/New_York:20261007T145000\r
RRULE:FREQ=WEEKLY;COUNT=6\r
STATUS:{status}\r
ATTENDEE:mailto:race.client@example.com\r
END:VEVENT\r
END:VCALENDAR\r
"""


def _import(status):
    return calendar_import.import_calendar(principal=ADMIN, data=CalendarImport(
        calendar=EVENT.format(status=status), practitioner_id=USERS[PRACTICE_A]["practitioner"],
        location_id=f"loc_{PRACTICE_A}_main", billing_code="90837"))


def _attend(appointment_id):
    current = appointments.get_appointment(principal=ADMIN, appointment_id=appointment_id)
    return appointments.change_status(principal=ADMIN, appointment_id=appointment_id,
                                      change=StatusChange(status="attended"), expected_version=current.version)


def race_reimport_against_attends(reimport, ids):
    """The re-import and staff attending each of `ids`, all at once; the import's answer."""

    def run(i):
        try:
            return reimport() if i == 0 else _attend(ids[i - 1])
        except CaseloadError as err:
            return err

    with ThreadPoolExecutor(max_workers=len(ids) + 1) as pool:
        outcomes = list(pool.map(run, range(len(ids) + 1)))
    result = outcomes[0]
    assert not isinstance(result, Exception), result
    return result


def test_reimport_cancelling_while_staff_attend_leaves_each_appointment_one_way(seeded):
    client_id = clients.create_client(principal=ADMIN, data=ClientCreate(
        first_name="Race", last_name="Importer", email="race.client@example.com")).id
    made = _import("CONFIRMED")
    ids = [e.created_id or "" for e in made.events]
    assert made.created == 6

    result = race_reimport_against_attends(lambda: _import("CANCELLED"), ids)
    said = {e.created_id: e.outcome for e in result.events}
    for appointment_id in ids:
        status = appointments.get_appointment(principal=ADMIN, appointment_id=appointment_id).status
        has_session = session_store.get_many(PRACTICE_A, client_id, [appointment_id])[0] is not None
        assert (status, has_session, said.get(appointment_id)) in {
            ("cancelled", False, "cancelled"), ("attended", True, "conflict")}, (appointment_id, status, said)
    assert result.cancelled + result.conflicts == 6

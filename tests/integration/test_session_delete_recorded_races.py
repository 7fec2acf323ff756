"""DELETE of a recorded client session racing the change that removes it (the appointment's
status, the member's mark), on DynamoDB Local: the record and the session never disagree,
and the charge is given back exactly once."""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from chalicelib.errors import Conflict, NotFound
from chalicelib.models.appointments import AppointmentCreate, StatusChange
from chalicelib.models.clients import ClientCreate
from chalicelib.models.entitlements import PackCreate
from chalicelib.models.groups import AttendanceUpdate, MemberMark
from chalicelib.services import appointments, attendance, clients, entitlements, sessions
from tests import stored
from tests.conftest import PRACTICE_A, USERS
from tests.integration.test_booking_races import ADMIN, _race
from tests.integration.test_group_races import _group_with_packs

ROUNDS = 4


def _session_or_none(client_id: str, session_id: str):
    try:
        return sessions.get_session(principal=ADMIN, client_id=client_id, session_id=session_id)
    except NotFound:
        return None


def _active(client_id: str, ref: str) -> int:
    return sum(u["state"] == "active" for u in stored.usages(PRACTICE_A, client_id, ref))


def test_delete_racing_status_back_to_booked_leaves_the_appointment_and_session_in_step(seeded):
    client_id = clients.create_client(principal=ADMIN, data=ClientCreate(first_name="Race", last_name="Delete")).id
    pack = entitlements.create_pack(principal=ADMIN, client_id=client_id, data=PackCreate(
        name="Ten", measure="sessions", limit=Decimal(10), price=Decimal(1)))
    appt = appointments.book(principal=ADMIN, data=AppointmentCreate(
        client_id=client_id, practitioner_id=USERS[PRACTICE_A]["practitioner"], location_id=f"loc_{PRACTICE_A}_main",
        billing_code="90837", start=datetime(2026, 12, 1, 10, 0), end=datetime(2026, 12, 1, 10, 50))).appointments[0]

    for _ in range(ROUNDS):
        current = appointments.get_appointment(principal=ADMIN, appointment_id=appt.id)
        appointments.change_status(principal=ADMIN, appointment_id=appt.id, change=StatusChange(status="attended"),
                                   expected_version=current.version)
        session = sessions.get_session(principal=ADMIN, client_id=client_id, session_id=appt.id)
        attended = appointments.get_appointment(principal=ADMIN, appointment_id=appt.id)
        try:
            sessions.delete_session(principal=ADMIN, client_id=client_id, session_id=appt.id,
                                    expected_version=session.version)
        except Conflict as refused:  # alone, the delete is refused by the appointment's check
            assert refused.extra == {"appointment_id": appt.id}, refused
        else:
            raise AssertionError("a session its attended appointment records was deleted")

        def step(i: int, version: int = session.version, appt_version: int = attended.version) -> object:
            if i % 2:
                return appointments.change_status(principal=ADMIN, appointment_id=appt.id,
                                                  change=StatusChange(status="booked"), expected_version=appt_version)
            sessions.delete_session(principal=ADMIN, client_id=client_id, session_id=appt.id,
                                    expected_version=version)
            return "deleted"

        outcomes = _race(step, 4)
        # The delete never wins while the appointment is attended; one status change does.
        assert "deleted" not in outcomes, outcomes
        assert all(isinstance(o, Conflict | NotFound) for o in outcomes[0::2]), outcomes
        assert sum(not isinstance(o, Exception) for o in outcomes[1::2]) == 1, outcomes
        assert appointments.get_appointment(principal=ADMIN, appointment_id=appt.id).status == "booked"
        assert _session_or_none(client_id, appt.id) is None
        assert _active(client_id, appt.id) == 0
        assert stored.entitlement(PRACTICE_A, client_id, "PACK", pack.id)["used"] == 0


def test_delete_racing_the_members_unmark_leaves_the_mark_and_session_in_step(seeded):
    _, [(client_id, pack_id)], appointment_id = _group_with_packs(1)

    for _ in range(ROUNDS):
        attendance.mark_attendance(principal=ADMIN, appointment_id=appointment_id,
                                   update=AttendanceUpdate(all_attended=True))
        session = sessions.get_session(principal=ADMIN, client_id=client_id, session_id=appointment_id)

        def step(i: int, version: int = session.version) -> object:
            if i % 2:
                unmark = AttendanceUpdate(members=[MemberMark(client_id=client_id, status="unmarked")])
                return attendance.mark_attendance(principal=ADMIN, appointment_id=appointment_id, update=unmark)
            sessions.delete_session(principal=ADMIN, client_id=client_id, session_id=appointment_id,
                                    expected_version=version)
            return "deleted"

        outcomes = _race(step, 4)
        assert "deleted" not in outcomes, outcomes
        assert all(isinstance(o, Conflict | NotFound) for o in outcomes[0::2]), outcomes
        mark = attendance.get_attendance(principal=ADMIN, appointment_id=appointment_id).members[0]
        assert mark.status == "unmarked" and mark.session_id is None
        assert _session_or_none(client_id, appointment_id) is None
        assert _active(client_id, appointment_id) == 0
        assert stored.entitlement(PRACTICE_A, client_id, "PACK", pack_id)["used"] == 0


def test_delete_of_sessions_no_record_names_works_on_a_real_engine(seeded):
    # The checks' expressions as DynamoDB evaluates them: no appointment, an appointment in no
    # charged state, a group session's mark that no longer names the session all let it go.
    from chalicelib.models.sessions import SessionCreate
    from chalicelib.store import items
    from chalicelib.store.appointments import appointment_key
    from chalicelib.store.attendance import mark_key

    client_id = clients.create_client(principal=ADMIN, data=ClientCreate(first_name="Real", last_name="Engine")).id
    by_hand = sessions.create_session(principal=ADMIN, client_id=client_id, data=SessionCreate.model_validate(
        {"date_of_service": "2026-11-20", "billing_code": "90837"})).session
    sessions.delete_session(principal=ADMIN, client_id=client_id, session_id=by_hand.id, expected_version=1)

    appt = appointments.book(principal=ADMIN, data=AppointmentCreate(
        client_id=client_id, practitioner_id=USERS[PRACTICE_A]["practitioner"], location_id=f"loc_{PRACTICE_A}_main",
        billing_code="90837", start=datetime(2026, 12, 1, 10, 0), end=datetime(2026, 12, 1, 10, 50))).appointments[0]
    appointments.change_status(principal=ADMIN, appointment_id=appt.id, change=StatusChange(status="attended"),
                               expected_version=appt.version)
    items.set_attributes(*appointment_key(PRACTICE_A, appt.id), {"status": "booked"})  # legacy: moved on, kept it
    sessions.delete_session(principal=ADMIN, client_id=client_id, session_id=appt.id, expected_version=1)
    assert _session_or_none(client_id, appt.id) is None

    _, [(member_id, _)], group_appt = _group_with_packs(1)
    attendance.mark_attendance(principal=ADMIN, appointment_id=group_appt, update=AttendanceUpdate(all_attended=True))
    items.set_attributes(*mark_key(PRACTICE_A, group_appt, member_id), {"status": "absent", "session_id": None})
    sessions.delete_session(principal=ADMIN, client_id=member_id, session_id=group_appt, expected_version=1)
    assert _session_or_none(member_id, group_appt) is None and _active(member_id, group_appt) == 0

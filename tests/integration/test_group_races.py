"""Group attendance races on DynamoDB Local (moto lets conditional writes overdraw under load)."""
from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from chalicelib.auth import Principal, Role
from chalicelib.models.clients import ClientCreate
from chalicelib.models.entitlements import PackCreate
from chalicelib.models.groups import AttendanceUpdate, GroupAppointmentCreate, GroupCreate, MemberMark
from chalicelib.services import attendance, clients, entitlements, groups, sessions
from tests import stored
from tests.conftest import PRACTICE_A, USERS
from tests.integration.test_booking_races import _race

ADMIN = Principal(user_id=USERS[PRACTICE_A]["admin"], practice_id=PRACTICE_A, role=Role.ADMIN)
SINCE = datetime(2026, 1, 1, tzinfo=UTC)


def _group_with_packs(members: int) -> tuple[str, list[tuple[str, str]], str]:
    group = groups.create_group(principal=ADMIN, data=GroupCreate(
        name="Race group", initials="RG", practitioner_id=USERS[PRACTICE_A]["practitioner"]))
    member_packs = []
    for i in range(members):
        client_id = clients.create_client(principal=ADMIN, data=ClientCreate(first_name=f"M{i}", last_name="Race")).id
        pack = entitlements.create_pack(principal=ADMIN, client_id=client_id, data=PackCreate(
            name="Group 10", measure="sessions", limit=Decimal(10), price=Decimal(1)))
        groups.add_member(principal=ADMIN, group_id=group.id, client_id=client_id, since=SINCE)
        member_packs.append((client_id, pack.id))
    session = groups.book_group_appointment(principal=ADMIN, group_id=group.id, data=GroupAppointmentCreate(
        location_id=f"loc_{PRACTICE_A}_main", start=datetime(2026, 12, 1, 18), end=datetime(2026, 12, 1, 19)))
    return group.id, member_packs, session.appointments[0].id


def _used(member_packs):
    return [stored.entitlement(PRACTICE_A, c, "PACK", p)["used"] for c, p in member_packs]


def test_mark_all_attended_submitted_twice_concurrently_charges_each_member_once(seeded):
    _, member_packs, appointment_id = _group_with_packs(8)

    outcomes = _race(lambda i: attendance.mark_attendance(principal=ADMIN, appointment_id=appointment_id,
                                                          update=AttendanceUpdate(all_attended=True)), 2)
    assert not any(isinstance(o, Exception) for o in outcomes), outcomes
    assert _used(member_packs) == [1] * 8
    # Each member was changed by exactly one of the two requests.
    changed = [sum(m.changed for o in outcomes for m in o.members if m.client_id == c) for c, _ in member_packs]
    assert changed == [1] * 8
    for client_id, _ in member_packs:
        ledger = stored.usages(PRACTICE_A, client_id, appointment_id)
        assert [(u["kind"], u["state"]) for u in ledger] == [("PACK", "active")]
        assert sessions.get_session(principal=ADMIN, client_id=client_id, session_id=appointment_id).fee == 60


def test_concurrent_changes_of_one_members_mark_leave_one_charge(seeded):
    _, [(client_id, pack_id)], appointment_id = _group_with_packs(1)
    attendance.mark_attendance(principal=ADMIN, appointment_id=appointment_id,
                               update=AttendanceUpdate(all_attended=True))
    marks = ["no_show", "late_cancel", "absent", "attended"] * 3

    outcomes = _race(lambda i: attendance.mark_attendance(
        principal=ADMIN, appointment_id=appointment_id,
        update=AttendanceUpdate(members=[MemberMark(client_id=client_id, status=marks[i])])), len(marks))
    final = attendance.get_attendance(principal=ADMIN, appointment_id=appointment_id).members[0]
    active = [u for u in stored.usages(PRACTICE_A, client_id, appointment_id) if u["state"] == "active"]
    # Whatever order the changes landed in, the balance matches the final mark exactly once.
    assert _used([(client_id, pack_id)]) == [1 if final.status == "attended" else 0]
    assert len(active) == (1 if final.status == "attended" else 0)
    assert all(not isinstance(o, Exception) or o.status == 409 for o in outcomes), outcomes

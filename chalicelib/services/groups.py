"""Use cases for groups: the group itself, who may see it, its members, and booking its sessions.

A practitioner sees a group only if they run it or it is shared with them; to anyone else it
does not exist (404), like another practice's data. Admins, front desk and billing see every
group (front desk schedules them, billing bills them); note content has its own rule.
"""
from __future__ import annotations

from dataclasses import asdict
from datetime import UTC, datetime
from typing import Any

from chalicelib.auth import Principal, Role
from chalicelib.clock import now as clock_now
from chalicelib.domain.groups import MAX_MEMBERS, Mark, practitioners_of
from chalicelib.domain.ids import new_id
from chalicelib.errors import Conflict, NotFound, ValidationFailed
from chalicelib.models.appointments import Appointment, AppointmentCreate, Booking, BookingPreview
from chalicelib.models.groups import ClientGroup, Group, GroupAppointmentCreate, GroupCreate, GroupUpdate, Member
from chalicelib.services import appointments
from chalicelib.services.common import changes_of
from chalicelib.store import appointment_partition
from chalicelib.store import clients as client_store
from chalicelib.store import groups as store
from chalicelib.store.appointments import StoredAppointment
from chalicelib.store.groups import Membership


def visible_group(principal: Principal, group_id: str) -> Group:
    """The group, or 404 if it does not exist or the caller may not see it."""
    group = store.get_group(principal.practice_id, group_id)
    if not appointments.may_see_group(principal, group):
        raise NotFound("Group", group_id)
    return group


def _check_people(principal: Principal, practitioner_id: str | None, shared_with: list[str] | None,
                  code: str | None) -> None:
    """The practitioner and the practitioners shared with exist and are practitioners, and the
    default code is one of the practice's: one read."""
    pid = principal.practice_id
    named = ([("body.practitioner_id", practitioner_id)] if practitioner_id else []) + \
        [(f"body.shared_with.{i}", u) for i, u in enumerate(shared_with or [])]
    people, billing = store.users_and_code(pid, [user_id for _, user_id in named], code)
    errors = [{"field": field, "reason": "is not a practitioner of this practice"}
              for (field, _), user in zip(named, people, strict=True) if user is None or user.role != "practitioner"]
    if code and (billing is None or billing.add_on):
        errors.append({"field": "body.default_billing_code", "reason": f"{code} is not a billing code of the practice"})
    if errors:
        raise ValidationFailed(errors)


def create_group(*, principal: Principal, data: GroupCreate) -> Group:
    practitioner_id = data.practitioner_id or (principal.user_id if principal.role == Role.PRACTITIONER else None)
    if practitioner_id is None:
        raise ValidationFailed.field("body.practitioner_id", "name the practitioner who runs the group")
    if principal.role == Role.PRACTITIONER and practitioner_id != principal.user_id:
        raise ValidationFailed.field("body.practitioner_id", "a practitioner creates groups they run")
    shared = sorted(set(data.shared_with) - {practitioner_id})
    _check_people(principal, practitioner_id, shared, data.default_billing_code)
    return store.create_group(principal.practice_id, new_id("grp"), data, practitioner_id=practitioner_id,
                              shared_with=shared)


def get_group(*, principal: Principal, group_id: str) -> Group:
    return visible_group(principal, group_id)


def list_groups(*, principal: Principal, limit: int, start_key: dict | None) -> tuple[list[Group], dict | None]:
    """The practice's groups (a practitioner: those they run or share), one Query."""
    if principal.role != Role.PRACTITIONER:
        return store.list_groups(principal.practice_id, limit=limit, start_key=start_key)
    return store.practitioner_groups_page(principal.practice_id, principal.user_id, limit=limit, start_key=start_key)


def update_group(*, principal: Principal, group_id: str, changes: GroupUpdate, expected_version: int) -> Group:
    """Rename, re-code, (de)activate, hand over or share a group."""
    current = visible_group(principal, group_id)
    values = changes_of(changes, required=("name", "initials", "practitioner_id", "default_billing_code",
                                           "active", "shared_with"))
    practitioner_id = values.get("practitioner_id", current.practitioner_id)
    if "shared_with" in values or "practitioner_id" in values:
        values["shared_with"] = sorted(set(values.get("shared_with", current.shared_with)) - {practitioner_id})
    _check_people(principal, values.get("practitioner_id"), values.get("shared_with"),
                  values.get("default_billing_code"))
    return store.update_group(principal.practice_id, group_id, values, expected_version=expected_version)


# ---- members --------------------------------------------------------------------------

def _member_view(membership: Membership) -> Member:
    return Member.model_validate(asdict(membership))


def members(practice_id: str, group_id: str) -> list[Membership]:
    """Every membership of a group, current and past (one Query; a group is small)."""
    return store.members(practice_id, group_id)


def list_members(*, principal: Principal, group_id: str, limit: int,
                 start_key: dict | None) -> tuple[list[Member], dict | None]:
    visible_group(principal, group_id)
    found, last_key = store.members_page(principal.practice_id, group_id, limit=limit, start_key=start_key)
    return [_member_view(i) for i in found], last_key


def add_member(*, principal: Principal, group_id: str, client_id: str, since: datetime | None = None) -> Member:
    """Add a client (or bring a former member back): they join the group's sessions that
    start from now on (or from `since`, to enter sessions already held)."""
    pid = principal.practice_id
    visible_group(principal, group_id)
    client_name, current = store.client_name_and_membership(pid, group_id, client_id)
    if client_name is None:
        raise ValidationFailed.field("body.client_id", "is not a client of this practice")
    if current and current.active:
        raise Conflict("The client is already a member of the group")
    joined = since.astimezone(UTC).isoformat(timespec="seconds") if since else clock_now()
    periods = current.periods if current else []
    if periods and datetime.fromisoformat(joined) < datetime.fromisoformat(periods[-1]["left_at"]):
        raise ValidationFailed.field("body.since", "is before the client last left the group")
    periods = [*periods, {"joined_at": joined, "left_at": None}]
    return _member_view(_write_membership(pid, group_id, client_id, client_name, True, periods, current, +1))


def remove_member(*, principal: Principal, group_id: str, client_id: str) -> Member:
    """Remove a member: they leave the sessions that start from now on; their attendance,
    sessions and notes so far stay."""
    pid = principal.practice_id
    visible_group(principal, group_id)
    current = store.membership(pid, group_id, client_id)
    if current is None or not current.active:
        raise NotFound("Member", client_id)
    periods = [*current.periods[:-1], {**current.periods[-1], "left_at": clock_now()}]
    return _member_view(_write_membership(pid, group_id, client_id, current.client_name, False, periods, current,
                                          -1))


def _write_membership(practice_id: str, group_id: str, client_id: str, client_name: str, active: bool,
                      periods: list[dict[str, Any]], current: Membership | None, delta: int) -> Membership:
    # The member count moves with the membership; its ceiling keeps a group within
    # MAX_MEMBERS however many adds race.
    return store.put_membership(practice_id, group_id, client_id, client_name=client_name, active=active,
                                periods=periods, current=current, delta=delta,
                                ceiling=MAX_MEMBERS if delta > 0 else None)


def client_groups(*, principal: Principal, client_id: str, limit: int,
                  start_key: dict | None) -> tuple[list[ClientGroup], dict | None]:
    """Every group a client belongs or belonged to: one Query and one batch read of the groups."""
    client_store.ensure_exists(principal.practice_id, client_id)
    found, last_key = store.client_memberships(principal.practice_id, client_id, limit=limit, start_key=start_key)
    groups = store.groups_by_id(principal.practice_id, [m.group_id for m in found])
    listed = [ClientGroup.model_validate({"group_id": g.id, "name": g.name, "initials": g.initials,
                                          "practitioner_id": g.practitioner_id, "active_member": m.active,
                                          "periods": m.periods})
              for m, g in zip(found, groups, strict=True) if g is not None and appointments.may_see_group(principal, g)]
    return listed, last_key


# ---- sessions -------------------------------------------------------------------------

def group_session(principal: Principal, appointment_id: str) -> tuple[StoredAppointment | None, Group | None,
                                                                      dict[str, Mark]]:
    """A group appointment, its group (404 unless the caller may see it) and each member's mark
    by client id: one Query of the appointment's partition and one read of the group. The group
    is None (and there are no marks) when the appointment is missing or not a group's."""
    appointment, marks = appointment_partition.with_marks(principal.practice_id, appointment_id)
    if appointment is None or not appointment.group_id:
        return appointment, None, {}
    return appointment, visible_group(principal, appointment.group_id), marks


def book_group_appointment(*, principal: Principal, group_id: str, data: GroupAppointmentCreate) -> Booking:
    """Book the group's session (or a weekly/fortnightly series of them)."""
    booking, current = _group_booking(principal, group_id, data)
    return appointments.book_group(principal=principal, group_id=group_id, data=booking, member_ids=current)


def preview_group_appointment(*, principal: Principal, group_id: str, data: GroupAppointmentCreate) -> BookingPreview:
    """What booking the group's session would do (each current member's balance), writing nothing."""
    booking, current = _group_booking(principal, group_id, data)
    return appointments.preview(principal=principal, data=booking, member_ids=current)


def _group_booking(principal: Principal, group_id: str,
                   data: GroupAppointmentCreate) -> tuple[AppointmentCreate, list[str]]:
    """The group session as a booking without a client, and the group's current members."""
    group = visible_group(principal, group_id)
    if not group.active:
        raise Conflict("The group is inactive; activate it to book sessions")
    practitioner_id = data.practitioner_id or group.practitioner_id
    if practitioner_id not in practitioners_of(group):
        raise ValidationFailed.field("body.practitioner_id", "runs or shares the group, or is left out")
    booking = AppointmentCreate.model_construct(
        **{**{name: getattr(data, name) for name in GroupAppointmentCreate.model_fields}, "client_id": None,
           "practitioner_id": practitioner_id, "billing_code": data.billing_code or group.default_billing_code})
    current = [m.client_id for m in members(principal.practice_id, group_id) if m.active]
    return booking, current


def group_schedule(*, principal: Principal, group_id: str, first_day: Any, last_day: Any, limit: int,
                   start_key: dict | None) -> tuple[list[Appointment], dict | None]:
    visible_group(principal, group_id)
    return appointments.schedule(principal=principal, group_id=group_id, first_day=first_day, last_day=last_day,
                                 limit=limit, start_key=start_key)

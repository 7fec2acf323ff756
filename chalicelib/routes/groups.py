"""/v1/groups: groups, their members, their sessions, and per-member attendance and payments."""
from __future__ import annotations

from typing import TYPE_CHECKING

from chalice import Blueprint

from chalicelib.auth import Role
from chalicelib.http import Call, Listing, Reply, operation
from chalicelib.lazy import lazy, models_of

bp = Blueprint(__name__)
if TYPE_CHECKING:  # what mypy and an IDE follow; at run time each is imported on first use
    from chalicelib.models import appointments as appointments_models
    from chalicelib.models import groups as groups_models
    from chalicelib.models import invoices as invoices_models
    from chalicelib.services import attendance
    from chalicelib.services import groups as service
else:
    appointments_models = models_of("chalicelib.models.appointments")
    groups_models = models_of("chalicelib.models.groups")
    invoices_models = models_of("chalicelib.models.invoices")
    service = lazy("chalicelib.services.groups")
    attendance = lazy("chalicelib.services.attendance")
TAG = "Groups"
# Front desk runs the calendar, so it manages groups and marks attendance with practitioners.
EDITORS = {Role.ADMIN, Role.PRACTITIONER, Role.FRONT_DESK}
CASHIERS = {Role.ADMIN, Role.FRONT_DESK, Role.BILLING}
GROUP = "/v1/groups/{group_id}"


@operation(bp, "POST", "/v1/groups", roles=EDITORS, summary="Create a group", tag=TAG,
           body=groups_models.GroupCreate, response=groups_models.Group, location="/v1/groups/{id}")
def create_group(call: Call) -> groups_models.Group:
    return service.create_group(principal=call.principal, data=call.body)


@operation(bp, "GET", "/v1/groups", summary="List groups (a practitioner: those they run or share)", tag=TAG,
           response=groups_models.Group, paginated=True)
def list_groups(call: Call) -> Listing:
    return Listing(*service.list_groups(principal=call.principal, limit=call.query.limit, start_key=call.start_key))


@operation(bp, "GET", GROUP, summary="Read a group", tag=TAG, response=groups_models.Group)
def get_group(call: Call) -> groups_models.Group:
    return service.get_group(principal=call.principal, group_id=call.params["group_id"])


@operation(bp, "PATCH", GROUP, roles=EDITORS, summary="Change, (de)activate or share a group", tag=TAG,
           body=groups_models.GroupUpdate, response=groups_models.Group)
def update_group(call: Call) -> groups_models.Group:
    return service.update_group(principal=call.principal, group_id=call.params["group_id"], changes=call.body,
                                expected_version=call.version)


@operation(bp, "GET", GROUP + "/members", summary="A group's members, current and past", tag=TAG,
           response=groups_models.Member, paginated=True)
def list_group_members(call: Call) -> Listing:
    return Listing(*service.list_members(principal=call.principal, group_id=call.params["group_id"],
                                         limit=call.query.limit, start_key=call.start_key))


@operation(bp, "POST", GROUP + "/members", roles=EDITORS, summary="Add a member (joins future sessions)",
           tag=TAG, body=groups_models.MemberAdd, response=groups_models.Member, status=201)
def add_group_member(call: Call) -> Reply:
    member = service.add_member(principal=call.principal, group_id=call.params["group_id"],
                                client_id=call.body.client_id, since=call.body.since)
    return Reply(member, status=201)


@operation(bp, "DELETE", GROUP + "/members/{client_id}", roles=EDITORS,
           summary="Remove a member (leaves future sessions; history stays)", tag=TAG, response=groups_models.Member,
           conditional=False)
def remove_group_member(call: Call) -> groups_models.Member:
    return service.remove_member(principal=call.principal, group_id=call.params["group_id"],
                                 client_id=call.params["client_id"])


@operation(bp, "GET", "/v1/clients/{client_id}/groups", summary="The groups a client belongs or belonged to",
           tag=TAG, response=groups_models.ClientGroup, paginated=True)
def list_client_groups(call: Call) -> Listing:
    return Listing(*service.client_groups(principal=call.principal, client_id=call.params["client_id"],
                                          limit=call.query.limit, start_key=call.start_key))


@operation(bp, "POST", "/v1/clients/{client_id}/groups", roles=EDITORS, summary="Add the client to a group",
           tag=TAG, body=groups_models.ClientGroupAdd, response=groups_models.Member, status=201)
def join_group(call: Call) -> Reply:
    member = service.add_member(principal=call.principal, group_id=call.body.group_id,
                                client_id=call.params["client_id"], since=call.body.since)
    return Reply(member, status=201)


@operation(bp, "DELETE", "/v1/clients/{client_id}/groups/{group_id}", roles=EDITORS,
           summary="Take the client out of a group", tag=TAG, response=groups_models.Member, conditional=False)
def leave_group(call: Call) -> groups_models.Member:
    return service.remove_member(principal=call.principal, group_id=call.params["group_id"],
                                 client_id=call.params["client_id"])


@operation(bp, "POST", GROUP + "/appointments", roles=EDITORS, summary="Book a group session or series",
           tag=TAG, body=groups_models.GroupAppointmentCreate, response=appointments_models.Booking, status=201)
def book_group_appointment(call: Call) -> Reply:
    booking = service.book_group_appointment(principal=call.principal, group_id=call.params["group_id"],
                                             data=call.body)
    return Reply(booking, status=201, headers={"Location": f"/v1/appointments/{booking.appointments[0].id}"})


@operation(bp, "POST", GROUP + "/appointment-previews", roles=EDITORS,
           summary="What booking a group session or series would do (each member's warnings), writing nothing",
           tag=TAG, body=groups_models.GroupAppointmentCreate, response=appointments_models.BookingPreview, status=200)
def preview_group_appointment(call: Call) -> appointments_models.BookingPreview:
    return service.preview_group_appointment(principal=call.principal, group_id=call.params["group_id"],
                                             data=call.body)


@operation(bp, "GET", GROUP + "/appointments", summary="A group's sessions by day", tag=TAG,
           query=appointments_models.ScheduleQuery, response=appointments_models.Appointment, paginated=True)
def list_group_appointments(call: Call) -> Listing:
    return Listing(*service.group_schedule(principal=call.principal, group_id=call.params["group_id"],
                                           first_day=call.query.start, last_day=call.query.end,
                                           limit=call.query.limit, start_key=call.start_key))


ATTENDANCE = "/v1/appointments/{appointment_id}/attendance"


@operation(bp, "GET", ATTENDANCE, summary="Each member's attendance at a group session", tag=TAG,
           response=groups_models.GroupAttendance)
def get_group_attendance(call: Call) -> groups_models.GroupAttendance:
    return attendance.get_attendance(principal=call.principal, appointment_id=call.params["appointment_id"])


@operation(bp, "POST", ATTENDANCE, roles=EDITORS,
           summary="Mark a group session's attendance (all attended, then single members); charges each member",
           tag=TAG, body=groups_models.AttendanceUpdate, response=groups_models.GroupAttendance, status=200)
def mark_group_attendance(call: Call) -> groups_models.GroupAttendance:
    return attendance.mark_attendance(principal=call.principal, appointment_id=call.params["appointment_id"],
                                      update=call.body)


@operation(bp, "POST", ATTENDANCE + "/{client_id}/payments", roles=CASHIERS,
           summary="Take a payment from one member of a group session", tag=TAG, body=invoices_models.PaymentCreate,
           response=invoices_models.InvoiceChange, status=201)
def add_member_payment(call: Call) -> Reply:
    return Reply(attendance.member_payment(principal=call.principal, appointment_id=call.params["appointment_id"],
                                           client_id=call.params["client_id"], data=call.body), status=201)

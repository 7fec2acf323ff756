"""/v1/appointments: booking, schedule views, attendance."""
from __future__ import annotations

from typing import TYPE_CHECKING

from chalice import Blueprint

from chalicelib.auth import Role
from chalicelib.http import Call, Listing, Reply, operation
from chalicelib.lazy import lazy, models_of

bp = Blueprint(__name__)
if TYPE_CHECKING:  # what mypy and an IDE follow; at run time each is imported on first use
    from chalicelib.models import appointments as models
    from chalicelib.services import appointments as service
    from chalicelib.services import calendar_import
else:
    models = models_of("chalicelib.models.appointments")
    service = lazy("chalicelib.services.appointments")
    calendar_import = lazy("chalicelib.services.calendar_import")
TAG = "Appointments"
BOOKERS = {Role.ADMIN, Role.FRONT_DESK, Role.PRACTITIONER}


@operation(bp, "POST", "/v1/appointments", roles=BOOKERS, summary="Book an appointment or a series", tag=TAG,
           body=models.AppointmentCreate, response=models.Booking, status=201)
def book_appointment(call: Call) -> Reply:
    booking = service.book(principal=call.principal, data=call.body)
    return Reply(booking, status=201, headers={"Location": f"/v1/appointments/{booking.appointments[0].id}"})


@operation(bp, "POST", "/v1/appointment-previews", roles=BOOKERS,
           summary="What booking an appointment or a series would do (warnings, outcome), writing nothing", tag=TAG,
           body=models.AppointmentCreate, response=models.BookingPreview, status=200)
def preview_appointment(call: Call) -> models.BookingPreview:
    return service.preview(principal=call.principal, data=call.body)


@operation(bp, "GET", "/v1/appointments", summary="A practitioner's, room's or client's appointments by day",
           tag=TAG, query=models.AppointmentQuery, response=models.Appointment, paginated=True)
def list_appointments(call: Call) -> Listing:
    q = call.query
    return Listing(*service.schedule(principal=call.principal, practitioner_id=q.practitioner_id, room_id=q.room_id,
                                     client_id=q.client_id, first_day=q.start, last_day=q.end, limit=q.limit,
                                     start_key=call.start_key))


@operation(bp, "GET", "/v1/appointments/{appointment_id}", summary="Read an appointment", tag=TAG,
           response=models.Appointment)
def get_appointment(call: Call) -> models.Appointment:
    return service.get_appointment(principal=call.principal, appointment_id=call.params["appointment_id"])


@operation(bp, "POST", "/v1/appointments/{appointment_id}/status", roles=BOOKERS,
           summary="Attend, miss or cancel an appointment (charges or gives back)", tag=TAG, body=models.StatusChange,
           response=models.StatusResult, status=200, conditional=True)
def change_appointment_status(call: Call) -> models.StatusResult:
    return service.change_status(principal=call.principal, appointment_id=call.params["appointment_id"],
                                 change=call.body, expected_version=call.version)


@operation(bp, "PATCH", "/v1/appointments/{appointment_id}", roles=BOOKERS,
           summary="Move or change a booked appointment (or it and the rest of its series)", tag=TAG,
           body=models.AppointmentUpdate, response=models.SeriesChange)
def update_appointment(call: Call) -> models.SeriesChange:
    return service.update_appointment(principal=call.principal, appointment_id=call.params["appointment_id"],
                                      changes=call.body, expected_version=call.version)


@operation(bp, "POST", "/v1/appointments/{appointment_id}/cancel-following", roles=BOOKERS,
           summary="Cancel this appointment and the rest of its series", tag=TAG, body=models.CancelFollowing,
           response=models.SeriesChange, status=200, conditional=True)
def cancel_following_appointments(call: Call) -> models.SeriesChange:
    return service.cancel_following(principal=call.principal, appointment_id=call.params["appointment_id"],
                                    reason=call.body.reason, expected_version=call.version)


@operation(bp, "POST", "/v1/appointments/import", roles=BOOKERS,
           summary="Import an iCalendar file as appointments (or client sessions for billing)", tag=TAG,
           body=models.CalendarImport, response=models.CalendarImportResult, status=200)
def import_calendar(call: Call) -> models.CalendarImportResult:
    return calendar_import.import_calendar(principal=call.principal, data=call.body)

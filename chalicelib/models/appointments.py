"""Appointments: booking (single or a series), conflicts, and attendance."""
from datetime import datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, Field, model_validator

from chalicelib.domain import codes
from chalicelib.domain.scheduling import MAX_LENGTH
from chalicelib.models.common import Day, FieldError, Flag, Input, Moment, Output, QueryWhole, Ref, Whole
from chalicelib.models.entitlements import ChargeResult, ReversalResult

BillingCodeValue = Annotated[str, AfterValidator(codes.billing_code)]
Status = Literal["booked", "attended", "no_show", "late_cancel", "cancelled"]


class Recurrence(Input):
    frequency: Literal["weekly", "fortnightly"]
    count: Whole | None = Field(None, ge=2, le=104, description="Number of occurrences, this one included")
    until: Day | None = Field(None, description="Last possible date (practice time zone)")

    @model_validator(mode="after")
    def _one_end(self) -> "Recurrence":
        if (self.count is None) == (self.until is None):
            raise FieldError("count", "give exactly one of count or until")
        return self


def check_times(start: datetime, end: datetime) -> None:
    """Start and end of a booking: both local or both with an offset, in order, at most 12 hours."""
    if (start.tzinfo is None) != (end.tzinfo is None):
        raise FieldError("end", "give start and end both with or both without a UTC offset")
    if end <= start:
        raise FieldError("end", "end must be after start")
    if end - start > MAX_LENGTH:
        raise FieldError("end", "an appointment lasts at most 12 hours")


class AppointmentCreate(Input):
    client_id: Ref
    practitioner_id: Ref
    location_id: Ref
    room_id: Ref | None = None
    start: Moment = Field(description="Without an offset it is the practice's local time")
    end: Moment
    billing_code: BillingCodeValue | None = Field(None, description="Defaults to the client's default service code")
    telehealth: Flag = False
    notes: str | None = Field(None, max_length=2000)
    recurrence: Recurrence | None = None
    override_room_conflict: Flag = Field(False, description="Book although the room is taken (warn mode only)")

    @model_validator(mode="after")
    def _times(self) -> "AppointmentCreate":
        check_times(self.start, self.end)
        return self


class Appointment(Output):
    id: str
    series_id: str | None = None
    occurrence: int = 1
    client_id: str | None = Field(None, description="The client; none for a group appointment")
    group_id: str | None = Field(None, description="The group, for a group appointment")
    practitioner_id: str
    location_id: str
    room_id: str | None = None
    start: datetime
    end: datetime
    billing_code: str
    telehealth: bool
    notes: str | None = None
    status: Status
    cancel_reason: str | None = None
    prior_authorization_number: str | None = None
    version: int
    created_at: str
    updated_at: str


class BookingWarning(Output):
    occurrence: int
    client_id: str | None = Field(None, description="The group member a balance warning is about")
    start: datetime
    kind: Literal["room", "practitioner", "authorization", "pack"]
    detail: str


class Booking(Output):
    appointments: list[Appointment]
    warnings: list[BookingWarning]
    version: int = Field(description="The first appointment's version, also sent as its ETag")


class PlannedOccurrence(Output):
    occurrence: int
    start: datetime
    end: datetime


class BookingPreview(Output):
    """What a booking would do, with nothing written."""
    occurrences: list[PlannedOccurrence]
    warnings: list[BookingWarning]
    outcome: Literal["books", "needs_override", "refused"] = Field(description=(
        "books: booking this body succeeds, with these warnings; needs_override: the room is taken, "
        "send override_room_conflict: true to book anyway; refused: the practice blocks this booking "
        "(a taken room, or a balance, in its block mode)"))


class StatusChange(Input):
    status: Status
    reason: str | None = Field(None, max_length=500, description="Required when cancelling")
    minutes: Whole | None = Field(None, ge=0, le=1440, description="Session length if not the booked one")

    @model_validator(mode="after")
    def _reason(self) -> "StatusChange":
        if self.status == "cancelled" and not self.reason:
            raise FieldError("reason", "give a reason to cancel")
        return self


class StatusResult(Output):
    appointment: Appointment
    charge: ChargeResult | None = None
    reversal: ReversalResult | None = None
    version: int = Field(description="The appointment's version, also sent as its ETag")


class ScheduleQuery(Input):
    """A page of a schedule between two days."""

    limit: QueryWhole = Field(50, ge=1, le=100)
    cursor: str | None = None
    start: Day = Field(alias="from", description="First day (practice time zone)")
    end: Day = Field(alias="to", description="Last day, included")

    @model_validator(mode="after")
    def _days(self) -> "ScheduleQuery":
        if self.end < self.start:
            raise FieldError("to", "'to' is before 'from'")
        if (self.end - self.start).days > 92:
            raise FieldError("to", "a view spans at most 93 days")
        return self


class AppointmentQuery(ScheduleQuery):
    practitioner_id: Ref | None = None
    room_id: Ref | None = None
    client_id: Ref | None = None

    @model_validator(mode="after")
    def _one_view(self) -> "AppointmentQuery":
        if sum(x is not None for x in (self.practitioner_id, self.room_id, self.client_id)) != 1:
            raise FieldError("practitioner_id", "give exactly one of practitioner_id, room_id or client_id")
        return self


class AppointmentUpdate(Input):
    """Move or change a booked appointment; `scope: following` applies the same change to the
    later booked occurrences of its series (a time change shifts each by the same amount)."""

    start: Moment | None = None
    end: Moment | None = None
    practitioner_id: Ref | None = None
    room_id: Ref | None = None
    billing_code: BillingCodeValue | None = None
    telehealth: Flag | None = None
    notes: str | None = Field(None, max_length=2000)
    scope: Literal["this", "following"] = "this"
    override_room_conflict: Flag = False

    @model_validator(mode="after")
    def _times(self) -> "AppointmentUpdate":
        # Only the room and the notes can be cleared; null elsewhere would store a broken booking.
        for name in ("start", "end", "practitioner_id", "billing_code", "telehealth"):
            if name in self.model_fields_set and getattr(self, name) is None:
                raise FieldError(name, "cannot be cleared; leave it out to keep it")
        if (self.start is None) != (self.end is None):
            raise FieldError("start" if self.start is None else "end", "give start and end together")
        if self.start and self.end:
            check_times(self.start, self.end)
        return self


class CancelFollowing(Input):
    reason: str = Field(min_length=1, max_length=500)


class SeriesChange(Output):
    appointments: list[Appointment]
    warnings: list[BookingWarning] = []
    version: int = Field(description="The version of the appointment addressed (the first), also sent as its ETag")


class CalendarImport(Input):
    """An iCalendar (.ics) file to turn into appointments, or client sessions for billing."""

    calendar: str = Field(min_length=1, max_length=2_000_000, description="The .ics file's text")
    practitioner_id: Ref
    location_id: Ref
    billing_code: BillingCodeValue | None = Field(None, description="Defaults to each client's default code")
    send_to_billing: Flag = Field(False, description="Create client sessions (charged) instead of appointments")
    until: Day | None = Field(None, description="Stop repeating events here (at most a year of occurrences)")


class ImportedEvent(Output):
    uid: str
    start: datetime
    client_id: str | None = None
    created_id: str | None = Field(None, description=(
        "The appointment or client session this import, or an earlier one, made for the occurrence"))
    outcome: Literal["created", "already_imported", "no_matching_client", "skipped", "moved", "rebooked",
                     "cancelled", "conflict"] = Field(description=(
        "moved: the calendar moved an occurrence an earlier import booked, and its appointment is moved "
        "(same id); rebooked: the calendar has again an occurrence an earlier import cancelled, and it is booked "
        "again (new id); cancelled: the calendar now cancels an occurrence an earlier import booked, or its "
        "series no longer holds it, and its appointment is cancelled; conflict: the calendar changed an "
        "occurrence whose record is kept as it is (attended, missed, with another practitioner, moved or "
        "cancelled in Caseload, sent to billing, or the room or practitioner is taken): detail says why"))
    detail: str | None = None


class CalendarImportResult(Output):
    created: int
    already_imported: int
    unmatched: int
    moved: int = Field(description="Appointments of earlier imports moved because the calendar moved them")
    rebooked: int = Field(description="Occurrences booked again because the calendar has them again after an "
                                      "earlier import cancelled them")
    cancelled: int = Field(description="Appointments of earlier imports cancelled because the calendar cancels them "
                                       "or no longer holds them")
    conflicts: int = Field(description="Records of earlier imports the calendar changes but this import keeps")
    events: list[ImportedEvent]

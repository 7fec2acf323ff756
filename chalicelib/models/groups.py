"""Group therapy: groups, members, group appointments and per-member attendance (PRODUCT.md §7)."""
import re
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BeforeValidator, Field, model_validator

from chalicelib.domain import codes
from chalicelib.domain.groups import DEFAULT_GROUP_CODE, MAX_MEMBERS
from chalicelib.models.appointments import Recurrence, check_times
from chalicelib.models.common import FieldError, Flag, Input, Moment, Money, NonEmpty, Output, Ref, Whole
from chalicelib.models.entitlements import ChargeResult, ReversalResult
from chalicelib.models.sessions import PaidAtSession

BillingCodeValue = Annotated[str, AfterValidator(codes.billing_code)]
Initials = Annotated[str, Field(min_length=1, max_length=6, pattern=r"^[A-Za-z0-9]+$")]


class GroupCreate(Input):
    name: NonEmpty = Field(description="Full name, e.g. 'Tuesday anxiety group'")
    initials: Initials = Field(description="Shown on the calendar")
    practitioner_id: Ref | None = Field(None, description="Defaults to the calling practitioner")
    default_billing_code: BillingCodeValue = DEFAULT_GROUP_CODE
    active: Flag = True
    shared_with: list[Ref] = Field(default_factory=list, max_length=20,
                                   description="Practitioners who may see, edit, schedule and chart for the group")


class GroupUpdate(Input):
    name: NonEmpty | None = None
    initials: Initials | None = None
    practitioner_id: Ref | None = None
    default_billing_code: BillingCodeValue | None = None
    active: Flag | None = None
    shared_with: list[Ref] | None = Field(None, max_length=20)


class Group(Output):
    id: str
    name: str
    initials: str
    practitioner_id: str
    default_billing_code: str
    active: bool
    shared_with: list[str]
    member_count: int = Field(description=f"Current members (at most {MAX_MEMBERS})")
    version: int
    created_at: str
    updated_at: str


def _since_in(value: Any) -> Any:
    # A date alone has no time and no offset: say what to send rather than guess the practice's midnight.
    if isinstance(value, str) and re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value):
        raise ValueError("give since as a date and time with its UTC offset, e.g. 2026-11-01T00:00:00-05:00")
    return value


Since = Annotated[Moment, BeforeValidator(_since_in)]


class Joining(Input):
    since: Since | None = Field(None, description="When the membership began, to enter sessions held before "
                                                  "today: a past date and time with its UTC offset, e.g. "
                                                  "2026-11-01T00:00:00-05:00 (defaults to now)")

    @model_validator(mode="after")
    def _not_future(self) -> "Joining":
        # An offset is needed to know which sessions fall after it; the practice's zone is not known here.
        if self.since is not None and self.since.tzinfo is None:
            raise FieldError("since", "give since with its UTC offset, e.g. 2026-11-01T00:00:00-05:00 "
                                      "or 2026-11-01T05:00:00Z")
        if self.since is not None and self.since > datetime.now(UTC):
            raise FieldError("since", "since is in the future; give when the membership began (defaults to now)")
        return self


class MemberAdd(Joining):
    client_id: Ref


class ClientGroupAdd(Joining):
    group_id: Ref


class MembershipPeriod(Output):
    joined_at: str
    left_at: str | None = None


class Member(Output):
    group_id: str
    client_id: str
    client_name: str
    active: bool = Field(description="False once removed; the history stays")
    periods: list[MembershipPeriod]
    version: int


class ClientGroup(Output):
    """A group as listed on a client's profile."""

    group_id: str
    name: str
    initials: str
    practitioner_id: str
    active_member: bool
    periods: list[MembershipPeriod]


class GroupAppointmentCreate(Input):
    """A group session (or a series), booked like an appointment; the members come from the group."""

    location_id: Ref
    room_id: Ref | None = None
    practitioner_id: Ref | None = Field(None, description="Defaults to the group's practitioner")
    start: Moment = Field(description="Without an offset it is the practice's local time")
    end: Moment
    billing_code: BillingCodeValue | None = Field(None, description="Defaults to the group's default code")
    telehealth: Flag = False
    notes: str | None = Field(None, max_length=2000)
    recurrence: Recurrence | None = None
    override_room_conflict: Flag = False

    @model_validator(mode="after")
    def _times(self) -> "GroupAppointmentCreate":
        check_times(self.start, self.end)
        return self


AttendanceStatus = Literal["unmarked", "attended", "no_show", "late_cancel", "absent"]
FeeMode = Literal["default", "code", "custom", "none"]


class CustomCode(Input):
    """A code that is not in the practice's list, billed for this session only."""

    code: BillingCodeValue
    description: NonEmpty
    fee: Money


class MemberMark(Input):
    """One member's attendance. attended: billed with the group's default code, another
    standard `billing_code`, a `custom_code`, or no fee. no_show / late_cancel: charged where
    the member's pack says so (fee 'none': never). absent: not attended, no fee. unmarked:
    clears the mark (its charge is given back)."""

    client_id: Ref
    status: AttendanceStatus
    fee: FeeMode = "default"
    billing_code: BillingCodeValue | None = None
    custom_code: CustomCode | None = None
    minutes: Whole | None = Field(None, ge=0, le=1440, description="Defaults to the session's length")
    paid_at_session: PaidAtSession | None = None

    @model_validator(mode="after")
    def _fee(self) -> "MemberMark":
        if self.fee == "code" and not self.billing_code:
            raise FieldError("billing_code", "fee 'code' needs billing_code")
        if self.fee == "custom" and not self.custom_code:
            raise FieldError("custom_code", "fee 'custom' needs custom_code")
        if self.fee in ("code", "custom") and self.status != "attended":
            raise FieldError("fee", f"fee '{self.fee}' is for attended members")
        if self.fee != "code" and self.billing_code:
            raise FieldError("billing_code", "billing_code goes with fee 'code'")
        if self.fee != "custom" and self.custom_code:
            raise FieldError("custom_code", "custom_code goes with fee 'custom'")
        if self.paid_at_session and self.status != "attended":
            raise FieldError("paid_at_session", "paid_at_session is for attended members")
        return self


class AttendanceUpdate(Input):
    all_attended: Flag = Field(False, description="Mark every member attended with the default code first")
    members: list[MemberMark] = Field(default_factory=list, max_length=MAX_MEMBERS,
                                      description="Marks applied after all_attended, one per member")

    @model_validator(mode="after")
    def _something(self) -> "AttendanceUpdate":
        if not self.all_attended and not self.members:
            raise FieldError("members", "give all_attended or at least one member")
        ids = [m.client_id for m in self.members]
        if len(set(ids)) != len(ids):
            raise FieldError("members", "each member appears once")
        return self


class MemberAttendance(Output):
    client_id: str
    client_name: str
    status: AttendanceStatus
    fee: FeeMode
    billing_code: str | None = None
    amount: Money | None = Field(None, description="The session fee billed")
    session_id: str | None = Field(None, description="The member's client session (attended only)")
    charged: list[str] = Field(default_factory=list, description="What was counted, e.g. \"pack 'Group 10': 3 of 10\"")
    not_charged_reason: str | None = None
    prior_authorization_number: str | None = None
    summary: str = Field(description="The member's state at a glance")
    changed: bool = Field(False, description="Whether this request changed the member")
    error: str | None = Field(None, description="Why this member could not be changed now (the others were)")
    charge: ChargeResult | None = None
    reversal: ReversalResult | None = None
    version: int = 0


class NotCharged(Output):
    client_id: str
    reason: str


class GroupAttendance(Output):
    appointment_id: str
    group_id: str
    members: list[MemberAttendance]
    not_charged: list[NotCharged] = Field(description="Marked members with nothing to charge, and why")

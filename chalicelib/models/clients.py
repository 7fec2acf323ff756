"""Clients: demographics, insurance, referring provider, default service."""

from datetime import date
from typing import Annotated, Literal

from pydantic import AfterValidator, Field, model_validator

from chalicelib.domain import codes
from chalicelib.models.appointments import Appointment
from chalicelib.models.common import (
    Address,
    Day,
    Email,
    FieldError,
    Flag,
    Input,
    NonEmpty,
    Output,
    QueryFlag,
    QueryWhole,
    Ref,
)
from chalicelib.models.payers import ClaimAddress, Sex

Npi = Annotated[str, AfterValidator(codes.npi)]
BillingCodeValue = Annotated[str, AfterValidator(codes.billing_code)]


# The client's relationship to the subscriber, as a claim codes it (SBR02 / PAT01).
RELATIONSHIP_CODES = {"self": "18", "spouse": "01", "child": "19", "employee": "20", "unknown": "21",
                      "life_partner": "53", "other": "G8"}
Relationship = Literal["self", "spouse", "child", "employee", "unknown", "life_partner", "other"]


class Subscriber(Input):
    """The insured person when it is not the client; every field a claim needs, each optional
    at entry (the claim scrub reports what is missing)."""

    first_name: str | None = Field(None, max_length=60)
    last_name: str | None = Field(None, max_length=60)
    date_of_birth: Day | None = None
    sex: Sex | None = None
    address: ClaimAddress | None = None


class Insurance(Input):
    payer: NonEmpty
    member_id: NonEmpty
    group_number: str | None = Field(None, max_length=60)
    payer_id: Ref | None = Field(None, description="The payer in the catalogue (/v1/payers)")
    subscriber_relationship: Relationship = Field("self", description="The client's relationship to the subscriber")
    subscriber: Subscriber | None = Field(None, description="The subscriber, when not the client")


class ReferringProvider(Input):
    """First name, last name and NPI, all three together (a claim needs them as a set)."""

    first_name: NonEmpty
    last_name: NonEmpty
    npi: Npi


class DefaultService(Input):
    """What a new appointment for this client bills by default: one of a code, a pack
    template, or one of the client's packs."""

    billing_code: BillingCodeValue | None = None
    pack_template_id: Ref | None = None
    pack_id: Ref | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> "DefaultService":
        chosen = [f for f in ("billing_code", "pack_template_id", "pack_id") if getattr(self, f)]
        if len(chosen) != 1:
            raise FieldError(chosen[1] if chosen else "billing_code",
                             "give exactly one of billing_code, pack_template_id or pack_id")
        return self


class ClientCreate(Input):
    first_name: NonEmpty
    last_name: NonEmpty
    preferred_name: str | None = Field(None, max_length=200)
    date_of_birth: Day | None = None
    sex: Sex | None = Field(None, description="As a claim carries it: M, F or U")
    email: Email | None = None
    phone: str | None = Field(None, max_length=40)
    address: Address | None = None
    primary_insurance: Insurance | None = None
    secondary_insurance: Insurance | None = None
    referring_provider: ReferringProvider | None = None
    default_service: DefaultService | None = None
    practitioner_id: Ref | None = Field(None, description="The client's usual practitioner")
    admin_notes: str | None = Field(None, max_length=5000)
    archived: Flag = False

    @model_validator(mode="after")
    def _insurance_order(self) -> "ClientCreate":
        if self.secondary_insurance and not self.primary_insurance:
            raise FieldError("primary_insurance", "a secondary insurance needs a primary insurance")
        return self


class ClientUpdate(Input):
    first_name: NonEmpty | None = None
    last_name: NonEmpty | None = None
    preferred_name: str | None = Field(None, max_length=200)
    date_of_birth: Day | None = None
    sex: Sex | None = Field(None, description="As a claim carries it: M, F or U")
    email: Email | None = None
    phone: str | None = Field(None, max_length=40)
    address: Address | None = None
    primary_insurance: Insurance | None = None
    secondary_insurance: Insurance | None = None
    referring_provider: ReferringProvider | None = None
    default_service: DefaultService | None = None
    practitioner_id: Ref | None = None
    admin_notes: str | None = Field(None, max_length=5000)
    archived: Flag | None = None


class ClientQuery(Input):
    limit: QueryWhole = Field(50, ge=1, le=100)
    cursor: str | None = None
    q: str | None = Field(None, min_length=1, max_length=100,
                          description="Case-insensitive prefix of 'last name first name'")
    include_archived: QueryFlag = False


class EntitlementSummary(Output):
    """'used X of Y, Z left' for one pack or authorization."""

    id: str
    kind: str
    name: str
    measure: str
    used: str
    limit: str
    remaining: str
    status: str
    ends: str | None = None
    counted: str = Field(description="e.g. 'used 4 of 6 sessions, 2 left', 'used $180.00 of $1,000.00, $820.00 left'")
    version: int = Field(description="The pack's or authorization's version (its ETag)")


class Client(Output):
    id: str
    first_name: str
    last_name: str
    preferred_name: str | None = None
    date_of_birth: date | None = None
    sex: str | None = None
    email: str | None = None
    phone: str | None = None
    address: Address | None = None
    primary_insurance: Insurance | None = None
    secondary_insurance: Insurance | None = None
    referring_provider: ReferringProvider | None = None
    default_service: DefaultService | None = None
    practitioner_id: str | None = None
    admin_notes: str | None = None
    archived: bool
    version: int
    created_at: str
    updated_at: str


class GroupMembership(Output):
    """A group the client belongs to now, as its profile lists it."""

    group_id: str
    name: str
    initials: str
    practitioner_id: str
    joined_at: str = Field(description="When the client's current membership began")


class ClientProfile(Client):
    """A client with its open packs and authorizations, its next booked appointments and
    the groups it belongs to now."""

    packs: list[EntitlementSummary] = []
    authorizations: list[EntitlementSummary] = []
    upcoming_appointments: list[Appointment] = Field(
        default_factory=list, description="The next booked appointments from now, soonest first (at most 10)")
    groups: list[GroupMembership] = Field(default_factory=list,
                                          description="The groups the client belongs to now (that the caller may see)")

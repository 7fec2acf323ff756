"""Client sessions: the service record a claim is built from (PRODUCT.md §6)."""
from datetime import date, timedelta
from typing import Annotated, Literal

from pydantic import AfterValidator, Field, model_validator

from chalicelib.domain import codes
from chalicelib.domain.entitlements import BillTo
from chalicelib.models.clients import ReferringProvider
from chalicelib.models.common import Day, FieldError, Input, Money, Output, Ref, Whole
from chalicelib.models.entitlements import ChargeResult

BillingCodeValue = Annotated[str, AfterValidator(codes.billing_code)]
Diagnosis = Annotated[str, AfterValidator(codes.icd10_code)]
Modifier = Annotated[str, AfterValidator(codes.modifier)]
PosCode = Annotated[str, AfterValidator(codes.place_of_service)]
# More than a year ahead is a typo (2126 for 2026), not a booking: refused, not charged.
FURTHEST_AHEAD = timedelta(days=366)


def _not_far_ahead(day: date) -> date:
    if day > date.today() + FURTHEST_AHEAD:
        raise ValueError("a date of service is at most a year from today")
    return day


ServiceDate = Annotated[Day, AfterValidator(_not_far_ahead)]


class PaidAtSession(Input):
    amount: Money
    method: Literal["cash", "card", "eftpos", "check", "bank_transfer", "other"]


class SessionFields(Input):
    """Every field of a client session except what identifies and charges it."""

    primary_diagnosis: Diagnosis | None = None
    additional_diagnoses: list[Diagnosis] = Field(default_factory=list, max_length=3)
    place_of_service: PosCode | None = Field(None, description="Defaults from the location, else 11 (Office)")
    location_id: Ref | None = None
    bill_to: BillTo = Field("automatic", description="client: bill the client directly, bypassing insurance (no "
                                                     "authorization is used and no number stamped; a pack may pay)")
    paid_at_session: PaidAtSession | None = None
    modifiers: list[Modifier] = Field(default_factory=list, max_length=4)
    additional_dates: list[Day] = Field(default_factory=list, max_length=30)
    referring_provider: ReferringProvider | None = None
    line_note: str | None = Field(None, max_length=80, description="Free text for the electronic claim line")
    resubmission_code: Literal["7", "8"] | None = Field(None, description="7 replacement, 8 void")
    original_claim_reference: str | None = Field(None, max_length=50)
    comments: str | None = Field(None, max_length=2000)
    add_on_codes: list[BillingCodeValue] = Field(default_factory=list, max_length=4)

    @model_validator(mode="after")
    def _resubmission(self) -> "SessionFields":
        if self.resubmission_code and not self.original_claim_reference:
            raise FieldError("original_claim_reference", "a resubmission code needs original_claim_reference")
        return self


class SessionCreate(SessionFields):
    date_of_service: ServiceDate
    billing_code: BillingCodeValue
    minutes: Whole | None = Field(None, ge=0, le=1440, description="Defaults to the code's default minutes")
    fee: Money | None = Field(None, description="Defaults to the code's default charge")


class SessionUpdate(Input):
    """PATCH: a new billing code resets minutes and fee from the code unless they are sent too."""

    date_of_service: ServiceDate | None = None
    billing_code: BillingCodeValue | None = None
    minutes: Whole | None = Field(None, ge=0, le=1440)
    fee: Money | None = None
    primary_diagnosis: Diagnosis | None = None
    additional_diagnoses: list[Diagnosis] | None = Field(None, max_length=3)
    place_of_service: PosCode | None = None
    bill_to: BillTo | None = Field(None, description="A change re-charges the session")
    paid_at_session: PaidAtSession | None = None
    modifiers: list[Modifier] | None = Field(None, max_length=4)
    additional_dates: list[Day] | None = Field(None, max_length=30)
    referring_provider: ReferringProvider | None = None
    line_note: str | None = Field(None, max_length=80)
    resubmission_code: Literal["7", "8"] | None = None
    original_claim_reference: str | None = Field(None, max_length=50)
    comments: str | None = Field(None, max_length=2000)
    add_on_codes: list[BillingCodeValue] | None = Field(None, max_length=4)


class ClientSession(SessionFields):
    model_config = Output.model_config

    id: str
    client_id: str
    appointment_id: str | None = None
    group_id: str | None = Field(None, description="The group, for a member's group session")
    date_of_service: date
    billing_code: str
    minutes: int
    fee: Money
    place_of_service: str
    prior_authorization_number: str | None = Field(None, description="The number of the authorization the session "
                                                                     "counts against, as it is now")
    authorization_warning: str | None = Field(None, description="Why no prior authorization number")
    authorization_id: str | None = Field(None, description="The authorization the session counts against")
    version: int
    created_at: str
    updated_at: str


class SessionResult(Output):
    session: ClientSession
    charge: ChargeResult | None = Field(None, description="The charge, when this change made one")
    version: int = Field(description="The session's version, also sent as its ETag")

"""Insurance claims (837P) built from client sessions, their scrub problems, status and exports."""

from datetime import date
from typing import ClassVar, Literal

from pydantic import Field, model_validator

from chalicelib.models.common import (
    FieldError,
    Input,
    ListQuery,
    Money,
    NonEmpty,
    Output,
)

ClaimStatus = Literal["draft", "ready", "submitted", "accepted", "rejected", "paid", "denied"]
Outcome = Literal["accepted", "rejected", "paid", "denied"]
SessionIds = list[NonEmpty]


class ClaimCreate(Input):
    """Sessions to bill: `session_ids` of one client, or every client's (or one client's)
    sessions dated `from`..`to`. Only sessions billed to insurance, on the primary insurance."""

    client_id: str | None = Field(None, max_length=60, description="Needed with session_ids")
    session_ids: SessionIds | None = Field(None, min_length=1, max_length=100)
    from_: date | None = Field(None, alias="from")
    to: date | None = None

    @model_validator(mode="after")
    def _one_way(self) -> "ClaimCreate":
        if self.session_ids is not None:
            if self.from_ is not None or self.to is not None:
                raise FieldError("session_ids", "give session_ids or from and to, not both")
            if not self.client_id:
                raise FieldError("client_id", "session_ids need the client_id they belong to")
            return self
        if self.from_ is None or self.to is None:
            raise FieldError("from" if self.from_ is None else "to", "give session_ids, or both from and to")
        if self.to < self.from_:
            raise FieldError("to", "is before from")
        if (self.to - self.from_).days > 92:
            raise FieldError("to", "at most 93 days at a time")
        return self


class ClaimQuery(ListQuery):
    status: ClaimStatus | None = None
    payer_id: str | None = Field(None, max_length=60, description="The payer in the catalogue")
    client_id: str | None = Field(None, max_length=60)
    from_: date | None = Field(None, alias="from", description="Dates of service from (inclusive)")
    to: date | None = None

    @model_validator(mode="after")
    def _range(self) -> "ClaimQuery":
        if self.from_ and self.to and self.to < self.from_:
            raise FieldError("to", "is before from")
        return self


class Problem(Output):
    record: str = Field(description="practice, payer, client, client_insurance, practitioner, session, "
                                    "authorization, location or claim")
    record_id: str
    field: str
    reason: str


class ClaimLine(Output):
    session_id: str
    code: str
    date_of_service: date
    charge: Money
    units: str
    modifiers: list[str] = Field(default_factory=list)
    place_of_service: str | None = None
    diagnosis_pointers: list[int] = Field(default_factory=list)
    note: str | None = None


class StatusChange(Output):
    status: str
    at: str
    by: str
    note: str | None = None


class Claim(Output):
    id: str
    status: ClaimStatus
    patient_control_number: str = Field(description="CLM01, what the payer quotes back")
    client_id: str
    payer_id: str | None = Field(None, description="The payer in the catalogue")
    practitioner_id: str | None = Field(None, description="The rendering provider")
    date_of_service: date
    session_ids: list[str]
    lines: list[ClaimLine]
    diagnoses: list[str]
    total_charge: Money
    frequency_code: str = Field(description="1 original, 7 replacement, 8 void")
    prior_authorization_number: str | None = None
    problems: list[Problem] = Field(description="Everything that would get the claim rejected; empty when ready")
    history: list[StatusChange]
    export_id: str | None = Field(None, description="The 837P file it was last submitted in")
    version: int
    created_at: str
    updated_at: str


class SkippedSession(Output):
    client_id: str
    session_id: str
    reason: str


class ClaimsCreated(Output):
    claims: list[Claim]
    skipped: list[SkippedSession] = Field(description="Sessions that did not become claims, and why")
    versioned_entity: ClassVar[str | None] = "claims"
    id: str = Field("", description="The first claim's id (empty when none was created)")


class ClaimOutcome(Input):
    status: Outcome
    note: str | None = Field(None, max_length=500, description="e.g. the payer's claim number or the reason")


class ExportCreate(Input):
    payer_id: NonEmpty = Field(description="The payer in the catalogue whose ready claims to export")


class LeftOut(Output):
    claim_id: str
    problems: list[Problem]


class ClaimExport(Output):
    id: str
    payer_id: str
    claim_ids: list[str]
    interchange_control_number: int
    group_control_number: int
    created_at: str
    created_by: str
    left_out: list[LeftOut] = Field([], description="Ready claims whose records changed since their check")
    x12: str = Field(description="The 837P file (X12 005010X222A1), exactly as exported")

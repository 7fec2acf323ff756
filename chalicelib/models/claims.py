"""Insurance claims (837P) built from client sessions, their scrub problems, status and exports."""

from datetime import date
from typing import Annotated, ClassVar, Literal

from pydantic import Field, StringConstraints, model_validator

from chalicelib.models.common import (
    Day,
    FieldError,
    Input,
    ListQuery,
    Money,
    Output,
    Ref,
)

ClaimStatus = Literal["draft", "ready", "submitted", "accepted", "rejected", "paid", "denied", "replaced", "voided"]
# A payer's answer, or (replaced, voided) billing's correction of a paid, accepted or denied claim.
Outcome = Literal["accepted", "rejected", "paid", "denied", "replaced", "voided"]
SessionIds = list[Ref]
# An identifier the 837P carries as it is: no X12 delimiter (~ * : ^).
X12Reference = Annotated[str, StringConstraints(min_length=1, max_length=50, pattern=r"^[^~*:^]+$")]


class ClaimCreate(Input):
    """Sessions to bill: `session_ids` (of any clients of the practice), or every client's (or
    one client's) sessions dated `from`..`to`. Only sessions billed to insurance, on the primary
    insurance."""

    client_id: Ref | None = Field(None, description="With session_ids: they must be this client's; "
                                                    "with dates: only hers")
    session_ids: SessionIds | None = Field(None, min_length=1, max_length=100)
    from_: Day | None = Field(None, alias="from")
    to: Day | None = None

    @model_validator(mode="after")
    def _one_way(self) -> "ClaimCreate":
        if self.session_ids is not None:
            if self.from_ is not None or self.to is not None:
                raise FieldError("session_ids", "give session_ids or from and to, not both")
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
    payer_id: Ref | None = Field(None, description="The payer in the catalogue")
    client_id: Ref | None = None
    from_: Day | None = Field(None, alias="from", description="Dates of service from (inclusive)")
    to: Day | None = None

    @model_validator(mode="after")
    def _range(self) -> "ClaimQuery":
        if self.from_ and self.to and self.to < self.from_:
            raise FieldError("to", "is before from")
        return self


class ClaimProblem(Output):
    record: str = Field(description="practice, payer, client, client_insurance (the client's primary_insurance), "
                                    "practitioner, session, billing_code, authorization, location or claim")
    record_id: str = Field(description="The record's id (a client's for client_insurance, the code for billing_code)")
    field: str = Field(description="The field as the record's PATCH body names it, e.g. address.postal_code, "
                                   "primary_insurance.member_id")
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
    problems: list[ClaimProblem] = Field(description="Everything that would get the claim rejected; empty when ready")
    history: list[StatusChange]
    export_id: str | None = Field(None, description="The 837P file it was last submitted in")
    payer_claim_number: str | None = Field(None, description="The payer's own number for the claim (ICN)")
    original_reference: str | None = Field(None, description="REF*F8 of a replacement (7) or void (8)")
    replaces: str | None = Field(None, description="The paid, accepted or denied claim this one replaces or voids")
    replaced_by: str | None = Field(None, description="The replacement or void claim that took its sessions")
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
    id: str | None = Field(description=(
        "The first claim's id; null when none was created (the answer is then 200, not 201, and every "
        "session named or dated is in `skipped` with its reason)"))


class ClaimOutcome(Input):
    """A payer's answer to a submitted claim, or a correction of a paid, accepted or denied one:
    `replaced` or `voided` starts a new claim (frequency 7 or 8) for the same sessions, which
    carries the payer's claim number as its original reference (REF*F8)."""

    status: Outcome
    note: str | None = Field(None, max_length=500, description="e.g. the reason")
    payer_claim_number: X12Reference | None = Field(
        None, description="The payer's number for the claim, as its answer quotes it (ICN/DCN)")
    original_reference: X12Reference | None = Field(
        None, description="replaced/voided only: REF*F8 when the payer's claim number was not recorded")

    @model_validator(mode="after")
    def _reference_for_corrections(self) -> "ClaimOutcome":
        if self.original_reference is not None and self.status not in ("replaced", "voided"):
            raise FieldError("original_reference", "only a replacement or a void has an original reference")
        return self


class ExportQuery(ListQuery):
    payer_id: Ref | None = Field(None, description="Only this payer's exports")


class ExportCreate(Input):
    payer_id: Ref = Field(description="The payer in the catalogue whose ready claims to export")


class LeftOut(Output):
    claim_id: str
    payer_id: str | None = Field(None, description="The payer the claim is for now: another payer when its "
                                                   "client's insurance changed since its check (it stays ready, "
                                                   "under that payer)")
    problems: list[ClaimProblem] = Field(description="Why it went back to draft; empty when it is for another payer")


class ClaimExport(Output):
    id: str
    payer_id: str
    claim_ids: list[str]
    interchange_control_number: int
    group_control_number: int
    created_at: str
    created_by: str
    left_out: list[LeftOut] = Field([], description="Ready claims whose records changed since their check: back in "
                                                    "draft with their problems, or now for another payer")
    x12: str = Field(description="The 837P file (X12 005010X222A1), exactly as exported")


class ExportSummary(Output):
    """An 837P export as the list shows it: without its file (GET /v1/claims/exports/{id} has it)."""

    id: str
    payer_id: str
    claim_ids: list[str]
    claim_count: int
    interchange_control_number: int
    group_control_number: int
    created_at: str
    created_by: str

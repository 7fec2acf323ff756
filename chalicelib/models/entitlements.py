"""Pack templates, client packs, authorizations, and the charge a session makes on them."""

from datetime import date
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import AfterValidator, Field, model_validator

from chalicelib.domain import codes
from chalicelib.domain.entitlements import Attendance, AuthMeasure, BillTo, CodeMode, PackMeasure
from chalicelib.models.common import (
    Day,
    DecimalText,
    FieldError,
    Flag,
    Input,
    ListQuery,
    Money,
    NonEmpty,
    Output,
    QueryFlag,
    Ref,
    Whole,
)

BillingCodeValue = Annotated[str, AfterValidator(codes.billing_code)]
Quantity = Annotated[Decimal, DecimalText, Field(gt=0, le=1_000_000, max_digits=12, decimal_places=2)]


class CodeRuleIn(Input):
    """Which billing codes count: `only` the listed codes, or `all_except` the listed ones."""

    mode: CodeMode = "all_except"
    codes: list[BillingCodeValue] = Field(default_factory=list, max_length=200)

    @model_validator(mode="after")
    def _only_needs_codes(self) -> "CodeRuleIn":
        if self.mode == "only" and not self.codes:
            raise FieldError("codes", "mode 'only' needs at least one code")
        return self


class Validity(Input):
    """How long a pack is valid: N days or months after purchase or after first use."""

    amount: Whole = Field(ge=1, le=120)
    unit: Literal["days", "months"]
    starts: Literal["purchase", "first_use"] = "purchase"


class Category(Input):
    name: NonEmpty
    percent: Annotated[Decimal, DecimalText] = Field(gt=0, le=100, decimal_places=2)


def _check_categories(categories: list[Category]) -> list[Category]:
    if categories and sum(c.percent for c in categories) != 100:
        raise ValueError(f"category percentages add up to {sum(c.percent for c in categories)}, not 100")
    if len({c.name for c in categories}) != len(categories):
        raise ValueError("category names must be unique")
    return categories


Categories = Annotated[list[Category], Field(max_length=20), AfterValidator(_check_categories)]


def _whole_for_counts(measure: str, value: Decimal | None, field: str) -> None:
    if value is not None and measure in ("sessions", "minutes", "units") and value != value.to_integral_value():
        raise FieldError(field, f"{field} must be a whole number of {measure}")


class PackTemplateCreate(Input):
    name: NonEmpty
    measure: PackMeasure
    quantity: Quantity = Field(description="Sessions, minutes, or money the pack holds")
    price: Money
    validity: Validity | None = None
    codes: CodeRuleIn = Field(default_factory=CodeRuleIn)
    categories: Categories = Field(default_factory=list)
    active: Flag = True

    @model_validator(mode="after")
    def _whole(self) -> "PackTemplateCreate":
        _whole_for_counts(self.measure, self.quantity, "quantity")
        return self


class PackTemplateUpdate(Input):
    name: NonEmpty | None = None
    price: Money | None = None
    validity: Validity | None = None
    codes: CodeRuleIn | None = None
    categories: Categories | None = None
    active: Flag | None = None


class CodeRuleOut(Output):
    mode: CodeMode
    codes: list[str]


class PackTemplate(Output):
    id: str
    name: str
    measure: PackMeasure
    quantity: Decimal
    price: Money
    validity: Validity | None = None
    codes: CodeRuleOut
    categories: list[Category]
    active: bool
    version: int
    created_at: str
    updated_at: str


class PackCreate(Input):
    """From a template (its fields are defaults) or from scratch (measure, limit, price needed)."""

    template_id: Ref | None = None
    name: NonEmpty | None = None
    measure: PackMeasure | None = None
    limit: Quantity | None = Field(None, description="Defaults to the template's quantity")
    price: Money | None = None
    purchased_on: Day | None = Field(None, description="Defaults to today in the practice time zone")
    validity: Validity | None = None
    codes: CodeRuleIn | None = None
    categories: Categories | None = None
    charge_no_shows: Flag = False
    charge_late_cancels: Flag = False
    auto_renew: Flag = Field(False, description="Open the next pack from the same template when used up")
    practitioner_id: Ref | None = None
    session_ids: list[Ref] = Field(default_factory=list, max_length=50,
                                   description="Sessions already delivered that this pack pays for (retroactive)")

    @model_validator(mode="after")
    def _template_or_details(self) -> "PackCreate":
        if not self.template_id:
            missing = [f for f in ("name", "measure", "limit", "price") if getattr(self, f) is None]
            if missing:
                raise FieldError(missing[0], f"without template_id, give {', '.join(missing)}")
            if self.auto_renew:
                raise FieldError("auto_renew", "auto_renew needs a template_id")
        if self.measure:
            _whole_for_counts(self.measure, self.limit, "limit")
        return self


class PackUpdate(Input):
    name: NonEmpty | None = None
    limit: Quantity | None = Field(None, description="Every figure is recalculated; cannot go below what is used")
    expires_on: Day | None = None
    charge_no_shows: Flag | None = None
    charge_late_cancels: Flag | None = None
    auto_renew: Flag | None = None
    practitioner_id: Ref | None = None
    closed: Flag | None = None


class ConsolidateRequest(Input):
    source_pack_id: Ref = Field(description="The pack merged into this one, then closed")


class Pack(Output):
    id: str
    client_id: str
    template_id: str | None = None
    name: str
    measure: PackMeasure
    limit: Decimal
    used: Decimal
    remaining: Decimal
    price: Money
    purchased_on: date
    validity: Validity | None = None
    expires_on: date | None = None
    codes: CodeRuleOut
    categories: list[Category]
    charge_no_shows: bool
    charge_late_cancels: bool
    auto_renew: bool
    practitioner_id: str | None = None
    status: str
    consolidated_into: str | None = None
    renewed_pack_id: str | None = Field(None, description="The pack opened when this auto-renew pack was used up")
    version: int
    created_at: str
    updated_at: str


class AuthorizationCreate(Input):
    payer: NonEmpty
    measure: AuthMeasure = "sessions"
    begin_on: Day
    end_on: Day
    allowed: Quantity
    number: str | None = Field(None, max_length=50, description="Prior authorization number for claims")
    codes: CodeRuleIn = Field(default_factory=CodeRuleIn)
    practitioner_id: Ref | None = None

    @model_validator(mode="after")
    def _dates_and_count(self) -> "AuthorizationCreate":
        if self.end_on < self.begin_on:
            raise FieldError("end_on", "end_on is before begin_on")
        _whole_for_counts(self.measure, self.allowed, "allowed")
        return self


class AuthorizationUpdate(Input):
    payer: NonEmpty | None = None
    begin_on: Day | None = None
    end_on: Day | None = None
    allowed: Quantity | None = None
    number: str | None = Field(None, max_length=50)
    codes: CodeRuleIn | None = None
    practitioner_id: Ref | None = None
    closed: Flag | None = None


class Authorization(Output):
    id: str
    client_id: str
    payer: str
    measure: AuthMeasure
    begin_on: date
    end_on: date
    allowed: Decimal
    used: Decimal
    remaining: Decimal
    number: str | None = None
    codes: CodeRuleOut
    practitioner_id: str | None = None
    status: str
    version: int
    created_at: str
    updated_at: str


class ChargeRequest(Input):
    """A delivered (or missed) client session to count against the client's entitlements."""

    session_ref: str = Field(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9_.:-]+$",
                             description="Your id of the client session; a session is charged once")
    date: Day
    billing_code: BillingCodeValue
    minutes: Whole | None = Field(None, ge=0, le=1440, description="Defaults to the code's default minutes")
    fee: Money | None = Field(None, description="Defaults to the code's default charge")
    attendance: Attendance = "attended"
    bill_to: BillTo = Field("automatic", description="client: billed to the client directly, so no insurance "
                                                     "authorization is used (a pack still may pay)")


class AuthorizationCharge(Output):
    id: str
    payer: str
    number: str | None = None
    measure: AuthMeasure
    charged: Decimal
    used: Decimal
    allowed: Decimal
    remaining: Decimal
    end_on: date
    counted: str = Field(description="e.g. 'session 7 of 12 authorized, 5 left, ends 2027-03-31'")


class PackCharge(Output):
    id: str
    name: str
    measure: PackMeasure
    charged: Decimal
    used: Decimal
    limit: Decimal
    remaining: Decimal
    expires_on: date | None = None
    renewed_pack_id: str | None = Field(None, description="The pack opened because this one was used up")
    counted: str = Field(description="e.g. 'session 4 of 6, 2 left', '90 of 600 minutes, 510 left', "
                                     "'$180.00 of $1,000.00, $820.00 left'")


class ChargeResult(Output):
    session_ref: str
    status: Literal["charged", "already_charged", "nothing_charged"]
    prior_authorization_number: str | None = Field(None, description="Write this on the claim")
    authorization: AuthorizationCharge | None = None
    authorization_reason: str | None = Field(None, description="Why no authorization counted this session")
    pack: PackCharge | None = None
    pack_reason: str | None = Field(None, description="Why no pack was charged")
    warnings: list[str] = []


class ReversalResult(Output):
    session_ref: str
    reversed: list[dict[str, str]] = Field(description="Each entitlement given back: id, kind, amount")


class LedgerEntry(Output):
    id: str
    entitlement_id: str
    session_ref: str | None = None
    kind: Literal["charge", "reversal", "moved_in", "moved_out"]
    amount: Decimal
    on: date | None = None
    billing_code: str | None = None
    note: str | None = None
    created_at: str


class UsageView(Output):
    kind: Literal["pack", "authorization"]
    entitlement_id: str
    amount: Decimal
    on: date
    billing_code: str
    authorization_number: str | None = None


class SessionCharges(Output):
    """What one client session currently counts against."""

    session_ref: str
    usages: list[UsageView]


class EntitlementListQuery(ListQuery):
    include_closed: QueryFlag = Field(False, description="Also closed and consolidated ones (deleted ones never)")

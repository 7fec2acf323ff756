"""Invoices for a client session or a pack sale, and their payments."""
from datetime import date
from decimal import Decimal
from typing import Literal

from pydantic import Field, ValidationInfo, field_validator, model_validator

from chalicelib.models.common import Day, FieldError, Input, ListQuery, Money, Output, Ref
from chalicelib.models.entitlements import ChargeResult

PaymentMethod = Literal["cash", "card", "eftpos", "check", "bank_transfer", "insurance", "other"]
# What is left to pay: nothing paid and something due, some paid and some due, nothing due;
# or void: the session or pack it billed no longer exists.
InvoiceStatus = Literal["unpaid", "part_paid", "paid", "void"]


class InvoiceCreate(Input):
    """An invoice for one client session, or for the sale of one pack."""

    session_id: Ref | None = None
    pack_id: Ref | None = None
    issued_on: Day | None = Field(None, description="The invoice date; defaults to today in the practice time zone")

    @model_validator(mode="after")
    def _one(self) -> "InvoiceCreate":
        if (self.session_id is None) == (self.pack_id is None):
            raise FieldError("pack_id" if self.session_id else "session_id",
                             "give exactly one of session_id or pack_id")
        return self


class InvoiceLine(Output):
    description: str
    code: str | None = None
    amount: Money


class Payment(Output):
    id: str
    amount: Money
    method: PaymentMethod
    on: date
    at_session: bool = Field(False, description="Taken at the session (the session's paid at session)")


class PaymentCreate(Input):
    amount: Money = Field(description="More than zero, at most the balance due")
    method: PaymentMethod
    on: Day | None = Field(None, description="Defaults to today in the practice time zone")

    @model_validator(mode="after")
    def _positive(self) -> "PaymentCreate":
        if self.amount <= 0:
            raise FieldError("amount", "a payment is more than zero")
        return self


class ApplyPack(Input):
    pack_id: Ref


class Invoice(Output):
    id: str
    client_id: str
    subject: Literal["session", "pack_sale"] = Field(description="What the invoice is for")
    session_id: str | None = None
    pack_id: str | None = None
    lines: list[InvoiceLine]
    total: Money
    covered_by_pack: Money = Field(description="What a prepaid pack covers of this session")
    applied_pack_id: str | None = None
    paid: Money
    balance_due: Money
    credit: Money = Field(Decimal("0.00"), description="Paid beyond what is due now (a pack also paid, the fee was "
                                              "cut, or the invoice is void): refund it or keep it on account")
    payments: list[Payment]
    status: InvoiceStatus = Field(description="unpaid: nothing paid yet and a balance due; part_paid: some paid "
                                              "and a balance due; paid: nothing due (paid or covered by a pack); "
                                              "void: its session or pack no longer exists (totals zero, lines kept "
                                              "as invoiced, payments are credit)")
    void_reason: Literal["session_removed", "pack_deleted"] | None = Field(
        None, description="Why a void invoice is void: its session was deleted (or its appointment cancelled or "
                          "no longer attended), or its pack deleted")
    issued_on: date = Field(description="The invoice date")
    version: int
    created_at: str
    updated_at: str


class InvoiceChange(Output):
    invoice: Invoice
    charge: ChargeResult | None = None
    version: int = Field(description="The invoice's version, also sent as its ETag")


class InvoiceListQuery(ListQuery):
    """Filters of the practice-wide invoice list; any combination."""

    status: InvoiceStatus | None = None
    client_id: Ref | None = None
    start: Day | None = Field(None, alias="from", description="First invoice date, included")
    end: Day | None = Field(None, alias="to", description="Last invoice date, included")

    @field_validator("end")
    @classmethod
    def _after_start(cls, end: date | None, info: ValidationInfo) -> date | None:
        start = info.data.get("start")
        if end is not None and start is not None and end < start:
            raise ValueError("'to' is before 'from'")
        return end

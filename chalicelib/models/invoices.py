"""Invoices for a client session or a pack sale, and their payments."""
from datetime import date
from typing import Literal

from pydantic import Field, model_validator

from chalicelib.models.common import Input, Money, Output
from chalicelib.models.entitlements import ChargeResult

PaymentMethod = Literal["cash", "card", "eftpos", "check", "bank_transfer", "insurance", "other"]


class InvoiceCreate(Input):
    """An invoice for one client session, or for the sale of one pack."""

    session_id: str | None = None
    pack_id: str | None = None

    @model_validator(mode="after")
    def _one(self) -> "InvoiceCreate":
        if (self.session_id is None) == (self.pack_id is None):
            raise ValueError("give exactly one of session_id or pack_id")
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


class PaymentCreate(Input):
    amount: Money = Field(description="More than zero, at most the balance due")
    method: PaymentMethod
    on: date | None = Field(None, description="Defaults to today in the practice time zone")

    @model_validator(mode="after")
    def _positive(self) -> "PaymentCreate":
        if self.amount <= 0:
            raise ValueError("a payment is more than zero")
        return self


class ApplyPack(Input):
    pack_id: str


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
    payments: list[Payment]
    status: Literal["open", "paid"]
    version: int
    created_at: str
    updated_at: str


class InvoiceChange(Output):
    invoice: Invoice
    charge: ChargeResult | None = None
    version: int = Field(description="The invoice's version, also sent as its ETag")


"""The practice as the code reads it: a plain frozen record. Nearly every use case reads the
practice (its time zone, its booking and alert policies), so reading it never loads pydantic;
models.practice.Practice is its API schema (the OpenAPI document, and what writes validate),
and tests/unit/test_practice_record.py holds the two equal field by field."""
from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date
from decimal import Decimal
from typing import Any, Literal

# Fields that may not be cleared with null because the practice cannot work without them.
REQUIRED_PRACTICE_FIELDS = frozenset({
    "name", "time_zone", "currency", "default_telehealth_pos", "room_booking", "balance_booking",
    "count_booked_as_pending", "expiring_soon_days", "authorization_low_remaining",
    "authorization_low_percent", "authorization_ending_days"})


@dataclass(frozen=True, kw_only=True)
class Address:
    line1: str
    line2: str | None = None
    city: str
    region: str | None = None
    postal_code: str | None = None
    country: str


@dataclass(frozen=True, kw_only=True)
class Practice:
    id: str
    name: str
    phone: str | None = None
    address: Address | None = None
    time_zone: str
    currency: str
    business_email: str | None = None
    tax_id: str | None = None
    billing_npi: str | None = None
    tax_id_kind: Literal["EIN", "SSN"] | None = None
    taxonomy: str | None = None
    pay_to_address: Address | None = None
    submitter_id: str | None = None
    submitter_contact: str | None = None
    submitter_phone: str | None = None
    receiver_id: str | None = None
    receiver_name: str | None = None
    default_telehealth_pos: Literal["02", "10"] = "10"
    room_booking: Literal["warn", "block"] = "warn"
    balance_booking: Literal["warn", "block"] = "warn"
    count_booked_as_pending: bool = True
    expiring_soon_days: int = 14
    authorization_low_remaining: int = 2
    authorization_low_percent: int = 80
    authorization_ending_days: int = 14
    status: Literal["active", "closed"] = "active"
    closed_at: str | None = None
    closed_by: str | None = None
    purge_on: date | None = None
    version: int
    created_at: str
    updated_at: str

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> Practice:
        """From the stored record (validated when written): attributes it does not name are
        ignored, those a record written before them lacks take their defaults."""
        values = {spec.name: _typed(spec.name, record[spec.name]) for spec in fields(cls)
                  if record.get(spec.name) is not None}  # absent or null: the default
        return cls(**values)


_ADDRESS_FIELDS = frozenset(spec.name for spec in fields(Address))


def _typed(name: str, value: Any) -> Any:
    """A stored value as the record holds it: DynamoDB numbers come back as Decimal."""
    if isinstance(value, Decimal):
        return int(value)
    if name in ("address", "pay_to_address"):
        return Address(**{k: v for k, v in value.items() if k in _ADDRESS_FIELDS})
    if name == "purge_on":
        return date.fromisoformat(value)
    return value

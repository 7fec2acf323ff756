"""Practice business information and the practice-wide policies later features read."""

import re
from datetime import date
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, Field, model_validator

from chalicelib.domain import codes
from chalicelib.models.common import Address, Email, FieldError, Flag, Input, Output, Whole
from chalicelib.models.payers import ClaimAddress, Taxonomy

TimeZone = Annotated[str, AfterValidator(codes.time_zone)]
Currency = Annotated[str, AfterValidator(codes.currency)]
Npi = Annotated[str, AfterValidator(codes.npi)]
TelehealthPos = Literal["02", "10"]
Mode = Literal["warn", "block"]


class PracticeUpdate(Input):
    """Fields an admin may change (PATCH: send only what changes; null clears a field)."""

    name: str | None = Field(None, min_length=1, max_length=200)
    phone: str | None = Field(None, max_length=40)
    address: Address | None = None
    time_zone: TimeZone | None = Field(None, description="IANA zone, e.g. America/New_York")
    currency: Currency | None = Field(None, description="ISO 4217 code")
    business_email: Email | None = Field(
        None, description="Where staff emails go; when unset they go to the practitioner or creator")
    tax_id: str | None = Field(None, max_length=40)
    billing_npi: Npi | None = Field(None, description="Type 2 NPI used on claims")
    tax_id_kind: Literal["EIN", "SSN"] | None = Field(None, description="What tax_id is on claims (REF*EI or REF*SY)")
    taxonomy: Taxonomy | None = Field(None, description="The billing provider's NUCC taxonomy code")
    pay_to_address: ClaimAddress | None = Field(None, description="Where payers send payment, when not the address")
    submitter_id: str | None = Field(None, pattern=r"^[A-Za-z0-9]{2,15}$",
                                     description="The practice's submitter id (ETIN) at the clearinghouse")
    submitter_contact: str | None = Field(None, max_length=60, description="Who the clearinghouse calls")
    submitter_phone: str | None = Field(None, pattern=r"^\d{10}$", description="10 digits")
    receiver_id: str | None = Field(None, pattern=r"^[A-Za-z0-9]{2,15}$", description="The clearinghouse's id")
    receiver_name: str | None = Field(None, max_length=60)
    default_telehealth_pos: TelehealthPos | None = Field(
        None, description="POS for telehealth locations: 02 (patient not at home) or 10 (at home)")
    room_booking: Mode | None = Field(None, description="Room double-booking: warn (override allowed) or block")
    balance_booking: Mode | None = Field(None, description="Booking past a pack/authorization balance")
    count_booked_as_pending: Flag | None = Field(
        None, description="Booked appointments count as pending usage of authorizations")
    expiring_soon_days: Whole | None = Field(None, ge=1, le=365)
    authorization_low_remaining: Whole | None = Field(None, ge=0, le=1000)
    authorization_low_percent: Whole | None = Field(None, ge=1, le=100)
    authorization_ending_days: Whole | None = Field(None, ge=1, le=365)

    @model_validator(mode="after")
    def _tax_id_format(self) -> "PracticeUpdate":
        # Checked when both arrive together; a claim's scrub checks the stored pair either way.
        patterns = {"EIN": r"\d{2}-?\d{7}", "SSN": r"\d{3}-?\d{2}-?\d{4}"}
        if self.tax_id and self.tax_id_kind and not re.fullmatch(patterns[self.tax_id_kind], self.tax_id):
            raise FieldError("tax_id", f"an {self.tax_id_kind} is 9 digits, e.g. "
                                       f"{'12-3456789' if self.tax_id_kind == 'EIN' else '123-45-6789'}")
        return self


class Practice(Output):
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
    default_telehealth_pos: TelehealthPos = "10"
    room_booking: Mode = "warn"
    balance_booking: Mode = "warn"
    count_booked_as_pending: bool = True
    expiring_soon_days: int = 14
    authorization_low_remaining: int = 2
    authorization_low_percent: int = 80
    authorization_ending_days: int = 14
    status: Literal["active", "closed"] = "active"
    closed_at: str | None = Field(None, description="When an admin closed the account (read-only since)")
    closed_by: str | None = None
    purge_on: date | None = Field(None, description="The day a closed account's data is deleted")
    version: int
    created_at: str
    updated_at: str


class ExportedItem(Output):
    """One stored item of the practice, as it is in the table (money and counts as strings)."""

    partition: str
    sort_key: str
    kind: str | None = None
    data: dict[str, Any]

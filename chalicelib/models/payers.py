"""The practice's payer catalogue, and the claim value types other records reuse (US address,
taxonomy, sex, the subscriber's relationship to the client)."""

import re
from typing import Annotated, Literal

from pydantic import AfterValidator, Field

from chalicelib.domain import codes
from chalicelib.models.common import Address, Flag, Input, NonEmpty, Output

Npi = Annotated[str, AfterValidator(codes.npi)]
Sex = Literal["M", "F", "U"]
# Spelt out so mypy knows the type; tests/unit/test_payer_codes.py holds it equal to the 5010 list
# the claim scrubber checks (domain/claims.CLAIM_FILING_INDICATORS).
ClaimFilingIndicator = Literal[
    "11", "12", "13", "14", "15", "16", "17", "AM", "BL", "CH", "CI", "DS", "FI", "HM", "LM",
    "MA", "MB", "MC", "OF", "TV", "VA", "WC", "ZZ",
]


def _us_address(address: Address) -> Address:
    """An address a claim can carry: a US state code and a 5 or 9 digit ZIP (a hyphen is dropped)."""
    if address.country != "US":
        raise ValueError("a claim address is in the US (country US)")
    state = (address.region or "").strip().upper()
    if state not in codes.US_STATES:
        raise ValueError("region must be a US state or territory code, e.g. IL")
    zip_code = (address.postal_code or "").replace("-", "").replace(" ", "")
    if not re.fullmatch(r"\d{5}(\d{4})?", zip_code):
        raise ValueError("postal_code must be a ZIP code: 5 or 9 digits, e.g. 62701 or 62701-0001")
    return address.model_copy(update={"region": state, "postal_code": zip_code})


def _taxonomy(value: str) -> str:
    code = value.strip().upper()
    if not re.fullmatch(r"[0-9]{3}[0-9A-Z]{6}X", code):
        raise ValueError("a taxonomy code is 10 characters ending in X, e.g. 101YM0800X")
    return code


ClaimAddress = Annotated[Address, AfterValidator(_us_address)]
Taxonomy = Annotated[str, AfterValidator(_taxonomy)]
PayerCode = Annotated[str, Field(pattern=r"^[A-Za-z0-9]{2,80}$", description="The payer id the clearinghouse uses")]


class PayerCreate(Input):
    name: NonEmpty
    payer_id: PayerCode | None = None
    claim_filing_indicator: ClaimFilingIndicator | None = Field(
        None, description="SBR09: CI commercial, MB Medicare Part B, MC Medicaid, BL Blue Cross, HM HMO, ...")
    address: ClaimAddress | None = None
    requires_authorization: Flag = False


class PayerUpdate(Input):
    name: NonEmpty | None = None
    payer_id: PayerCode | None = None
    claim_filing_indicator: ClaimFilingIndicator | None = None
    address: ClaimAddress | None = None
    requires_authorization: Flag | None = None


class Payer(Output):
    id: str
    name: str
    payer_id: str | None = None
    claim_filing_indicator: str | None = None
    address: Address | None = None
    requires_authorization: bool = False
    version: int
    created_at: str
    updated_at: str

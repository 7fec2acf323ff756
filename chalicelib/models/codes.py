"""Code catalogues: billing codes (CPT/HCPCS or local item numbers) and diagnosis codes."""

from typing import Annotated, Literal

from pydantic import AfterValidator, Field

from chalicelib.domain import codes
from chalicelib.models.common import Flag, Input, Money, Output, Whole

BillingCodeValue = Annotated[str, AfterValidator(codes.billing_code)]
Minutes = Annotated[Whole, Field(ge=0, le=1440, description="Default session length; 0 for add-on codes")]
UnitMinutes = Annotated[Whole, Field(ge=1, le=240, description="Minutes per billing unit, for unit-based codes")]


class BillingCodeCreate(Input):
    code: BillingCodeValue
    description: str = Field(min_length=1, max_length=200)
    default_minutes: Minutes
    default_charge: Money
    unit_minutes: UnitMinutes | None = None
    add_on: Flag = Field(False, description="An add-on code, billed only with a primary code")
    active: Flag = True


class BillingCodeUpdate(Input):
    description: str | None = Field(None, min_length=1, max_length=200)
    default_minutes: Minutes | None = None
    default_charge: Money | None = None
    unit_minutes: UnitMinutes | None = None
    add_on: Flag | None = None
    active: Flag | None = None


class BillingCode(Output):
    code: str
    description: str
    default_minutes: int
    default_charge: Money
    unit_minutes: int | None = None
    add_on: bool
    active: bool
    version: int
    created_at: str
    updated_at: str


DiagnosisSystem = Literal["ICD-10-CM", "ICD-10"]


class DiagnosisCodeCreate(Input):
    code: Annotated[str, AfterValidator(codes.icd10_code)]
    system: DiagnosisSystem = Field(
        "ICD-10-CM", description="ICD-10-CM codes are checked against the CMS list; ICD-10 "
        "(WHO, or national variants such as ICD-10-AM) is checked for format only")
    description: str | None = Field(None, min_length=1, max_length=300,
                                    description="Defaults to the official ICD-10-CM description")
    active: Flag = True


class DiagnosisCodeUpdate(Input):
    description: str | None = Field(None, min_length=1, max_length=300)
    active: Flag | None = None


class DiagnosisCode(Output):
    code: str
    system: DiagnosisSystem
    description: str
    billable: bool | None = Field(None, description="A billable (leaf) ICD-10-CM code; null if unknown")
    active: bool
    version: int
    created_at: str
    updated_at: str

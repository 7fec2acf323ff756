"""Report rows and queries."""

from datetime import date
from decimal import Decimal
from typing import Literal

from pydantic import ConfigDict, Field, model_validator

from chalicelib.models.common import Day, FieldError, Input, Money, Output, QueryFlag, QueryWhole, Ref
from chalicelib.models.entitlements import Pack


class PackExpiryQuery(Input):
    limit: QueryWhole = Field(50, ge=1, le=100)
    cursor: str | None = None
    status: Literal["active", "expiring_soon", "expired", "all"] = "all"
    practitioner_id: Ref | None = None
    category: str | None = Field(None, max_length=200)


class PackExpiryRow(Pack):
    client_name: str


class AuthorizationReportQuery(Input):
    limit: QueryWhole = Field(50, ge=1, le=100)
    cursor: str | None = None
    include_expired: QueryFlag = False
    practitioner_id: Ref | None = None


class AuthorizationReportRow(Output):
    id: str
    client_id: str
    client_name: str
    payer: str
    number: str | None = None
    measure: str
    used: Decimal
    allowed: Decimal
    remaining: Decimal
    percent_used: Decimal
    begin_on: date
    end_on: date
    days_left: int
    status: str


class PackSalesQuery(Input):
    start: Day = Field(alias="from")
    end: Day = Field(alias="to")

    @model_validator(mode="after")
    def _order(self) -> "PackSalesQuery":
        if self.end < self.start:
            raise FieldError("to", "'to' is before 'from'")
        if (self.end - self.start).days > 366:
            raise FieldError("to", "the range is limited to 366 days")
        return self


class CategorySales(Output):
    category: str
    amount: Money
    packs: int = Field(description="Packs sold with a share in this category")


class PackSalesReport(Output):
    model_config = ConfigDict(extra="ignore", defer_build=True, serialize_by_alias=True)

    start: date = Field(serialization_alias="from")
    end: date = Field(serialization_alias="to")
    currency: str
    total: Money
    packs: int
    categories: list[CategorySales]

"""Shared model bases and small value types used by every resource."""

from decimal import Decimal
from typing import Annotated, Any, ClassVar

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    EmailStr,
    Field,
    PlainSerializer,
    WithJsonSchema,
)

from chalicelib.domain import codes


class FieldError(ValueError):
    """A model validator's refusal that names the field to correct (a rule between fields:
    end_on before begin_on names end_on); the API reports it as `<location>.<field>`."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(reason)
        self.field = field  # as sent on the wire (an alias such as `to` where the model has one)


class Input(BaseModel):
    """Base of request bodies: unknown fields are refused so a typo never passes silently."""

    # defer_build: validators are built on first use, not at import (cold start).
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, defer_build=True)


class Output(BaseModel):
    """Base of responses, built from stored items (extra key attributes are ignored)."""

    model_config = ConfigDict(extra="ignore", defer_build=True)
    # A result that wraps the entity it created or changed names the field holding it (e.g.
    # "session"); the response's ETag is that entity's version (chalicelib/http.py version_of).
    versioned_entity: ClassVar[str | None] = None


class ListQuery(Input):
    """Cursor pagination parameters shared by every list."""

    limit: int = Field(50, ge=1, le=100, description="Page size")
    cursor: str | None = Field(None, description="next_cursor from the previous page")


def _money_in(value: Any) -> Decimal:
    return codes.money(value)


# Money travels as a decimal string ("120.00") and is Decimal in Python, never float.
Money = Annotated[
    Decimal,
    BeforeValidator(_money_in),
    PlainSerializer(lambda v: f"{v:.2f}", return_type=str, when_used="json"),
    WithJsonSchema({"type": "string", "pattern": r"^\d+(\.\d{1,2})?$", "examples": ["120.00"]}),
]

NonEmpty = Annotated[str, Field(min_length=1, max_length=200)]
Email = EmailStr


class Address(Input):
    line1: str = Field(max_length=200)
    line2: str | None = Field(None, max_length=200)
    city: str = Field(max_length=100)
    region: str | None = Field(None, max_length=100, description="State, province or territory")
    postal_code: str | None = Field(None, max_length=20)
    country: Annotated[str, AfterValidator(codes.country)] = Field(description="ISO 3166-1 alpha-2")

"""Shared model bases and small value types used by every resource."""

import re
from datetime import date, datetime
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
    StrictBool,
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


# Request values are read as JSON means them, not as lax parsing would coerce them ("yes" to
# true, " 5 " or "\uff15" to 5, 0 to 1970-01-01): a refusal names the field and says what to send.

# An id or code a request names (a client, a pack, a practitioner, a payer): never blank, no
# longer than a path parameter may be (http.MAX_PATH_PARAM; DynamoDB refuses keys over 1 KB
# with a 500), and without the key separator '#'. Ids are `<prefix>_<26 base32>`, Cognito subs
# are UUIDs, codes are letters, digits, '.', '-' and '_'.
REF_PATTERN = r"^[A-Za-z0-9_.:-]+$"
Ref = Annotated[str, Field(min_length=1, max_length=128, pattern=REF_PATTERN)]

# A true/false in a body: only JSON true or false.
Flag = StrictBool


def _json_whole(value: Any) -> Any:
    # A JSON number only: 5 (or 5.0, an integer to JSON Schema); a string or true/false never.
    if isinstance(value, (bool, str)):
        raise ValueError("give a whole number as a JSON number, e.g. 5")
    return value


def _query_whole(value: Any) -> Any:
    # Query values arrive as text: ASCII digits only (int() would also read " 5 " and "\uff15").
    if isinstance(value, bool) or (isinstance(value, str) and not re.fullmatch(r"-?[0-9]+", value)):
        raise ValueError("give a whole number in digits, e.g. 20")
    return value


def _query_flag(value: Any) -> Any:
    if value not in ("true", "false") and not isinstance(value, bool):
        raise ValueError("give true or false")
    return value


def _decimal_text(value: Any) -> Any:
    # A quantity or amount: a JSON number or a decimal string of ASCII digits ("6", "99.50").
    if isinstance(value, bool):
        raise ValueError('give a number or a decimal string, e.g. "6"')
    if isinstance(value, str) and not re.fullmatch(r"-?[0-9]+(\.[0-9]+)?", value):
        raise ValueError('give a decimal string of digits with no spaces, e.g. "6" or "99.50"')
    return value


def _iso_day(value: Any) -> Any:
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if not (isinstance(value, str) and re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value)):
        raise ValueError("give a date as YYYY-MM-DD, e.g. 2026-11-01")
    return value


def _iso_moment(value: Any) -> Any:
    if isinstance(value, datetime):
        return value
    if not (isinstance(value, str) and re.match(r"[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ][0-9]{2}:[0-9]{2}", value)):
        raise ValueError("give a date and time in ISO 8601, e.g. 2026-11-01T09:00:00 or 2026-11-01T09:00:00-05:00")
    return value


Whole = Annotated[int, BeforeValidator(_json_whole)]
QueryWhole = Annotated[int, BeforeValidator(_query_whole)]
QueryFlag = Annotated[bool, BeforeValidator(_query_flag)]
DecimalText = BeforeValidator(_decimal_text)  # in Annotated[Decimal, DecimalText, Field(...)]
Day = Annotated[date, BeforeValidator(_iso_day)]
Moment = Annotated[datetime, BeforeValidator(_iso_moment)]


class ListQuery(Input):
    """Cursor pagination parameters shared by every list."""

    limit: QueryWhole = Field(50, ge=1, le=100, description="Page size")
    cursor: str | None = Field(None, description="next_cursor from the previous page")


def _money_in(value: Any) -> Decimal:
    return codes.money(_decimal_text(value) if isinstance(value, str) else value)


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

"""Pure validators for the codes a claim carries. Each returns the normalised value or raises
ValueError with a reason a person can act on (pydantic turns it into a 422 field error)."""
from __future__ import annotations

import json
import re
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from importlib import resources
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

TELEHEALTH_POS = frozenset({"02", "10"})
DEFAULT_POS = "11"
# The state codes a US claim address may carry (states, DC, territories, military post offices).
US_STATES = frozenset({
    "AL", "AK", "AZ", "AR", "CA", "CO", "CT", "DE", "DC", "FL", "GA", "HI", "ID", "IL", "IN", "IA",
    "KS", "KY", "LA", "ME", "MD", "MA", "MI", "MN", "MS", "MO", "MT", "NE", "NV", "NH", "NJ", "NM",
    "NY", "NC", "ND", "OH", "OK", "OR", "PA", "RI", "SC", "SD", "TN", "TX", "UT", "VT", "VA", "WA",
    "WV", "WI", "WY", "AS", "GU", "MP", "PR", "VI", "FM", "MH", "PW", "AA", "AE", "AP",
})


@lru_cache(maxsize=1)
def _pos_names() -> dict[str, str]:
    data = json.loads(resources.files("chalicelib.data").joinpath("place_of_service.json").read_text())
    return {entry["code"]: entry["name"] for entry in data}


def place_of_service(code: str) -> str:
    """A CMS Place of Service code (two digits, assigned)."""
    if not re.fullmatch(r"\d{2}", code or ""):
        raise ValueError("a place of service code is two digits, e.g. 11")
    if code not in _pos_names():
        raise ValueError(f"'{code}' is not a CMS place of service code")
    return code


def place_of_service_name(code: str) -> str:
    """The CMS name of a POS code."""
    return _pos_names()[place_of_service(code)]


def npi(value: str) -> str:
    """A National Provider Identifier: 10 digits with a Luhn check digit over 80840 + 9 digits."""
    if not re.fullmatch(r"\d{10}", value or ""):
        raise ValueError("an NPI is 10 digits")
    digits = [int(d) for d in "80840" + value[:9]]
    total = 0
    for i, d in enumerate(reversed(digits)):
        if i % 2 == 0:  # doubled positions, counting from the right of the payload
            d *= 2
            d = d - 9 if d > 9 else d
        total += d
    if (10 - total % 10) % 10 != int(value[9]):
        raise ValueError("the NPI check digit is wrong; check for a typo")
    return value


_ICD10 = re.compile(r"^([A-Z][0-9][0-9A-Z])\.?([0-9A-Z]{1,4})?$")


def icd10_code(value: str) -> str:
    """An ICD-10(-CM) code in its dotted form, e.g. 'f411' -> 'F41.1'."""
    match = _ICD10.match((value or "").strip().upper())
    if not match:
        raise ValueError("an ICD-10 code is a letter, a digit, a digit or letter, then up to 4 more, e.g. F41.1")
    category, rest = match.groups()
    return f"{category}.{rest}" if rest else category


def icd10_description(code: str) -> str | None:
    """The official ICD-10-CM description, or None if the code is not in the list."""
    import simple_icd_10_cm as cm  # loaded on first use: it reads a large data file

    normalised = icd10_code(code)
    return cm.get_description(normalised) if cm.is_valid_item(normalised) else None


def icd10_is_billable(code: str) -> bool | None:
    """Whether an ICD-10-CM code is billable (a leaf); None if it is not in the list."""
    import simple_icd_10_cm as cm

    normalised = icd10_code(code)
    return cm.is_leaf(normalised) if cm.is_valid_item(normalised) else None


_CPT = re.compile(r"^(\d{5}|\d{4}[FTU])$")
_HCPCS = re.compile(r"^[A-V]\d{4}$")
_LOCAL = re.compile(r"^[A-Z0-9._-]{1,20}$")  # NDIS items are 15 characters


def billing_code(value: str) -> str:
    """A CPT, HCPCS Level II or local item number, upper-cased."""
    code = (value or "").strip().upper()
    if not (_CPT.match(code) or _HCPCS.match(code) or _LOCAL.match(code)):
        raise ValueError("a billing code is a CPT/HCPCS code or a local item number of up to 20 "
                         "letters, digits, '.', '-' or '_'")
    return code


def modifier(value: str) -> str:
    """A claim modifier: two letters or digits."""
    code = (value or "").strip().upper()
    if not re.fullmatch(r"[A-Z0-9]{2}", code):
        raise ValueError("a modifier is two letters or digits, e.g. 95")
    return code


@lru_cache(maxsize=2)
def _iso_codes(kind: str) -> frozenset[str]:
    # The two code lists, shipped as 3 KB of JSON (taken from pycountry, whose 19.5 MB of
    # translations the bundle would otherwise carry for nothing).
    data = json.loads(resources.files("chalicelib.data").joinpath("iso_codes.json").read_text())
    return frozenset(data[kind])


def currency(value: str) -> str:
    """An ISO 4217 currency code."""
    code = (value or "").strip().upper()
    if not re.fullmatch(r"[A-Z]{3}", code) or code not in _iso_codes("currencies"):
        raise ValueError(f"'{value}' is not an ISO 4217 currency code")
    return code


def country(value: str) -> str:
    """An ISO 3166-1 alpha-2 country code."""
    code = (value or "").strip().upper()
    if not re.fullmatch(r"[A-Z]{2}", code) or code not in _iso_codes("countries"):
        raise ValueError(f"'{value}' is not an ISO 3166-1 country code")
    return code


def time_zone(value: str) -> str:
    """An IANA time zone name."""
    if not value or value != value.strip() or value.lower() in ("local", "localtime"):
        raise ValueError("give an IANA time zone such as America/New_York")
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError, OSError) as err:
        raise ValueError(f"'{value}' is not an IANA time zone") from err
    return value


MONEY_CEILING = Decimal(10) ** 9


def money(value: Any) -> Decimal:
    """A non-negative amount with at most 2 decimals, as Decimal (never float)."""
    if isinstance(value, float):
        raise ValueError("send money as a decimal string, e.g. \"120.00\"")
    if isinstance(value, bool) or not isinstance(value, (str, int, Decimal)):
        raise ValueError("money is a decimal string, e.g. \"120.00\"")
    try:
        amount = Decimal(str(value).strip())
    except InvalidOperation as err:
        raise ValueError("money is a decimal string, e.g. \"120.00\"") from err
    if not amount.is_finite() or amount < 0:
        raise ValueError("money must be zero or more")
    if amount >= MONEY_CEILING:  # also keeps quantize inside the decimal context's 28 digits
        raise ValueError("money must be less than 1000000000")
    if amount != amount.quantize(Decimal("0.01")):
        raise ValueError("money has at most 2 decimal places")
    return amount.quantize(Decimal("0.01"))

"""Pure validators for claim codes (no AWS, no mocks)."""
from __future__ import annotations

import json
from decimal import Decimal
from importlib import resources

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chalicelib.domain import codes


def _pos_list():
    return json.loads(resources.files("chalicelib.data").joinpath("place_of_service.json").read_text())


def test_every_listed_pos_code_is_accepted():
    listed = _pos_list()
    assert len(listed) >= 50
    for entry in listed:
        assert codes.place_of_service(entry["code"]) == entry["code"]


def test_pos_names_for_telehealth_and_office():
    assert codes.place_of_service_name("11") == "Office"
    assert "Patient's Home" in codes.place_of_service_name("10")
    assert codes.place_of_service_name("02").startswith("Telehealth Provided Other")
    assert {"02", "10"} == codes.TELEHEALTH_POS


@pytest.mark.parametrize("code", ["00", "28", "30", "35", "59", "63", "98", "1", "011", "aa", "", " 11"])
def test_unassigned_or_malformed_pos_is_refused(code):
    with pytest.raises(ValueError):
        codes.place_of_service(code)


def test_valid_npi_passes_and_bad_check_digit_fails():
    assert codes.npi("1234567893") == "1234567893"
    with pytest.raises(ValueError, match="check digit"):
        codes.npi("1234567890")
    for bad in ("123456789", "12345678931", "12345a7893", ""):
        with pytest.raises(ValueError):
            codes.npi(bad)


@given(st.text(alphabet="0123456789", min_size=9, max_size=9))
def test_exactly_one_check_digit_completes_any_npi(prefix):
    valid = []
    for d in "0123456789":
        try:
            codes.npi(prefix + d)
            valid.append(d)
        except ValueError:
            pass
    assert len(valid) == 1


@pytest.mark.parametrize("raw, normalised", [("f411", "F41.1"), ("F41.1", "F41.1"), ("z63", "Z63"),
                                             ("S72.001A", "S72.001A"), ("s72001a", "S72.001A")])
def test_icd10_codes_are_normalised(raw, normalised):
    assert codes.icd10_code(raw) == normalised


@pytest.mark.parametrize("raw", ["", "41.1", "FF1.1", "F4", "F41.12345", "F41-1"])
def test_malformed_icd10_is_refused(raw):
    with pytest.raises(ValueError):
        codes.icd10_code(raw)


def test_icd10_lookup_knows_real_codes_only():
    assert codes.icd10_description("F41.1").lower().startswith("generalized anxiety disorder")
    assert codes.icd10_is_billable("F41.1") is True
    assert codes.icd10_is_billable("F41") is False  # a category, not billable
    assert codes.icd10_description("F41.99") is None and codes.icd10_is_billable("F41.99") is None


@pytest.mark.parametrize("raw, normalised", [("90837", "90837"), ("0001f", "0001F"), ("g0101", "G0101"),
                                             ("15_056_0128_1_3", "15_056_0128_1_3"), ("80110", "80110")])
def test_billing_codes_accept_cpt_hcpcs_and_local_items(raw, normalised):
    assert codes.billing_code(raw) == normalised


@pytest.mark.parametrize("raw", ["", "   ", "90 837", "9083#", "ABCDEFGHIJKLMNOPQRSTU"])
def test_bad_billing_codes_are_refused(raw):
    with pytest.raises(ValueError):
        codes.billing_code(raw)


def test_modifiers_are_two_characters():
    assert codes.modifier("gt") == "GT" and codes.modifier("95") == "95"
    for bad in ("G", "GTX", "9-", ""):
        with pytest.raises(ValueError):
            codes.modifier(bad)


def test_currency_country_and_time_zone():
    assert codes.currency("aud") == "AUD" and codes.country("nz") == "NZ"
    assert codes.time_zone("Australia/Sydney") == "Australia/Sydney"
    for fn, bad in ((codes.currency, "XYZ"), (codes.currency, "EURO"), (codes.country, "XX"),
                    (codes.time_zone, "Mars/Olympus"), (codes.time_zone, "Local"), (codes.time_zone, ""),
                    (codes.time_zone, "../etc/passwd")):
        with pytest.raises(ValueError):
            fn(bad)


def test_money_is_decimal_with_two_places_and_never_float():
    assert codes.money("120") == Decimal("120.00") and codes.money(5) == Decimal("5.00")
    assert str(codes.money("0.5")) == "0.50"
    for bad in (12.5, "-1", "1.005", "NaN", "Infinity", "abc", True, None):
        with pytest.raises(ValueError):
            codes.money(bad)

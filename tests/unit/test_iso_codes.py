"""The ISO 4217 / 3166-1 lists shipped in chalicelib/data/iso_codes.json are pycountry's, so
dropping pycountry from the bundle (19.5 MB of translations) changed no answer."""
from __future__ import annotations

import pycountry  # a dev dependency only: the deployed code reads the shipped JSON
import pytest

from chalicelib.domain import codes


def test_shipped_currencies_are_exactly_iso_4217():
    assert codes._iso_codes("currencies") == {c.alpha_3 for c in pycountry.currencies}


def test_shipped_countries_are_exactly_iso_3166_alpha_2():
    assert codes._iso_codes("countries") == {c.alpha_2 for c in pycountry.countries}


@pytest.mark.parametrize("value", ["XXY", "EU", "usd1", " ", "US"])
def test_currency_refuses_a_code_outside_iso_4217(value):
    with pytest.raises(ValueError, match="ISO 4217"):
        codes.currency(value)


@pytest.mark.parametrize("value", ["ZZ", "UK", "USA", ""])
def test_country_refuses_a_code_outside_iso_3166(value):
    with pytest.raises(ValueError, match="ISO 3166"):
        codes.country(value)


def test_codes_are_read_case_insensitively():
    assert codes.currency(" eur ") == "EUR" and codes.country("gb") == "GB"

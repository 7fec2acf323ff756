"""The practice as the code reads it (domain.practice.Practice, a frozen dataclass) and its API
schema (models.practice.Practice) hold the same fields, defaults and JSON; and reading it loads
no pydantic, which a cold start's first read would otherwise pay for (about 85 ms)."""
from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import MISSING, fields
from decimal import Decimal
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from chalicelib.domain import practice as domain
from chalicelib.http import _dump
from chalicelib.models import common
from chalicelib.models import practice as models

ROOT = Path(__file__).resolve().parents[2]


def _defaults(record_type):
    return {spec.name: (None if spec.default is MISSING else spec.default) for spec in fields(record_type)}


def _schema_defaults(model):
    return {name: (None if info.is_required() else info.default) for name, info in model.model_fields.items()}


def test_practice_record_when_compared_with_its_schema_has_the_same_fields_and_defaults():
    assert _defaults(domain.Practice) == _schema_defaults(models.Practice)
    assert _defaults(domain.Address) == _schema_defaults(common.Address)


# Stored text passed validation when written: no surrounding whitespace (inputs are stripped).
_text = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=1, max_size=12).map(
    str.strip).filter(bool)
_address = st.fixed_dictionaries(
    {"line1": _text, "city": _text, "country": st.sampled_from(["US", "CA", "GB"])},
    optional={"line2": st.none() | _text, "region": st.none() | _text, "postal_code": st.none() | _text})
# What DynamoDB hands back for a practice: numbers as Decimal, any optional field absent or null,
# and attributes the record does not name (keys, kind).
_stored = st.fixed_dictionaries(
    {"id": st.just("prc_1"), "name": _text, "time_zone": st.just("America/New_York"), "currency": st.just("USD"),
     "version": st.integers(1, 10**6).map(Decimal), "created_at": st.just("2026-01-02T03:04:05Z"),
     "updated_at": st.just("2026-11-28T03:04:05Z"), "kind": st.just("PRACTICE")},
    optional={"phone": st.none() | _text, "address": st.none() | _address, "pay_to_address": st.none() | _address,
              "business_email": st.none() | st.just("desk@example.com"), "tax_id": st.none() | st.just("123456789"),
              "tax_id_kind": st.none() | st.sampled_from(["EIN", "SSN"]), "taxonomy": st.none() | st.just("101YM0800X"),
              "default_telehealth_pos": st.sampled_from(["02", "10"]),
              "room_booking": st.sampled_from(["warn", "block"]), "balance_booking": st.sampled_from(["warn", "block"]),
              "count_booked_as_pending": st.booleans(),
              "expiring_soon_days": st.integers(1, 365).map(Decimal),
              "authorization_low_remaining": st.integers(0, 1000).map(Decimal),
              "status": st.sampled_from(["active", "closed"]), "closed_at": st.none() | st.just("2026-11-01T00:00:00Z"),
              "purge_on": st.none() | st.dates().map(str), "receiver_name": st.none() | _text})


@settings(max_examples=200, deadline=None)
@given(_stored)
def test_practice_record_when_served_answers_what_its_schema_would(stored):
    record = domain.Practice.from_record(stored)
    assert json.loads(_dump(record)) == models.Practice.model_validate(stored).model_dump(mode="json")


def test_practice_read_when_served_in_a_fresh_process_loads_no_pydantic():
    # What a cold start's GET /v1/practice loads: the app, the practice service and its store.
    code = ("import sys, app, chalicelib.services.practice, chalicelib.routes.practice;"
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('pydantic', 'pydantic_core')"
            " or m.startswith('chalicelib.models')))")
    loaded = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert loaded.stdout.strip() == "[]"

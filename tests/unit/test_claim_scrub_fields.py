"""scrub() names the record and the field as the API writes them, so the person fixing it opens
the right record and changes the field a PATCH takes."""
from __future__ import annotations

import dataclasses
from datetime import date
from decimal import Decimal

from chalicelib.domain.claims import Payer, Problem, ServiceLine, scrub
from devtools import sample_837p as demo

TODAY = demo.TODAY


def adult(**changes):
    return dataclasses.replace(demo.adult_claim(), **changes)


def line(**changes) -> ServiceLine:
    base = ServiceLine("90837", Decimal("150.00"), Decimal("1"), date(2026, 11, 20), (1,), session_id="ses_1")
    return dataclasses.replace(base, **changes)


def test_scrub_names_an_add_on_codes_default_charge_for_its_zero_charge():
    claim = adult(lines=(line(), line(code="90785", charge=Decimal("0"), add_on=True)))
    assert scrub(claim, TODAY) == [Problem("billing_code", "90785", "default_charge",
                                           "a claim line charge must be more than zero")]


def test_scrub_names_the_claim_id_for_a_claim_level_problem():
    claim = adult(record_id="clm_01abc", diagnoses=tuple(f"F4{i // 10}.{i % 10}" for i in range(13)))
    assert {(p.record, p.record_id, p.field) for p in scrub(claim, TODAY)} == {("claim", "clm_01abc", "diagnoses")}


def test_scrub_without_a_rendering_practitioner_reports_the_clients_practitioner_once():
    claim = adult(rendering_provider=dataclasses.replace(demo.RENDERING, first_name=None, last_name=None, npi=None,
                                                         taxonomy=None, record_id=""))
    problems = scrub(claim, TODAY)
    assert [(p.record, p.record_id, p.field) for p in problems] == [
        ("client", demo.ADULT.record_id, "practitioner_id")]


def test_scrub_without_a_catalogue_payer_reports_the_insurances_payer_id_once():
    claim = adult(payer=Payer(name="Typed by hand", payer_id=None, claim_filing_indicator=None))
    problems = scrub(claim, TODAY)
    assert [(p.record, p.record_id, p.field) for p in problems] == [
        ("client_insurance", claim.subscriber.record_id, "primary_insurance.payer_id")]


def test_scrub_names_the_session_and_field_a_bad_diagnosis_comes_from():
    claim = adult(diagnoses=("F41.1", "f32.1"), diagnosis_sources=(("ses_1", "primary_diagnosis"),
                                                                   ("ses_2", "additional_diagnoses")),
                  lines=(line(diagnosis_pointers=(1, 2)),))
    assert [(p.record, p.record_id, p.field) for p in scrub(claim, TODAY)] == [
        ("session", "ses_2", "additional_diagnoses")]

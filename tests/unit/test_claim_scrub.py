"""scrub(): each rule that gets a claim rejected reports the record and field to fix."""
from __future__ import annotations

import dataclasses
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chalicelib.domain.claims import (
    Address,
    Authorization,
    Claim,
    Problem,
    ReferringProvider,
    ServiceLine,
    Subscriber,
    scrub,
)
from chalicelib.domain.x12_837p import write_837p
from devtools import sample_837p as demo

TODAY = demo.TODAY


def adult(**changes) -> Claim:
    return dataclasses.replace(demo.adult_claim(), **changes)


def child(**changes) -> Claim:
    return dataclasses.replace(demo.child_claim(), **changes)


def line(**changes) -> ServiceLine:
    base = ServiceLine("90837", Decimal("150.00"), Decimal("1"), date(2026, 11, 20), (1,), (), None, None,
                       "session-1")
    return dataclasses.replace(base, **changes)


def practice(**changes):
    return dataclasses.replace(demo.PRACTICE, **changes)


def client(**changes):
    return dataclasses.replace(demo.ADULT, person=dataclasses.replace(demo.ADULT.person, **changes))


def fields(claim: Claim) -> set[tuple[str, str]]:
    return {(p.record, p.field) for p in scrub(claim, TODAY)}


def test_scrub_passes_the_demo_claims():
    assert scrub(demo.adult_claim(), TODAY) == []
    assert scrub(demo.child_claim(), TODAY) == []


def test_scrub_names_record_id_field_and_reason():
    problems = scrub(adult(rendering_provider=dataclasses.replace(demo.RENDERING, npi=None)), TODAY)
    assert problems == [Problem(record="practitioner", record_id="practitioner-demo", field="npi", reason="missing")]


CASES = {
    # practitioner (rendering provider)
    "practitioner_npi_missing": (adult(rendering_provider=dataclasses.replace(demo.RENDERING, npi="")),
                                 ("practitioner", "npi")),
    "practitioner_npi_check_digit": (adult(rendering_provider=dataclasses.replace(demo.RENDERING, npi="1112223339")),
                                     ("practitioner", "npi")),
    "practitioner_npi_not_10_digits": (adult(rendering_provider=dataclasses.replace(demo.RENDERING, npi="12345")),
                                       ("practitioner", "npi")),
    "practitioner_taxonomy_missing": (adult(rendering_provider=dataclasses.replace(demo.RENDERING, taxonomy=None)),
                                      ("practitioner", "taxonomy")),
    "practitioner_taxonomy_format": (
        adult(rendering_provider=dataclasses.replace(demo.RENDERING, taxonomy="101YM0800")),
        ("practitioner", "taxonomy")),
    "practitioner_last_name_missing": (adult(rendering_provider=dataclasses.replace(demo.RENDERING, last_name=" ")),
                                       ("practitioner", "last_name")),
    # practice (billing provider)
    "practice_npi_missing": (adult(billing_provider=practice(npi=None)), ("practice", "billing_npi")),
    "practice_npi_check_digit": (adult(billing_provider=practice(npi="1234567890")), ("practice", "billing_npi")),
    "practice_tax_id_missing": (adult(billing_provider=practice(tax_id=None)), ("practice", "tax_id")),
    "practice_ein_with_hyphen": (adult(billing_provider=practice(tax_id="36-1234567")), ("practice", "tax_id")),
    "practice_ein_unused_prefix": (adult(billing_provider=practice(tax_id="001234567")), ("practice", "tax_id")),
    "practice_ssn_invalid": (adult(billing_provider=practice(tax_id="666123456", tax_id_kind="SSN")),
                             ("practice", "tax_id")),
    "practice_tax_id_kind": (adult(billing_provider=practice(tax_id_kind="TIN")), ("practice", "tax_id_kind")),
    "practice_taxonomy_missing": (adult(billing_provider=practice(taxonomy="")), ("practice", "taxonomy")),
    "practice_address_missing": (adult(billing_provider=practice(address=None)), ("practice", "address")),
    "practice_zip_not_zip4": (
        adult(billing_provider=practice(address=dataclasses.replace(demo.PRACTICE_ADDRESS, zip="62701"))),
        ("practice", "address.postal_code")),
    "practice_state_invalid": (
        adult(billing_provider=practice(address=dataclasses.replace(demo.PRACTICE_ADDRESS, state="XX"))),
        ("practice", "address.region")),
    "practice_pay_to_zip_invalid": (
        adult(billing_provider=practice(pay_to_address=Address("PO Box 1", "Springfield", "IL", "6270"))),
        ("practice", "pay_to_address.postal_code")),
    # payer
    "payer_id_missing": (adult(payer=dataclasses.replace(demo.PAYER, payer_id=None)), ("payer", "payer_id")),
    "payer_id_with_delimiter": (adult(payer=dataclasses.replace(demo.PAYER, payer_id="AB*1")), ("payer", "payer_id")),
    "payer_filing_indicator_missing": (adult(payer=dataclasses.replace(demo.PAYER, claim_filing_indicator=None)),
                                       ("payer", "claim_filing_indicator")),
    "payer_filing_indicator_unknown": (adult(payer=dataclasses.replace(demo.PAYER, claim_filing_indicator="XX")),
                                       ("payer", "claim_filing_indicator")),
    "payer_name_missing": (adult(payer=dataclasses.replace(demo.PAYER, name="")), ("payer", "name")),
    # client (patient)
    "client_dob_missing": (adult(patient=client(date_of_birth=None)), ("client", "date_of_birth")),
    "client_dob_future": (adult(patient=client(date_of_birth=date(2027, 1, 1))), ("client", "date_of_birth")),
    "client_sex_missing": (adult(patient=client(sex=None)), ("client", "sex")),
    "client_sex_invalid": (adult(patient=client(sex="X")), ("client", "sex")),
    "client_address_missing": (adult(patient=client(address=None)), ("client", "address")),
    "client_zip_invalid": (adult(patient=client(address=Address("1 A St", "Springfield", "IL", "627O1"))),
                           ("client", "address.postal_code")),
    "client_state_invalid": (adult(patient=client(address=Address("1 A St", "Springfield", "Illinois", "62701"))),
                             ("client", "address.region")),
    "client_city_missing": (adult(patient=client(address=Address("1 A St", "", "IL", "62701"))),
                            ("client", "address.city")),
    "client_first_name_missing": (adult(patient=client(first_name=None)), ("client", "first_name")),
    # client insurance (subscriber)
    "insurance_member_id_missing": (adult(subscriber=Subscriber(member_id=None, record_id="i")),
                                    ("client_insurance", "primary_insurance.member_id")),
    "insurance_relationship_unknown": (adult(subscriber=Subscriber(member_id="M1", relationship="17", record_id="i")),
                                       ("client_insurance", "primary_insurance.subscriber_relationship")),
    "insurance_other_subscriber_missing": (
        child(subscriber=Subscriber(member_id="M1", relationship="19", record_id="i")),
        ("client_insurance", "primary_insurance.subscriber")),
    "insurance_other_subscriber_dob_missing": (
        child(subscriber=Subscriber(member_id="M1", relationship="19", record_id="i",
                                    person=dataclasses.replace(demo.PARENT, date_of_birth=None))),
        ("client_insurance", "primary_insurance.subscriber.date_of_birth")),
    "insurance_other_subscriber_address_missing": (
        child(subscriber=Subscriber(member_id="M1", relationship="01", record_id="i",
                                    person=dataclasses.replace(demo.PARENT, address=None))),
        ("client_insurance", "primary_insurance.subscriber.address")),
    # diagnoses
    "no_diagnosis": (adult(diagnoses=()), ("session", "primary_diagnosis")),
    "more_than_12_diagnoses": (adult(diagnoses=tuple(f"F4{i // 10}.{i % 10}" for i in range(13))),
                               ("claim", "diagnoses")),
    "icd10_format_invalid": (adult(diagnoses=("F41.1", "41.1")), ("session", "additional_diagnoses")),
    "icd10_undotted": (adult(diagnoses=("F411",), lines=(line(),)), ("session", "primary_diagnosis")),
    "diagnosis_twice": (adult(diagnoses=("F41.1", "F41.1")), ("claim", "diagnoses")),
    # lines (sessions)
    "pointer_past_diagnoses": (adult(lines=(line(diagnosis_pointers=(1, 3)),)), ("session", "additional_diagnoses")),
    "pointer_missing": (adult(lines=(line(diagnosis_pointers=()),)), ("session", "primary_diagnosis")),
    "more_than_4_pointers": (
        adult(diagnoses=("F41.1", "F32.1", "F43.10", "F90.2", "F84.0"),
              lines=(line(diagnosis_pointers=(1, 2, 3, 4, 5)),)),
        ("session", "additional_diagnoses")),
    "pointer_twice": (adult(lines=(line(diagnosis_pointers=(1, 1)),)), ("session", "additional_diagnoses")),
    "charge_zero": (adult(lines=(line(charge=Decimal("0")),)), ("session", "fee")),
    "charge_negative": (adult(lines=(line(charge=Decimal("-10.00")),)), ("session", "fee")),
    "charge_fraction_of_cent": (adult(lines=(line(charge=Decimal("10.005")),)), ("session", "fee")),
    "units_zero": (adult(lines=(line(units=Decimal("0")),)), ("session", "minutes")),
    "units_negative": (adult(lines=(line(units=Decimal("-1")),)), ("session", "minutes")),
    "date_of_service_future": (adult(lines=(line(date_of_service=date(2026, 11, 28)),)),
                               ("session", "date_of_service")),
    "modifier_one_character": (adult(lines=(line(modifiers=("9",)),)), ("session", "modifiers")),
    "modifier_three_characters": (adult(lines=(line(modifiers=("95A",)),)), ("session", "modifiers")),
    "more_than_4_modifiers": (adult(lines=(line(modifiers=("95", "GT", "HO", "U4", "59")),)), ("session", "modifiers")),
    "billing_code_local_item": (adult(lines=(line(code="NDIS_01_011"),)), ("session", "billing_code")),
    "line_pos_invalid": (adult(lines=(line(place_of_service="00"),)), ("session", "place_of_service")),
    "line_note_too_long": (adult(lines=(line(note="x" * 81),)), ("session", "line_note")),
    # claim level
    "claim_pos_invalid": (adult(place_of_service="1"), ("session", "place_of_service")),
    "no_lines": (adult(lines=()), ("claim", "lines")),
    "more_than_50_lines": (adult(lines=tuple(line() for _ in range(51))), ("claim", "lines")),
    "replacement_without_reference": (adult(frequency_code="7", original_reference=None),
                                      ("session", "original_claim_reference")),
    "void_without_reference": (adult(frequency_code="8", original_reference=" "),
                               ("session", "original_claim_reference")),
    "frequency_unknown": (adult(frequency_code="2"), ("session", "resubmission_code")),
    "patient_control_number_too_long": (adult(patient_control_number="C" * 21), ("claim", "patient_control_number")),
    "claim_note_too_long": (adult(note="n" * 81), ("claim", "note")),
    # authorization
    "session_after_authorization_ended": (
        adult(authorization=dataclasses.replace(demo.AUTH, end_on=date(2026, 11, 19))),
        ("authorization", "end_on")),
    "session_before_authorization_started": (
        adult(authorization=dataclasses.replace(demo.AUTH, start_on=date(2026, 11, 21))),
        ("authorization", "begin_on")),
    "authorization_number_missing_payer_requires": (
        adult(payer=dataclasses.replace(demo.PAYER, requires_authorization=True),
              authorization=dataclasses.replace(demo.AUTH, number=None)),
        ("authorization", "number")),
    "no_authorization_payer_requires": (
        adult(payer=dataclasses.replace(demo.PAYER, requires_authorization=True), authorization=None),
        ("session", "prior_authorization_number")),
    # referring provider and location
    "referring_npi_missing": (
        child(referring_provider=ReferringProvider("Casey", "Referrer", None, "client", "client-demo-2")),
        ("client", "referring_provider.npi")),
    "referring_npi_check_digit": (child(referring_provider=dataclasses.replace(demo.REFERRING, npi="2223334445")),
                                  ("session", "referring_provider.npi")),
    "referring_last_name_missing": (child(referring_provider=dataclasses.replace(demo.REFERRING, last_name="")),
                                    ("session", "referring_provider.last_name")),
    "location_npi_invalid": (child(service_facility=dataclasses.replace(demo.FACILITY, npi="1765432100")),
                             ("location", "npi")),
    "location_address_missing": (child(service_facility=dataclasses.replace(demo.FACILITY, address=None)),
                                 ("location", "address")),
    "location_zip_not_zip4": (
        child(service_facility=dataclasses.replace(demo.FACILITY,
                                                   address=Address("1 A St", "Springfield", "IL", "62701"))),
        ("location", "address.postal_code")),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_scrub_reports_rule(case):
    claim, expected = CASES[case]
    problems = scrub(claim, TODAY)
    assert expected in {(p.record, p.field) for p in problems}, problems
    assert all(p.reason for p in problems)


def test_scrub_reports_only_the_broken_rule_for_each_case():
    # Each case breaks one thing: no unrelated record is blamed
    for case, (claim, expected) in CASES.items():
        allowed = {expected, ("claim", "diagnoses"), ("session", "additional_diagnoses")}
        assert {(p.record, p.field) for p in scrub(claim, TODAY)} <= allowed, case


def test_scrub_accepts_location_without_npi_and_claim_without_facility():
    assert scrub(child(service_facility=dataclasses.replace(demo.FACILITY, npi=None)), TODAY) == []
    assert scrub(child(service_facility=None), TODAY) == []


def test_scrub_accepts_session_on_the_authorization_end_date_and_today():
    claim = adult(authorization=Authorization("PA1", date(2026, 11, 1), TODAY, "a"),
                  lines=(line(date_of_service=TODAY),))
    assert scrub(claim, TODAY) == []


def test_scrub_accepts_exactly_12_diagnoses_and_4_modifiers():
    twelve = ("F41.1", "F32.1", "F43.10", "F90.2", "F84.0", "F40.10", "F42.2", "F50.01", "F51.01", "F63.81",
              "Z63.0", "Z91.89")
    claim = adult(diagnoses=twelve, lines=(line(diagnosis_pointers=(12, 1, 2, 3), modifiers=("95", "GT", "HO", "U4")),))
    assert scrub(claim, TODAY) == []


def test_scrub_reports_a_problem_shared_by_two_lines_once():
    claim = adult(lines=(line(charge=Decimal("0")), line(charge=Decimal("0"))))
    assert [p.field for p in scrub(claim, TODAY)].count("fee") == 1


def test_scrub_clears_once_the_record_is_fixed():
    broken = adult(patient=client(date_of_birth=None))
    assert ("client", "date_of_birth") in fields(broken)
    fixed = dataclasses.replace(broken, patient=client(date_of_birth=date(1988, 4, 12)))
    assert scrub(fixed, TODAY) == []


@given(st.from_regex(r"[0-9]{10}", fullmatch=True))
def test_scrub_reports_npi_exactly_when_the_luhn_check_fails(candidate):
    digits = [int(d) for d in "80840" + candidate[:9]]
    total = sum(d if i % 2 else (d * 2 - 9 if d * 2 > 9 else d * 2) for i, d in enumerate(reversed(digits)))
    valid = (10 - total % 10) % 10 == int(candidate[9])
    claim = adult(rendering_provider=dataclasses.replace(demo.RENDERING, npi=candidate))
    assert (("practitioner", "npi") in fields(claim)) is not valid


@given(st.text(max_size=12))
def test_scrub_reports_zip_unless_five_or_nine_digits(zip_code):
    claim = adult(patient=client(address=Address("1 A St", "Springfield", "IL", zip_code)))
    ok = zip_code.isascii() and zip_code.isdigit() and len(zip_code) in (5, 9)
    assert (("client", "address.postal_code") in fields(claim)) is not ok


def test_scrub_is_pure_and_repeatable():
    claim = adult(lines=(line(charge=Decimal("0")),), diagnoses=())
    assert scrub(claim, TODAY) == scrub(claim, TODAY)
    assert claim == adult(lines=(line(charge=Decimal("0")),), diagnoses=())


@pytest.mark.parametrize(("changes", "problem"), [
    ({"authorization": Authorization(number="A*1~", record_id="authorization-demo")}, ("authorization", "number")),
    ({"authorization": Authorization(number="PA:12^3", record_id="authorization-demo")}, ("authorization", "number")),
    ({"frequency_code": "7", "original_reference": "ICN*9"}, ("session", "original_claim_reference")),
    ({"subscriber": Subscriber(member_id="XYZ123456789", relationship="18", group_number="GRP~1",
                               record_id="insurance-demo")}, ("client_insurance", "primary_insurance.group_number")),
])
def test_scrub_when_an_identifier_holds_an_x12_delimiter_names_its_record(changes, problem):
    # x12_837p refuses to write such an identifier; check must say so before export does.
    assert problem in fields(adult(**changes))


@given(st.text(alphabet="AB12*~:^ ", min_size=1, max_size=12))
def test_scrub_and_the_writer_agree_on_an_authorization_number(number):
    claim = adult(authorization=Authorization(number=number, record_id="authorization-demo"))
    flagged = ("authorization", "number") in fields(claim)
    try:
        write_837p(demo.demo_batch(claim))
        written = True
    except ValueError:
        written = False
    assert flagged != written or not number.strip()

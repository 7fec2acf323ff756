"""The 837P writer, checked by an independent validator: pyx12 with its 837.5010.X222.A1 map.

pyx12 re-parses its XML maps on every document (about a second each); the parsed maps are read-only
during validation, so they are cached here to keep the matrix fast. The cache records which map files
were loaded so each test can prove the X222A1 map did the checking."""
from __future__ import annotations

import dataclasses
import io
import json
from datetime import date
from decimal import Decimal
from functools import cache

import pytest
import pyx12.map_if
import pyx12.params
import pyx12.x12n_document
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chalicelib.domain.claims import ReferringProvider, ServiceLine, Subscriber, scrub
from chalicelib.domain.x12_837p import write_837p
from devtools import sample_837p as demo

MAP_837P = "837.5010.X222.A1.xml"
_load_map_uncached = pyx12.map_if.load_map_file
_maps_loaded: list[str] = []


@cache
def _load_map(map_file: str, map_path: str | None) -> object:
    return _load_map_uncached(map_file, pyx12.params.params(), map_path)


def _cached_load_map(map_file, param, map_path=None):
    _maps_loaded.append(map_file)
    return _load_map(map_file, map_path)


@pytest.fixture(autouse=True)
def _fast_maps(monkeypatch):
    monkeypatch.setattr(pyx12.map_if, "load_map_file", _cached_load_map)
    _maps_loaded.clear()


def _errors(report: dict) -> list[str]:
    """Every error pyx12 put anywhere in its JSON report."""
    found: list[str] = []

    def walk(node):
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "errors" and value:
                    found.extend(json.dumps(e, default=str) for e in value)
                else:
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(report)
    return found


def validate(x12: str) -> list[str]:
    """pyx12's verdict on an interchange: [] when valid, else its errors (or a failure marker)."""
    out = io.StringIO()
    ok = pyx12.x12n_document.x12n_document(param=pyx12.params.params(), src_file=io.StringIO(x12),
                                           fd_997=io.StringIO(), fd_html=None, fd_xmldoc=None, fd_json=out)
    errors = _errors(json.loads(out.getvalue())) if out.getvalue() else []
    if not ok and not errors:
        errors = ["pyx12 reported the document invalid"]
    return errors


def assert_valid(x12: str) -> None:
    errors = validate(x12)
    assert errors == [], "\n".join(errors) + "\n" + x12.replace("~", "~\n")
    assert MAP_837P in _maps_loaded, f"validated with {_maps_loaded}, not the X222A1 map"


def segments(x12: str) -> list[list[str]]:
    return [seg.split("*") for seg in x12.split("~") if seg]


def find(x12: str, seg_id: str, first: str | None = None) -> list[list[str]]:
    return [s for s in segments(x12) if s[0] == seg_id and (first is None or s[1] == first)]


def line(code="90837", charge="150.00", units="1", pointers=(1,), modifiers=(), pos=None, note=None,
         on=date(2026, 11, 20), session="session-t") -> ServiceLine:
    return ServiceLine(code, Decimal(charge), Decimal(units), on, pointers, modifiers, pos, note, session)


def adult(**changes):
    return dataclasses.replace(demo.adult_claim(), **changes)


def child(**changes):
    return dataclasses.replace(demo.child_claim(), **changes)


TWELVE = ("F41.1", "F32.1", "F43.10", "F90.2", "F84.0", "F40.10", "F42.2", "F50.01", "F51.01", "F63.81",
          "Z63.0", "Z91.89")

MATRIX = {
    "subscriber_is_patient": (adult(),),
    "subscriber_is_someone_else": (child(),),
    "telehealth_pos_02": (adult(place_of_service="02", lines=(line(pos="02", modifiers=("95",)),)),),
    "telehealth_pos_10": (adult(place_of_service="10", lines=(line(pos="10", modifiers=("95",)),)),),
    "replacement_7": (adult(frequency_code="7", original_reference="PAYERCLAIM123"),),
    "void_8": (child(frequency_code="8", original_reference="PAYERCLAIM456"),),
    "add_on_codes": (adult(lines=(line("90834", "140.00"), line("90785", "25.00"), line("90840", "75.00", "2"))),),
    "four_modifiers": (adult(lines=(line(modifiers=("95", "GT", "HO", "U4")),)),),
    "twelve_diagnoses": (adult(diagnoses=TWELVE, lines=(line(pointers=(1, 2, 3, 4)),
                                                         line("90785", "20", pointers=(12, 11, 10, 9)))),),
    "referring_provider": (adult(referring_provider=demo.REFERRING),),
    "line_notes": (adult(lines=(line(note="First line note"), line("90785", "20", note="Add-on note"))),),
    "claim_note": (adult(note="Corrected date of birth"),),
    "pos_differs_by_line": (adult(place_of_service="11", lines=(line(), line("90785", "20", pos="02"))),),
    "several_claims_and_lines": (demo.adult_claim(), demo.child_claim(), adult(patient_control_number="CLM-3",
                                 lines=(line(), line("90785", "25"), line("90837", "150", on=date(2026, 11, 21))))),
    "pay_to_and_ssn": (adult(billing_provider=dataclasses.replace(
        demo.PRACTICE, tax_id="234567890", tax_id_kind="SSN", pay_to_address=demo.PAYER.address)),),
    "payer_without_address_subscriber_without_group": (adult(
        payer=dataclasses.replace(demo.PAYER, address=None),
        subscriber=Subscriber(member_id="M1", record_id="i1")),),
    "fractional_units": (adult(lines=(line("H0004", "30.25", "2.5"),)),),
}


@pytest.mark.parametrize("case", sorted(MATRIX))
def test_write_837p_passes_pyx12_for_case(case):
    claims = MATRIX[case]
    for claim in claims:
        assert scrub(claim, demo.TODAY) == [], case  # every matrix claim is a ready claim
    assert_valid(write_837p(demo.demo_batch(*claims)))


def test_validator_rejects_a_deliberately_broken_file():
    good = write_837p(demo.demo_batch())
    assert_valid(good)
    se = find(good, "SE")[0]
    wrong_count = good.replace(f"SE*{se[1]}*", f"SE*{int(se[1]) - 1}*")
    assert validate(wrong_count)
    assert validate(good.replace("HI*ABK:", "HI*ABF:"))  # principal diagnosis must be ABK
    assert validate(good.replace("SBR*P*18*", "SBR*P*17*"))  # not a relationship code
    assert validate(good.replace("DMG*D8*19880412*F~", ""))  # subscriber-patient needs DMG


def test_write_837p_counts_segments_from_st_to_se():
    x12 = write_837p(demo.demo_batch())
    segs = segments(x12)
    st = next(i for i, s in enumerate(segs) if s[0] == "ST")
    se = next(i for i, s in enumerate(segs) if s[0] == "SE")
    assert int(segs[se][1]) == se - st + 1
    assert segs[se][2] == segs[st][2] == "0001"


def test_write_837p_writes_fixed_width_isa_and_given_control_numbers():
    batch = dataclasses.replace(demo.demo_batch(), interchange_control_number=42, group_control_number=7, usage="P")
    x12 = write_837p(batch)
    isa = x12.split("~")[0]
    assert len(isa) == 105  # ISA is fixed width: 106 characters with its terminator
    fields = isa.split("*")
    assert fields[13] == "000000042" and fields[15] == "P" and fields[16] == ":" and fields[11] == "^"
    assert find(x12, "GS")[0][6] == "7" and find(x12, "GE")[0] == ["GE", "1", "7"]
    assert find(x12, "IEA")[0] == ["IEA", "1", "000000042"]
    assert_valid(x12)


def test_write_837p_is_byte_for_byte_repeatable():
    assert write_837p(demo.demo_batch()) == write_837p(demo.demo_batch())


def test_write_837p_links_patient_hl_to_its_subscriber_when_not_self():
    x12 = write_837p(demo.demo_batch(demo.adult_claim(), demo.child_claim()))
    hls = find(x12, "HL")
    assert hls == [["HL", "1", "", "20", "1"], ["HL", "2", "1", "22", "0"], ["HL", "3", "1", "22", "1"],
                   ["HL", "4", "3", "23", "0"]]
    assert find(x12, "SBR")[1][2] == ""  # SBR02 only when the subscriber is the patient
    assert find(x12, "PAT") == [["PAT", "19"]]


def test_write_837p_writes_frequency_and_original_reference_for_void():
    x12 = write_837p(demo.demo_batch(child(frequency_code="8", original_reference="ORIG42")))
    assert find(x12, "CLM")[0][5] == "11:B:8"
    assert find(x12, "REF", "F8") == [["REF", "F8", "ORIG42"]]
    assert find(x12, "REF", "G1") == [["REF", "G1", "PA67890"]]


def test_write_837p_writes_modifiers_pointers_and_line_pos():
    x12 = write_837p(demo.demo_batch(adult(place_of_service="11", lines=(
        line(modifiers=("95", "GT", "HO", "U4"), pointers=(2, 1), pos="02"),))))
    assert find(x12, "SV1") == [["SV1", "HC:90837:95:GT:HO:U4", "150", "UN", "1", "02", "", "2:1"]]
    assert find(x12, "HI") == [["HI", "ABK:F411", "ABF:F321"]]
    assert find(x12, "CLM")[0][2] == "150"


def test_write_837p_omits_service_facility_at_the_billing_address():
    at_home_office = child(service_facility=dataclasses.replace(demo.FACILITY, address=demo.PRACTICE_ADDRESS))
    x12 = write_837p(demo.demo_batch(at_home_office))
    assert find(x12, "NM1", "77") == []
    assert find(write_837p(demo.demo_batch(child())), "NM1", "77")[0][3] == "DEMO COUNSELING EASTSIDE"
    assert_valid(x12)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(member_id=st.text(max_size=30), reference=st.text(max_size=30))
def test_write_837p_writes_identifiers_verbatim_or_refuses_them(member_id, reference):
    claim = adult(subscriber=Subscriber(member_id=member_id, record_id="i"), frequency_code="7",
                  original_reference=reference)
    try:
        x12 = write_837p(demo.demo_batch(claim))
    except ValueError:
        return
    assert find(x12, "NM1", "IL")[0][9] == member_id
    assert find(x12, "REF", "F8") == [["REF", "F8", reference]]


def test_write_837p_refuses_claims_of_two_payers():
    other = adult(payer=dataclasses.replace(demo.PAYER, payer_id="OTHER"))
    with pytest.raises(ValueError, match="one payer"):
        write_837p(demo.demo_batch(demo.adult_claim(), other))


@pytest.mark.parametrize("claim", [
    adult(subscriber=Subscriber(member_id="M*1", record_id="i")),
    adult(original_reference="A~B", frequency_code="7"),
    adult(lines=(line(code="908:37"),)),
    adult(authorization=dataclasses.replace(demo.AUTH, number="PA^1")),
], ids=["member_id", "original_reference", "code", "authorization"])
def test_write_837p_refuses_delimiters_in_identifiers(claim):
    with pytest.raises(ValueError):
        write_837p(demo.demo_batch(claim))


def test_write_837p_refuses_a_referring_provider_without_npi():
    with pytest.raises(ValueError, match="referring NPI"):
        write_837p(demo.demo_batch(adult(referring_provider=ReferringProvider("A", "B", None, record_id="s"))))


_free_text = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=70)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(first=_free_text, last=_free_text, note=_free_text, facility=_free_text, street=_free_text)
def test_write_837p_cleans_or_refuses_any_free_text_without_breaking_the_envelope(first, last, note, facility,
                                                                                   street):
    patient = dataclasses.replace(demo.CHILD.person, first_name=first, last_name=last,
                                  address=dataclasses.replace(demo.CHILD.person.address, line1=street))
    claim = child(patient=dataclasses.replace(demo.CHILD, person=patient), note=note,
                  service_facility=dataclasses.replace(demo.FACILITY, name=facility), lines=(line(note=note),))
    try:
        x12 = write_837p(demo.demo_batch(claim))
    except ValueError as err:
        assert "X12 file can carry" in str(err)  # refused only when a required name comes out empty
        return
    reference = write_837p(demo.demo_batch(child(note="N", lines=(line(note="N"),))))

    def shape(doc):  # segment ids and component counts per element: a leaked delimiter changes them
        return [(s[0], [len(e.split(":")) for e in s]) for s in segments(doc) if s[0] not in ("NTE", "SE")]

    written, plain = shape(x12), shape(reference)
    assert [seg_id for seg_id, _ in written] == [seg_id for seg_id, _ in plain]
    for (seg_id, parts), (_, plain_parts) in zip(written, plain, strict=True):
        # An empty optional name at the end is dropped (X12 trims trailing empty elements); nothing is added
        assert parts == plain_parts[:len(parts)], seg_id
    assert x12.isascii() and "\n" not in x12 and "\r" not in x12
    for seg in segments(x12)[1:]:  # ISA pads its fixed-width fields; nothing else carries edge spaces
        assert all(e == e.strip() for e in seg), seg
    assert all(len(s[2]) <= 80 for s in find(x12, "NTE"))


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(first=_free_text.filter(lambda s: any(c.isalnum() and c.isascii() for c in s)),
       note=_free_text.filter(lambda s: any(c.isalnum() and c.isascii() for c in s)))
def test_write_837p_passes_pyx12_for_any_free_text(first, note):
    patient = dataclasses.replace(demo.ADULT.person, first_name=first)
    claim = adult(patient=dataclasses.replace(demo.ADULT, person=patient), lines=(line(note=note),))
    assert_valid(write_837p(demo.demo_batch(claim)))


def test_sample_file_in_docs_is_what_the_demo_script_writes_and_is_valid():
    from pathlib import Path

    sample = Path(__file__).resolve().parents[2] / "docs" / "sample-837p.txt"
    text = sample.read_text(encoding="ascii")
    assert text == write_837p(demo.demo_batch()).replace("~", "~\n")
    assert_valid(text)

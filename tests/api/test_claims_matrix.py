"""The issue's matrix, driven through the HTTP API end to end: sessions recorded, claims
created, exported, answered, replaced and voided, and every 837P file validated by pyx12
(independent of the writer) against the 005010X222A1 map. Any pyx12 error fails the test."""
from __future__ import annotations

from tests.api.claim_helpers import HOME, add_client, add_payer, add_session, set_up_practice
from tests.unit.test_x12_837p import _fast_maps, assert_valid, find  # noqa: F401 - pyx12 with the X222A1 map

REFERRER = {"first_name": "Casey", "last_name": "Referrer", "npi": "2223334444"}
TWELVE = ["F41.1", "F32.1", "F43.10", "F41.0", "F33.1", "F42.2", "F90.0", "F43.22", "F40.10", "F51.01", "F32.0",
          "F33.0"]
PARENT = {"first_name": "Jordan", "last_name": "Sample", "date_of_birth": "1980-02-03", "sex": "M", "address": HOME}


def _export(api, payer) -> dict:
    reply = api.post("/v1/claims/exports", {"payer_id": payer["id"]}, role="billing")
    assert reply.status == 201, reply.body
    assert reply.body["left_out"] == []
    assert_valid(reply.body["x12"])
    return reply.body


def _claims_of(x12: str) -> list[list[list[str]]]:
    """The segments of each claim: its CLM up to the next HL or SE."""
    claims: list[list[list[str]]] = []
    current: list[list[str]] | None = None
    for segment in (s.split("*") for s in x12.split("~") if s):
        if segment[0] == "CLM":
            current = [segment]
            claims.append(current)
        elif segment[0] in ("HL", "SE"):
            current = None
        elif current is not None:
            current.append(segment)
    return claims


def _answer(api, claim_id, status, **fields) -> dict:
    current = api.get(f"/v1/claims/{claim_id}", role="billing")
    reply = api.post(f"/v1/claims/{claim_id}/status", {"status": status, **fields}, role="billing",
                     headers={"If-Match": current.etag})
    assert reply.status == 200, reply.body
    return reply.body


def test_claims_matrix_through_the_api_exports_files_pyx12_accepts(api):
    set_up_practice(api)
    payer = add_payer(api)
    adult = add_client(api, payer)
    child = add_client(api, payer, first_name="Riley", date_of_birth="2015-06-01",
                       primary_insurance={"payer": payer["name"], "payer_id": payer["id"], "member_id": "XYZ987654321",
                                          "group_number": "GRP001", "subscriber_relationship": "child",
                                          "subscriber": PARENT})
    # Telehealth at home (POS 10): an add-on code, four modifiers, a referring provider, a line note.
    telehealth = add_session(api, adult, "2026-11-20", place_of_service="10", add_on_codes=["90785"],
                             modifiers=["95", "HO", "GT", "59"], referring_provider=REFERRER,
                             line_note="Interpreter present", additional_diagnoses=["F32.1"])
    # One day, three sessions, twelve diagnoses (four each), one of them telehealth elsewhere (POS 02).
    busy_day = [add_session(api, adult, "2026-11-21", billing_code=code, primary_diagnosis=TWELVE[4 * i],
                            additional_diagnoses=TWELVE[4 * i + 1:4 * i + 4], place_of_service=pos)
                for i, (code, pos) in enumerate([("90834", "11"), ("90837", "02"), ("90832", "11")])]
    # The patient is not the subscriber: a child on a parent's plan.
    child_session = add_session(api, child, "2026-11-20", billing_code="90837", modifiers=["HA"])

    created = api.post("/v1/claims", {"from": "2026-11-01", "to": "2026-11-30"}, role="billing")
    assert created.status == 201, created.body
    claims = {(c["client_id"], c["date_of_service"]): c for c in created.body["claims"]}
    assert all(c["status"] == "ready" and c["problems"] == [] for c in claims.values()), created.body
    assert len(claims) == 3 and created.body["skipped"] == []
    assert claims[(adult["id"], "2026-11-21")]["diagnoses"] == TWELVE

    first = _export(api, payer)
    x12 = first["x12"]
    assert sorted(first["claim_ids"]) == sorted(c["id"] for c in claims.values())
    by_pcn = {c[0][1]: c for c in _claims_of(x12)}
    assert len(by_pcn) == 3
    tele = by_pcn[claims[(adult["id"], "2026-11-20")]["patient_control_number"]]
    assert tele[0][5] == "10:B:1"
    assert next(s for s in tele if s[0] == "SV1")[:2] == ["SV1", "HC:90834:95:HO:GT:59"]
    assert any(s[0] == "SV1" and s[1].startswith("HC:90785") for s in tele)  # the add-on line
    assert next(s for s in tele if s[:2] == ["NM1", "DN"])[:5] == ["NM1", "DN", "1", "REFERRER", "CASEY"]
    assert ["NTE", "ADD", "INTERPRETER PRESENT"] in tele
    busy = by_pcn[claims[(adult["id"], "2026-11-21")]["patient_control_number"]]
    assert len([s for s in busy if s[0] == "LX"]) == 3
    assert len(next(s for s in busy if s[0] == "HI")) == 1 + 12
    assert [s[5] for s in busy if s[0] == "SV1"] == ["", "02", ""]  # the line's own POS where it differs
    assert sorted(s[2] for s in find(x12, "SBR")) == ["", "18", "18"]  # the adult her own subscriber, the child not
    assert find(x12, "PAT") == [["PAT", "19"]]  # the child's loop under the parent's
    assert [s[:5] for s in find(x12, "NM1", "QC")] == [["NM1", "QC", "1", "SAMPLE", "RILEY"]]
    assert {s["id"] for s in [telehealth, *busy_day, child_session]} == {
        s for c in claims.values() for s in c["session_ids"]}

    # The payer pays all three; one is replaced with a corrected line, another voided.
    numbers = {}
    for n, claim in enumerate(claims.values(), start=1):
        numbers[claim["id"]] = f"ICN2026{n:04d}"
        _answer(api, claim["id"], "paid", payer_claim_number=numbers[claim["id"]], note="paid in full")
    adult_claim, child_claim = claims[(adult["id"], "2026-11-20")], claims[(child["id"], "2026-11-20")]
    path = f"/v1/clients/{adult['id']}/sessions/{telehealth['id']}"
    assert api.patch(path, {"line_note": "Interpreter present, Spanish"}, if_match=api.get(path).etag).status == 200
    replacement = _answer(api, adult_claim["id"], "replaced", note="line note corrected")["replaced_by"]
    void = _answer(api, child_claim["id"], "voided", note="billed in error")["replaced_by"]

    second = _export(api, payer)
    assert sorted(second["claim_ids"]) == sorted([replacement, void])
    assert second["interchange_control_number"] == first["interchange_control_number"] + 1
    corrected = {c[0][1]: c for c in _claims_of(second["x12"])}
    for claim_id, frequency, original in ((replacement, "7", adult_claim), (void, "8", child_claim)):
        pcn = api.get(f"/v1/claims/{claim_id}", role="billing").body["patient_control_number"]
        segments = corrected[pcn]
        assert segments[0][5].endswith(f":B:{frequency}")
        assert ["REF", "F8", numbers[original["id"]]] in segments
    assert ["NTE", "ADD", "INTERPRETER PRESENT, SPANISH"] in corrected[
        api.get(f"/v1/claims/{replacement}", role="billing").body["patient_control_number"]]
    assert api.get(f"/v1/claims/exports/{second['id']}", role="billing").body["x12"] == second["x12"]

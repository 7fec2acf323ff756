"""Correcting a paid or accepted claim through POST /v1/claims/{id}/status: a replacement (7)
or a void (8) is a new claim for the same sessions, carrying the payer's claim number as
REF*F8, exported like any other; the original gives its sessions to it."""
from __future__ import annotations

from tests.api.claim_helpers import ready_claim
from tests.unit.test_x12_837p import _fast_maps, find, validate  # noqa: F401 - pyx12, independent of the writer


def _outcome(api, claim_id, status, **fields):
    current = api.get(f"/v1/claims/{claim_id}", role="billing")
    return api.post(f"/v1/claims/{claim_id}/status", {"status": status, **fields}, role="billing",
                    headers={"If-Match": current.etag})


def _paid(api, status="paid", **fields):
    """A claim exported and answered (paid or accepted) by the payer."""
    payer, client, claim = ready_claim(api)
    assert api.post("/v1/claims/exports", {"payer_id": payer["id"]}, role="billing").status == 201
    reply = _outcome(api, claim["id"], status, **fields)
    assert reply.status == 200, reply.body
    return payer, client, reply.body


def test_record_outcome_keeps_the_payers_claim_number(api):
    _, _, claim = _paid(api, payer_claim_number="ICN2026001")
    assert claim["payer_claim_number"] == "ICN2026001" and claim["status"] == "paid"


def test_replace_paid_claim_creates_a_frequency_7_claim_exported_with_ref_f8(api):
    payer, client, claim = _paid(api, payer_claim_number="ICN2026001")
    session_path = f"/v1/clients/{client['id']}/sessions/{claim['session_ids'][0]}"
    fixed = api.patch(session_path, {"modifiers": ["HO"]}, if_match=api.get(session_path).etag)
    assert fixed.status == 200, fixed.body
    reply = _outcome(api, claim["id"], "replaced", note="wrong modifier")
    assert reply.status == 200, reply.body
    original = reply.body
    assert original["status"] == "replaced" and original["replaced_by"]
    assert original["history"][-1]["status"] == "replaced" and original["history"][-1]["by"] == "usr_prc_a_billing"
    assert original["history"][-1]["note"] == "wrong modifier" and original["history"][-1]["at"]
    assert api.get(f"/v1/claims/{claim['id']}", role="billing").body == original
    new = api.get(f"/v1/claims/{original['replaced_by']}", role="billing").body
    assert new["frequency_code"] == "7" and new["original_reference"] == "ICN2026001"
    assert new["replaces"] == claim["id"] and new["session_ids"] == claim["session_ids"]
    assert new["status"] == "ready" and new["lines"][0]["modifiers"] == ["HO"]
    assert new["history"][0]["by"] == "usr_prc_a_billing" and new["history"][0]["at"]
    export = api.post("/v1/claims/exports", {"payer_id": payer["id"]}, role="billing")
    assert export.status == 201 and export.body["claim_ids"] == [new["id"]]
    x12 = export.body["x12"]
    assert find(x12, "CLM")[0][5] == "11:B:7" and find(x12, "REF", "F8") == [["REF", "F8", "ICN2026001"]]
    assert validate(x12) == []


def test_void_accepted_claim_with_reference_given_exports_frequency_8(api):
    payer, _, claim = _paid(api, status="accepted")
    reply = _outcome(api, claim["id"], "voided", original_reference="DCN-77")
    assert reply.status == 200 and reply.body["status"] == "voided"
    void = api.get(f"/v1/claims/{reply.body['replaced_by']}", role="billing").body
    assert void["frequency_code"] == "8" and void["original_reference"] == "DCN-77" and void["status"] == "ready"
    x12 = api.post("/v1/claims/exports", {"payer_id": payer["id"]}, role="billing").body["x12"]
    assert find(x12, "CLM")[0][5] == "11:B:8" and find(x12, "REF", "F8") == [["REF", "F8", "DCN-77"]]
    assert validate(x12) == []


def test_replace_without_the_payers_claim_number_is_422_and_writes_nothing(api):
    _, _, claim = _paid(api)
    reply = _outcome(api, claim["id"], "replaced")
    assert reply.status == 422 and reply.body["errors"][0]["field"] == "body.original_reference"
    assert api.get(f"/v1/claims/{claim['id']}", role="billing").body == claim
    assert [c["id"] for c in api.get("/v1/claims", role="billing").body["items"]] == [claim["id"]]


def test_replace_a_submitted_claim_is_409(api):
    payer, _, claim = ready_claim(api)
    assert api.post("/v1/claims/exports", {"payer_id": payer["id"]}, role="billing").status == 201
    reply = _outcome(api, claim["id"], "replaced", original_reference="ICN1")
    assert reply.status == 409 and "cannot become replaced" in reply.body["detail"]


def test_original_reference_on_a_payers_answer_is_422(api):
    payer, _, claim = ready_claim(api)
    assert api.post("/v1/claims/exports", {"payer_id": payer["id"]}, role="billing").status == 201
    reply = _outcome(api, claim["id"], "paid", original_reference="ICN1")
    assert reply.status == 422 and reply.body["errors"][0]["field"] == "body.original_reference"


def test_payer_claim_number_with_an_x12_delimiter_is_422(api):
    payer, _, claim = ready_claim(api)
    assert api.post("/v1/claims/exports", {"payer_id": payer["id"]}, role="billing").status == 201
    reply = _outcome(api, claim["id"], "paid", payer_claim_number="ICN*1")
    assert reply.status == 422 and reply.body["errors"][0]["field"] == "body.payer_claim_number"


def test_replacement_takes_the_sessions_so_they_stay_on_one_live_claim(api):
    _, client, claim = _paid(api, payer_claim_number="ICN1")
    new_id = _outcome(api, claim["id"], "replaced").body["replaced_by"]
    again = api.post("/v1/claims", {"client_id": client["id"], "session_ids": claim["session_ids"]}, role="billing")
    assert again.status == 200 and again.body["skipped"][0]["reason"] == f"already on claim {new_id}"
    twice = _outcome(api, claim["id"], "voided", original_reference="ICN1")
    assert twice.status == 409  # the original is replaced now: only its replacement can be corrected


def test_replace_with_a_stale_if_match_is_412(api):
    _, _, claim = _paid(api, payer_claim_number="ICN1")
    reply = api.post(f"/v1/claims/{claim['id']}/status", {"status": "replaced"}, role="billing",
                     headers={"If-Match": '"1"'})
    assert reply.status == 412
    assert api.get(f"/v1/claims/{claim['id']}", role="billing").body["status"] == "paid"


def test_void_claim_cannot_be_replaced_or_voided_again(api):
    payer, _, claim = _paid(api, payer_claim_number="ICN1")
    void_id = _outcome(api, claim["id"], "voided").body["replaced_by"]
    assert api.post("/v1/claims/exports", {"payer_id": payer["id"]}, role="billing").status == 201
    assert _outcome(api, void_id, "accepted", payer_claim_number="ICN2").status == 200
    reply = _outcome(api, void_id, "replaced")
    assert reply.status == 409 and "void" in reply.body["detail"]


def test_replacement_once_paid_can_be_replaced_again_with_its_own_number(api):
    payer, _, claim = _paid(api, payer_claim_number="ICN1")
    first = _outcome(api, claim["id"], "replaced").body["replaced_by"]
    assert api.post("/v1/claims/exports", {"payer_id": payer["id"]}, role="billing").status == 201
    assert _outcome(api, first, "paid", payer_claim_number="ICN2").status == 200
    second = _outcome(api, first, "replaced").body["replaced_by"]
    new = api.get(f"/v1/claims/{second}", role="billing").body
    assert new["frequency_code"] == "7" and new["original_reference"] == "ICN2" and new["replaces"] == first


def test_delete_unsent_replacement_gives_the_sessions_back_to_the_original(api):
    _, client, claim = _paid(api, payer_claim_number="ICN1")
    new_id = _outcome(api, claim["id"], "replaced").body["replaced_by"]
    current = api.get(f"/v1/claims/{new_id}", role="billing")
    assert api.delete(f"/v1/claims/{new_id}", role="billing", if_match=current.etag).status == 204
    original = api.get(f"/v1/claims/{claim['id']}", role="billing").body
    assert original["status"] == "paid" and original["replaced_by"] is None
    assert [h["status"] for h in original["history"]] == ["ready", "submitted", "paid", "replaced", "paid"]
    assert original["history"][-1]["note"] == f"replacement {new_id} deleted"
    again = api.post("/v1/claims", {"client_id": client["id"], "session_ids": claim["session_ids"]}, role="billing")
    assert again.body["skipped"][0]["reason"] == f"already on claim {claim['id']}"


def test_replacement_reads_the_session_as_it_is_now_including_a_new_date(api):
    _, client, claim = _paid(api, payer_claim_number="ICN1")
    session_path = f"/v1/clients/{client['id']}/sessions/{claim['session_ids'][0]}"
    moved = api.patch(session_path, {"date_of_service": "2026-11-19"}, if_match=api.get(session_path).etag)
    assert moved.status == 200, moved.body
    new = api.get(f"/v1/claims/{_outcome(api, claim['id'], 'replaced').body['replaced_by']}", role="billing").body
    assert new["date_of_service"] == "2026-11-19" and new["lines"][0]["date_of_service"] == "2026-11-19"

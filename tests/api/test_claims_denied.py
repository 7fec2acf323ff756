"""A denied claim has been adjudicated: it is corrected like a paid or accepted one, by a
replacement (7) or a void (8) that takes over its sessions."""
from __future__ import annotations

from tests.api.claim_helpers import ready_claim
from tests.unit.test_x12_837p import _fast_maps, find, validate  # noqa: F401 - pyx12, independent of the writer


def _outcome(api, claim_id, status, **fields):
    current = api.get(f"/v1/claims/{claim_id}", role="billing")
    return api.post(f"/v1/claims/{claim_id}/status", {"status": status, **fields}, role="billing",
                    headers={"If-Match": current.etag})


def _denied(api, **fields):
    payer, client, claim = ready_claim(api)
    assert api.post("/v1/claims/exports", {"payer_id": payer["id"]}, role="billing").status == 201
    reply = _outcome(api, claim["id"], "denied", **fields)
    assert reply.status == 200, reply.body
    return payer, client, reply.body


def test_replace_denied_claim_creates_a_replacement_that_takes_its_sessions(api):
    payer, client, claim = _denied(api, payer_claim_number="ICN555", note="missing modifier")
    reply = _outcome(api, claim["id"], "replaced")
    assert reply.status == 200, reply.body
    assert reply.body["status"] == "replaced" and reply.body["replaced_by"]
    new = api.get(f"/v1/claims/{reply.body['replaced_by']}", role="billing").body
    assert new["status"] == "ready" and new["frequency_code"] == "7" and new["original_reference"] == "ICN555"
    assert new["replaces"] == claim["id"] and new["session_ids"] == claim["session_ids"]
    again = api.post("/v1/claims", {"client_id": client["id"], "session_ids": claim["session_ids"]}, role="billing")
    assert again.status == 200 and again.body["skipped"][0]["reason"] == f"already on claim {new['id']}"
    export = api.post("/v1/claims/exports", {"payer_id": payer["id"]}, role="billing")
    assert export.status == 201 and export.body["claim_ids"] == [new["id"]]
    assert find(export.body["x12"], "REF", "F8") == [["REF", "F8", "ICN555"]]
    assert validate(export.body["x12"]) == []


def test_void_denied_claim_with_reference_given_creates_a_frequency_8_claim(api):
    _, _, claim = _denied(api)
    reply = _outcome(api, claim["id"], "voided", original_reference="DCN-9")
    assert reply.status == 200 and reply.body["status"] == "voided"
    void = api.get(f"/v1/claims/{reply.body['replaced_by']}", role="billing").body
    assert void["frequency_code"] == "8" and void["original_reference"] == "DCN-9"


def test_delete_unsent_replacement_of_a_denied_claim_gives_it_back_denied(api):
    _, _, claim = _denied(api, payer_claim_number="ICN555")
    new_id = _outcome(api, claim["id"], "replaced").body["replaced_by"]
    current = api.get(f"/v1/claims/{new_id}", role="billing")
    assert api.delete(f"/v1/claims/{new_id}", role="billing", if_match=current.etag).status == 204
    original = api.get(f"/v1/claims/{claim['id']}", role="billing").body
    assert original["status"] == "denied" and original["replaced_by"] is None


def test_check_denied_claim_is_409_saying_how_to_correct_it(api):
    _, _, claim = _denied(api)
    reply = api.post(f"/v1/claims/{claim['id']}/check", role="billing")
    assert reply.status == 409 and "replaced or voided" in reply.body["detail"]

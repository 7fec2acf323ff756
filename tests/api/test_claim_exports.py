"""/v1/claims/exports and the claim lifecycle: 837P files, control numbers, payers' answers."""
from __future__ import annotations

from tests.api.claim_helpers import add_client, add_payer, add_session, ready_claim
from tests.unit.test_x12_837p import _fast_maps, validate  # noqa: F401 - pyx12, independent of the writer


def test_export_ready_claims_writes_a_valid_837p_and_submits_them(api):
    payer, _client, claim = ready_claim(api)
    reply = api.post("/v1/claims/exports", {"payer_id": payer["id"]}, role="billing")
    assert reply.status == 201, reply.body
    export = reply.body
    assert reply.headers["location"] == f"/v1/claims/exports/{export['id']}"
    assert export["claim_ids"] == [claim["id"]] and export["left_out"] == []
    assert export["x12"].startswith("ISA*") and f"CLM*{claim['patient_control_number']}*140" in export["x12"]
    assert validate(export["x12"]) == []
    submitted = api.get(f"/v1/claims/{claim['id']}", role="billing").body
    assert submitted["status"] == "submitted" and submitted["export_id"] == export["id"]
    assert api.get(f"/v1/claims/exports/{export['id']}", role="billing").body["x12"] == export["x12"]
    assert api.post("/v1/claims/exports", {"payer_id": payer["id"]}, role="billing").status == 409  # nothing left


def test_export_control_numbers_increase_and_are_never_reused(api):
    payer, client, _ = ready_claim(api)
    numbers = []
    for day in ("2026-11-21", "2026-11-22"):
        session = add_session(api, client, day)
        assert api.post("/v1/claims", {"client_id": client["id"], "session_ids": [session["id"]]}).status == 201
        numbers.append(api.post("/v1/claims/exports", {"payer_id": payer["id"]}).body["interchange_control_number"])
    assert numbers[1] == numbers[0] + 1


def test_export_leaves_out_draft_claims_and_other_payers(api):
    payer, client, claim = ready_claim(api)
    other = add_payer(api, name="Other")
    other_client = add_client(api, other, first_name="Sam")
    assert api.post("/v1/claims", {"client_id": other_client["id"],
                                   "session_ids": [add_session(api, other_client)["id"]]}).status == 201
    draft_session = add_session(api, client, "2026-11-23", primary_diagnosis=None)
    draft = api.post("/v1/claims", {"client_id": client["id"], "session_ids": [draft_session["id"]]}).body
    assert draft["claims"][0]["status"] == "draft"
    export = api.post("/v1/claims/exports", {"payer_id": payer["id"]}).body
    assert export["claim_ids"] == [claim["id"]]


def test_export_with_unknown_payer_is_422(api):
    reply = api.post("/v1/claims/exports", {"payer_id": "pay_missing"}, role="billing")
    assert reply.status == 422 and reply.body["errors"][0]["field"] == "body.payer_id"


def test_export_without_clearinghouse_details_is_409_naming_them(api):
    payer, _, _ = ready_claim(api)
    practice = api.get("/v1/practice")
    api.patch("/v1/practice", {"receiver_id": None}, if_match=practice.etag)
    reply = api.post("/v1/claims/exports", {"payer_id": payer["id"]})
    assert reply.status == 409 and reply.body["fields"] == ["receiver_id"]


def _submitted(api):
    payer, client, claim = ready_claim(api)
    assert api.post("/v1/claims/exports", {"payer_id": payer["id"]}).status == 201
    return payer, client, api.get(f"/v1/claims/{claim['id']}")


def test_record_outcome_needs_if_match_and_records_who_and_when(api):
    _, _, claim = _submitted(api)
    path = f"/v1/claims/{claim.body['id']}/status"
    assert api.post(path, {"status": "paid"}, role="billing").status == 428
    stale = api.post(path, {"status": "paid"}, role="billing", headers={"If-Match": '"1"'})
    assert stale.status == 412
    reply = api.post(path, {"status": "paid", "note": "ICN 123"}, role="billing", headers={"If-Match": claim.etag})
    assert reply.status == 200 and reply.body["status"] == "paid"
    assert reply.body["history"][-1]["status"] == "paid" and reply.body["history"][-1]["note"] == "ICN 123"
    assert reply.body["history"][-1]["by"] == "usr_prc_a_billing"
    again = api.post(path, {"status": "denied"}, role="billing", headers={"If-Match": reply.etag})
    assert again.status == 409


def test_rejected_claim_is_checked_again_and_resubmitted(api):
    payer, _, claim = _submitted(api)
    cid = claim.body["id"]
    assert api.post(f"/v1/claims/{cid}/check").status == 409  # a sent claim is not re-checked
    rejected = api.post(f"/v1/claims/{cid}/status", {"status": "rejected", "note": "bad member id"},
                        headers={"If-Match": claim.etag})
    assert rejected.status == 200
    checked = api.post(f"/v1/claims/{cid}/check")
    assert checked.status == 200 and checked.body["status"] == "ready"
    export = api.post("/v1/claims/exports", {"payer_id": payer["id"]})
    assert export.status == 201 and export.body["claim_ids"] == [cid]
    assert [h["status"] for h in api.get(f"/v1/claims/{cid}").body["history"]] == [
        "ready", "submitted", "rejected", "ready", "submitted"]


def test_export_puts_a_claim_whose_records_changed_back_to_draft(api):
    payer, client, claim = ready_claim(api)
    current = api.get(f"/v1/clients/{client['id']}")
    assert api.patch(f"/v1/clients/{client['id']}", {"date_of_birth": None}, if_match=current.etag).status == 200
    reply = api.post("/v1/claims/exports", {"payer_id": payer["id"]})
    assert reply.status == 409 and reply.body["left_out"][0]["claim_id"] == claim["id"]
    after = api.get(f"/v1/claims/{claim['id']}").body
    assert after["status"] == "draft"
    missing = {"record": "client", "record_id": client["id"], "field": "date_of_birth", "reason": "missing"}
    assert missing in after["problems"]


def test_export_leaves_out_a_claim_with_a_group_number_x12_cannot_carry(api):
    payer, client, _claim = ready_claim(api)
    fine = add_client(api, payer, first_name="Sam")
    fine_claim = api.post("/v1/claims", {"client_id": fine["id"], "session_ids": [add_session(api, fine)["id"]]})
    current = api.get(f"/v1/clients/{client['id']}")
    insurance = {**current.body["primary_insurance"], "group_number": "GRP*001"}
    assert api.patch(f"/v1/clients/{client['id']}", {"primary_insurance": insurance},
                     if_match=current.etag).status == 200
    reply = api.post("/v1/claims/exports", {"payer_id": payer["id"]})
    assert reply.status == 201, reply.body
    assert reply.body["claim_ids"] == [fine_claim.body["claims"][0]["id"]]
    # Scrubbing names the record to fix (it once said only "x12", found by the writer).
    problem = reply.body["left_out"][0]["problems"][0]
    assert (problem["record"], problem["field"]) == ("client_insurance", "primary_insurance.group_number")
    assert validate(reply.body["x12"]) == []

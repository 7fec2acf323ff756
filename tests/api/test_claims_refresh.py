"""A claim's header (payer, rendering practitioner, date of service) follows its records: check
and export read them again, so lists, filters and exports see the claim as it is now, and no
export carries a claim whose payer is now another one."""
from __future__ import annotations

from tests.api.claim_helpers import PRACTITIONER, add_client, add_payer, add_session, ready_claim, set_up_practice


def _create(api, client, *sessions):
    reply = api.post("/v1/claims", {"client_id": client["id"], "session_ids": [s["id"] for s in sessions]},
                     role="billing")
    assert reply.status == 201, reply.body
    return reply.body["claims"][0]


def _patch_client(api, client_id, changes):
    current = api.get(f"/v1/clients/{client_id}")
    reply = api.patch(f"/v1/clients/{client_id}", changes, if_match=current.etag)
    assert reply.status == 200, reply.body
    return reply.body


def _insurance(payer):
    return {"primary_insurance": {"payer": payer["name"], "payer_id": payer["id"], "member_id": "XYZ123456789"}}


def _check(api, claim_id):
    reply = api.post(f"/v1/claims/{claim_id}/check", role="billing")
    assert reply.status == 200, reply.body
    return reply.body


def _ids(api, query):
    reply = api.get(f"/v1/claims{query}", role="billing")
    assert reply.status == 200, reply.body
    return [c["id"] for c in reply.body["items"]]


def test_check_claim_after_choosing_the_catalogue_payer_files_it_under_that_payer(api):
    set_up_practice(api)
    payer = add_payer(api)
    client = add_client(api, payer, primary_insurance={"payer": payer["name"], "member_id": "XYZ123456789"})
    claim = _create(api, client, add_session(api, client))
    assert claim["status"] == "draft" and claim["payer_id"] is None
    assert [(p["record"], p["field"]) for p in claim["problems"]] == [
        ("client_insurance", "primary_insurance.payer_id")]
    _patch_client(api, client["id"], _insurance(payer))
    checked = _check(api, claim["id"])
    assert checked["status"] == "ready" and checked["payer_id"] == payer["id"]
    assert _ids(api, f"?payer_id={payer['id']}") == [claim["id"]]
    export = api.post("/v1/claims/exports", {"payer_id": payer["id"]}, role="billing")
    assert export.status == 201 and export.body["claim_ids"] == [claim["id"]]


def test_check_claim_after_the_client_changed_payer_moves_it_to_the_new_payer(api):
    first, client, claim = ready_claim(api)
    second = add_payer(api, name="Second Plan", payer_id="SECND")
    _patch_client(api, client["id"], _insurance(second))
    checked = _check(api, claim["id"])
    assert checked["status"] == "ready" and checked["payer_id"] == second["id"]
    assert _ids(api, f"?payer_id={first['id']}") == [] and _ids(api, f"?payer_id={second['id']}") == [claim["id"]]
    assert api.post("/v1/claims/exports", {"payer_id": first["id"]}, role="billing").status == 409
    export = api.post("/v1/claims/exports", {"payer_id": second["id"]}, role="billing").body
    assert export["claim_ids"] == [claim["id"]] and "NM1*PR*2*SECOND PLAN*****PI*SECND~" in export["x12"]


def test_export_leaves_out_a_claim_whose_client_changed_payer_and_files_it_under_the_new_one(api):
    first, client, claim = ready_claim(api)
    stays = add_client(api, first, first_name="Sam")
    stays_claim = _create(api, stays, add_session(api, stays))
    second = add_payer(api, name="Second Plan", payer_id="SECND")
    _patch_client(api, client["id"], _insurance(second))  # no check: the export reads the records itself
    reply = api.post("/v1/claims/exports", {"payer_id": first["id"]}, role="billing")
    assert reply.status == 201, reply.body
    assert reply.body["claim_ids"] == [stays_claim["id"]] and "SECND" not in reply.body["x12"]
    assert reply.body["left_out"] == [{"claim_id": claim["id"], "payer_id": second["id"], "problems": []}]
    moved = api.get(f"/v1/claims/{claim['id']}", role="billing").body
    assert moved["status"] == "ready" and moved["payer_id"] == second["id"]
    again = api.post("/v1/claims/exports", {"payer_id": second["id"]}, role="billing")
    assert again.status == 201 and again.body["claim_ids"] == [claim["id"]]


def test_export_with_only_claims_now_for_another_payer_is_409_and_moves_them(api):
    first, client, claim = ready_claim(api)
    second = add_payer(api, name="Second Plan", payer_id="SECND")
    _patch_client(api, client["id"], _insurance(second))
    reply = api.post("/v1/claims/exports", {"payer_id": first["id"]}, role="billing")
    assert reply.status == 409, reply.body
    assert api.get(f"/v1/claims/{claim['id']}", role="billing").body["payer_id"] == second["id"]
    assert api.post("/v1/claims/exports", {"payer_id": second["id"]}, role="billing").status == 201


def test_check_claim_after_naming_the_practitioner_sets_its_practitioner(api):
    set_up_practice(api)
    payer = add_payer(api)
    client = add_client(api, payer, practitioner_id=None)
    claim = _create(api, client, add_session(api, client))
    assert claim["practitioner_id"] is None
    assert api.get(f"/v1/claims/{claim['id']}", role="practitioner").status == 404
    _patch_client(api, client["id"], {"practitioner_id": PRACTITIONER})
    checked = _check(api, claim["id"])
    assert checked["status"] == "ready" and checked["practitioner_id"] == PRACTITIONER
    assert api.get(f"/v1/claims/{claim['id']}", role="practitioner").status == 200


def test_check_claim_after_moving_its_session_lists_it_on_the_new_date(api):
    set_up_practice(api)
    payer = add_payer(api)
    client = add_client(api, payer)
    session = add_session(api, client, "2026-11-20", primary_diagnosis=None)
    claim = _create(api, client, session)
    path = f"/v1/clients/{client['id']}/sessions/{session['id']}"
    moved = api.patch(path, {"date_of_service": "2026-11-18", "primary_diagnosis": "F41.1"},
                      if_match=api.get(path).etag)
    assert moved.status == 200, moved.body
    checked = _check(api, claim["id"])
    assert checked["status"] == "ready" and checked["date_of_service"] == "2026-11-18"
    assert _ids(api, "?from=2026-11-18&to=2026-11-18") == [claim["id"]]
    assert _ids(api, "?status=ready&from=2026-11-18&to=2026-11-18") == [claim["id"]]
    assert _ids(api, f"?client_id={client['id']}&from=2026-11-20&to=2026-11-20") == []


def test_create_client_with_a_payer_not_in_the_catalogue_is_422(api):
    reply = api.post("/v1/clients", {"first_name": "A", "last_name": "B", "primary_insurance": {
        "payer": "Example Health Plan", "payer_id": "EXHP1", "member_id": "M1"}})
    assert reply.status == 422 and reply.body["errors"] == [
        {"field": "body.primary_insurance.payer_id", "reason": "no such payer in the catalogue (/v1/payers)"}]
    assert api.get("/v1/clients").body["items"] == []


def test_update_client_with_a_payer_not_in_the_catalogue_is_422(api):
    payer = add_payer(api)
    client = add_client(api, payer)
    current = api.get(f"/v1/clients/{client['id']}")
    reply = api.patch(f"/v1/clients/{client['id']}", {"secondary_insurance": {
        "payer": "Other", "payer_id": "pay_missing", "member_id": "M2"}}, if_match=current.etag)
    assert reply.status == 422 and reply.body["errors"][0]["field"] == "body.secondary_insurance.payer_id"
    assert api.get(f"/v1/clients/{client['id']}").body == current.body

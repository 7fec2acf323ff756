"""Where features meet: scenarios an end-to-end run over HTTP found answering wrongly, each
kept here over moto (claims and session edits, idempotency and note access, the charges route
and recorded sessions)."""
from __future__ import annotations

from tests.api.claim_helpers import add_client, add_payer, add_session, set_up_practice

# ---- a claim, then its session edited, then the export --------------------------------------

def test_export_records_claim_lines_as_exported_when_session_changed_after_check(api):
    set_up_practice(api)
    payer = add_payer(api)
    client = add_client(api, payer)
    session = add_session(api, client)
    claim = api.post("/v1/claims", {"session_ids": [session["id"]]}, role="billing").body["claims"][0]
    assert claim["status"] == "ready" and claim["lines"][0]["code"] == "90834"
    current = api.get(f"/v1/clients/{client['id']}/sessions/{session['id']}")
    edited = api.patch(f"/v1/clients/{client['id']}/sessions/{session['id']}",
                       {"billing_code": "90837", "primary_diagnosis": "F32.1"}, if_match=current.etag)
    assert edited.status == 200, edited.body

    export = api.post("/v1/claims/exports", {"payer_id": payer["id"]}, role="billing")

    assert export.status == 201, export.body
    assert "SV1*HC:90837*180" in export.body["x12"]
    sent = api.get(f"/v1/claims/{claim['id']}", role="billing").body
    assert sent["status"] == "submitted"
    # The claim on record is the claim that was sent, not the one checked before the edit.
    assert [(line["code"], line["charge"]) for line in sent["lines"]] == [("90837", "180.00")]
    assert sent["diagnoses"] == ["F32.1"]
    assert sent["total_charge"] == "180.00"

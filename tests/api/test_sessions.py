"""/v1/clients/{id}/sessions: service records, their validation, and re-charging on edits."""
from __future__ import annotations

from tests.api.entitlement_helpers import make_authorization, make_client, make_pack
from tests.conftest import PRACTICE_A, USERS

FULL = {"date_of_service": "2026-11-20", "billing_code": "90837", "primary_diagnosis": "f411",
        "additional_diagnoses": ["F32.A", "Z63.0"], "bill_to": "automatic",
        "paid_at_session": {"amount": "40.00", "method": "card"}, "modifiers": ["95", "gt"],
        "additional_dates": ["2026-11-21"],
        "referring_provider": {"first_name": "Sam", "last_name": "Lee", "npi": "1234567893"},
        "line_note": "Telehealth session", "resubmission_code": "7", "original_claim_reference": "CLM-1",
        "comments": "Fine", "add_on_codes": ["90785"]}


def _session(api, client_id, **fields):
    return api.post(f"/v1/clients/{client_id}/sessions", fields, role="practitioner")


def test_session_with_every_claim_field_is_recorded_and_charged(api):
    client = make_client(api)
    make_authorization(api, client["id"])
    reply = _session(api, client["id"], **FULL)
    assert reply.status == 201, reply.body
    session = reply.body["session"]
    assert session["primary_diagnosis"] == "F41.1" and session["modifiers"] == ["95", "GT"]
    assert (session["minutes"], session["fee"], session["place_of_service"]) == (60, "180.00", "11")
    assert session["prior_authorization_number"] == "PA-7781" and session["authorization_warning"] is None
    assert reply.body["charge"]["authorization"]["counted"].startswith("session 1 of 12")
    stored = api.get(f"/v1/clients/{client['id']}/sessions/{session['id']}")
    assert stored.body == session and stored.etag == '"1"'


def test_session_validation_names_each_field(api):
    client = make_client(api)
    reply = _session(api, client["id"], date_of_service="2026-11-20", billing_code="90837",
                     primary_diagnosis="41.1", additional_diagnoses=["F41.1"] * 4, modifiers=["9", "GT"],
                     referring_provider={"first_name": "Sam"}, place_of_service="29")
    assert reply.status == 422
    fields = {e["field"] for e in reply.body["errors"]}
    assert {"body.primary_diagnosis", "body.additional_diagnoses", "body.modifiers.0",
            "body.referring_provider.last_name", "body.referring_provider.npi",
            "body.place_of_service"} <= fields


def test_resubmission_code_needs_the_original_claim(api):
    client = make_client(api)
    reply = _session(api, client["id"], date_of_service="2026-11-20", billing_code="90837", resubmission_code="8")
    assert reply.status == 422 and reply.body["errors"][0]["reason"].endswith("needs original_claim_reference")


def test_add_on_codes_must_be_add_ons_and_the_primary_must_not_be(api):
    client = make_client(api)
    reply = _session(api, client["id"], date_of_service="2026-11-20", billing_code="90785", add_on_codes=["90834"])
    assert reply.status == 422
    assert {e["field"] for e in reply.body["errors"]} == {"body.billing_code", "body.add_on_codes.0"}


def test_changing_the_code_resets_length_and_fee_and_recharges(api):
    client = make_client(api)
    pack = make_pack(api, client["id"], name="Hours", measure="minutes", limit="600", price="1")
    created = _session(api, client["id"], date_of_service="2026-11-20", billing_code="90837").body
    assert created["charge"]["pack"]["charged"] == "60"
    path = f"/v1/clients/{client['id']}/sessions/{created['session']['id']}"
    edited = api.patch(path, {"billing_code": "90834"}, if_match='"1"')
    assert edited.status == 200, edited.body
    assert (edited.body["session"]["minutes"], edited.body["session"]["fee"]) == (45, "140.00")
    assert edited.body["charge"]["pack"]["charged"] == "45" and edited.etag == '"2"'
    assert api.get(f"/v1/clients/{client['id']}/packs/{pack['id']}").body["used"] == "45"
    longer = api.patch(path, {"minutes": 50}, if_match=edited.etag)
    assert longer.body["session"]["minutes"] == 50
    assert api.get(f"/v1/clients/{client['id']}/packs/{pack['id']}").body["used"] == "50"
    ledger = api.get(f"/v1/clients/{client['id']}/packs/{pack['id']}/ledger").body["items"]
    assert [e["amount"] for e in ledger] == ["60", "-60", "45", "-45", "50"]


def test_recharge_moves_to_another_entitlement_when_the_code_is_not_covered(api):
    client = make_client(api)
    only_therapy = make_pack(api, client["id"], name="Therapy", measure="sessions", limit="5", price="1",
                             codes={"mode": "only", "codes": ["90837"]})
    intake = make_pack(api, client["id"], name="Intake", measure="sessions", limit="1", price="1",
                       codes={"mode": "only", "codes": ["90791"]})
    created = _session(api, client["id"], date_of_service="2026-11-20", billing_code="90837").body
    path = f"/v1/clients/{client['id']}/sessions/{created['session']['id']}"
    moved = api.patch(path, {"billing_code": "90791"}, if_match='"1"').body
    assert moved["charge"]["pack"]["id"] == intake["id"]
    assert api.get(f"/v1/clients/{client['id']}/packs/{only_therapy['id']}").body["used"] == "0"
    assert api.get(f"/v1/clients/{client['id']}/packs/{intake['id']}").body["used"] == "1"


def test_editing_only_notes_does_not_recharge_and_stale_edit_is_412(api):
    client = make_client(api)
    pack = make_pack(api, client["id"], name="P", measure="sessions", limit="5", price="1")
    created = _session(api, client["id"], date_of_service="2026-11-20", billing_code="90837").body
    path = f"/v1/clients/{client['id']}/sessions/{created['session']['id']}"
    noted = api.patch(path, {"comments": "Late start"}, if_match='"1"')
    assert noted.status == 200 and noted.body["charge"] is None and noted.body["session"]["comments"] == "Late start"
    assert api.patch(path, {"minutes": 30}, if_match='"1"').status == 412
    assert api.get(f"/v1/clients/{client['id']}/packs/{pack['id']}").body["used"] == "1"


def test_deleting_a_session_gives_its_charge_back(api):
    client = make_client(api)
    pack = make_pack(api, client["id"], name="P", measure="sessions", limit="5", price="1")
    created = _session(api, client["id"], date_of_service="2026-11-20", billing_code="90837").body
    path = f"/v1/clients/{client['id']}/sessions/{created['session']['id']}"
    assert api.delete(path, if_match='"1"').status == 204
    assert api.get(path).status == 404
    assert api.get(f"/v1/clients/{client['id']}/packs/{pack['id']}").body["used"] == "0"


def test_attending_an_appointment_records_its_session(api):
    client = make_client(api)
    make_authorization(api, client["id"])
    booked = api.post("/v1/appointments", {
        "client_id": client["id"], "practitioner_id": USERS[PRACTICE_A]["practitioner"],
        "location_id": f"loc_{PRACTICE_A}_main", "start": "2026-12-01T10:00:00", "end": "2026-12-01T10:45:00",
        "billing_code": "90834", "telehealth": True}).body["appointments"][0]
    api.post(f"/v1/appointments/{booked['id']}/status", {"status": "attended"}, headers={"If-Match": '"1"'})
    sessions = api.get(f"/v1/clients/{client['id']}/sessions").body["items"]
    assert len(sessions) == 1
    session = sessions[0]
    assert (session["id"], session["appointment_id"], session["date_of_service"], session["minutes"]) == (
        booked["id"], booked["id"], "2026-12-01", 45)
    assert session["place_of_service"] == "10" and session["prior_authorization_number"] == "PA-7781"
    api.post(f"/v1/appointments/{booked['id']}/status", {"status": "cancelled", "reason": "error"},
             headers={"If-Match": '"2"'})
    assert api.get(f"/v1/clients/{client['id']}/sessions").body["items"] == []


def test_session_for_unknown_client_is_404(api):
    assert _session(api, "cli_missing", date_of_service="2026-11-20", billing_code="90837").status == 404


def test_at_most_four_modifiers_and_add_on_codes(api):
    client = make_client(api)
    reply = _session(api, client["id"], date_of_service="2026-11-20", billing_code="90837",
                     modifiers=["95", "GT", "25", "59", "76"], add_on_codes=["90785"] * 5)
    assert reply.status == 422
    assert {e["field"] for e in reply.body["errors"]} == {"body.modifiers", "body.add_on_codes"}


def test_the_same_add_on_code_twice_is_accepted(api):
    client = make_client(api)
    reply = _session(api, client["id"], date_of_service="2026-11-20", billing_code="90837",
                     add_on_codes=["90785", "90785"])
    assert reply.status == 201 and reply.body["session"]["add_on_codes"] == ["90785", "90785"]


BYPASS = "billed to the client directly, not to insurance"


def test_session_billed_to_the_client_uses_no_authorization_but_a_pack_may_pay(api):
    client = make_client(api)
    auth = make_authorization(api, client["id"])
    pack = make_pack(api, client["id"], name="P", measure="sessions", limit="5", price="1")
    reply = _session(api, client["id"], date_of_service="2026-11-20", billing_code="90837", bill_to="client")
    assert reply.status == 201, reply.body
    session, result = reply.body["session"], reply.body["charge"]
    assert session["bill_to"] == "client" and session["prior_authorization_number"] is None
    assert session["authorization_warning"] == BYPASS
    assert result["authorization"] is None and result["prior_authorization_number"] is None
    assert result["authorization_reason"] == BYPASS and result["warnings"] == []
    assert result["pack"]["id"] == pack["id"]
    assert api.get(f"/v1/clients/{client['id']}/authorizations/{auth['id']}").body["used"] == "0"
    assert api.get(f"/v1/clients/{client['id']}/packs/{pack['id']}").body["used"] == "1"
    usages = api.get(f"/v1/clients/{client['id']}/charges/{session['id']}").body["usages"]
    assert [u["kind"] for u in usages] == ["pack"]


def test_changing_bill_to_gives_the_authorization_back_and_counts_it_again(api):
    client = make_client(api)
    auth = make_authorization(api, client["id"])
    auth_path = f"/v1/clients/{client['id']}/authorizations/{auth['id']}"
    created = _session(api, client["id"], date_of_service="2026-11-20", billing_code="90837").body
    assert created["session"]["prior_authorization_number"] == "PA-7781"
    path = f"/v1/clients/{client['id']}/sessions/{created['session']['id']}"
    to_client = api.patch(path, {"bill_to": "client"}, if_match='"1"')
    assert to_client.status == 200, to_client.body
    assert to_client.body["session"]["prior_authorization_number"] is None
    assert to_client.body["session"]["authorization_warning"] == BYPASS
    assert to_client.body["charge"]["authorization"] is None
    assert api.get(auth_path).body["used"] == "0"
    assert api.get(path).body["prior_authorization_number"] is None
    back = api.patch(path, {"bill_to": "automatic"}, if_match=to_client.etag)
    assert back.status == 200, back.body
    assert back.body["session"]["prior_authorization_number"] == "PA-7781"
    assert back.body["charge"]["authorization"]["counted"].startswith("session 1 of 12")
    assert api.get(auth_path).body["used"] == "1"
    ledger = api.get(auth_path + "/ledger").body["items"]
    assert [e["amount"] for e in ledger] == ["1", "-1", "1"]


def test_attended_appointments_session_moved_to_client_billing_gives_the_authorization_back(api):
    client = make_client(api)
    auth = make_authorization(api, client["id"])
    booked = api.post("/v1/appointments", {
        "client_id": client["id"], "practitioner_id": USERS[PRACTICE_A]["practitioner"],
        "location_id": f"loc_{PRACTICE_A}_main", "start": "2026-12-01T10:00:00", "end": "2026-12-01T10:45:00",
        "billing_code": "90834"}).body["appointments"][0]
    attended = api.post(f"/v1/appointments/{booked['id']}/status", {"status": "attended"}, headers={"If-Match": '"1"'})
    assert attended.status == 200, attended.body
    path = f"/v1/clients/{client['id']}/sessions/{booked['id']}"
    moved = api.patch(path, {"bill_to": "client"}, if_match=api.get(path).etag)
    assert moved.status == 200, moved.body
    assert moved.body["session"]["prior_authorization_number"] is None
    assert api.get(f"/v1/clients/{client['id']}/authorizations/{auth['id']}").body["used"] == "0"


def test_charge_billed_to_the_client_counts_no_authorization(api):
    client = make_client(api)
    auth = make_authorization(api, client["id"])
    reply = api.post(f"/v1/clients/{client['id']}/charges", {"session_ref": "call-1", "date": "2026-11-20",
                                                              "billing_code": "90837", "bill_to": "client"})
    assert reply.status == 200 and reply.body["status"] == "nothing_charged", reply.body
    assert reply.body["authorization_reason"] == BYPASS and reply.body["warnings"] == []
    assert api.get(f"/v1/clients/{client['id']}/authorizations/{auth['id']}").body["used"] == "0"

"""Scrub problems over HTTP name the record to open and the field as the API writes it (what a
PATCH of that record takes), and the claim itself by its id."""
from __future__ import annotations

from tests.api.claim_helpers import HOME, add_client, add_payer, add_session, set_up_practice


def _problems(api, client, *sessions):
    reply = api.post("/v1/claims", {"client_id": client["id"], "session_ids": [s["id"] for s in sessions]},
                     role="billing")
    assert reply.status == 201, reply.body
    claim = reply.body["claims"][0]
    return claim, {(p["record"], p["record_id"], p["field"]) for p in claim["problems"]}


def test_create_claim_names_the_clients_address_fields_as_the_api_does(api):
    set_up_practice(api)
    client = add_client(api, add_payer(api), address={"line1": "5 Test Lane", "city": "Springfield", "country": "US"})
    _, found = _problems(api, client, add_session(api, client))
    assert found == {("client", client["id"], "address.region"), ("client", client["id"], "address.postal_code")}


def test_create_claim_names_the_sessions_fee_and_date_of_service(api):
    set_up_practice(api)
    client = add_client(api, add_payer(api))
    session = add_session(api, client, "2026-12-10", fee="0")
    _, found = _problems(api, client, session)
    assert found == {("session", session["id"], "fee"), ("session", session["id"], "date_of_service")}


def test_create_claim_names_the_insurances_subscriber_as_the_client_patch_does(api):
    set_up_practice(api)
    payer = add_payer(api)
    spouse = {"first_name": "Jo", "last_name": "Sample", "sex": "M", "address": HOME}  # no date of birth
    client = add_client(api, payer, primary_insurance={
        "payer": payer["name"], "payer_id": payer["id"], "member_id": "XYZ123456789",
        "subscriber_relationship": "spouse", "subscriber": spouse})
    _, found = _problems(api, client, add_session(api, client))
    assert found == {("client_insurance", client["id"], "primary_insurance.subscriber.date_of_birth")}


def test_create_claim_for_a_client_without_practitioner_reports_it_once(api):
    set_up_practice(api)
    client = add_client(api, add_payer(api), practitioner_id=None)
    claim, found = _problems(api, client, add_session(api, client))
    assert found == {("client", client["id"], "practitioner_id")}
    assert len(claim["problems"]) == 1


def test_create_claim_names_the_claim_id_for_more_than_12_diagnoses(api):
    set_up_practice(api)
    client = add_client(api, add_payer(api))
    codes = ["F41.1", "F32.1", "F43.10", "F40.10", "F42.2", "F33.1", "F31.9", "F90.0", "F84.0", "F50.00", "F60.3",
             "F43.22", "F41.0", "F51.01", "F63.81", "Z63.0"]
    sessions = [add_session(api, client, primary_diagnosis=codes[i], additional_diagnoses=codes[i + 1:i + 4])
                for i in range(0, 16, 4)]
    claim, found = _problems(api, client, *sessions)
    assert ("claim", claim["id"], "diagnoses") in found

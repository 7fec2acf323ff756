"""Where features meet: scenarios an end-to-end run over HTTP found answering wrongly, each
kept here over moto (claims and session edits, idempotency and note access, the charges route
and recorded sessions)."""
from __future__ import annotations

from tests.api.claim_helpers import add_client, add_payer, add_session, set_up_practice
from tests.api.entitlement_helpers import make_client
from tests.conftest import PRACTICE_A, USERS

PRACTITIONER = USERS[PRACTICE_A]["practitioner"]


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


# ---- Idempotency-Key: one user's answer is never replayed to another -----------------------

def _second_practitioner(api) -> str:
    from chalicelib.auth import issue_local_token

    reply = api.post("/v1/users", {"email": "second@example.com", "first_name": "Sam", "last_name": "Second",
                                   "role": "practitioner"})
    assert reply.status == 201, reply.body
    return issue_local_token(practice_id=PRACTICE_A, user_id=reply.body["id"], role="practitioner")


def test_replay_with_same_key_and_body_by_another_practitioner_never_returns_their_note(api):
    client = make_client(api, practitioner_id=PRACTITIONER)
    body = {"client_id": client["id"], "body": "<p>Discussed the panic attacks.</p>"}
    first = api.post("/v1/notes", body, role="practitioner", headers={"Idempotency-Key": "note-1"})
    assert first.status == 201, first.body
    other = _second_practitioner(api)

    again = api.post("/v1/notes", body, role=None,
                     headers={"Idempotency-Key": "note-1", "Authorization": f"Bearer {other}"})

    # Their own note (their key space), never the first practitioner's, which they may not read.
    assert again.status == 201, again.body
    assert again.body["id"] != first.body["id"]
    assert again.body["practitioner_id"] != PRACTITIONER
    assert api.get(f"/v1/notes/{first.body['id']}", role=None,
                   headers={"Authorization": f"Bearer {other}"}).status == 404


def test_same_key_from_two_users_acts_once_for_each(api):
    body = {"first_name": "Robin", "last_name": "Keyes"}
    mine = api.post("/v1/clients", body, role="front_desk", headers={"Idempotency-Key": "k-1"})
    theirs = api.post("/v1/clients", body, role="admin", headers={"Idempotency-Key": "k-1"})
    replay = api.post("/v1/clients", body, role="front_desk", headers={"Idempotency-Key": "k-1"})

    assert mine.status == theirs.status == replay.status == 201
    assert theirs.body["id"] != mine.body["id"]
    assert replay.body["id"] == mine.body["id"]

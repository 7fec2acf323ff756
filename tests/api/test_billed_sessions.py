"""A session billed on a claim the payer holds (submitted, accepted, paid or denied) is not
removed: deleting it, or cancelling or re-marking its appointment, is a 409 naming the claim and
the way out (void or replace it); before the claim is sent, or once it is voided, it may go."""
from __future__ import annotations

from tests.api.claim_helpers import ready_claim


def _sent(api):
    payer, client, claim = ready_claim(api)
    assert api.post("/v1/claims/exports", {"payer_id": payer["id"]}).status == 201
    return client, api.get(f"/v1/claims/{claim['id']}").body


def _delete_session(api, client, session_id):
    session = api.get(f"/v1/clients/{client['id']}/sessions/{session_id}")
    return api.delete(f"/v1/clients/{client['id']}/sessions/{session_id}", if_match=session.etag)


def test_session_on_a_submitted_claim_when_deleted_is_409_naming_the_claim(api):
    client, claim = _sent(api)
    assert claim["status"] == "submitted"
    session_id = claim["session_ids"][0]
    reply = _delete_session(api, client, session_id)
    assert reply.status == 409, reply.body
    assert reply.body["claim_id"] == claim["id"] and "payer's answer" in reply.body["detail"]
    assert api.get(f"/v1/clients/{client['id']}/sessions/{session_id}").status == 200


def test_session_on_a_paid_claim_when_deleted_says_to_void_or_replace_it(api):
    client, claim = _sent(api)
    paid = api.post(f"/v1/claims/{claim['id']}/status", {"status": "paid", "payer_claim_number": "ICN1"},
                    headers={"If-Match": f'"{claim["version"]}"'})
    assert paid.status == 200, paid.body
    reply = _delete_session(api, client, claim["session_ids"][0])
    assert reply.status == 409 and "voided" in reply.body["detail"], reply.body


def test_session_on_a_claim_not_yet_sent_may_still_be_deleted(api):
    _payer, client, claim = ready_claim(api)
    assert _delete_session(api, client, claim["session_ids"][0]).status == 204


def test_attended_appointment_on_a_submitted_claim_when_cancelled_or_re_marked_is_409(api):
    from tests.api.claim_helpers import add_client, add_payer, set_up_practice
    from tests.conftest import PRACTICE_A, USERS

    set_up_practice(api)
    payer = add_payer(api)
    client = add_client(api, payer)
    booked = api.post("/v1/appointments", {
        "client_id": client["id"], "practitioner_id": USERS[PRACTICE_A]["practitioner"],
        "location_id": f"loc_{PRACTICE_A}_main", "start": "2026-11-20T10:00:00", "end": "2026-11-20T10:50:00",
        "billing_code": "90834"})
    assert booked.status == 201, booked.body
    appointment = booked.body["appointments"][0] if "appointments" in booked.body else booked.body
    attended = api.post(f"/v1/appointments/{appointment['id']}/status", {"status": "attended"},
                        headers={"If-Match": f'"{appointment["version"]}"'})
    assert attended.status == 200, attended.body
    session_path = f"/v1/clients/{client['id']}/sessions/{appointment['id']}"
    session = api.get(session_path)
    assert api.patch(session_path, {"primary_diagnosis": "F41.1"}, if_match=session.etag).status == 200
    claim = api.post("/v1/claims", {"client_id": client["id"], "session_ids": [appointment["id"]]}).body["claims"][0]
    assert claim["status"] == "ready", claim["problems"]
    assert api.post("/v1/claims/exports", {"payer_id": payer["id"]}).status == 201
    for status in ("cancelled", "no_show", "booked"):
        current = api.get(f"/v1/appointments/{appointment['id']}")
        reply = api.post(f"/v1/appointments/{appointment['id']}/status", {"status": status, "reason": "mistake"},
                         headers={"If-Match": current.etag})
        assert reply.status == 409 and reply.body["claim_id"] == claim["id"], (status, reply.body)
    assert api.get(session_path).status == 200
    assert api.get(f"/v1/appointments/{appointment['id']}").body["status"] == "attended"

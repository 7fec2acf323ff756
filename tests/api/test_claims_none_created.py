"""POST /v1/claims when no claim comes of it: 200 (not 201), `id: null` (never an empty id a
caller could put in a URL), no Location or ETag, and every session in `skipped` with its reason."""
from __future__ import annotations

from tests.api.claim_helpers import add_client, add_payer, add_session, ready_claim, set_up_practice


def _assert_none_created(reply):
    assert reply.status == 200, reply.body
    assert reply.body["claims"] == [] and reply.body["id"] is None
    assert "location" not in reply.headers and "etag" not in reply.headers


def test_create_claims_when_every_session_is_skipped_answers_a_null_id(api):
    set_up_practice(api)
    client = add_client(api, add_payer(api))
    own = add_session(api, client, bill_to="client")
    reply = api.post("/v1/claims", {"session_ids": [own["id"]]}, role="billing")
    _assert_none_created(reply)
    assert reply.body["skipped"] == [{"client_id": client["id"], "session_id": own["id"],
                                      "reason": "billed to the client, not to insurance"}]


def test_create_claims_when_no_client_has_insurance_answers_a_null_id(api):
    set_up_practice(api)
    client = add_client(api, add_payer(api), primary_insurance=None)
    session = add_session(api, client)
    reply = api.post("/v1/claims", {"session_ids": [session["id"]]}, role="billing")
    _assert_none_created(reply)
    assert [s["reason"] for s in reply.body["skipped"]] == ["the client has no primary insurance"]


def test_create_claims_again_for_claimed_sessions_answers_a_null_id_naming_the_claim(api):
    _payer, _client, claim = ready_claim(api)
    reply = api.post("/v1/claims", {"session_ids": claim["session_ids"]}, role="billing")
    _assert_none_created(reply)
    assert [s["reason"] for s in reply.body["skipped"]] == [f"already on claim {claim['id']}"]


def test_create_claims_for_dates_without_sessions_answers_a_null_id_and_skips_nothing(api):
    reply = api.post("/v1/claims", {"from": "2026-01-01", "to": "2026-01-31"}, role="billing")
    _assert_none_created(reply)
    assert reply.body["skipped"] == []

"""GET /v1/claims/exports: the practice's 837P files, newest first, without their text."""
from __future__ import annotations

from tests.api.claim_helpers import add_client, add_payer, add_session, ready_claim


def _export(api, payer):
    reply = api.post("/v1/claims/exports", {"payer_id": payer["id"]}, role="billing")
    assert reply.status == 201, reply.body
    return reply.body


def _second_payers_export(api):
    """Two exports: the first for `payer`, the second for another payer."""
    payer, _, claim = ready_claim(api)
    first = _export(api, payer)
    other = add_payer(api, name="Other Plan", payer_id="OTHR1")
    client = add_client(api, other, first_name="Sam")
    assert api.post("/v1/claims", {"client_id": client["id"], "session_ids": [add_session(api, client)["id"]]},
                    role="billing").status == 201
    return payer, first, other, _export(api, other), claim


def test_list_exports_answers_newest_first_without_the_file(api):
    payer, first, _, second, claim = _second_payers_export(api)
    reply = api.get("/v1/claims/exports", role="billing")
    assert reply.status == 200, reply.body
    assert [e["id"] for e in reply.body["items"]] == [second["id"], first["id"]]
    assert reply.body["items"][1] == {
        "id": first["id"], "payer_id": payer["id"], "claim_ids": [claim["id"]], "claim_count": 1,
        "interchange_control_number": first["interchange_control_number"],
        "group_control_number": first["group_control_number"], "created_at": first["created_at"],
        "created_by": "usr_prc_a_billing"}
    assert reply.body["next_cursor"] is None


def test_list_exports_pages_with_limit_and_cursor(api):
    _, first, _, second, _ = _second_payers_export(api)
    page = api.get("/v1/claims/exports?limit=1", role="admin").body
    assert [e["id"] for e in page["items"]] == [second["id"]] and page["next_cursor"]
    rest = api.get(f"/v1/claims/exports?limit=1&cursor={page['next_cursor']}", role="admin").body
    assert [e["id"] for e in rest["items"]] == [first["id"]]


def test_list_exports_filters_by_payer(api):
    payer, first, _, _, _ = _second_payers_export(api)
    reply = api.get(f"/v1/claims/exports?payer_id={payer['id']}", role="billing")
    assert [e["id"] for e in reply.body["items"]] == [first["id"]]


def test_list_exports_is_for_billing_and_admin_only(api):
    assert api.get("/v1/claims/exports", role="billing").body == {"items": [], "next_cursor": None}
    assert api.get("/v1/claims/exports", role="practitioner").status == 403
    assert api.get("/v1/claims/exports", role="front_desk").status == 403

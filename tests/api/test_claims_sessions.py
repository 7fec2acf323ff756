"""POST /v1/claims: which sessions a request picks (ids without their client, a date range
read from the practice's sessions-by-date index) and the claim schemas in the OpenAPI document."""
from __future__ import annotations

from chalicelib.observability import current_meter
from tests.api.claim_helpers import add_client, add_payer, add_session, set_up_practice
from tests.conftest import PRACTICE_B


def test_openapi_names_the_claim_problem_schema_claimproblem(api):
    schemas = api.get("/v1/openapi.json", role=None).body["components"]["schemas"]
    assert "ClaimProblem" in schemas and "Problem2" not in schemas
    assert schemas["Claim"]["properties"]["problems"]["items"]["$ref"] == "#/components/schemas/ClaimProblem"


def test_create_claims_from_session_ids_of_several_clients_without_client_id(api):
    set_up_practice(api)
    payer = add_payer(api)
    first, second = add_client(api, payer), add_client(api, payer, first_name="Sam")
    sessions = [add_session(api, first), add_session(api, second, "2026-11-21")]
    reply = api.post("/v1/claims", {"session_ids": [s["id"] for s in sessions]}, role="billing")
    assert reply.status == 201, reply.body
    claimed = {(c["client_id"], tuple(c["session_ids"])) for c in reply.body["claims"]}
    assert claimed == {(first["id"], (sessions[0]["id"],)), (second["id"], (sessions[1]["id"],))}
    assert all(c["status"] == "ready" for c in reply.body["claims"])


def test_create_claims_from_unknown_session_id_is_422_naming_it_and_writes_nothing(api):
    set_up_practice(api)
    payer = add_payer(api)
    client = add_client(api, payer)
    session = add_session(api, client)
    reply = api.post("/v1/claims", {"session_ids": [session["id"], "ses_missing"]}, role="billing")
    assert reply.status == 422 and reply.body["errors"] == [
        {"field": "body.session_ids.1", "reason": "no such session in this practice"}]
    assert api.get("/v1/claims", role="billing").body["items"] == []


def test_create_claims_from_another_practices_session_id_is_422(api):
    set_up_practice(api)
    payer = add_payer(api)
    client = add_client(api, payer)
    theirs = api.post("/v1/clients", {"first_name": "B", "last_name": "Client"}, practice=PRACTICE_B).body
    their_session = api.post(f"/v1/clients/{theirs['id']}/sessions",
                             {"date_of_service": "2026-11-20", "billing_code": "90834"}, practice=PRACTICE_B)
    assert their_session.status == 201, their_session.body
    reply = api.post("/v1/claims", {"session_ids": [add_session(api, client)["id"],
                                                    their_session.body["session"]["id"]]}, role="billing")
    assert reply.status == 422 and reply.body["errors"][0]["field"] == "body.session_ids.1"


def test_create_claims_with_client_id_still_needs_the_sessions_to_be_that_clients(api):
    set_up_practice(api)
    payer = add_payer(api)
    client, other = add_client(api, payer), add_client(api, payer, first_name="Sam")
    reply = api.post("/v1/claims", {"client_id": client["id"], "session_ids": [add_session(api, other)["id"]]},
                     role="billing")
    assert reply.status == 422 and reply.body["errors"] == [
        {"field": "body.session_ids.0", "reason": "no such session of this client"}]


def test_create_claims_for_a_date_range_makes_one_query_whatever_the_number_of_clients(api):
    set_up_practice(api)
    payer = add_payer(api)
    inside = []
    for n in range(6):
        client = add_client(api, payer, first_name=f"Client{n}")
        inside.append(add_session(api, client, f"2026-11-{10 + n}"))
        add_session(api, client, "2026-10-31")  # outside the range
    theirs = api.post("/v1/clients", {"first_name": "B", "last_name": "Client"}, practice=PRACTICE_B).body
    api.post(f"/v1/clients/{theirs['id']}/sessions", {"date_of_service": "2026-11-12", "billing_code": "90834"},
             practice=PRACTICE_B)
    reply = api.post("/v1/claims", {"from": "2026-11-01", "to": "2026-11-30"}, role="billing")
    assert reply.status == 201, reply.body
    assert sorted(s for c in reply.body["claims"] for s in c["session_ids"]) == sorted(s["id"] for s in inside)
    assert current_meter().calls.count("Query") == 1


def test_create_claims_for_a_date_range_finds_a_session_by_its_changed_date(api):
    set_up_practice(api)
    payer = add_payer(api)
    client = add_client(api, payer)
    session = add_session(api, client, "2026-10-15")
    path = f"/v1/clients/{client['id']}/sessions/{session['id']}"
    moved = api.patch(path, {"date_of_service": "2026-11-15"}, if_match=api.get(path).etag)
    assert moved.status == 200, moved.body
    assert api.post("/v1/claims", {"from": "2026-10-01", "to": "2026-10-31"}, role="billing").body["claims"] == []
    reply = api.post("/v1/claims", {"from": "2026-11-01", "to": "2026-11-30"}, role="billing")
    assert [c["session_ids"] for c in reply.body["claims"]] == [[session["id"]]]
    assert reply.body["claims"][0]["date_of_service"] == "2026-11-15"


def test_create_claims_for_a_date_range_and_client_reads_only_that_clients_sessions(api):
    set_up_practice(api)
    payer = add_payer(api)
    client, other = add_client(api, payer), add_client(api, payer, first_name="Sam")
    mine = add_session(api, client, "2026-11-10")
    add_session(api, other, "2026-11-10")
    reply = api.post("/v1/claims", {"client_id": client["id"], "from": "2026-11-01", "to": "2026-11-30"},
                     role="billing")
    assert [c["session_ids"] for c in reply.body["claims"]] == [[mine["id"]]]

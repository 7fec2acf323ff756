"""/v1/claims: creating claims from sessions, scrubbing, reading, checking again."""
from __future__ import annotations

from tests.api.claim_helpers import (
    PRACTITIONER,
    add_client,
    add_payer,
    add_session,
    ready_claim,
    set_up_practice,
)


def _create(api, client, *sessions, role="billing"):
    return api.post("/v1/claims", {"client_id": client["id"], "session_ids": [s["id"] for s in sessions]}, role=role)


def test_create_claim_from_a_clean_session_is_ready(api):
    payer, client, claim = ready_claim(api)
    assert claim["payer_id"] == payer["id"] and claim["client_id"] == client["id"]
    assert claim["practitioner_id"] == PRACTITIONER and claim["problems"] == []
    assert [(line["code"], line["charge"], line["units"]) for line in claim["lines"]] == [("90834", "140.00", "1")]
    assert claim["diagnoses"] == ["F41.1"] and claim["frequency_code"] == "1"
    assert claim["history"][0]["status"] == "ready" and claim["history"][0]["by"]
    assert api.get(f"/v1/claims/{claim['id']}", role="billing").body == claim


def test_create_claim_lists_every_problem_naming_the_record(api):
    payer = add_payer(api, payer_id=None)
    client = add_client(api, payer, date_of_birth=None, address=None)
    session = add_session(api, client, primary_diagnosis=None)
    reply = _create(api, client, session)
    assert reply.status == 201, reply.body
    claim = reply.body["claims"][0]
    assert claim["status"] == "draft"
    found = {(p["record"], p["field"]) for p in claim["problems"]}
    assert {("practice", "billing_npi"), ("payer", "payer_id"), ("client", "date_of_birth"), ("client", "address"),
            ("practitioner", "npi"), ("session", "primary_diagnosis")} <= found
    assert ("client", client["id"]) in {(p["record"], p["record_id"]) for p in claim["problems"]}


def test_check_claim_after_fixing_records_makes_it_ready(api):
    payer = add_payer(api)
    client = add_client(api, payer)
    session = add_session(api, client)
    claim = _create(api, client, session).body["claims"][0]
    assert claim["status"] == "draft"  # the practice and practitioner have no claim fields yet
    set_up_practice(api)
    checked = api.post(f"/v1/claims/{claim['id']}/check", role="billing")
    assert checked.status == 200 and checked.body["status"] == "ready" and checked.body["problems"] == []
    assert [h["status"] for h in checked.body["history"]] == ["draft", "ready"]


def test_create_claim_skips_client_billed_sessions(api):
    set_up_practice(api)
    payer = add_payer(api)
    client = add_client(api, payer)
    own = add_session(api, client, bill_to="client")
    reply = _create(api, client, own)
    assert reply.status == 200 and reply.body["claims"] == []
    assert reply.body["skipped"] == [{"client_id": client["id"], "session_id": own["id"],
                                      "reason": "billed to the client, not to insurance"}]


def test_create_claim_twice_for_one_session_skips_it_the_second_time(api):
    _payer, client, claim = ready_claim(api)
    again = _create(api, client, {"id": claim["session_ids"][0]})
    assert again.status == 200 and again.body["claims"] == []
    assert again.body["skipped"][0]["reason"] == f"already on claim {claim['id']}"


def test_create_claims_groups_by_date_and_adds_add_on_lines(api):
    set_up_practice(api)
    payer = add_payer(api)
    client = add_client(api, payer)
    first = add_session(api, client, "2026-11-20", add_on_codes=["90785"], modifiers=["95"],
                        additional_diagnoses=["F32.1"])
    second = add_session(api, client, "2026-11-20", billing_code="90837")
    other_day = add_session(api, client, "2026-11-21")
    reply = api.post("/v1/claims", {"from": "2026-11-01", "to": "2026-11-30"}, role="billing")
    assert reply.status == 201, reply.body
    claims = sorted(reply.body["claims"], key=lambda c: c["date_of_service"])
    assert [c["date_of_service"] for c in claims] == ["2026-11-20", "2026-11-21"]
    assert sorted(claims[0]["session_ids"]) == sorted([first["id"], second["id"]])
    assert claims[1]["session_ids"] == [other_day["id"]]
    lines = {(line["session_id"], line["code"]): line for line in claims[0]["lines"]}
    assert lines[(first["id"], "90785")]["modifiers"] == ["95"]
    assert lines[(first["id"], "90834")]["diagnosis_pointers"] == [1, 2]
    assert claims[0]["diagnoses"] == ["F41.1", "F32.1"]
    assert lines[(second["id"], "90837")]["diagnosis_pointers"] == [1]


def test_create_claim_for_client_without_insurance_skips_it(api):
    set_up_practice(api)
    client = api.post("/v1/clients", {"first_name": "No", "last_name": "Cover"}).body
    session = add_session(api, client)
    reply = _create(api, client, session)
    assert reply.body["skipped"][0]["reason"] == "the client has no primary insurance"


def test_create_claim_with_unknown_session_is_422_and_writes_nothing(api):
    payer = add_payer(api)
    client = add_client(api, payer)
    session = add_session(api, client)
    reply = _create(api, client, session, {"id": "ses_missing"})
    assert reply.status == 422 and reply.body["errors"] == [
        {"field": "body.session_ids.1", "reason": "no such session of this client"}]
    assert api.get("/v1/claims", role="billing").body["items"] == []


def test_create_claim_body_needs_sessions_or_dates(api):
    reply = api.post("/v1/claims", {}, role="billing")
    assert reply.status == 422 and reply.body["errors"][0]["field"] == "body.from"
    reply = api.post("/v1/claims", {"session_ids": ["ses_x"], "from": "2026-11-01"}, role="billing")
    assert reply.status == 422 and reply.body["errors"][0]["field"] == "body.session_ids"
    reply = api.post("/v1/claims", {"from": "2026-11-01"}, role="billing")
    assert reply.status == 422 and reply.body["errors"][0]["field"] == "body.to"


def test_list_claims_filters_by_status_payer_client_and_date(api):
    payer, _client, claim = ready_claim(api)
    other = add_client(api, add_payer(api, name="Other Plan"), first_name="Sam")
    draft = _create(api, other, add_session(api, other, "2026-11-10", primary_diagnosis=None)).body["claims"][0]
    assert draft["status"] == "draft"

    def ids(query):
        reply = api.get(f"/v1/claims{query}", role="billing")
        assert reply.status == 200, reply.body
        return [c["id"] for c in reply.body["items"]]

    assert ids("") == [draft["id"], claim["id"]]  # by date of service
    assert ids("?status=ready") == [claim["id"]]
    assert ids(f"?payer_id={payer['id']}") == [claim["id"]]
    assert ids(f"?client_id={other['id']}") == [draft["id"]]
    assert ids(f"?client_id={other['id']}&status=ready") == []
    assert ids("?from=2026-11-15&to=2026-11-30") == [claim["id"]]


def test_practitioner_reads_only_their_own_clients_claims(api):
    _, _client, claim = ready_claim(api)
    stranger = api.post("/v1/clients", {"first_name": "X", "last_name": "Y",
                                        "primary_insurance": {"payer": "P", "member_id": "M1"}}).body
    theirs = _create(api, stranger, add_session(api, stranger)).body["claims"][0]
    assert theirs["practitioner_id"] is None
    listed = api.get("/v1/claims", role="practitioner")
    assert listed.status == 200 and [c["id"] for c in listed.body["items"]] == [claim["id"]]
    assert api.get(f"/v1/claims/{claim['id']}", role="practitioner").status == 200
    assert api.get(f"/v1/claims/{theirs['id']}", role="practitioner").status == 404
    assert api.post("/v1/claims", {"from": "2026-11-01", "to": "2026-11-02"}, role="practitioner").status == 403
    assert api.get("/v1/claims", role="front_desk").status == 403


def test_list_claims_with_to_before_from_is_422(api):
    reply = api.get("/v1/claims?from=2026-11-30&to=2026-11-01", role="billing")
    assert reply.status == 422 and reply.body["errors"][0]["field"] == "query.to"


def test_delete_claim_frees_its_sessions_for_a_new_claim(api):
    _, client, claim = ready_claim(api)
    current = api.get(f"/v1/claims/{claim['id']}", role="billing")
    assert api.delete(f"/v1/claims/{claim['id']}", role="billing").status == 428
    assert api.delete(f"/v1/claims/{claim['id']}", role="billing", if_match=current.etag).status == 204
    assert api.get(f"/v1/claims/{claim['id']}", role="billing").status == 404
    again = _create(api, client, {"id": claim["session_ids"][0]})
    assert again.status == 201 and again.body["claims"][0]["session_ids"] == claim["session_ids"]


def test_delete_submitted_claim_is_409(api):
    payer, _, claim = ready_claim(api)
    assert api.post("/v1/claims/exports", {"payer_id": payer["id"]}).status == 201
    current = api.get(f"/v1/claims/{claim['id']}")
    reply = api.delete(f"/v1/claims/{claim['id']}", if_match=current.etag)
    assert reply.status == 409 and "submitted" in reply.body["detail"]

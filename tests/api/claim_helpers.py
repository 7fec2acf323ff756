"""Records a clean claim needs, filled through the API (demo values as in devtools/sample_837p.py)."""
from __future__ import annotations

from tests.conftest import PRACTICE_A, USERS

PRACTITIONER = USERS[PRACTICE_A]["practitioner"]
HOME = {"line1": "5 Test Lane", "city": "Springfield", "region": "IL", "postal_code": "62704", "country": "US"}
PRACTICE_FIELDS = {
    "address": {"line1": "100 Demo Plaza", "city": "Springfield", "region": "IL", "postal_code": "62701-0001",
                "country": "US"},
    "billing_npi": "1234567893", "tax_id": "36-1234567", "tax_id_kind": "EIN", "taxonomy": "261QM0801X",
    "submitter_id": "DEMO123", "submitter_contact": "Billing Office", "submitter_phone": "5555550100",
    "receiver_id": "EXCH01", "receiver_name": "Example Clearinghouse",
}


def set_up_practice(api) -> None:
    """The practice and its practitioner as a claim needs them."""
    practice = api.get("/v1/practice")
    assert api.patch("/v1/practice", PRACTICE_FIELDS, if_match=practice.etag).status == 200
    user = api.get(f"/v1/users/{PRACTITIONER}")
    reply = api.patch(f"/v1/users/{PRACTITIONER}", {"npi": "1112223338", "taxonomy": "101YM0800X"},
                      if_match=user.etag)
    assert reply.status == 200, reply.body


def add_payer(api, **fields) -> dict:
    reply = api.post("/v1/payers", {"name": "Example Health Plan", "payer_id": "EXHP1",
                                    "claim_filing_indicator": "CI", **fields})
    assert reply.status == 201, reply.body
    return reply.body


def add_client(api, payer: dict, **fields) -> dict:
    body = {"first_name": "Alex", "last_name": "Sample", "date_of_birth": "1988-04-12", "sex": "F",
            "address": HOME, "practitioner_id": PRACTITIONER,
            "primary_insurance": {"payer": payer["name"], "payer_id": payer["id"], "member_id": "XYZ123456789",
                                  "group_number": "GRP001"}, **fields}
    reply = api.post("/v1/clients", body)
    assert reply.status == 201, reply.body
    return reply.body


def add_session(api, client: dict, on: str = "2026-11-20", **fields) -> dict:
    body = {"date_of_service": on, "billing_code": "90834", "primary_diagnosis": "F41.1", **fields}
    reply = api.post(f"/v1/clients/{client['id']}/sessions", body)
    assert reply.status == 201, reply.body
    return reply.body["session"]


def ready_claim(api) -> tuple[dict, dict, dict]:
    """A payer, a client and a claim with no problems (status ready)."""
    set_up_practice(api)
    payer = add_payer(api)
    client = add_client(api, payer)
    session = add_session(api, client)
    reply = api.post("/v1/claims", {"client_id": client["id"], "session_ids": [session["id"]]})
    assert reply.status == 201, reply.body
    claim = reply.body["claims"][0]
    assert claim["status"] == "ready", claim["problems"]
    return payer, client, claim

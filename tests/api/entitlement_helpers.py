"""Small builders for the ledger tests: a client, a template, a pack, an authorization."""
from __future__ import annotations

from typing import Any

from tests.conftest import Api


def make_client(api: Api, first: str = "Jamie", last: str = "Rivera", **extra: Any) -> dict:
    reply = api.post("/v1/clients", {"first_name": first, "last_name": last, **extra})
    assert reply.status == 201, reply.body
    return reply.body


def make_template(api: Api, **fields: Any) -> dict:
    body = {"name": "10 sessions", "measure": "sessions", "quantity": "10", "price": "1500.00", **fields}
    reply = api.post("/v1/pack-templates", body)
    assert reply.status == 201, reply.body
    return reply.body


def make_pack(api: Api, client_id: str, **fields: Any) -> dict:
    reply = api.post(f"/v1/clients/{client_id}/packs", fields)
    assert reply.status == 201, reply.body
    return reply.body


def make_authorization(api: Api, client_id: str, **fields: Any) -> dict:
    body = {"payer": "Acme Health", "begin_on": "2026-01-01", "end_on": "2027-03-31", "allowed": "12",
            "number": "PA-7781", **fields}
    reply = api.post(f"/v1/clients/{client_id}/authorizations", body)
    assert reply.status == 201, reply.body
    return reply.body


def charge(api: Api, client_id: str, ref: str, *, code: str = "90837", on: str = "2026-11-20", **fields: Any):
    return api.post(f"/v1/clients/{client_id}/charges",
                    {"session_ref": ref, "date": on, "billing_code": code, **fields})

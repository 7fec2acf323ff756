"""GET /v1/invoices on DynamoDB Local: every Query shape the list makes (each index, BETWEEN,
the client+status filter, cursors of each) runs once on the real engine, which refuses
request shapes moto lets through."""
from __future__ import annotations

import pytest

from tests.api.entitlement_helpers import make_client
from tests.conftest import Api


@pytest.fixture
def local_api(seeded):
    from chalice.test import Client

    from app import app

    with Client(app) as client:
        yield Api(client)


def _invoice(api: Api, client_id: str, issued_on: str, paid: str | None = None) -> dict:
    session = api.post(f"/v1/clients/{client_id}/sessions", {
        "date_of_service": issued_on, "billing_code": "90837",
        **({"paid_at_session": {"amount": paid, "method": "card"}} if paid else {})})
    assert session.status == 201, session.body
    reply = api.post(f"/v1/clients/{client_id}/invoices",
                     {"session_id": session.body["session"]["id"], "issued_on": issued_on})
    assert reply.status == 201, reply.body
    return reply.body


def _pages(api: Api, query: str) -> list[str]:
    found, cursor = [], None
    while True:
        reply = api.get(f"/v1/invoices?limit=1{query}" + (f"&cursor={cursor}" if cursor else ""))
        assert reply.status == 200, reply.body
        found += [i["id"] for i in reply.body["items"]]
        cursor = reply.body["next_cursor"]
        if cursor is None:
            return found


def test_every_list_shape_pages_through_on_the_real_engine(local_api):
    ana, ben = make_client(local_api, "Ana"), make_client(local_api, "Ben")
    a1 = _invoice(local_api, ana["id"], "2026-11-02")
    a2 = _invoice(local_api, ana["id"], "2026-11-20", paid="180")
    b1 = _invoice(local_api, ben["id"], "2026-11-10", paid="50")
    b2 = _invoice(local_api, ben["id"], "2026-12-01")
    assert _pages(local_api, "") == [a1["id"], b1["id"], a2["id"], b2["id"]]
    assert _pages(local_api, "&status=unpaid") == [a1["id"], b2["id"]]
    assert _pages(local_api, f"&client_id={ben['id']}") == [b1["id"], b2["id"]]
    assert _pages(local_api, "&from=2026-11-10&to=2026-11-20") == [b1["id"], a2["id"]]
    assert _pages(local_api, f"&client_id={ana['id']}&status=paid&from=2026-11-01") == [a2["id"]]
    assert _pages(local_api, "&status=part_paid&to=2026-11-30") == [b1["id"]]


def test_a_cursor_under_other_filters_is_400_on_the_real_engine(local_api):
    client = make_client(local_api)
    for day in ("2026-11-02", "2026-11-03"):
        _invoice(local_api, client["id"], day)
    cursor = local_api.get("/v1/invoices?status=unpaid&limit=1").body["next_cursor"]
    for query in ("", "&status=paid", f"&client_id={client['id']}", "&status=unpaid&to=2026-11-01"):
        reply = local_api.get(f"/v1/invoices?cursor={cursor}{query}")
        assert (reply.status, reply.body["field"]) == (400, "query.cursor"), query

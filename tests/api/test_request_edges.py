"""The edge's own refusals: a cursor is bound to the filters it was issued under, bodies that
JSON allows but nobody means are 400, and a 503 says when to come back."""
from __future__ import annotations

import base64
import json

import pytest

from chalicelib.errors import RetryLater
from tests.api.entitlement_helpers import make_client


def test_cursor_reused_with_other_filters_is_400_not_500(api):
    for last in ("Abbot", "Abbey", "Abbas"):
        make_client(api, last=last)
    cursor = api.get("/v1/clients?q=abb&limit=1").body["next_cursor"]
    assert cursor
    assert api.get(f"/v1/clients?q=abb&limit=1&cursor={cursor}").status == 200
    reply = api.get(f"/v1/clients?q=zed&limit=1&cursor={cursor}")
    assert reply.status == 400
    assert reply.headers["content-type"].startswith("application/problem+json")


def test_cursor_never_carries_the_text_searched_for(api):
    for last in ("Lovelace", "Lovell"):
        make_client(api, first="Ada", last=last)
    cursor = api.get("/v1/clients?q=lovel&limit=1").body["next_cursor"]
    assert cursor
    decoded = base64.urlsafe_b64decode(cursor.partition(".")[0] + "===")
    assert b"lovel" not in decoded.lower()


@pytest.mark.parametrize("raw", [
    b'{"first_name": "A", "first_name": "B", "last_name": "C"}',
    b'{"first_name": "A", "last_name": "C", "fee": NaN}',
    b'{"first_name": "A", "last_name": "C", "fee": Infinity}',
    b"[" * 20000 + b"]" * 20000,
])
def test_body_json_allows_but_nobody_means_is_400_and_writes_nothing(api, raw):
    before = api.get("/v1/clients").body["items"]
    reply = api.call("POST", "/v1/clients", raw=raw)
    assert reply.status == 400, reply.body
    assert reply.body["detail"].startswith("The body is not valid JSON")
    assert api.get("/v1/clients").body["items"] == before


def test_retry_later_answers_503_with_retry_after(api, monkeypatch):
    from chalicelib.services import locations

    def busy(**_: object) -> None:
        raise RetryLater("DynamoDB is busy; nothing was written", retry_after=2)

    monkeypatch.setattr(locations, "list_locations", busy)
    reply = api.get("/v1/locations")
    assert reply.status == 503
    assert reply.headers["retry-after"] == "2"
    assert json.loads(json.dumps(reply.body))["status"] == 503


def test_refused_role_reads_a_whole_sentence(api):
    reply = api.get("/v1/reports/pack-sales?from=2026-01-01&to=2026-01-31", role="practitioner")
    assert reply.status == 403
    assert reply.body["detail"].startswith("The practitioner role may not do this (")


def test_recording_a_session_or_a_payment_answers_where_to_read_it(api):
    client = make_client(api)
    recorded = api.post(f"/v1/clients/{client['id']}/sessions",
                        {"date_of_service": "2026-11-20", "billing_code": "90837"})
    assert recorded.status == 201, recorded.body
    session_id = recorded.body["session"]["id"]
    assert recorded.headers["location"] == f"/v1/clients/{client['id']}/sessions/{session_id}"
    assert api.get(recorded.headers["location"]).status == 200
    invoice = api.post(f"/v1/clients/{client['id']}/invoices", {"session_id": session_id}).body
    paid = api.post(f"/v1/clients/{client['id']}/invoices/{invoice['id']}/payments",
                    {"amount": "10.00", "method": "card"})
    assert paid.status == 201, paid.body
    assert paid.headers["location"] == f"/v1/clients/{client['id']}/invoices/{invoice['id']}"


def test_creating_a_deterministic_id_twice_in_one_second_is_409_for_the_second(moto_backend):
    from chalicelib.errors import AlreadyExists
    from chalicelib.store import items

    item = {"PK": "P#prc_a", "SK": "CODE#T0001", "code": "T0001"}
    items.create(item, resource="Billing code", resource_id="T0001")
    # The same content in the same second is someone else's write unless ours was resent.
    with pytest.raises(AlreadyExists):
        items.create(item, resource="Billing code", resource_id="T0001")

"""Charging paths through the API on DynamoDB Local: moto accepts expressions the real
engine refuses (an unused expression value, say), so each request shape is run here once."""
from __future__ import annotations

import pytest

from tests.api.entitlement_helpers import charge, make_authorization, make_client, make_pack, make_template
from tests.conftest import PRACTICE_A, USERS, Api

PRACTITIONER = USERS[PRACTICE_A]["practitioner"]
LOCATION = f"loc_{PRACTICE_A}_main"
FIRST_USE = {"amount": 2, "unit": "months", "starts": "first_use"}
PACKS = {"sessions": {"quantity": "6", "price": "600.00"},
         "minutes": {"quantity": "600", "price": "900.00"},
         "money": {"quantity": "1000.00", "price": "1000.00"}}


@pytest.fixture
def local_api(seeded):
    """The app over DynamoDB Local, called in process."""
    from chalice.test import Client

    from app import app

    with Client(app) as client:
        yield Api(client)


def _first_use_pack(api: Api, measure: str) -> tuple[dict, dict]:
    client = make_client(api)
    template = make_template(api, name=f"{measure} pack", measure=measure, validity=FIRST_USE, **PACKS[measure])
    return client, make_pack(api, client["id"], template_id=template["id"])


def _attend(api: Api, client_id: str) -> tuple[dict, object]:
    booked = api.post("/v1/appointments", {"client_id": client_id, "practitioner_id": PRACTITIONER,
                                           "location_id": LOCATION, "start": "2026-11-20T10:00:00",
                                           "end": "2026-11-20T11:00:00", "billing_code": "90837"}, role="front_desk")
    assert booked.status == 201, booked.body
    appointment = booked.body["appointments"][0]
    current = api.get(f"/v1/appointments/{appointment['id']}")
    return appointment, api.post(f"/v1/appointments/{appointment['id']}/status", {"status": "attended"},
                                 headers={"If-Match": current.etag})


@pytest.mark.parametrize("measure", ["sessions", "minutes", "money"])
@pytest.mark.parametrize("path", ["charge", "session", "attend"])
def test_first_use_pack_charges_on_every_path_and_sets_its_expiry_once(local_api, measure, path):
    client, pack = _first_use_pack(local_api, measure)
    if path == "charge":
        reply = charge(local_api, client["id"], "first", on="2026-11-20", minutes=60)
        assert reply.status == 201, reply.body
        result = reply.body
    elif path == "session":
        reply = local_api.post(f"/v1/clients/{client['id']}/sessions",
                               {"date_of_service": "2026-11-20", "billing_code": "90837", "minutes": 60})
        assert reply.status == 201, reply.body
        result = reply.body["charge"]
    else:
        appointment, reply = _attend(local_api, client["id"])
        assert reply.status == 200, reply.body
        assert local_api.get(f"/v1/appointments/{appointment['id']}").body["status"] == "attended"
        result = reply.body["charge"]
    assert result["pack"]["id"] == pack["id"] and result["pack"]["expires_on"] == "2027-01-19"
    later = charge(local_api, client["id"], "later", on="2026-12-05", minutes=60)
    assert later.status == 201 and later.body["pack"]["expires_on"] == "2027-01-19", later.body
    stored = local_api.get(f"/v1/clients/{client['id']}/packs/{pack['id']}").body
    assert stored["expires_on"] == "2027-01-19" and stored["status"] != "expired"


def test_lists_bill_to_and_packs_for_past_sessions_run_on_the_real_engine(local_api):
    api = local_api
    client = make_client(api)
    auth = make_authorization(api, client["id"])
    sessions = [api.post(f"/v1/clients/{client['id']}/sessions",
                         {"date_of_service": f"2026-11-{d}", "billing_code": "90837"}).body["session"]
                for d in (10, 17)]
    moved = api.patch(f"/v1/clients/{client['id']}/sessions/{sessions[0]['id']}", {"bill_to": "client"},
                      if_match='"1"')
    assert moved.status == 200 and moved.body["session"]["prior_authorization_number"] is None, moved.body
    assert api.get(f"/v1/clients/{client['id']}/authorizations/{auth['id']}").body["used"] == "1"
    refused = api.post(f"/v1/clients/{client['id']}/packs", {"name": "P", "measure": "sessions", "limit": "5",
                                                              "price": "1", "session_ids": ["ses_missing"]})
    assert refused.status == 422
    made = [make_pack(api, client["id"], name=f"P{i}", measure="sessions", limit="5", price="1",
                      session_ids=[s["id"] for s in sessions] if i == 0 else []) for i in range(3)]
    assert made[0]["used"] == "2"
    ids, cursor = [], None
    while True:
        page = api.get(f"/v1/clients/{client['id']}/packs?limit=2" + (f"&cursor={cursor}" if cursor else "")).body
        ids += [p["id"] for p in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert ids == [p["id"] for p in made]

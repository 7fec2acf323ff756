"""A date of service more than a year ahead (a typo like 2126) is refused, naming the field."""
from __future__ import annotations

from datetime import date, timedelta

from tests.api.entitlement_helpers import make_client


def test_session_dated_more_than_a_year_ahead_is_refused(api):
    client = make_client(api)
    path = f"/v1/clients/{client['id']}/sessions"
    far = (date.today() + timedelta(days=400)).isoformat()
    refused = api.post(path, {"date_of_service": far, "billing_code": "90837"})
    assert refused.status == 422
    assert refused.body["errors"][0]["field"] == "body.date_of_service"
    assert api.get(path).body["items"] == []
    near = (date.today() + timedelta(days=300)).isoformat()
    created = api.post(path, {"date_of_service": near, "billing_code": "90837"})
    assert created.status == 201, created.body
    session = created.body["session"]
    patched = api.patch(f"{path}/{session['id']}", {"date_of_service": "2126-11-21"}, if_match=created.etag)
    assert patched.status == 422 and patched.body["errors"][0]["field"] == "body.date_of_service"

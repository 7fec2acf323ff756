"""/v1/practice: business information and policies."""
from __future__ import annotations


def test_get_practice_returns_settings_with_defaults(api):
    reply = api.get("/v1/practice", role="front_desk")
    assert reply.status == 200
    body = reply.body
    assert body["id"] == "prc_a" and body["time_zone"] == "America/New_York" and body["currency"] == "USD"
    assert body["expiring_soon_days"] == 14 and body["authorization_low_remaining"] == 2
    assert body["authorization_low_percent"] == 80 and body["room_booking"] == "warn"
    assert reply.etag == f'"{body["version"]}"'


def test_admin_updates_business_information(api):
    current = api.get("/v1/practice")
    reply = api.patch("/v1/practice", {
        "name": "Harbour Therapy", "business_email": "Front@Harbour.example", "billing_npi": "1234567893",
        "time_zone": "Australia/Sydney", "currency": "aud", "default_telehealth_pos": "02",
        "address": {"line1": "1 Harbour St", "city": "Sydney", "region": "NSW", "postal_code": "2000",
                    "country": "au"},
    }, if_match=current.etag)
    assert reply.status == 200, reply.body
    body = reply.body
    assert body["currency"] == "AUD" and body["address"]["country"] == "AU"
    assert body["business_email"] == "Front@harbour.example"
    assert body["version"] == current.body["version"] + 1
    assert api.get("/v1/practice").body == body


def test_clearing_business_email_removes_it(api):
    current = api.get("/v1/practice")
    set_ = api.patch("/v1/practice", {"business_email": "desk@a.example"}, if_match=current.etag)
    cleared = api.patch("/v1/practice", {"business_email": None}, if_match=set_.etag)
    assert cleared.status == 200 and cleared.body["business_email"] is None


def test_update_practice_rejects_bad_values_per_field(api):
    current = api.get("/v1/practice")
    reply = api.patch("/v1/practice", {"time_zone": "Mars/Olympus", "currency": "XYZ", "billing_npi": "1234567890",
                                       "business_email": "not-an-email", "default_telehealth_pos": "11",
                                       "expiring_soon_days": 0, "name": None}, if_match=current.etag)
    assert reply.status == 422
    fields = {e["field"] for e in reply.body["errors"]}
    assert {"body.time_zone", "body.currency", "body.billing_npi", "body.business_email",
            "body.default_telehealth_pos", "body.expiring_soon_days"} <= fields
    assert api.get("/v1/practice").body == current.body


def test_clearing_a_required_practice_field_is_422(api):
    current = api.get("/v1/practice")
    reply = api.patch("/v1/practice", {"name": None}, if_match=current.etag)
    assert reply.status == 422 and reply.body["errors"] == [{"field": "body.name", "reason": "cannot be cleared"}]

"""A session too short for one billing unit says so, not that no authorization covers its code."""
from __future__ import annotations

from tests.api.entitlement_helpers import charge, make_authorization, make_client


def test_session_rounding_to_zero_units_names_the_rounding_not_the_code(api):
    assert api.post("/v1/billing-codes", {"code": "97110", "description": "Therapeutic exercise",
                                          "default_minutes": 15, "default_charge": "30",
                                          "unit_minutes": 15}).status == 201
    client = make_client(api)
    make_authorization(api, client["id"], measure="units", allowed="20", codes={"mode": "only", "codes": ["97110"]})
    make_authorization(api, client["id"], number="PA-S", allowed="5", codes={"mode": "only", "codes": ["90837"]})
    reply = charge(api, client["id"], "short", code="97110", minutes=7)
    assert reply.status == 200 and reply.body["status"] == "nothing_charged", reply.body
    reason = reply.body["authorization_reason"]
    assert "7 minutes" in reason and "0 units" in reason and "covers code" not in reason
    assert reply.body["warnings"] == [f"no prior authorization number: {reason}"]

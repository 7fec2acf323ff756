"""A first-use pack whose only usage is given back has no expiry again: the next use starts it."""
from __future__ import annotations

from tests.api.entitlement_helpers import charge, make_client, make_pack, make_template


def test_reversing_the_only_usage_of_a_first_use_pack_unsets_its_expiry(api):
    client = make_client(api)
    template = make_template(api, validity={"amount": 90, "unit": "days", "starts": "first_use"})
    pack = make_pack(api, client["id"], template_id=template["id"])
    path = f"/v1/clients/{client['id']}/packs/{pack['id']}"
    assert charge(api, client["id"], "typo", on="2126-11-21").body["pack"]["expires_on"] == "2127-02-18"
    assert api.post(f"/v1/clients/{client['id']}/charges/typo/reverse").status == 200
    given_back = api.get(path).body
    assert (given_back["used"], given_back["expires_on"]) == ("0", None)
    assert charge(api, client["id"], "real", on="2026-11-21").body["pack"]["expires_on"] == "2027-02-18"
    assert api.get(path).body["expires_on"] == "2027-02-18"


def test_reversing_one_of_two_usages_keeps_the_first_use_expiry(api):
    client = make_client(api)
    template = make_template(api, validity={"amount": 90, "unit": "days", "starts": "first_use"})
    pack = make_pack(api, client["id"], template_id=template["id"])
    charge(api, client["id"], "one", on="2026-11-21")
    charge(api, client["id"], "two", on="2026-11-22")
    assert api.post(f"/v1/clients/{client['id']}/charges/two/reverse").status == 200
    assert api.get(f"/v1/clients/{client['id']}/packs/{pack['id']}").body["expires_on"] == "2027-02-18"

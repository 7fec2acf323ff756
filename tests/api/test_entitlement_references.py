"""Packs, pack templates and authorizations refuse code rules naming codes the practice lacks,
and a units authorization refuses codes with no unit length."""
from __future__ import annotations

from tests.api.entitlement_helpers import make_authorization, make_client, make_pack, make_template

_UNKNOWN = {"mode": "only", "codes": ["90837", "12345"]}


def _errors(reply) -> list[tuple[str, str]]:
    assert reply.status == 422, reply.body
    return [(e["field"], e["reason"]) for e in reply.body["errors"]]


def test_create_template_with_unknown_code_is_refused(api):
    reply = api.post("/v1/pack-templates", {"name": "t", "measure": "sessions", "quantity": "5", "price": "5",
                                            "codes": _UNKNOWN})
    assert _errors(reply) == [("body.codes.codes.1", "12345 is not a billing code of this practice")]
    assert api.get("/v1/pack-templates").body["items"] == []


def test_update_template_with_unknown_code_is_refused(api):
    template = make_template(api)
    reply = api.patch(f"/v1/pack-templates/{template['id']}", {"codes": {"mode": "all_except", "codes": ["99999"]}},
                      if_match='"1"')
    assert _errors(reply) == [("body.codes.codes.0", "99999 is not a billing code of this practice")]


def test_create_pack_with_unknown_code_is_refused(api):
    client = make_client(api)
    reply = api.post(f"/v1/clients/{client['id']}/packs", {"name": "p", "measure": "sessions", "limit": "5",
                                                           "price": "5", "codes": _UNKNOWN})
    assert _errors(reply) == [("body.codes.codes.1", "12345 is not a billing code of this practice")]
    assert api.get(f"/v1/clients/{client['id']}/packs").body["items"] == []


def test_create_authorization_with_unknown_code_is_refused(api):
    client = make_client(api)
    reply = api.post(f"/v1/clients/{client['id']}/authorizations",
                     {"payer": "Acme", "begin_on": "2026-01-01", "end_on": "2026-12-31", "allowed": "5",
                      "codes": _UNKNOWN})
    assert _errors(reply) == [("body.codes.codes.1", "12345 is not a billing code of this practice")]


def test_update_authorization_with_unknown_code_is_refused(api):
    client = make_client(api)
    auth = make_authorization(api, client["id"])
    reply = api.patch(f"/v1/clients/{client['id']}/authorizations/{auth['id']}",
                      {"codes": {"mode": "only", "codes": ["12345"]}}, if_match='"1"')
    assert _errors(reply) == [("body.codes.codes.0", "12345 is not a billing code of this practice")]


def test_create_units_authorization_for_code_without_unit_length_is_refused(api):
    client = make_client(api)
    reply = api.post(f"/v1/clients/{client['id']}/authorizations",
                     {"payer": "Acme", "measure": "units", "begin_on": "2026-01-01", "end_on": "2026-12-31",
                      "allowed": "40", "codes": {"mode": "only", "codes": ["90837"]}})
    assert _errors(reply) == [("body.codes.codes.0", "90837 has no unit length (unit_minutes), so a units "
                                                     "authorization cannot count it")]


def test_update_units_authorization_to_code_without_unit_length_is_refused(api):
    api.post("/v1/billing-codes", {"code": "97153", "description": "Adaptive behaviour treatment",
                                   "default_minutes": 60, "default_charge": "20", "unit_minutes": 15})
    client = make_client(api)
    auth = make_authorization(api, client["id"], measure="units", allowed="40",
                              codes={"mode": "only", "codes": ["97153"]})
    reply = api.patch(f"/v1/clients/{client['id']}/authorizations/{auth['id']}",
                      {"codes": {"mode": "only", "codes": ["97153", "90791"]}}, if_match='"1"')
    assert _errors(reply) == [("body.codes.codes.1", "90791 has no unit length (unit_minutes), so a units "
                                                     "authorization cannot count it")]


def test_code_rules_naming_known_codes_are_accepted(api):
    client = make_client(api)
    make_template(api, codes={"mode": "only", "codes": ["90837"]})
    make_pack(api, client["id"], name="p", measure="sessions", limit="5", price="5",
              codes={"mode": "all_except", "codes": ["90791"]})
    # Excluding a code from a units authorization does not need its unit length.
    make_authorization(api, client["id"], measure="units", allowed="40",
                       codes={"mode": "all_except", "codes": ["90837"]})

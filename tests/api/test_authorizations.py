"""Authorizations: counting, numbers on claims, units, selection, edits, report."""
from __future__ import annotations

from tests.api.entitlement_helpers import charge, every_page, make_authorization, make_client, make_pack


def test_each_session_shows_which_authorization_it_counts_against(api):
    client = make_client(api)
    auth = make_authorization(api, client["id"])
    for i in range(6):
        charge(api, client["id"], f"s{i}")
    seventh = charge(api, client["id"], "s6")
    assert seventh.status == 201
    body = seventh.body
    assert body["authorization"]["counted"] == "session 7 of 12 authorized, 5 left, ends 2027-03-31"
    assert body["prior_authorization_number"] == "PA-7781" and body["authorization"]["id"] == auth["id"]
    usages = api.get(f"/v1/clients/{client['id']}/charges/s6").body["usages"]
    assert usages == [{"kind": "authorization", "entitlement_id": auth["id"], "amount": "1", "on": "2026-11-20",
                       "billing_code": "90837", "authorization_number": "PA-7781"}]


def test_used_up_or_ended_authorization_gives_no_number_and_says_why(api):
    client = make_client(api)
    make_authorization(api, client["id"], allowed="1", end_on="2026-12-31")
    assert charge(api, client["id"], "a").body["prior_authorization_number"] == "PA-7781"
    used_up = charge(api, client["id"], "b").body
    assert used_up["prior_authorization_number"] is None
    assert used_up["authorization_reason"] == "authorization PA-7781 (Acme Health) is used up"
    assert any("no prior authorization number" in w for w in used_up["warnings"])
    ended = charge(api, client["id"], "c", on="2027-01-05").body
    assert ended["authorization_reason"] == "authorization PA-7781 (Acme Health) ended on 2026-12-31"


def test_the_authorization_ending_soonest_is_counted_first(api):
    client = make_client(api)
    later = make_authorization(api, client["id"], number="LATER", end_on="2027-06-30")
    sooner = make_authorization(api, client["id"], number="SOONER", end_on="2027-01-31")
    assert charge(api, client["id"], "x").body["authorization"]["id"] == sooner["id"]
    assert later["id"] != sooner["id"]


def test_excluded_codes_count_only_where_listed_explicitly(api):
    client = make_client(api)
    make_authorization(api, client["id"], number="ANY", codes={"mode": "all_except", "codes": ["90791"]})
    assert charge(api, client["id"], "intake", code="90791").body["authorization_reason"] == \
        "no authorization covers code 90791"
    make_authorization(api, client["id"], number="INTAKE", codes={"mode": "only", "codes": ["90791"]})
    assert charge(api, client["id"], "intake2", code="90791").body["prior_authorization_number"] == "INTAKE"


def test_units_come_from_minutes_rounding_at_the_midpoint(api):
    api.post("/v1/billing-codes", {"code": "97153", "description": "Adaptive behaviour treatment",
                                   "default_minutes": 60, "default_charge": "20", "unit_minutes": 15})
    client = make_client(api)
    make_authorization(api, client["id"], measure="units", allowed="40", number="U1")
    units = lambda ref, minutes: charge(api, client["id"], ref, code="97153", minutes=minutes).body[  # noqa: E731
        "authorization"]["charged"]
    assert (units("a", 52), units("b", 53), units("c", 60), units("e", 8)) == ("3", "4", "4", "1")
    short = charge(api, client["id"], "d", code="97153", minutes=7).body
    assert short["authorization"] is None
    assert short["authorization_reason"] == "7 minutes is less than half a billing unit"


def test_units_authorization_with_a_code_without_unit_length_says_so(api):
    client = make_client(api)
    make_authorization(api, client["id"], measure="units", allowed="40")
    reason = charge(api, client["id"], "x").body["authorization_reason"]
    assert reason == "billing code 90837 has no unit length, so it cannot count in units"


def test_missed_sessions_never_count_against_authorizations(api):
    client = make_client(api)
    make_authorization(api, client["id"])
    body = charge(api, client["id"], "ns", attendance="late_cancel").body
    assert body["status"] == "nothing_charged" and body["authorization"] is None


def test_authorization_rules_are_422(api):
    client = make_client(api)
    path = f"/v1/clients/{client['id']}/authorizations"
    reply = api.post(path, {"payer": "A", "begin_on": "2027-01-01", "end_on": "2026-01-01", "allowed": "0"})
    assert reply.status == 422
    fields = {e["field"] for e in reply.body["errors"]}
    assert "body.allowed" in fields
    reply = api.post(path, {"payer": "A", "begin_on": "2027-01-01", "end_on": "2026-01-01", "allowed": "5"})
    assert reply.status == 422 and "end_on is before begin_on" in reply.body["errors"][0]["reason"]


def test_allowed_can_be_raised_but_not_below_used(api):
    client = make_client(api)
    auth = make_authorization(api, client["id"], allowed="3")
    charge(api, client["id"], "a"), charge(api, client["id"], "b")
    path = f"/v1/clients/{client['id']}/authorizations/{auth['id']}"
    current = api.get(path)
    assert api.patch(path, {"allowed": "1"}, if_match=current.etag).status == 409
    raised = api.patch(path, {"allowed": "20"}, if_match=current.etag)
    assert (raised.body["allowed"], raised.body["used"], raised.body["remaining"]) == ("20", "2", "18")


def test_reversal_gives_back_exactly_once(api):
    client = make_client(api)
    auth = make_authorization(api, client["id"])
    charge(api, client["id"], "r")
    first = api.post(f"/v1/clients/{client['id']}/charges/r/reverse")
    assert first.status == 200 and first.body["reversed"] == [{"id": auth["id"], "kind": "authorization",
                                                                "amount": "1"}]
    again = api.post(f"/v1/clients/{client['id']}/charges/r/reverse")
    assert again.body["reversed"] == []
    assert api.get(f"/v1/clients/{client['id']}/authorizations/{auth['id']}").body["used"] == "0"
    assert charge(api, client["id"], "r").status == 201  # a corrected session can be charged again


def test_charging_the_same_session_twice_counts_once(api):
    client = make_client(api)
    auth = make_authorization(api, client["id"])
    assert charge(api, client["id"], "dup").status == 201
    again = charge(api, client["id"], "dup")
    assert again.status == 200 and again.body["status"] == "already_charged"
    assert again.body["prior_authorization_number"] == "PA-7781"
    assert api.get(f"/v1/clients/{client['id']}/authorizations/{auth['id']}").body["used"] == "1"


def test_charge_with_unknown_code_or_client(api):
    client = make_client(api)
    reply = charge(api, client["id"], "x", code="99999")
    assert reply.status == 422 and reply.body["errors"][0]["field"] == "body.billing_code"
    assert charge(api, "cli_missing", "x").status == 404


def test_charge_with_idempotency_key_replays(api):
    client = make_client(api)
    make_authorization(api, client["id"])
    headers = {"Idempotency-Key": "attend-1"}
    body = {"session_ref": "k", "date": "2026-11-20", "billing_code": "90837"}
    first = api.post(f"/v1/clients/{client['id']}/charges", body, headers=headers)
    second = api.post(f"/v1/clients/{client['id']}/charges", body, headers=headers)
    assert first.status == second.status == 201 and first.body == second.body


def test_deleting_an_authorization_gives_its_sessions_back(api):
    client = make_client(api)
    auth = make_authorization(api, client["id"])
    charge(api, client["id"], "a"), charge(api, client["id"], "b")
    path = f"/v1/clients/{client['id']}/authorizations/{auth['id']}"
    current = api.get(path)
    assert api.delete(path, if_match=current.etag).status == 204
    assert api.get(path).status == 404
    assert api.get(f"/v1/clients/{client['id']}").body["authorizations"] == []
    assert api.get(f"/v1/clients/{client['id']}/charges/a").status == 404
    assert api.get("/v1/reports/authorizations").body["items"] == []


def test_closing_an_authorization_stops_counting(api):
    client = make_client(api)
    auth = make_authorization(api, client["id"])
    path = f"/v1/clients/{client['id']}/authorizations/{auth['id']}"
    current = api.get(path)
    closed = api.patch(path, {"closed": True}, if_match=current.etag)
    assert closed.status == 200 and closed.body["status"] == "closed"
    assert charge(api, client["id"], "x").body["authorization_reason"] == "no authorization covers code 90837"
    reopened = api.patch(path, {"closed": False}, if_match=closed.etag)
    assert reopened.body["status"] == "active"
    assert charge(api, client["id"], "y").body["prior_authorization_number"] == "PA-7781"


def test_authorizations_list_in_pages_of_limit_one_query_each_oldest_first(api):
    client = make_client(api)
    made = [make_authorization(api, client["id"], payer=f"Payer {i}") for i in range(4)]
    path = f"/v1/clients/{client['id']}/authorizations"
    closed = api.patch(f"{path}/{made[0]['id']}", {"closed": True}, if_match=f'"{made[0]["version"]}"')
    assert closed.status == 200
    api.get(path)  # the caller's standing and the practice are read once, then cached
    pages = every_page(api, path, limit=2)
    assert [a["id"] for page in pages for a in page] == [a["id"] for a in made[1:]]
    assert all(a["version"] == 1 for page in pages for a in page)
    everything = every_page(api, f"{path}?include_closed=true", limit=1)
    assert [(a["id"], a["version"]) for page in everything for a in page] == [
        (a["id"], 2 if a is made[0] else 1) for a in made]
    assert api.get("/v1/clients/cli_missing/authorizations?limit=5").status == 404


def test_every_response_with_an_authorization_carries_its_etag(api):
    client = make_client(api)
    path = f"/v1/clients/{client['id']}/authorizations"
    created = api.post(path, {"payer": "Acme", "begin_on": "2026-01-01", "end_on": "2026-12-31", "allowed": "4"})
    assert created.status == 201 and created.etag == '"1"' and created.body["version"] == 1
    read = api.get(f"{path}/{created.body['id']}")
    assert read.etag == '"1"'
    edited = api.patch(f"{path}/{created.body['id']}", {"allowed": "6"}, if_match=read.etag)
    assert edited.status == 200 and edited.etag == '"2"' and edited.body["version"] == 2
    assert api.get(path).body["items"][0]["version"] == 2


def test_counted_capacity_edit_refuses_a_fraction_as_create_does(api):
    client = make_client(api)
    auth = make_authorization(api, client["id"], allowed="3")
    path = f"/v1/clients/{client['id']}/authorizations/{auth['id']}"
    refused = api.patch(path, {"allowed": "7.5"}, if_match=api.get(path).etag)
    assert refused.status == 422 and refused.body["errors"][0]["field"] == "body.allowed"
    assert api.get(path).body["allowed"] == "3"
    pack = make_pack(api, client["id"], name="Ten", measure="sessions", limit="10", price="100")
    pack_path = f"/v1/clients/{client['id']}/packs/{pack['id']}"
    refused = api.patch(pack_path, {"limit": "9.5"}, if_match=api.get(pack_path).etag)
    assert refused.status == 422 and refused.body["errors"][0]["field"] == "body.limit"
    money = make_pack(api, client["id"], name="Credit", measure="money", limit="100", price="100")
    money_path = f"/v1/clients/{client['id']}/packs/{money['id']}"
    assert api.patch(money_path, {"limit": "99.50"}, if_match=api.get(money_path).etag).status == 200

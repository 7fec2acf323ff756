"""Pack templates and client packs: limits, expiry, consolidation, deletion, the ledger."""
from __future__ import annotations

from decimal import Decimal

import pytest

from tests.api.entitlement_helpers import (
    charge,
    every_page,
    make_authorization,
    make_client,
    make_pack,
    make_template,
    strict_expressions,
)
from tests.conftest import PRACTICE_A, USERS


def _ledger_sum(api, client_id, pack_id):
    entries = api.get(f"/v1/clients/{client_id}/packs/{pack_id}/ledger?limit=100").body["items"]
    return sum(Decimal(e["amount"]) for e in entries)


def test_referral_with_four_used_elsewhere_opens_with_limit_six(api):
    client = make_client(api)
    template = make_template(api)
    pack = make_pack(api, client["id"], template_id=template["id"], limit="6")
    assert (pack["limit"], pack["used"], pack["remaining"], pack["name"]) == ("6", "0", "6", "10 sessions")
    for i in range(6):
        assert charge(api, client["id"], f"s{i}").body["pack"]["remaining"] == str(5 - i)
    seventh = charge(api, client["id"], "s6").body
    assert seventh["status"] == "nothing_charged" and seventh["pack"] is None
    assert seventh["pack_reason"] == "pack '10 sessions' is used up"
    assert api.get(f"/v1/clients/{client['id']}/packs/{pack['id']}").body["status"] == "used_up"


def test_placeholder_budget_edited_to_the_funders_letter(api):
    client = make_client(api)
    pack = make_pack(api, client["id"], name="NDIS plan", measure="money", limit="100000", price="0")
    for i in range(3):
        assert charge(api, client["id"], f"m{i}", fee="180.00").status == 201
    current = api.get(f"/v1/clients/{client['id']}/packs/{pack['id']}")
    edited = api.patch(f"/v1/clients/{client['id']}/packs/{pack['id']}", {"limit": "3000"}, if_match=current.etag)
    assert edited.status == 200
    assert (Decimal(edited.body["used"]), Decimal(edited.body["limit"]), Decimal(edited.body["remaining"])) == (
        Decimal("540"), Decimal("3000"), Decimal("2460"))
    summary = api.get(f"/v1/clients/{client['id']}").body["packs"][0]
    assert (summary["used"], summary["limit"], summary["remaining"]) == ("540.00", "3000.00", "2460.00")
    refused = api.patch(f"/v1/clients/{client['id']}/packs/{pack['id']}", {"limit": "500"}, if_match=edited.etag)
    assert refused.status == 409 and refused.body["used"] == "540" and "540 is already used" in refused.body["detail"]
    assert api.get(f"/v1/clients/{client['id']}/packs/{pack['id']}").body["limit"] == "3000"


def test_pack_input_rules_are_422(api):
    client = make_client(api)
    bad = [({"name": "x", "measure": "sessions", "limit": "0", "price": "1"}, "body.limit"),
           ({"name": "x", "measure": "sessions", "limit": "2.5", "price": "1"}, "body.limit"),
           ({"name": "x", "measure": "money"}, "body.limit"),
           ({"name": "x", "measure": "money", "limit": "10", "price": "1",
             "categories": [{"name": "A", "percent": "70"}, {"name": "B", "percent": "20"}]}, "body.categories")]
    for body, field in bad:
        reply = api.post(f"/v1/clients/{client['id']}/packs", body)
        assert reply.status == 422, body
        assert any(e["field"] == field for e in reply.body["errors"]), reply.body


def test_template_categories_must_total_100(api):
    reply = api.post("/v1/pack-templates", {"name": "t", "measure": "money", "quantity": "1000", "price": "1000",
                                            "categories": [{"name": "Psychology", "percent": "70"},
                                                           {"name": "Assessment", "percent": "20"}]})
    assert reply.status == 422 and "add up to 90" in reply.body["errors"][0]["reason"]


def test_pack_for_unknown_client_is_404(api):
    assert api.post("/v1/clients/cli_missing/packs", {"name": "x", "measure": "sessions", "limit": "1",
                                                      "price": "1"}).status == 404


def test_validity_after_purchase_sets_expiry_and_expired_packs_are_not_charged(api):
    client = make_client(api)
    template = make_template(api, validity={"amount": 30, "unit": "days", "starts": "purchase"})
    pack = make_pack(api, client["id"], template_id=template["id"], purchased_on="2026-01-01")
    assert pack["expires_on"] == "2026-01-30" and pack["status"] == "expired"
    assert charge(api, client["id"], "in", on="2026-01-30").status == 201
    late = charge(api, client["id"], "late", on="2026-01-31").body
    assert late["status"] == "nothing_charged" and late["pack_reason"] == "pack '10 sessions' ended on 2026-01-30"


def test_validity_after_first_use_starts_at_the_first_session(api):
    client = make_client(api)
    template = make_template(api, validity={"amount": 2, "unit": "months", "starts": "first_use"})
    pack = make_pack(api, client["id"], template_id=template["id"])
    assert pack["expires_on"] is None
    assert charge(api, client["id"], "first", on="2026-11-15").body["pack"]["expires_on"] == "2027-01-14"
    assert api.get(f"/v1/clients/{client['id']}/packs/{pack['id']}").body["expires_on"] == "2027-01-14"


def test_pack_covers_only_its_codes(api):
    client = make_client(api)
    make_pack(api, client["id"], name="Therapy only", measure="sessions", limit="5", price="1",
              codes={"mode": "only", "codes": ["90834", "90837"]})
    assert charge(api, client["id"], "a", code="90834").status == 201
    reply = charge(api, client["id"], "b", code="90791").body
    assert reply["pack_reason"] == "no pack covers code 90791"


def test_no_show_is_charged_only_where_the_pack_says_so(api):
    client = make_client(api)
    plain = make_pack(api, client["id"], name="Plain", measure="sessions", limit="5", price="1")
    assert charge(api, client["id"], "ns1", attendance="no_show").body["pack_reason"] == "no pack charges for a no show"
    strict = make_pack(api, client["id"], name="Strict", measure="sessions", limit="5", price="1",
                       charge_no_shows=True)
    body = charge(api, client["id"], "ns2", attendance="no_show").body
    assert body["pack"]["id"] == strict["id"] and plain["id"] != strict["id"]
    assert body["authorization"] is None


def test_earliest_expiring_pack_is_charged_first(api):
    client = make_client(api)
    later = make_pack(api, client["id"], name="Later", measure="sessions", limit="5", price="1",
                      validity={"amount": 90, "unit": "days"}, purchased_on="2026-11-01")
    sooner = make_pack(api, client["id"], name="Sooner", measure="sessions", limit="5", price="1",
                       validity={"amount": 30, "unit": "days"}, purchased_on="2026-11-01")
    assert charge(api, client["id"], "x").body["pack"]["id"] == sooner["id"]
    assert later["id"] != sooner["id"]


def test_minutes_pack_takes_the_session_length(api):
    client = make_client(api)
    make_pack(api, client["id"], name="10 hours", measure="minutes", limit="600", price="1")
    assert charge(api, client["id"], "m", code="90834").body["pack"]["charged"] == "45"
    assert charge(api, client["id"], "n", code="90834", minutes=50).body["pack"]["remaining"] == "505"


def test_consolidating_two_packs_moves_usage_and_limits(api):
    client = make_client(api)
    target = make_pack(api, client["id"], name="A", measure="sessions", limit="10", price="1")
    charge(api, client["id"], "a1")
    source = make_pack(api, client["id"], name="B", measure="sessions", limit="5", price="1",
                       validity={"amount": 10, "unit": "days"}, purchased_on="2026-11-19")
    charge(api, client["id"], "b1"), charge(api, client["id"], "b2")  # B expires first, so it is charged
    current = api.get(f"/v1/clients/{client['id']}/packs/{target['id']}")
    merged = api.post(f"/v1/clients/{client['id']}/packs/{target['id']}/consolidate",
                      {"source_pack_id": source["id"]}, headers={"If-Match": current.etag})
    assert merged.status == 200, merged.body
    assert (merged.body["limit"], merged.body["used"], merged.body["remaining"]) == ("15", "3", "12")
    closed = api.get(f"/v1/clients/{client['id']}/packs/{source['id']}").body
    assert closed["status"] == "consolidated" and closed["consolidated_into"] == target["id"]
    assert (closed["limit"], closed["used"], closed["remaining"]) == ("0", "0", "0")
    assert _ledger_sum(api, client["id"], target["id"]) == 3 and _ledger_sum(api, client["id"], source["id"]) == 0
    # A moved session reverses against the pack it now counts against.
    assert api.post(f"/v1/clients/{client['id']}/charges/b1/reverse").body["reversed"][0]["id"] == target["id"]
    assert api.get(f"/v1/clients/{client['id']}/packs/{target['id']}").body["used"] == "2"


def test_consolidating_packs_of_different_measures_is_422(api):
    client = make_client(api)
    a = make_pack(api, client["id"], name="A", measure="sessions", limit="10", price="1")
    b = make_pack(api, client["id"], name="B", measure="money", limit="10", price="1")
    current = api.get(f"/v1/clients/{client['id']}/packs/{a['id']}")
    reply = api.post(f"/v1/clients/{client['id']}/packs/{a['id']}/consolidate", {"source_pack_id": b["id"]},
                     headers={"If-Match": current.etag})
    assert reply.status == 422 and reply.body["errors"][0]["field"] == "body.source_pack_id"


def test_deleting_a_pack_gives_its_sessions_back(api):
    client = make_client(api)
    pack = make_pack(api, client["id"], name="A", measure="sessions", limit="10", price="1")
    for i in range(3):
        charge(api, client["id"], f"d{i}")
    current = api.get(f"/v1/clients/{client['id']}/packs/{pack['id']}")
    assert api.delete(f"/v1/clients/{client['id']}/packs/{pack['id']}", if_match=current.etag).status == 204
    assert api.get(f"/v1/clients/{client['id']}/packs/{pack['id']}").status == 404
    assert api.get(f"/v1/clients/{client['id']}/charges/d0").status == 404  # no longer counted
    other = make_pack(api, client["id"], name="B", measure="sessions", limit="10", price="1")
    assert charge(api, client["id"], "d0").body["pack"]["id"] == other["id"]  # can be charged again


def test_auto_renew_opens_the_next_pack_when_one_is_used_up(api):
    client = make_client(api)
    template = make_template(api, quantity="2", name="Pair")
    first = make_pack(api, client["id"], template_id=template["id"], auto_renew=True)
    charge(api, client["id"], "r1")
    used_up = charge(api, client["id"], "r2").body["pack"]
    assert used_up["remaining"] == "0" and used_up["renewed_pack_id"]
    packs = {p["id"]: p["status"] for p in api.get(f"/v1/clients/{client['id']}/packs").body["items"]}
    assert packs == {first["id"]: "used_up", used_up["renewed_pack_id"]: "active"}
    assert charge(api, client["id"], "r3").body["pack"]["id"] == used_up["renewed_pack_id"]
    assert first["id"] == used_up["id"]


def test_ledger_lists_charges_and_reversals_in_order_and_pages(api):
    client = make_client(api)
    pack = make_pack(api, client["id"], name="L", measure="sessions", limit="10", price="1")
    for i in range(3):
        charge(api, client["id"], f"l{i}")
    api.post(f"/v1/clients/{client['id']}/charges/l1/reverse")
    path = f"/v1/clients/{client['id']}/packs/{pack['id']}/ledger"
    first = api.get(path + "?limit=3").body
    rest = api.get(path + f"?limit=3&cursor={first['next_cursor']}").body
    entries = first["items"] + rest["items"]
    assert rest["next_cursor"] is None
    assert [(e["kind"], e["session_ref"], e["amount"]) for e in entries] == [
        ("charge", "l0", "1"), ("charge", "l1", "1"), ("charge", "l2", "1"), ("reversal", "l1", "-1")]
    assert sum(Decimal(e["amount"]) for e in entries) == Decimal(
        api.get(f"/v1/clients/{client['id']}/packs/{pack['id']}").body["used"])


def test_inactive_template_cannot_be_sold(api):
    client = make_client(api)
    template = make_template(api)
    current = api.get(f"/v1/pack-templates/{template['id']}")
    off = api.patch(f"/v1/pack-templates/{template['id']}", {"active": False}, if_match=current.etag, role="billing")
    assert off.status == 200 and off.body["active"] is False
    reply = api.post(f"/v1/clients/{client['id']}/packs", {"template_id": template["id"]})
    assert reply.status == 422 and reply.body["errors"][0]["field"] == "body.template_id"


def test_template_price_change_does_not_touch_packs_already_sold(api):
    client = make_client(api)
    template = make_template(api)
    sold = make_pack(api, client["id"], template_id=template["id"])
    current = api.get(f"/v1/pack-templates/{template['id']}")
    assert api.patch(f"/v1/pack-templates/{template['id']}", {"price": "1800"}, if_match=current.etag).status == 200
    assert api.get(f"/v1/clients/{client['id']}/packs/{sold['id']}").body["price"] == "1500.00"


def test_consolidating_a_pack_with_many_sessions_moves_them_all(api):
    client = make_client(api)
    source = make_pack(api, client["id"], name="Big", measure="sessions", limit="40", price="1")
    for i in range(35):  # more than one transaction's worth of moves
        charge(api, client["id"], f"big{i}")
    target = make_pack(api, client["id"], name="Target", measure="sessions", limit="5", price="1")
    current = api.get(f"/v1/clients/{client['id']}/packs/{target['id']}")
    merged = api.post(f"/v1/clients/{client['id']}/packs/{target['id']}/consolidate",
                      {"source_pack_id": source["id"]}, headers={"If-Match": current.etag})
    assert merged.status == 200, merged.body
    assert (merged.body["limit"], merged.body["used"], merged.body["remaining"]) == ("45", "35", "10")
    assert _ledger_sum(api, client["id"], source["id"]) == 0
    entries = api.get(f"/v1/clients/{client['id']}/packs/{target['id']}/ledger?limit=100").body["items"]
    assert len(entries) == 35 and sum(Decimal(e["amount"]) for e in entries) == 35


FIRST_USE_TERMS = {"sessions": {"quantity": "6", "price": "600.00"},
                   "minutes": {"quantity": "600", "price": "900.00"},
                   "money": {"quantity": "1000.00", "price": "1000.00"}}


def _charge_by(api, path, client_id):
    """Charge one 60-minute session of 2026-11-20 by `path`; the charge result."""
    if path == "charge":
        reply = charge(api, client_id, "first", on="2026-11-20", minutes=60)
        assert reply.status == 201, reply.body
        return reply.body
    if path == "session":
        reply = api.post(f"/v1/clients/{client_id}/sessions",
                         {"date_of_service": "2026-11-20", "billing_code": "90837", "minutes": 60})
        assert reply.status == 201, reply.body
        return reply.body["charge"]
    booked = api.post("/v1/appointments", {"client_id": client_id, "practitioner_id": USERS[PRACTICE_A]["practitioner"],
                                           "location_id": f"loc_{PRACTICE_A}_main", "start": "2026-11-20T10:00:00",
                                           "end": "2026-11-20T11:00:00", "billing_code": "90837"}, role="front_desk")
    appointment = booked.body["appointments"][0]
    current = api.get(f"/v1/appointments/{appointment['id']}")
    reply = api.post(f"/v1/appointments/{appointment['id']}/status", {"status": "attended"},
                     headers={"If-Match": current.etag})
    assert reply.status == 200, reply.body
    assert api.get(f"/v1/appointments/{appointment['id']}").body["status"] == "attended"
    return reply.body["charge"]


@pytest.mark.parametrize("measure", ["sessions", "minutes", "money"])
@pytest.mark.parametrize("path", ["charge", "session", "attend"])
def test_first_use_pack_charges_by_every_path_and_sets_its_expiry_once(api, measure, path):
    client = make_client(api)
    template = make_template(api, name=f"{measure} pack", measure=measure,
                             validity={"amount": 2, "unit": "months", "starts": "first_use"},
                             **FIRST_USE_TERMS[measure])
    pack = make_pack(api, client["id"], template_id=template["id"])
    with strict_expressions() as faults:
        first = _charge_by(api, path, client["id"])
        later = charge(api, client["id"], "later", on="2026-12-05", minutes=60)
    assert faults == []
    assert first["status"] == "charged" and first["pack"]["id"] == pack["id"]
    assert first["pack"]["expires_on"] == "2027-01-19"
    assert later.status == 201 and later.body["pack"]["expires_on"] == "2027-01-19"  # the first use set it, once
    stored = api.get(f"/v1/clients/{client['id']}/packs/{pack['id']}").body
    assert stored["expires_on"] == "2027-01-19"
    assert api.get(f"/v1/clients/{client['id']}/packs/{pack['id']}/ledger").body["items"][0]["amount"] == \
        first["pack"]["charged"]


def test_first_use_pack_refuses_a_session_after_the_expiry_its_first_use_set(api):
    client = make_client(api)
    template = make_template(api, validity={"amount": 30, "unit": "days", "starts": "first_use"})
    make_pack(api, client["id"], template_id=template["id"])
    with strict_expressions() as faults:
        assert charge(api, client["id"], "first", on="2026-11-01").body["pack"]["expires_on"] == "2026-11-30"
        late = charge(api, client["id"], "late", on="2026-12-01").body
    assert faults == []
    assert late["pack"] is None and late["pack_reason"] == "pack '10 sessions' ended on 2026-11-30"


def _delivered(api, client_id, day, code="90837"):
    reply = api.post(f"/v1/clients/{client_id}/sessions", {"date_of_service": day, "billing_code": code})
    assert reply.status == 201, reply.body
    return reply.body["session"]


def test_pack_naming_an_unknown_session_is_refused_and_writes_nothing(api):
    client = make_client(api)
    delivered = _delivered(api, client["id"], "2026-11-10")
    template = make_template(api)
    body = {"template_id": template["id"], "session_ids": [delivered["id"], "ses_missing"]}
    for _ in range(2):  # a retry is refused the same way, and still writes nothing
        reply = api.post(f"/v1/clients/{client['id']}/packs", body)
        assert reply.status == 422, reply.body
        assert reply.body["errors"] == [{"field": "body.session_ids.1", "reason": "session ses_missing does not exist"}]
    assert api.get(f"/v1/clients/{client['id']}/packs?include_closed=true").body["items"] == []
    assert api.get(f"/v1/clients/{client['id']}/charges/{delivered['id']}").status == 404
    assert api.get(f"/v1/clients/{client['id']}").body["packs"] == []


def test_pack_that_cannot_pay_every_session_is_refused_and_writes_nothing(api):
    client = make_client(api)
    first, second = (_delivered(api, client["id"], day) for day in ("2026-11-10", "2026-11-17"))
    intake = _delivered(api, client["id"], "2026-11-03", code="90791")
    reply = api.post(f"/v1/clients/{client['id']}/packs", {
        "name": "Two", "measure": "sessions", "limit": "1", "price": "100",
        "codes": {"mode": "only", "codes": ["90837"]},
        "session_ids": [first["id"], second["id"], intake["id"]]})
    assert reply.status == 422, reply.body
    assert reply.body["errors"] == [
        {"field": "body.session_ids.1",
         "reason": f"the pack cannot pay for session {second['id']}: pack 'Two' is used up"},
        {"field": "body.session_ids.2", "reason": f"the pack cannot pay for session {intake['id']}: "
                                                  "no pack covers code 90791"}]
    assert api.get(f"/v1/clients/{client['id']}/packs?include_closed=true").body["items"] == []
    assert all(api.get(f"/v1/clients/{client['id']}/charges/{s['id']}").status == 404 for s in (first, second, intake))


def test_pack_sold_for_past_sessions_moves_them_from_the_pack_that_paid_and_counts_each_once(api):
    client = make_client(api)
    old = make_pack(api, client["id"], name="Old", measure="sessions", limit="5", price="1")
    delivered = [_delivered(api, client["id"], day) for day in ("2026-11-10", "2026-11-17")]
    ids = [s["id"] for s in delivered]
    new = make_pack(api, client["id"], name="New", measure="sessions", limit="3", price="1", session_ids=[*ids, ids[0]])
    assert (new["used"], new["remaining"]) == ("2", "1")
    assert api.get(f"/v1/clients/{client['id']}/packs/{old['id']}").body["used"] == "0"
    for session_id in ids:
        usages = api.get(f"/v1/clients/{client['id']}/charges/{session_id}").body["usages"]
        assert [(u["kind"], u["entitlement_id"]) for u in usages] == [("pack", new["id"])]


def test_first_use_pack_sold_for_past_sessions_starts_at_the_first_of_them(api):
    client = make_client(api)
    delivered = [_delivered(api, client["id"], day) for day in ("2026-10-01", "2026-12-15")]
    template = make_template(api, validity={"amount": 30, "unit": "days", "starts": "first_use"})
    reply = api.post(f"/v1/clients/{client['id']}/packs",
                     {"template_id": template["id"], "session_ids": [s["id"] for s in delivered]})
    assert reply.status == 422 and reply.body["errors"][0]["field"] == "body.session_ids.1", reply.body
    assert "ended on 2026-10-30" in reply.body["errors"][0]["reason"]
    pack = make_pack(api, client["id"], template_id=template["id"], session_ids=[delivered[0]["id"]])
    assert (pack["used"], pack["expires_on"]) == ("1", "2026-10-30")


def test_pack_sale_undone_when_a_session_goes_away_after_the_checks(api, monkeypatch):
    from chalicelib.services import entitlements
    from chalicelib.store import items
    from chalicelib.store.sessions import session_key

    client = make_client(api)
    old = make_pack(api, client["id"], name="Old", measure="sessions", limit="5", price="1")
    first, second = (_delivered(api, client["id"], day) for day in ("2026-11-10", "2026-11-17"))
    checked = entitlements._sessions_the_pack_pays

    def checked_then_raced(principal, client_id, *args, **kwargs):
        delivered = checked(principal, client_id, *args, **kwargs)
        gone = next(d.session for d in delivered if d.session.id == second["id"])
        key = session_key(principal.practice_id, client_id, gone.id)
        items.transact([{"Delete": {"TableName": items.table(), "Key": items.key_of(*key)}}])
        return delivered

    monkeypatch.setattr(entitlements, "_sessions_the_pack_pays", checked_then_raced)
    reply = api.post(f"/v1/clients/{client['id']}/packs", {"name": "New", "measure": "sessions", "limit": "5",
                                                            "price": "1", "session_ids": [first["id"], second["id"]]})
    assert reply.status == 409, reply.body
    listed = api.get(f"/v1/clients/{client['id']}/packs?include_closed=true").body["items"]
    assert [p["id"] for p in listed] == [old["id"]]
    usages = api.get(f"/v1/clients/{client['id']}/charges/{first['id']}").body["usages"]
    assert [(u["kind"], u["entitlement_id"]) for u in usages] == [("pack", old["id"])]
    assert api.get(f"/v1/clients/{client['id']}/packs/{old['id']}").body["used"] == "2"


def test_packs_list_in_pages_of_limit_one_query_each_oldest_first(api):
    client = make_client(api)
    made = [make_pack(api, client["id"], name=f"P{i}", measure="sessions", limit="5", price="1") for i in range(5)]
    path = f"/v1/clients/{client['id']}/packs"
    closed = api.patch(f"{path}/{made[1]['id']}", {"closed": True}, if_match=f'"{made[1]["version"]}"')
    assert closed.status == 200
    api.get(path)  # the caller's standing and the practice are read once, then cached
    pages = every_page(api, path, limit=2)
    assert [p["id"] for page in pages for p in page] == [p["id"] for p in made if p["id"] != made[1]["id"]]
    assert all(p["version"] == 1 for page in pages for p in page)
    everything = every_page(api, f"{path}?include_closed=true", limit=3)
    assert [(p["id"], p["version"]) for page in everything for p in page] == [
        (p["id"], 2 if p["id"] == made[1]["id"] else 1) for p in made]


def test_packs_list_refuses_a_cursor_of_another_list_and_404s_an_unknown_client(api):
    client = make_client(api)
    for i in range(2):
        make_pack(api, client["id"], name=f"P{i}", measure="sessions", limit="5", price="1")
        make_authorization(api, client["id"])
    cursor = api.get(f"/v1/clients/{client['id']}/authorizations?limit=1").body["next_cursor"]
    assert cursor
    reply = api.get(f"/v1/clients/{client['id']}/packs?limit=1&cursor={cursor}")
    assert reply.status == 400 and reply.body["field"] == "query.cursor"
    assert api.get("/v1/clients/cli_missing/packs?limit=5").status == 404
    assert api.get(f"/v1/clients/{client['id']}/packs?limit=0").status == 422


def test_every_response_with_a_pack_carries_its_etag(api):
    client = make_client(api)
    delivered = _delivered(api, client["id"], "2026-11-10")
    path = f"/v1/clients/{client['id']}/packs"
    created = api.post(path, {"name": "A", "measure": "sessions", "limit": "5", "price": "1",
                              "session_ids": [delivered["id"]]})
    assert created.status == 201 and created.etag == f'"{created.body["version"]}"'
    other = make_pack(api, client["id"], name="B", measure="sessions", limit="5", price="1")
    read = api.get(f"{path}/{created.body['id']}")
    assert read.etag == f'"{read.body["version"]}"'
    edited = api.patch(f"{path}/{created.body['id']}", {"name": "A2"}, if_match=read.etag)
    assert edited.status == 200 and edited.etag == f'"{edited.body["version"]}"' and edited.etag != read.etag
    merged = api.post(f"{path}/{created.body['id']}/consolidate", {"source_pack_id": other["id"]},
                      headers={"If-Match": edited.etag})
    assert merged.status == 200 and merged.etag == f'"{merged.body["version"]}"' and merged.etag != edited.etag


@pytest.mark.parametrize("measure, limit, sessions, counted", [
    ("sessions", "6", 4, "session 4 of 6, 2 left"),
    ("minutes", "600", 3, "90 of 600 minutes, 510 left"),
    ("money", "1000", 3, "$180.00 of $1,000.00, $820.00 left"),
])
def test_pack_charge_answers_with_a_readable_count(api, measure, limit, sessions, counted):
    client = make_client(api)
    make_pack(api, client["id"], name="P", measure=measure, limit=limit, price="1")
    replies = [charge(api, client["id"], f"s{i}", minutes=30, fee="60.00") for i in range(sessions)]
    assert all(r.status == 201 for r in replies)
    assert replies[-1].body["pack"]["counted"] == counted

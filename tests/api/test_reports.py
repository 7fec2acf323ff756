"""Reports: pack expiry, authorizations, pack sales by category."""
from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from tests.api.entitlement_helpers import charge, make_authorization, make_client, make_pack, make_template

# "Today" is the practice's (the seeded practices are in New York), not the machine's.
TODAY = datetime.now(ZoneInfo("America/New_York")).date()


def _days(n: int) -> str:
    return (TODAY + timedelta(days=n)).isoformat()


def _expiry_pack(api, client, name, purchased_days_ago, valid_days, **extra):
    return make_pack(api, client["id"], name=name, measure="sessions", limit="5", price="100",
                     validity={"amount": valid_days, "unit": "days"}, purchased_on=_days(-purchased_days_ago), **extra)


def test_pack_expiry_report_splits_active_expiring_and_expired(api):
    client = make_client(api, "Rae", "Report")
    expired = _expiry_pack(api, client, "Expired", 40, 30)
    soon = _expiry_pack(api, client, "Soon", 20, 30)
    active = _expiry_pack(api, client, "Active", 0, 90)
    forever = make_pack(api, client["id"], name="Forever", measure="sessions", limit="5", price="1")
    ids = lambda status: [r["id"] for r in api.get(f"/v1/reports/pack-expiry?status={status}").body["items"]]  # noqa
    assert ids("expired") == [expired["id"]]
    assert ids("expiring_soon") == [soon["id"]]
    assert ids("active") == [active["id"], forever["id"]]
    assert ids("all") == [expired["id"], soon["id"], active["id"], forever["id"]]
    row = api.get("/v1/reports/pack-expiry?status=expiring_soon").body["items"][0]
    assert row["client_name"] == "Rae Report" and row["status"] == "expiring_soon"


def test_pack_expiry_report_filters_by_practitioner_and_category(api):
    client = make_client(api)
    template = make_template(api, measure="money", quantity="1000", price="1000",
                             categories=[{"name": "Psychology", "percent": "70"},
                                         {"name": "Assessment", "percent": "30"}])
    mine = make_pack(api, client["id"], template_id=template["id"], practitioner_id="usr_prc_a_practitioner")
    other = make_pack(api, client["id"], name="Other", measure="sessions", limit="1", price="1",
                      practitioner_id="usr_x")
    by_practitioner = api.get("/v1/reports/pack-expiry?practitioner_id=usr_prc_a_practitioner").body["items"]
    assert [r["id"] for r in by_practitioner] == [mine["id"]]
    by_category = api.get("/v1/reports/pack-expiry?category=Assessment").body["items"]
    assert [r["id"] for r in by_category] == [mine["id"]] and other["id"] != mine["id"]


def test_closing_a_pack_takes_it_out_of_the_expiry_report(api):
    client = make_client(api)
    pack = make_pack(api, client["id"], name="Close me", measure="sessions", limit="1", price="1")
    current = api.get(f"/v1/clients/{client['id']}/packs/{pack['id']}")
    closed = api.patch(f"/v1/clients/{client['id']}/packs/{pack['id']}", {"closed": True}, if_match=current.etag)
    assert closed.body["status"] == "closed"
    assert api.get("/v1/reports/pack-expiry").body["items"] == []
    assert charge(api, client["id"], "x").body["pack_reason"] == "no pack covers code 90837"


def test_authorization_report_shows_usage_and_hides_expired(api):
    client = make_client(api, "Ada", "Auth")
    current = make_authorization(api, client["id"], allowed="10", end_on=_days(30), begin_on=_days(-30))
    old = make_authorization(api, client["id"], number="OLD", allowed="4", begin_on=_days(-90), end_on=_days(-1))
    for i in range(8):
        charge(api, client["id"], f"s{i}", on=TODAY.isoformat())
    rows = api.get("/v1/reports/authorizations").body["items"]
    assert [r["id"] for r in rows] == [current["id"]]
    row = rows[0]
    assert (row["used"], row["allowed"], row["remaining"], row["percent_used"], row["days_left"]) == (
        "8", "10", "2", "80.0", 30)
    assert row["client_name"] == "Ada Auth"
    with_expired = api.get("/v1/reports/authorizations?include_expired=true").body["items"]
    assert [r["id"] for r in with_expired] == [old["id"], current["id"]]


def test_pack_sales_by_category_uses_the_proportions(api):
    client = make_client(api)
    template = make_template(api, measure="money", quantity="1000", price="1000",
                             categories=[{"name": "Psychology", "percent": "70"},
                                         {"name": "Assessment", "percent": "30"}])
    make_pack(api, client["id"], template_id=template["id"], purchased_on="2026-10-05")
    make_pack(api, client["id"], template_id=template["id"], purchased_on="2026-10-20")
    make_pack(api, client["id"], name="Odd", measure="sessions", limit="3", price="100.01", purchased_on="2026-10-21",
              categories=[{"name": "Psychology", "percent": "33.33"}, {"name": "Assessment", "percent": "66.67"}])
    make_pack(api, client["id"], template_id=template["id"], purchased_on="2026-11-02")  # outside the range
    report = api.get("/v1/reports/pack-sales?from=2026-10-01&to=2026-10-31", role="billing").body
    assert report["from"] == "2026-10-01" and report["currency"] == "USD" and report["packs"] == 3
    by_name = {c["category"]: c["amount"] for c in report["categories"]}
    assert by_name == {"Psychology": "1433.33", "Assessment": "666.68"}
    assert report["total"] == "2100.01"


def test_pack_sales_range_rules(api):
    assert api.get("/v1/reports/pack-sales?from=2026-10-31&to=2026-10-01").status == 422
    assert api.get("/v1/reports/pack-sales?from=2026-10-01").status == 422
    assert api.get("/v1/reports/pack-sales?from=2026-10-01&to=2026-10-31", role="front_desk").status == 403


def test_used_up_pack_is_not_listed_as_active_or_expiring_soon(api):
    client = make_client(api, "Una", "Used")
    used = make_pack(api, client["id"], name="One", measure="sessions", limit="1", price="1")
    assert charge(api, client["id"], "s1").body["pack"]["id"] == used["id"]
    soon = _expiry_pack(api, client, "Soon", 20, 30)
    ids = lambda status: [r["id"] for r in api.get(f"/v1/reports/pack-expiry?status={status}").body["items"]]  # noqa
    assert ids("active") == []
    assert ids("expiring_soon") == [soon["id"]]
    assert used["id"] in ids("all")

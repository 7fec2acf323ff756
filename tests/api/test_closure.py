"""Account closure: read-only for 30 days (every write route, generated from the route table),
export of everything, reopening, and the purge."""
from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from app import app  # noqa: F401 - registers every route
from chalicelib.http import OPERATIONS
from tests.api.entitlement_helpers import make_authorization, make_client, make_pack
from tests.api.group_helpers import add_members, book_session, make_group, mark
from tests.api.test_route_coverage import FAKE_IDS, _id, _path_for
from tests.conftest import PRACTICE_A, PRACTICE_B

WRITES = [op for op in OPERATIONS if not op.while_closed]


def _close(api):
    reply = api.post("/v1/practice/close", headers={"If-Match": api.get("/v1/practice").etag})
    assert reply.status == 200, reply.body
    return reply.body


def _table_items(practice_id: str) -> set[tuple[str, str]]:
    """The oracle: a Scan of the whole table (tests only; the code never scans)."""
    import boto3

    from chalicelib.config import get_settings

    table = boto3.resource("dynamodb", region_name="us-east-1").Table(get_settings().table_name)
    found, start = [], {}
    while True:
        page = table.scan(**start)
        found += page["Items"]
        if "LastEvaluatedKey" not in page:
            break
        start = {"ExclusiveStartKey": page["LastEvaluatedKey"]}
    return {(i["PK"], i["SK"]) for i in found
            if i["PK"].startswith(f"P#{practice_id}#") or i["PK"] == f"P#{practice_id}"}


def test_closing_makes_the_account_read_only_and_reopening_undoes_it(api):
    closed = _close(api)
    assert closed["status"] == "closed" and closed["closed_by"] == "usr_prc_a_admin"
    # 30 days from the practice's own date of closing (a day behind UTC's in a western evening).
    zone = ZoneInfo(api.get("/v1/practice").body["time_zone"])
    closed_on = datetime.fromisoformat(closed["closed_at"]).astimezone(zone).date()
    assert date.fromisoformat(closed["purge_on"]) - closed_on == timedelta(days=30)
    refused = api.post("/v1/clients", {"first_name": "New", "last_name": "Client"})
    assert refused.status == 409 and "read-only until" in refused.body["detail"]
    assert refused.body["purge_on"] == closed["purge_on"]
    assert api.get("/v1/clients").status == 200 and api.get("/v1/practice").body["status"] == "closed"
    again = api.post("/v1/practice/close", headers={"If-Match": api.get("/v1/practice").etag})
    assert again.status == 409
    assert api.post("/v1/practice/reopen", headers={"If-Match": '"1"'}, role="practitioner").status == 403
    reopened = api.post("/v1/practice/reopen", headers={"If-Match": api.get("/v1/practice").etag})
    assert reopened.status == 200 and reopened.body["status"] == "active" and reopened.body["purge_on"] is None
    assert api.post("/v1/clients", {"first_name": "New", "last_name": "Client"}).status == 201
    assert api.post("/v1/practice/reopen", headers={"If-Match": api.get("/v1/practice").etag}).status == 409


@pytest.mark.parametrize("op", WRITES, ids=_id)
def test_every_write_route_is_refused_while_closed(api, op):
    _close(api)
    role = "admin" if any(r.value == "admin" for r in op.roles) else sorted(r.value for r in op.roles)[0]
    reply = api.call(op.method, _path_for(op, FAKE_IDS), {}, role=role, headers={"If-Match": '"1"'})
    assert reply.status == 409, reply.body
    assert "closed" in reply.body["detail"] and "read-only" in reply.body["detail"]


def test_the_route_table_lets_only_reopening_write_while_closed():
    allowed = {op.operation_id for op in OPERATIONS if op.while_closed and op.method != "GET"}
    assert allowed == {"reopen_practice"}


def _export(api, **kw) -> list[dict]:
    exported, cursor = [], None
    while True:
        reply = api.get("/v1/practice/export" + (f"?cursor={cursor}" if cursor else ""), **kw)
        assert reply.status == 200, reply.body
        exported += reply.body["items"]
        cursor = reply.body["next_cursor"]
        if not cursor:
            return exported


def _one_of_everything(api) -> None:
    from chalicelib.jobs.sweep import run_sweep

    client = make_client(api, practitioner_id="usr_prc_a_practitioner", email="jamie@example.org")
    make_pack(api, client["id"], name="One", measure="sessions", limit="1", price="10")
    make_authorization(api, client["id"])
    session = api.post(f"/v1/clients/{client['id']}/sessions", {"date_of_service": "2026-11-20",
                                                                "billing_code": "90837"}).body["session"]
    api.post(f"/v1/clients/{client['id']}/invoices", {"session_id": session["id"]})
    api.post("/v1/appointments", {"client_id": client["id"], "practitioner_id": "usr_prc_a_practitioner",
                                  "location_id": "loc_prc_a_main", "room_id": "room_prc_a_1",
                                  "start": "2026-12-01T10:00:00", "end": "2026-12-01T10:50:00"})
    group = make_group(api)
    members = add_members(api, group["id"], 2)
    group_session = book_session(api, group["id"])
    mark(api, group_session["id"], {"all_attended": True})
    api.post("/v1/notes", {"type": "group", "appointment_id": group_session["id"], "body": "<p>g</p>"},
             role="practitioner")
    api.post("/v1/notes", {"client_id": members[0]["id"], "body": "<p>p</p>"}, role="practitioner")
    api.post("/v1/note-templates", {"name": "T", "fields": [{"key": "a", "label": "A", "type": "text"}]})
    api.post("/v1/pack-templates", {"name": "T", "measure": "sessions", "quantity": "5", "price": "10"})
    run_sweep()  # an inbox notification and delivered events


def test_export_holds_everything_the_practice_stored_and_nothing_else(api, monkeypatch):
    monkeypatch.setattr("chalicelib.services.closure.EXPORT_PAGE", 7)  # many pages, split inside units
    _one_of_everything(api)
    _close(api)
    exported = _export(api)
    keys = [(e["partition"], e["sort_key"]) for e in exported]
    assert len(keys) == len(set(keys))  # nothing twice across pages
    assert set(keys) == _table_items(PRACTICE_A)
    assert {e["kind"] for e in exported} >= {"PRACTICE", "CLIENT", "PACK", "AUTH", "SESSION", "APPT", "GROUP",
                                             "MEMBER", "ATTEND", "NOTE", "EVENT", "INBOX"}
    client = next(e for e in exported if e["kind"] == "CLIENT" and e["data"].get("email"))
    assert client["data"]["email"] == "jamie@example.org"
    assert api.get("/v1/practice/export", role="billing").status == 403
    assert all(not p.startswith(f"P#{PRACTICE_B}") for p, _ in keys)


def test_purge_deletes_the_closed_practice_after_30_days_and_nothing_else(api):
    from chalicelib.jobs.purge import purge_practice
    from chalicelib.jobs.sweep import run_sweep

    _one_of_everything(api)
    b_before = _table_items(PRACTICE_B)
    closed = _close(api)
    purge_on = date.fromisoformat(closed["purge_on"])
    early = run_sweep(today=purge_on - timedelta(days=1), purge=purge_practice)
    assert early.purged_practices == [] and _table_items(PRACTICE_A)
    done = run_sweep(today=purge_on, purge=purge_practice)
    assert done.purged_practices == [PRACTICE_A]
    assert _table_items(PRACTICE_A) == set()
    assert _table_items(PRACTICE_B) == b_before
    assert api.get("/v1/practice").status == 404


def test_a_reopened_practice_is_not_purged(api):
    from chalicelib.jobs.purge import purge_practice
    from chalicelib.jobs.sweep import run_sweep

    closed = _close(api)
    api.post("/v1/practice/reopen", headers={"If-Match": api.get("/v1/practice").etag})
    report = run_sweep(today=date.fromisoformat(closed["purge_on"]), purge=purge_practice)
    assert report.purged_practices == [] and api.get("/v1/practice").status == 200

"""POST /v1/appointments/import refuses, event by event and with a reason a person reads, what
a calendar holds but a practice must not book or bill: cancelled events (and cancelled
occurrences of a repeating one), times in a zone nobody knows, repeats that would flood the
schedule (sub-daily, or occurrences overlapping each other, or more than the cap), and future
events sent to billing. The files are in tests/data/ics/refused/, as programs write them."""
from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

from tests.api.entitlement_helpers import make_client
from tests.conftest import PRACTICE_A, USERS

PRACTITIONER = USERS[PRACTICE_A]["practitioner"]
LOCATION = f"loc_{PRACTICE_A}_main"
REFUSED = Path(__file__).resolve().parents[1] / "data" / "ics" / "refused"


def _import(api, name, **extra):
    return api.post("/v1/appointments/import", {
        "calendar": (REFUSED / name).read_text(encoding="utf-8"), "practitioner_id": PRACTITIONER,
        "location_id": LOCATION, "billing_code": "90837", "until": "2036-12-31", **extra})


def _lines(reply):
    assert reply.status == 200, reply.body
    return [(e["uid"], e["outcome"], e.get("detail") or "") for e in reply.body["events"]]


def _booked(api, client):
    return [a["start"] for a in api.get(
        f"/v1/appointments?client_id={client['id']}&from=2026-10-01&to=2026-12-31").body["items"]]


def test_import_skips_cancelled_events_and_cancelled_occurrences_with_a_reason(api):
    client = make_client(api, email="jamie.rivera@example.com")
    lines = _lines(_import(api, "cancelled_event_and_occurrence.ics"))
    cancelled = [(uid, detail) for uid, outcome, detail in lines if outcome == "skipped"]
    assert [uid for uid, _ in cancelled] == ["called-off@google.com", "weekly-wed@google.com"]
    assert all("cancelled" in detail for _, detail in cancelled)
    # The weekly series books its two live Wednesdays; the cancelled 14 October is not booked.
    assert _booked(api, client) == ["2026-10-07T14:00:00-04:00", "2026-10-21T14:00:00-04:00"]


def test_import_sends_no_cancelled_event_to_billing(api):
    client = make_client(api, email="jamie.rivera@example.com")
    reply = _import(api, "cancelled_event_and_occurrence.ics", send_to_billing=True)
    assert reply.body["created"] == 2, reply.body
    sessions = api.get(f"/v1/clients/{client['id']}/sessions").body["items"]
    assert sorted(s["date_of_service"] for s in sessions) == ["2026-10-07", "2026-10-21"]


def test_import_reports_an_unknown_time_zone_per_event_and_guesses_nothing(api):
    client = make_client(api, email="jamie.rivera@example.com")
    lines = _lines(_import(api, "unknown_time_zone.ics"))
    outcomes = {uid: (outcome, detail) for uid, outcome, detail in lines}
    for uid in ("olympus-1@example.com", "olympus-exdate@example.com"):
        assert outcomes[uid][0] == "skipped" and "Mars/Olympus" in outcomes[uid][1], outcomes[uid]
    assert outcomes["known-1@example.com"][0] == "created"
    assert _booked(api, client) == ["2026-10-08T10:00:00-04:00"]  # 15:00 London only


def test_import_refuses_repeats_that_would_flood_the_schedule_with_a_reason_each(api):
    client = make_client(api, email="jamie.rivera@example.com")
    lines = _lines(_import(api, "runaway_repeats.ics", until="2027-12-31"))
    by_uid = {}
    for uid, outcome, detail in lines:
        by_uid.setdefault(uid, []).append((outcome, detail))
    for uid in ("flood-secondly@example.com", "flood-minutely@example.com", "flood-hourly@example.com"):
        [(outcome, detail)] = by_uid[uid]
        assert outcome == "skipped" and "at most daily" in detail, (uid, detail)
    for uid in ("overlap-byhour@example.com", "overlap-rdate@example.com"):
        [(outcome, detail)] = by_uid[uid]
        assert outcome == "skipped" and "overlap" in detail, (uid, detail)
    assert [o for o, _ in by_uid["daily-two-a-day@example.com"]] == ["created", "created"]
    # An endless daily event books the first 104 and says the rest were left out.
    forever = Counter(o for o, _ in by_uid["daily-forever@example.com"])
    assert forever == {"created": 104, "skipped": 1}
    assert any("104" in d for o, d in by_uid["daily-forever@example.com"] if o == "skipped")
    listed = api.get(f"/v1/appointments?client_id={client['id']}&from=2026-12-01&to=2026-12-09&limit=100")
    assert [a["start"] for a in listed.body["items"]] == [
        "2026-12-08T09:00:00-05:00", "2026-12-08T15:00:00-05:00"]


def test_import_sends_only_past_events_to_billing_and_reports_each_future_one(api):
    client = make_client(api, email="jamie.rivera@example.com")
    reply = _import(api, "future_sent_to_billing.ics", send_to_billing=True)
    lines = _lines(reply)
    assert reply.body["created"] == 2
    future = [(uid, detail) for uid, outcome, detail in lines if outcome == "skipped"]
    assert [uid for uid, _ in future] == ["ahead-1@example.com", "across-now@example.com"]
    assert all("future" in detail for _, detail in future)
    sessions = api.get(f"/v1/clients/{client['id']}/sessions").body["items"]
    today = datetime.now(UTC).date().isoformat()
    assert sorted(s["date_of_service"] for s in sessions) == ["2026-10-06", "2026-10-13"]
    assert all(s["date_of_service"] <= today for s in sessions)
    # Without send_to_billing the same future events are booked as appointments.
    booked = api.post("/v1/appointments/import", {
        "calendar": (REFUSED / "future_sent_to_billing.ics").read_text(encoding="utf-8"),
        "practitioner_id": PRACTITIONER, "location_id": LOCATION, "billing_code": "90837", "until": "2036-12-31"})
    assert booked.body["created"] == 4, booked.body


def test_import_refuses_a_repeat_that_falls_on_no_date_and_books_the_rest(api):
    # dateutil would walk such a rule day by day to the year 9999 (seconds per event).
    client = make_client(api, email="jamie.rivera@example.com")
    outcomes = {uid: (outcome, detail) for uid, outcome, detail in _lines(_import(api, "impossible_repeats.ics"))}
    for uid in ("feb-30@example.com", "sixth-monday@example.com", "april-31@example.com"):
        assert outcomes[uid][0] == "skipped" and "falls on no date" in outcomes[uid][1], outcomes[uid]
    assert _booked(api, client) == ["2026-12-08T09:00:00-05:00"]

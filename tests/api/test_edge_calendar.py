"""Calendar edges through the API, as classes: every file a real calendar program writes
(tests/data/ics/: Google, Outlook with a Windows zone name, Apple with LF endings, Lord Howe's
30-minute DST and an RDATE, Thunderbird's all-day, UTC and floating events), each re-encoded
by hypothesis (CRLF or LF, a byte-order mark, lines refolded at any width), and bookings at
wall times inside daylight-saving gaps and overlaps of the practice's zone."""
from __future__ import annotations

import os
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.api.entitlement_helpers import make_client
from tests.conftest import PRACTICE_A, USERS
from tests.unit.test_edge_time import wall_times_near_transitions

EXAMPLES = int(os.environ.get("CASELOAD_EDGE_EXAMPLES", "8"))
ICS = Path(__file__).resolve().parents[1] / "data" / "ics"
PRACTITIONER = USERS[PRACTICE_A]["practitioner"]
LOCATION = f"loc_{PRACTICE_A}_main"
API_SETTINGS = settings(max_examples=EXAMPLES, deadline=None, derandomize="CASELOAD_EDGE_EXAMPLES" not in os.environ,
                        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

# What each file means, read by a person: (uid prefix, local start) of every appointment it holds.
EXPECTED = {
    "google_weekly_until_exdate.ics": [  # Tuesdays until Jan 5 (UNTIL in UTC), Dec 15 excluded
        "2026-12-01T10:00:00-05:00", "2026-12-08T10:00:00-05:00", "2026-12-22T10:00:00-05:00",
        "2026-12-29T10:00:00-05:00", "2027-01-05T10:00:00-05:00"],
    "outlook_windows_zone.ics": [  # "Eastern Standard Time" is New York; Mar 14 2027 starts DST
        "2027-03-02T14:00:00-05:00", "2027-03-09T14:00:00-05:00", "2027-03-16T14:00:00-04:00"],
    "apple_lord_howe_rdate.ics": [  # fortnightly 09:00 Lord Howe (+11, then +10:30 from Apr 4) and an RDATE
        "2027-03-20T18:00:00-04:00", "2027-04-03T18:30:00-04:00", "2027-04-07T18:30:00-04:00",
        "2027-04-17T18:30:00-04:00"],
    "thunderbird_allday_utc_floating.ics": [  # all-day skipped; UTC; floating = practice time; past midnight
        "2026-12-04T10:00:00-05:00", "2026-12-07T09:00:00-05:00", "2026-12-31T23:30:00-05:00"],
}
CLIENT_EMAILS = ["jamie.rivera@example.com", "sam.obrien@example.com", "linh@example.com"]


def _unfold(text: str) -> list[str]:
    return re.sub(r"\r?\n[ \t]", "", text).splitlines()


@st.composite
def encodings(draw, text: str) -> str:
    """The same calendar as another program might write it: line ending, BOM, fold width."""
    width = draw(st.sampled_from([0, 75, 74, 40, 13, 1]))
    lines = []
    for line in _unfold(text):
        if width and len(line) > width:
            # A continuation line is a space and width - 1 characters; at width 1, one character.
            step = max(width - 1, 1)
            parts = [line[:width]] + [line[i:i + step] for i in range(width, len(line), step)]
            line = "\n ".join(parts)
        lines.append(line)
    newline = draw(st.sampled_from(["\r\n", "\n"]))
    body = newline.join(line.replace("\n ", newline + " ") for line in lines) + newline
    return ("\ufeff" if draw(st.booleans()) else "") + body


def _instant(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)


def _import(api, calendar: str, **extra):
    return api.post("/v1/appointments/import", {"calendar": calendar, "practitioner_id": PRACTITIONER,
                                                "location_id": LOCATION, "billing_code": "90837",
                                                "until": "2027-12-31", **extra})


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_import_of_a_real_calendar_file_creates_each_occurrence_at_its_wall_time(api, name):
    for email in CLIENT_EMAILS:
        make_client(api, email=email)
    text = (ICS / name).read_text(encoding="utf-8")

    @API_SETTINGS
    @given(calendar=encodings(text))
    def check(calendar):
        reply = _import(api, calendar)
        assert reply.status == 200, (reply.body.get("errors"), calendar[:60])
        placed = sorted(_instant(e["start"]) for e in reply.body["events"]
                        if e["outcome"] in ("created", "already_imported"))
        assert placed == sorted(map(_instant, EXPECTED[name])), [
            (e["uid"][:12], e["start"], e["outcome"], e.get("detail")) for e in reply.body["events"]]

    check()


@pytest.mark.parametrize("zone", ["America/New_York", "Australia/Lord_Howe", "Pacific/Chatham", "Asia/Kathmandu"])
def test_booking_at_a_wall_time_in_a_dst_gap_or_overlap_is_refused_or_well_formed(api, zone):
    client = make_client(api)
    practice = api.get("/v1/practice")
    assert api.patch("/v1/practice", {"time_zone": zone}, if_match=practice.etag).status == 200

    @API_SETTINGS
    # Kathmandu has no offset change since 1986: any wall time there.
    @given(edge=wall_times_near_transitions((zone,)) if zone != "Asia/Kathmandu"
           else st.tuples(st.just(zone), st.datetimes(datetime(2026, 1, 1), datetime(2030, 1, 1))),
           minutes=st.one_of(st.integers(1, 90), st.integers(1, 720)))
    def check(edge, minutes):
        _, start = edge
        end = start + timedelta(minutes=minutes)
        reply = api.post("/v1/appointments", {
            "client_id": client["id"], "practitioner_id": PRACTITIONER, "location_id": LOCATION,
            "start": start.isoformat(), "end": end.isoformat(), "billing_code": "90837"})
        assert reply.status in (201, 409, 422), reply.body
        if reply.status == 422:
            assert reply.body["errors"][0]["field"] in ("body.start", "body.end")
            return
        if reply.status == 201:
            booked = reply.body["appointments"][0]
            assert datetime.fromisoformat(booked["end"]) > datetime.fromisoformat(booked["start"]), (start, end, booked)

    check()

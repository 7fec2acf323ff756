"""Bookings on the nights clocks change, through the API: a booking lasts the wall-clock length
given (01:30-02:30 is 60 minutes on fall-back night, not 120), attending it records those
minutes and its local date; series, moves, group sessions and imported events alike."""
from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings

from tests.api.entitlement_helpers import make_client
from tests.api.group_helpers import add_members, book_session, make_group, mark
from tests.conftest import PRACTICE_A, USERS
from tests.unit.test_dst_length import lengths
from tests.unit.test_edge_time import wall_times_near_transitions

PRACTITIONER = USERS[PRACTICE_A]["practitioner"]
LOCATION = f"loc_{PRACTICE_A}_main"
EXAMPLES = int(os.environ.get("CASELOAD_EDGE_EXAMPLES", "8"))
API_SETTINGS = settings(max_examples=EXAMPLES, deadline=None, derandomize="CASELOAD_EDGE_EXAMPLES" not in os.environ,
                        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


def _book(api, client_id, start, end, **extra):
    return api.post("/v1/appointments", {"client_id": client_id, "practitioner_id": PRACTITIONER,
                                         "location_id": LOCATION, "start": start, "end": end,
                                         "billing_code": "90837", **extra}, role="front_desk")


def _utc(appointment):
    return tuple(datetime.fromisoformat(appointment[k]).astimezone(UTC).strftime("%H:%M")
                 for k in ("start", "end"))


def _minutes(appointment):
    start, end = (datetime.fromisoformat(appointment[k]) for k in ("start", "end"))
    return int((end - start).total_seconds() // 60)


def _attend(api, appointment):
    current = api.get(f"/v1/appointments/{appointment['id']}")
    return api.post(f"/v1/appointments/{appointment['id']}/status", {"status": "attended"},
                    headers={"If-Match": current.etag})


def test_booking_the_repeated_hour_keeps_sixty_minutes_and_attending_records_sixty(api):
    client = make_client(api)
    booked = _book(api, client["id"], "2026-11-01T01:30:00", "2026-11-01T02:30:00")
    assert booked.status == 201, booked.body
    appointment = booked.body["appointments"][0]
    # The first 01:30 (EDT), for 60 minutes: it ends when the clock shows 01:30 again (EST).
    assert _utc(appointment) == ("05:30", "06:30")
    assert attended_session(api, client, appointment) == ("2026-11-01", 60)


def attended_session(api, client, appointment):
    reply = _attend(api, appointment)
    assert reply.status == 200, reply.body
    [session] = api.get(f"/v1/clients/{client['id']}/sessions").body["items"]
    return session["date_of_service"], session["minutes"]


def test_weekly_series_across_fall_back_keeps_each_occurrence_at_its_length(api):
    client = make_client(api)
    reply = _book(api, client["id"], "2026-10-25T01:30:00", "2026-10-25T02:30:00",
                  recurrence={"frequency": "weekly", "count": 3})
    assert reply.status == 201, reply.body
    assert [_minutes(a) for a in reply.body["appointments"]] == [60, 60, 60]
    assert [a["start"] for a in reply.body["appointments"]] == [
        "2026-10-25T01:30:00-04:00", "2026-11-01T01:30:00-04:00", "2026-11-08T01:30:00-05:00"]


def test_moving_one_or_the_rest_onto_fall_back_night_keeps_the_length(api):
    client = make_client(api)
    single = _book(api, client["id"], "2026-10-18T10:00:00", "2026-10-18T11:00:00").body["appointments"][0]
    one = api.patch(f"/v1/appointments/{single['id']}",
                    {"start": "2026-11-01T01:30:00", "end": "2026-11-01T02:30:00"}, if_match='"1"')
    assert one.status == 200, one.body
    assert _utc(one.body["appointments"][0]) == ("05:30", "06:30")
    # A weekly Sunday 10:00 series moved to 01:30 from its first: the second lands on fall-back night.
    series = _book(api, client["id"], "2026-10-25T10:00:00", "2026-10-25T11:00:00",
                   recurrence={"frequency": "weekly", "count": 2}).body["appointments"]
    rest = api.patch(f"/v1/appointments/{series[0]['id']}", {"start": "2026-10-25T01:30:00",
                                                              "end": "2026-10-25T02:30:00", "scope": "following"},
                     if_match='"1"')
    assert rest.status == 200, rest.body
    assert [(a["start"], _minutes(a)) for a in rest.body["appointments"]] == [
        ("2026-10-25T01:30:00-04:00", 60), ("2026-11-01T01:30:00-04:00", 60)]
    # Then an hour on, given as UTC: the rest keep their length (the fall-back one ends 02:30 EST).
    later = api.patch(f"/v1/appointments/{series[0]['id']}", {"start": "2026-10-25T06:30:00Z",
                                                               "end": "2026-10-25T07:30:00Z", "scope": "following"},
                      if_match='"2"')
    assert later.status == 200, later.body
    assert [(a["start"], _minutes(a)) for a in later.body["appointments"]] == [
        ("2026-10-25T02:30:00-04:00", 60), ("2026-11-01T02:30:00-05:00", 60)]


def test_group_session_in_the_repeated_hour_keeps_its_length_for_each_member(api):
    group = make_group(api)
    [member] = add_members(api, group["id"], 1)
    session = book_session(api, group["id"], start="2026-11-01T01:00:00", end="2026-11-01T02:30:00")
    assert _minutes(session) == 90
    assert mark(api, session["id"], {"all_attended": True}).status == 200
    [recorded] = api.get(f"/v1/clients/{member['id']}/sessions").body["items"]
    assert (recorded["date_of_service"], recorded["minutes"]) == ("2026-11-01", 90)


def test_imported_event_in_the_repeated_hour_keeps_its_length(api):
    make_client(api, email="jamie.rivera@example.com")
    calendar = ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Caseload tests//EN\r\nBEGIN:VEVENT\r\n"
                "UID:fold-1@example.com\r\nDTSTART;TZID=America/New_York:20261101T013000\r\n"
                "DTEND;TZID=America/New_York:20261101T023000\r\nATTENDEE:mailto:jamie.rivera@example.com\r\n"
                "END:VEVENT\r\nEND:VCALENDAR\r\n")
    reply = api.post("/v1/appointments/import", {"calendar": calendar, "practitioner_id": PRACTITIONER,
                                                 "location_id": LOCATION, "billing_code": "90837"})
    assert reply.status == 200 and reply.body["created"] == 1, reply.body
    created = api.get(f"/v1/appointments/{reply.body['events'][0]['created_id']}").body
    assert (_utc(created), _minutes(created)) == (("05:30", "06:30"), 60)


@pytest.mark.parametrize("zone", ["America/New_York", "Europe/London", "Australia/Sydney", "America/Santiago"])
def test_booking_near_a_dst_change_lasts_the_length_asked_on_its_local_date(api, zone):
    client = make_client(api)
    practice = api.get("/v1/practice")
    assert api.patch("/v1/practice", {"time_zone": zone}, if_match=practice.etag).status == 200

    @API_SETTINGS
    @given(edge=wall_times_near_transitions((zone,)), length=lengths)
    def check(edge, length):
        _, start = edge
        reply = _book(api, client["id"], start.isoformat(), (start + length).isoformat(),
                      override_room_conflict=True)
        assert reply.status == 201, reply.body
        booked = reply.body["appointments"][0]
        assert _minutes(booked) == length.total_seconds() // 60, (start, length, booked)
        local = datetime.fromisoformat(booked["start"]).astimezone(ZoneInfo(zone))
        assert local.date() == start.date(), (start, booked)
        preview = api.post("/v1/appointment-previews", {
            "client_id": client["id"], "practitioner_id": PRACTITIONER, "location_id": LOCATION,
            "start": start.isoformat(), "end": (start + length).isoformat(), "billing_code": "90837"}).body
        [planned] = preview["occurrences"]
        assert datetime.fromisoformat(planned["end"]) - datetime.fromisoformat(planned["start"]) == length

    check()


def test_attending_a_booking_in_the_spring_gap_records_its_wall_clock_minutes(api):
    client = make_client(api)
    booked = _book(api, client["id"], "2027-03-14T02:30:00", "2027-03-14T04:00:00")
    appointment = booked.body["appointments"][0]
    assert _utc(appointment) == ("07:30", "09:00")  # 03:30-05:00 EDT: 90 minutes, not 30
    assert attended_session(api, client, appointment) == ("2027-03-14", 90)
    assert timedelta(minutes=90) == datetime.fromisoformat(appointment["end"]) - datetime.fromisoformat(
        appointment["start"])

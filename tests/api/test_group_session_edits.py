"""PATCH /v1/appointments/{id} on group sessions: moving and changing one session or the rest
of a series, with the room and practitioner checks of a booking and per-member balance
warnings that never block."""
from __future__ import annotations

from tests.api.entitlement_helpers import make_authorization
from tests.api.group_helpers import (
    LOCATION,
    PRACTITIONER,
    ROOM,
    add_members,
    as_user,
    book_session,
    make_group,
    make_practitioner,
    mark,
)


def _series(api, group_id, count=4, **extra):
    reply = api.post(f"/v1/groups/{group_id}/appointments", {
        "location_id": LOCATION, "start": "2026-12-01T18:00:00", "end": "2026-12-01T19:30:00",
        "recurrence": {"frequency": "weekly", "count": count}, **extra})
    assert reply.status == 201, reply.body
    return reply.body["appointments"]


def test_moving_a_group_session_works_for_its_practitioner_and_an_admin(api):
    group = make_group(api)
    add_members(api, group["id"], 2)
    session = book_session(api, group["id"])
    path = f"/v1/appointments/{session['id']}"
    moved = api.patch(path, {"start": "2026-12-02T17:00:00", "end": "2026-12-02T18:30:00"}, if_match='"1"',
                      role="practitioner")
    assert moved.status == 200, moved.body
    [appt] = moved.body["appointments"]
    assert (appt["start"], appt["group_id"], appt["client_id"], appt["version"]) == (
        "2026-12-02T17:00:00-05:00", group["id"], None, 2)
    assert moved.etag == '"2"'
    edited = api.patch(path, {"notes": "Bring the worksheets", "room_id": ROOM}, if_match=moved.etag)
    assert edited.status == 200, edited.body
    assert (edited.body["appointments"][0]["notes"], edited.body["appointments"][0]["room_id"]) == (
        "Bring the worksheets", ROOM)
    stored = api.get(path).body
    assert (stored["start"], stored["room_id"], stored["version"]) == ("2026-12-02T17:00:00-05:00", ROOM, 3)
    view = api.get(f"/v1/groups/{group['id']}/appointments?from=2026-12-01&to=2026-12-31").body["items"]
    assert [a["start"] for a in view] == ["2026-12-02T17:00:00-05:00"]
    room_day = api.get(f"/v1/appointments?room_id={ROOM}&from=2026-12-02&to=2026-12-02").body["items"]
    assert [a["id"] for a in room_day] == [session["id"]]


def test_shifting_the_rest_of_a_group_series_moves_every_later_session(api):
    group = make_group(api)
    add_members(api, group["id"], 1)
    series = _series(api, group["id"])
    reply = api.patch(f"/v1/appointments/{series[1]['id']}", {
        "start": "2026-12-08T17:00:00", "end": "2026-12-08T18:00:00", "scope": "following"}, if_match='"1"',
        role="practitioner")
    assert reply.status == 200, reply.body
    assert [(a["start"][:16], a["end"][11:16]) for a in reply.body["appointments"]] == [
        ("2026-12-08T17:00", "18:00"), ("2026-12-15T17:00", "18:00"), ("2026-12-22T17:00", "18:00")]
    view = api.get(f"/v1/groups/{group['id']}/appointments?from=2026-12-01&to=2026-12-31").body["items"]
    assert [a["start"][11:16] for a in view] == ["18:00", "17:00", "17:00", "17:00"]


def test_moving_a_group_session_into_a_taken_room_needs_an_override(api):
    group = make_group(api)
    session = book_session(api, group["id"], room_id=ROOM)
    other = book_session(api, group["id"], start="2026-12-01T20:00:00", end="2026-12-01T21:00:00", room_id=ROOM)
    target = {"start": "2026-12-01T19:00:00", "end": "2026-12-01T20:30:00"}
    clash = api.patch(f"/v1/appointments/{session['id']}", target, if_match='"1"')
    assert clash.status == 409 and clash.body["warnings"][0]["kind"] == "room"
    assert other["id"] in clash.body["warnings"][0]["detail"]
    assert api.get(f"/v1/appointments/{session['id']}").body["version"] == 1  # nothing written
    forced = api.patch(f"/v1/appointments/{session['id']}", {**target, "override_room_conflict": True},
                       if_match='"1"')
    assert forced.status == 200, forced.body
    assert {w["kind"] for w in forced.body["warnings"]} == {"room", "practitioner"}


def test_moving_a_group_session_warns_per_member_balance_and_never_blocks(api):
    group = make_group(api)
    short, fine = add_members(api, group["id"], 2)
    make_authorization(api, short["id"], allowed="5", end_on="2026-12-31")
    make_authorization(api, fine["id"], allowed="5", end_on="2027-12-31")
    practice = api.get("/v1/practice")
    api.patch("/v1/practice", {"balance_booking": "block"}, if_match=practice.etag)
    session = book_session(api, group["id"])
    moved = api.patch(f"/v1/appointments/{session['id']}", {"start": "2027-01-05T18:00:00",
                                                            "end": "2027-01-05T19:30:00"}, if_match='"1"')
    assert moved.status == 200, moved.body
    assert [(w["client_id"], w["kind"]) for w in moved.body["warnings"]] == [(short["id"], "authorization")]
    assert "ended on 2026-12-31" in moved.body["warnings"][0]["detail"]


def test_moving_a_group_session_to_a_practitioner_outside_the_group_is_422(api):
    group = make_group(api)
    session = book_session(api, group["id"])
    outsider = make_practitioner(api, "Robin")
    reply = api.patch(f"/v1/appointments/{session['id']}", {"practitioner_id": outsider}, if_match='"1"')
    assert reply.status == 422 and reply.body["errors"][0]["field"] == "body.practitioner_id"
    assert api.get(f"/v1/appointments/{session['id']}").body["practitioner_id"] == PRACTITIONER
    shared = api.patch(f"/v1/groups/{group['id']}", {"shared_with": [outsider]},
                       if_match=api.get(f"/v1/groups/{group['id']}").etag)
    assert shared.status == 200
    handed = api.patch(f"/v1/appointments/{session['id']}", {"practitioner_id": outsider}, if_match='"1"',
                       headers=as_user(outsider))
    assert handed.status == 200 and handed.body["appointments"][0]["practitioner_id"] == outsider


def test_moving_a_group_session_with_marked_members_is_refused(api):
    group = make_group(api)
    [member] = add_members(api, group["id"], 1)
    session = book_session(api, group["id"])
    mark(api, session["id"], {"all_attended": True})
    reply = api.patch(f"/v1/appointments/{session['id']}", {"start": "2026-12-02T18:00:00",
                                                            "end": "2026-12-02T19:30:00"}, if_match='"1"')
    assert reply.status == 409 and "unmarked" in reply.body["detail"]
    assert api.get(f"/v1/appointments/{session['id']}").body["start"] == "2026-12-01T18:00:00-05:00"
    mark(api, session["id"], {"members": [{"client_id": member["id"], "status": "unmarked"}]})
    again = api.patch(f"/v1/appointments/{session['id']}", {"start": "2026-12-02T18:00:00",
                                                            "end": "2026-12-02T19:30:00"}, if_match='"1"')
    assert again.status == 200, again.body

"""A group session follows its group's access rule on every appointment route: a practitioner
who neither runs the group nor has it shared gets 404 and finds it in no schedule list."""
from __future__ import annotations

from tests.api.entitlement_helpers import make_client
from tests.api.group_helpers import (
    LOCATION,
    PRACTITIONER,
    ROOM,
    add_members,
    as_user,
    book_session,
    make_group,
    make_practitioner,
)

DAY = "from=2026-12-01&to=2026-12-01"


def _one_to_one(api, client_id, start="2026-12-01T09:00:00", end="2026-12-01T09:50:00", **extra):
    reply = api.post("/v1/appointments", {"client_id": client_id, "practitioner_id": PRACTITIONER,
                                          "location_id": LOCATION, "start": start, "end": end,
                                          "billing_code": "90837", **extra})
    assert reply.status == 201, reply.body
    return reply.body["appointments"][0]


def test_outsider_practitioner_gets_404_on_every_route_of_a_group_session(api):
    group = make_group(api)
    [member] = add_members(api, group["id"], 1)
    session = book_session(api, group["id"], room_id=ROOM)
    outsider = as_user(make_practitioner(api, "Robin"))
    path = f"/v1/appointments/{session['id']}"
    if_match = {**outsider, "If-Match": '"1"'}
    assert api.get(path, headers=outsider).status == 404
    assert api.patch(path, {"notes": "mine"}, headers=if_match).status == 404
    assert api.post(f"{path}/status", {"status": "cancelled", "reason": "x"}, headers=if_match).status == 404
    assert api.post(f"{path}/cancel-following", {"reason": "x"}, headers=if_match).status == 404
    assert api.get(f"{path}/attendance", headers=outsider).status == 404
    assert api.post(f"{path}/attendance", {"all_attended": True}, headers=outsider).status == 404
    payment = api.post(f"{path}/attendance/{member['id']}/payments", {"amount": "1.00", "method": "cash"},
                       headers=outsider)
    assert payment.status in (403, 404)  # practitioners take no payments at all
    stored = api.get(path).body
    assert (stored["status"], stored["version"], stored.get("notes")) == ("booked", 1, None)  # nothing changed


def test_schedule_lists_leave_out_group_sessions_an_outsider_may_not_see(api):
    group = make_group(api)
    [member] = add_members(api, group["id"], 1)
    session = book_session(api, group["id"], start="2026-12-01T18:00:00", end="2026-12-01T19:30:00", room_id=ROOM)
    client = make_client(api)
    own = _one_to_one(api, client["id"], room_id=ROOM)
    other_id = make_practitioner(api, "Robin")
    outsider = as_user(other_id)
    views = (f"practitioner_id={PRACTITIONER}", f"room_id={ROOM}")
    for view in views:
        listed = api.get(f"/v1/appointments?{view}&{DAY}", headers=outsider)
        assert listed.status == 200 and [a["id"] for a in listed.body["items"]] == [own["id"]], view
        assert [a["id"] for a in api.get(f"/v1/appointments?{view}&{DAY}").body["items"]] == [
            own["id"], session["id"]], view
        assert [a["id"] for a in api.get(f"/v1/appointments?{view}&{DAY}", role="practitioner").body["items"]] == [
            own["id"], session["id"]], view
    assert api.get(f"/v1/appointments?client_id={member['id']}&{DAY}", headers=outsider).body["items"] == []

    api.patch(f"/v1/groups/{group['id']}", {"shared_with": [other_id]},
              if_match=api.get(f"/v1/groups/{group['id']}").etag)
    assert api.get(f"/v1/appointments/{session['id']}", headers=outsider).status == 200
    for view in views:
        listed = api.get(f"/v1/appointments?{view}&{DAY}", headers=outsider).body["items"]
        assert [a["id"] for a in listed] == [own["id"], session["id"]], view


def test_a_session_led_by_a_practitioner_no_longer_sharing_the_group_is_hidden_from_them(api):
    other_id = make_practitioner(api, "Robin")
    group = make_group(api, shared_with=[other_id])
    led = book_session(api, group["id"], practitioner_id=other_id)
    unshared = api.patch(f"/v1/groups/{group['id']}", {"shared_with": []},
                         if_match=api.get(f"/v1/groups/{group['id']}").etag)
    assert unshared.status == 200
    outsider = as_user(other_id)
    assert api.get(f"/v1/appointments/{led['id']}", headers=outsider).status == 404
    mine = api.get(f"/v1/appointments?practitioner_id={other_id}&{DAY}", headers=outsider)
    assert mine.status == 200 and mine.body["items"] == []
    assert [a["id"] for a in api.get(f"/v1/appointments?practitioner_id={other_id}&{DAY}").body["items"]] == [
        led["id"]]


def test_every_other_role_reaches_a_group_session(api):
    group = make_group(api)
    session = book_session(api, group["id"])
    for role in ("admin", "front_desk", "billing", "practitioner"):
        assert api.get(f"/v1/appointments/{session['id']}", role=role).status == 200, role

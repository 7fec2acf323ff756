"""/v1/groups: groups, sharing, members, group sessions, per-member attendance, charging, payments."""
from __future__ import annotations

from tests.api.entitlement_helpers import make_authorization, make_client, make_pack
from tests.api.group_helpers import (
    PRACTITIONER,
    ROOM,
    add_members,
    as_user,
    book_session,
    make_group,
    make_practitioner,
    mark,
)


def _pack(api, client_id, limit="10", **extra):
    return make_pack(api, client_id, name="Group 10", measure="sessions", limit=limit, price="500", **extra)


def _states(reply):
    return {m["client_id"]: m for m in reply.body["members"]}


def _session_ids(api, client_id):
    return [s["id"] for s in api.get(f"/v1/clients/{client_id}/sessions").body["items"]]


def test_group_defaults_and_validation(api):
    reply = api.post("/v1/groups", {"name": "Teens", "initials": "T1"}, role="practitioner")
    assert reply.status == 201, reply.body
    group = reply.body
    assert (group["practitioner_id"], group["default_billing_code"], group["active"], group["member_count"]) == (
        PRACTITIONER, "90853", True, 0)
    assert reply.headers["location"] == f"/v1/groups/{group['id']}"
    bad = api.post("/v1/groups", {"name": "X", "initials": "X!", "default_billing_code": "99999",
                                  "shared_with": ["usr_nobody"]})
    assert bad.status == 422
    assert {e["field"] for e in bad.body["errors"]} == {"body.initials"}
    bad = api.post("/v1/groups", {"name": "X", "initials": "X", "practitioner_id": PRACTITIONER,
                                  "default_billing_code": "99999", "shared_with": ["usr_nobody"]})
    assert bad.status == 422
    assert {e["field"] for e in bad.body["errors"]} == {"body.default_billing_code", "body.shared_with.0"}
    assert api.post("/v1/groups", {"name": "X", "initials": "X"}).status == 422  # an admin names the practitioner


def test_shared_practitioner_sees_and_works_the_group_others_get_404(api):
    group = make_group(api)
    other = make_practitioner(api, "Robin")
    outsider = as_user(other)
    path = f"/v1/groups/{group['id']}"
    [client] = add_members(api, group["id"], 1)
    session = book_session(api, group["id"])
    for probe in (path, f"{path}/members", f"/v1/appointments/{session['id']}/attendance",
                  f"{path}/appointments?from=2026-12-01&to=2026-12-31", f"/v1/notes?group_id={group['id']}"):
        assert api.get(probe, headers=outsider).status == 404, probe
    assert api.get("/v1/groups", headers=outsider).body["items"] == []
    assert api.patch(path, {"name": "Mine now"}, if_match='"1"', headers=outsider).status == 404
    assert mark(api, session["id"], {"all_attended": True}, headers=outsider).status == 404
    assert api.get(f"/v1/clients/{client['id']}/groups", headers=outsider).body["items"] == []

    shared = api.patch(path, {"shared_with": [other]}, if_match=api.get(path).etag)
    assert shared.status == 200 and shared.body["shared_with"] == [other]
    assert api.get(path, headers=outsider).status == 200
    assert [g["id"] for g in api.get("/v1/groups", headers=outsider).body["items"]] == [group["id"]]
    renamed = api.patch(path, {"name": "Shared group"}, if_match=api.get(path).etag, headers=outsider)
    assert renamed.status == 200 and renamed.body["name"] == "Shared group"
    booked = api.post(f"{path}/appointments", {"location_id": session["location_id"], "start": "2026-12-08T18:00:00",
                                               "end": "2026-12-08T19:30:00", "practitioner_id": other},
                      headers=outsider)
    assert booked.status == 201 and booked.body["appointments"][0]["practitioner_id"] == other
    marked = mark(api, session["id"], {"all_attended": True}, headers=outsider)
    assert marked.status == 200 and _states(marked)[client["id"]]["status"] == "attended"
    note = api.post("/v1/notes", {"type": "group", "appointment_id": session["id"], "body": "<p>ok</p>"},
                    headers=outsider)
    assert note.status == 201, note.body


def test_members_join_future_sessions_and_leave_only_future_ones(api):
    group = make_group(api)
    first, second = add_members(api, group["id"], 2)
    past = book_session(api, group["id"], start="2020-01-07T18:00:00", end="2020-01-07T19:00:00")
    future = book_session(api, group["id"], start="2030-01-07T18:00:00", end="2030-01-07T19:00:00")
    late = make_client(api, first="Late", last="Joiner")
    # From the client's profile, as front desk would.
    joined = api.post(f"/v1/clients/{late['id']}/groups", {"group_id": group["id"]}, role="front_desk")
    assert joined.status == 201 and joined.body["active"]
    assert api.post(f"/v1/groups/{group['id']}/members", {"client_id": late["id"]}).status == 409
    assert set(_states(api.get(f"/v1/appointments/{future['id']}/attendance"))) == {
        first["id"], second["id"], late["id"]}
    assert set(_states(api.get(f"/v1/appointments/{past['id']}/attendance"))) == {first["id"], second["id"]}

    assert mark(api, past["id"], {"members": [{"client_id": first["id"], "status": "attended"}]}).status == 200
    left = api.delete(f"/v1/groups/{group['id']}/members/{first['id']}", role="front_desk")
    assert left.status == 200 and not left.body["active"] and left.body["periods"][0]["left_at"]
    assert api.delete(f"/v1/clients/{second['id']}/groups/{group['id']}").status == 200
    # The past session keeps the removed member's mark; the future one no longer lists them.
    assert _states(api.get(f"/v1/appointments/{past['id']}/attendance"))[first["id"]]["status"] == "attended"
    assert set(_states(api.get(f"/v1/appointments/{future['id']}/attendance"))) == {late["id"]}
    assert api.get(f"/v1/groups/{group['id']}").body["member_count"] == 1
    history = api.get(f"/v1/clients/{first['id']}/groups").body["items"]
    assert [(g["group_id"], g["active_member"]) for g in history] == [(group["id"], False)]
    members = api.get(f"/v1/groups/{group['id']}/members").body["items"]
    assert sorted((m["client_name"], m["active"]) for m in members) == [
        ("Late Joiner", True), ("Member00 Group", False), ("Member01 Group", False)]
    # Back again: a second membership period.
    back = api.post(f"/v1/groups/{group['id']}/members", {"client_id": first["id"]})
    assert back.status == 201 and len(back.body["periods"]) == 2


def test_twelve_member_group_with_mixed_attendance_and_codes(api):
    group = make_group(api)
    members = add_members(api, group["id"], 12)
    ids = [m["id"] for m in members]
    packs = {i: _pack(api, ids[i]) for i in (0, 1, 2, 3)}
    no_show_pack = _pack(api, ids[4], charge_no_shows=True)
    late_pack = _pack(api, ids[5])  # does not charge late cancels
    auth = make_authorization(api, ids[6], allowed="12", number="PA-G6")
    both_pack, both_auth = _pack(api, ids[7], limit="2"), make_authorization(api, ids[7], allowed="5", number="PA-G7")
    used_up = _pack(api, ids[8], limit="1")
    assert api.post(f"/v1/clients/{ids[8]}/charges", {"session_ref": "earlier", "date": "2026-11-01",
                                                       "billing_code": "90853"}).status == 201
    session = book_session(api, group["id"])

    reply = mark(api, session["id"], {"all_attended": True, "members": [
        {"client_id": ids[1], "status": "attended", "fee": "code", "billing_code": "90847"},
        {"client_id": ids[2], "status": "attended", "fee": "custom",
         "custom_code": {"code": "GRP-ART", "description": "Art therapy group", "fee": "45.00"}},
        {"client_id": ids[3], "status": "attended", "fee": "none"},
        {"client_id": ids[4], "status": "no_show"},
        {"client_id": ids[5], "status": "late_cancel"},
        {"client_id": ids[10], "status": "absent"},
        {"client_id": ids[11], "status": "no_show", "fee": "none"}]}, role="practitioner")
    assert reply.status == 200, reply.body
    states = _states(reply)
    assert [states[i]["status"] for i in ids] == [
        "attended", "attended", "attended", "attended", "no_show", "late_cancel", "attended", "attended",
        "attended", "attended", "absent", "no_show"]
    assert all(states[i]["changed"] for i in ids)
    # Sessions exist for attended members only, billed under the right code and fee.
    attended = [0, 1, 2, 3, 6, 7, 8, 9]
    for i in range(12):
        assert _session_ids(api, ids[i]) == ([session["id"]] if i in attended else []), i
    sessions = {i: api.get(f"/v1/clients/{ids[i]}/sessions/{session['id']}").body for i in attended}
    assert {i: (s["billing_code"], s["fee"], s["minutes"]) for i, s in sessions.items()} == {
        0: ("90853", "60.00", 90), 1: ("90847", "160.00", 90), 2: ("GRP-ART", "45.00", 90), 3: ("90853", "0.00", 90),
        6: ("90853", "60.00", 90), 7: ("90853", "60.00", 90), 8: ("90853", "60.00", 90), 9: ("90853", "60.00", 90)}
    assert all(s["group_id"] == group["id"] and s["place_of_service"] == "11" for s in sessions.values())
    # Only attended members (and the no-show whose pack says so) are charged; figures checked.
    pack_used = {i: api.get(f"/v1/clients/{ids[i]}/packs/{p['id']}").body["used"] for i, p in packs.items()}
    assert pack_used == {0: "1", 1: "1", 2: "1", 3: "0"}
    assert api.get(f"/v1/clients/{ids[4]}/packs/{no_show_pack['id']}").body["used"] == "1"
    assert api.get(f"/v1/clients/{ids[5]}/packs/{late_pack['id']}").body["used"] == "0"
    assert api.get(f"/v1/clients/{ids[6]}/authorizations/{auth['id']}").body["used"] == "1"
    assert states[ids[6]]["prior_authorization_number"] == "PA-G6"
    assert states[ids[6]]["charged"] == ["authorization PA-G6: session 1 of 12 authorized, 11 left, ends 2027-03-31"]
    assert api.get(f"/v1/clients/{ids[7]}/packs/{both_pack['id']}").body["used"] == "1"
    assert api.get(f"/v1/clients/{ids[7]}/authorizations/{both_auth['id']}").body["used"] == "1"
    assert api.get(f"/v1/clients/{ids[8]}/packs/{used_up['id']}").body["used"] == "1"  # still only the earlier one
    assert states[ids[0]]["summary"] == "attended · 90853 · pack 'Group 10': 1 of 10 sessions"
    not_charged = {n["client_id"]: n["reason"] for n in reply.body["not_charged"]}
    assert set(not_charged) == {ids[3], ids[5], ids[8], ids[9], ids[11]}
    assert not_charged[ids[3]] == not_charged[ids[11]] == "no fee"
    assert "late cancel" in not_charged[ids[5]]
    assert "used up" in not_charged[ids[8]]
    assert "no pack" in not_charged[ids[9]] and "no authorization" in not_charged[ids[9]]
    # The same marks again change nothing and charge nothing twice.
    again = mark(api, session["id"], {"all_attended": True, "members": [
        {"client_id": ids[4], "status": "no_show"}, {"client_id": ids[5], "status": "late_cancel"},
        {"client_id": ids[10], "status": "absent"}, {"client_id": ids[11], "status": "no_show", "fee": "none"},
        {"client_id": ids[1], "status": "attended", "fee": "code", "billing_code": "90847"},
        {"client_id": ids[2], "status": "attended", "fee": "custom",
         "custom_code": {"code": "GRP-ART", "description": "Art therapy group", "fee": "45.00"}},
        {"client_id": ids[3], "status": "attended", "fee": "none"}]})
    assert again.status == 200 and not any(m["changed"] for m in again.body["members"])
    assert api.get(f"/v1/clients/{ids[0]}/packs/{packs[0]['id']}").body["used"] == "1"


def test_changing_a_members_mark_reverses_or_recharges_exactly_once(api):
    group = make_group(api)
    [member] = add_members(api, group["id"], 1)
    pack = _pack(api, member["id"], charge_no_shows=True)
    session = book_session(api, group["id"])
    pack_path = f"/v1/clients/{member['id']}/packs/{pack['id']}"

    def mark_as(**fields):
        reply = mark(api, session["id"], {"members": [{"client_id": member["id"], **fields}]})
        assert reply.status == 200, reply.body
        return _states(reply)[member["id"]]

    assert mark_as(status="attended")["charged"]
    assert api.get(pack_path).body["used"] == "1"
    changed = mark_as(status="attended", fee="code", billing_code="90847")
    assert changed["reversal"]["reversed"] and changed["charge"]["status"] == "charged"
    assert api.get(pack_path).body["used"] == "1"
    assert api.get(f"/v1/clients/{member['id']}/sessions/{session['id']}").body["billing_code"] == "90847"
    no_show = mark_as(status="no_show")
    assert no_show["session_id"] is None and api.get(pack_path).body["used"] == "1"
    assert _session_ids(api, member["id"]) == []
    mark_as(status="absent")
    assert api.get(pack_path).body["used"] == "0"
    mark_as(status="unmarked")
    assert api.get(pack_path).body["used"] == "0"
    ledger = api.get(f"{pack_path}/ledger").body["items"]
    assert [e["kind"] for e in ledger] == ["charge", "reversal", "charge", "reversal", "charge", "reversal"]
    assert sum(float(e["amount"]) for e in ledger) == 0


def test_attendance_validation_names_the_fields(api):
    group = make_group(api)
    [member] = add_members(api, group["id"], 1)
    session = book_session(api, group["id"])
    stranger = make_client(api, first="Not", last="Member")
    reply = mark(api, session["id"], {"members": [{"client_id": stranger["id"], "status": "attended"}]})
    assert reply.status == 422 and reply.body["errors"][0]["field"] == "body.members.0.client_id"
    reply = mark(api, session["id"], {"members": [{"client_id": member["id"], "status": "attended", "fee": "code"}]})
    assert reply.status == 422 and "billing_code" in reply.body["errors"][0]["reason"]
    reply = mark(api, session["id"], {"members": [{"client_id": member["id"], "status": "attended", "fee": "code",
                                                   "billing_code": "90785"}]})
    assert reply.status == 422 and reply.body["errors"][0] == {
        "field": "body.members.0.billing_code", "reason": "90785 is not a billing code of the practice"}
    assert mark(api, session["id"], {}).status == 422
    assert mark(api, session["id"], {"all_attended": True}, role="billing").status == 403
    assert api.get(f"/v1/clients/{member['id']}/sessions").body["items"] == []  # nothing written


def test_group_session_status_and_cancelling(api):
    group = make_group(api)
    [member] = add_members(api, group["id"], 1)
    session = book_session(api, group["id"])
    path = f"/v1/appointments/{session['id']}"
    attend = api.post(f"{path}/status", {"status": "attended"}, headers={"If-Match": '"1"'})
    assert attend.status == 409 and "/attendance" in attend.body["detail"]
    mark(api, session["id"], {"all_attended": True})
    cancel = api.post(f"{path}/status", {"status": "cancelled", "reason": "snow"}, headers={"If-Match": '"1"'})
    assert cancel.status == 409 and "unmarked" in cancel.body["detail"]
    mark(api, session["id"], {"members": [{"client_id": member["id"], "status": "unmarked"}]})
    cancel = api.post(f"{path}/status", {"status": "cancelled", "reason": "snow"}, headers={"If-Match": '"1"'})
    assert cancel.status == 200 and cancel.body["appointment"]["status"] == "cancelled"
    assert mark(api, session["id"], {"all_attended": True}).status == 409


def test_group_series_books_the_room_and_warns_per_member(api):
    group = make_group(api)
    short, fine = add_members(api, group["id"], 2)
    make_authorization(api, short["id"], allowed="2", end_on="2026-12-31")
    make_authorization(api, fine["id"], allowed="10")
    reply = api.post(f"/v1/groups/{group['id']}/appointments", {
        "location_id": "loc_prc_a_main", "room_id": ROOM, "start": "2026-12-01T18:00:00", "end": "2026-12-01T19:30:00",
        "recurrence": {"frequency": "weekly", "count": 6}})
    assert reply.status == 201, reply.body
    booked = reply.body["appointments"]
    assert len(booked) == 6 and all(a["group_id"] == group["id"] and a["client_id"] is None for a in booked)
    assert {(w["client_id"], w["occurrence"]) for w in reply.body["warnings"]} == {
        (short["id"], 3), (short["id"], 4), (short["id"], 5), (short["id"], 6)}
    view = api.get(f"/v1/groups/{group['id']}/appointments?from=2026-12-01&to=2027-01-31").body["items"]
    assert [a["id"] for a in view] == [a["id"] for a in booked]
    clash = api.post(f"/v1/groups/{group['id']}/appointments", {
        "location_id": "loc_prc_a_main", "room_id": ROOM, "start": "2026-12-08T18:30:00", "end": "2026-12-08T19:00:00"})
    assert clash.status == 409 and clash.body["warnings"][0]["kind"] == "room"
    cancelled = api.post(f"/v1/appointments/{booked[3]['id']}/cancel-following", {"reason": "term ends"},
                         headers={"If-Match": '"1"'})
    assert cancelled.status == 200 and [a["occurrence"] for a in cancelled.body["appointments"]] == [4, 5, 6]


def test_payment_per_member_of_a_group_session(api):
    group = make_group(api)
    paying, other = add_members(api, group["id"], 2)
    session = book_session(api, group["id"])
    mark(api, session["id"], {"all_attended": True, "members": [
        {"client_id": paying["id"], "status": "attended", "paid_at_session": {"amount": "20.00", "method": "card"}}]})
    path = f"/v1/appointments/{session['id']}/attendance/{paying['id']}/payments"
    first = api.post(path, {"amount": "25.00", "method": "cash"}, role="front_desk")
    assert first.status == 201, first.body
    invoice = first.body["invoice"]
    assert (invoice["total"], invoice["paid"], invoice["balance_due"]) == ("60.00", "45.00", "15.00")
    second = api.post(path, {"amount": "15.00", "method": "card"}, role="billing")
    assert second.body["invoice"]["status"] == "paid"
    assert api.post(path, {"amount": "1.00", "method": "card"}).status == 409  # nothing left to pay
    assert api.get(f"/v1/clients/{other['id']}/invoices").body["items"] == []  # the other member's bill is theirs
    assert api.post(path, {"amount": "1.00", "method": "card"}, role="practitioner").status == 403


def test_a_member_who_cannot_be_changed_is_reported_and_the_others_are_marked(api, monkeypatch):
    from chalicelib.services import attendance

    group = make_group(api)
    stuck, fine = add_members(api, group["id"], 2)
    session = book_session(api, group["id"])
    real = attendance._transition

    def always_raced(principal, practice, appointment, name, client_id, *rest):
        if client_id == stuck["id"]:
            raise attendance._Raced()  # as if another request kept changing this member
        return real(principal, practice, appointment, name, client_id, *rest)

    monkeypatch.setattr(attendance, "_transition", always_raced)
    reply = mark(api, session["id"], {"all_attended": True})
    assert reply.status == 200, reply.body
    states = _states(reply)
    assert states[stuck["id"]]["status"] == "unmarked" and "changing too fast" in states[stuck["id"]]["error"]
    assert states[fine["id"]]["status"] == "attended" and states[fine["id"]]["error"] is None

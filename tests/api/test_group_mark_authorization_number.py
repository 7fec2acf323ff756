"""A group member's attendance mark shows the prior authorization number the member's client
session shows: that of the authorization the session counts against, as it is now (an edited
number, a deleted authorization, a session moved to client billing all show at once)."""
from __future__ import annotations

from chalicelib.observability import current_meter
from tests.api.entitlement_helpers import make_authorization
from tests.api.group_helpers import add_members, book_session, make_group, mark


def _auth_path(client_id: str, auth_id: str) -> str:
    return f"/v1/clients/{client_id}/authorizations/{auth_id}"


def _edit_number(api, client_id: str, auth_id: str, number: str) -> None:
    path = _auth_path(client_id, auth_id)
    assert api.patch(path, {"number": number}, if_match=api.get(path).etag).status == 200


def _numbers(reply) -> dict[str, str | None]:
    return {m["client_id"]: m["prior_authorization_number"] for m in reply.body["members"]}


def _session_number(api, client_id: str, appointment_id: str) -> str | None:
    reply = api.get(f"/v1/clients/{client_id}/sessions/{appointment_id}")
    assert reply.status == 200, reply.body
    number: str | None = reply.body["prior_authorization_number"]
    return number


def _attended_group(api, count: int) -> tuple[dict, list[dict], list[dict]]:
    """A group session whose `count` members each have an authorization, all marked attended."""
    group = make_group(api)
    members = add_members(api, group["id"], count)
    auths = [make_authorization(api, m["id"], number=f"PA-{i}") for i, m in enumerate(members)]
    session = book_session(api, group["id"])
    reply = mark(api, session["id"], {"all_attended": True}, role="practitioner")
    assert reply.status == 200, reply.body
    assert _numbers(reply) == {m["id"]: f"PA-{i}" for i, m in enumerate(members)}
    return session, members, auths


def test_number_edit_shows_on_the_members_mark_as_on_their_session(api):
    session, [member], [auth] = _attended_group(api, 1)
    _edit_number(api, member["id"], auth["id"], "AB9")
    attendance = api.get(f"/v1/appointments/{session['id']}/attendance")
    assert attendance.status == 200, attendance.body
    assert _session_number(api, member["id"], session["id"]) == "AB9"
    assert _numbers(attendance) == {member["id"]: "AB9"}


def test_number_edit_shows_in_the_answer_to_a_later_marking(api):
    session, [first, second], [auth, _] = _attended_group(api, 2)
    _edit_number(api, first["id"], auth["id"], "AB9")
    # Marking only the other member answers every member's mark: the first's shows the new number.
    reply = mark(api, session["id"], {"members": [{"client_id": second["id"], "status": "no_show"}]},
                 role="practitioner")
    assert reply.status == 200, reply.body
    assert _numbers(reply) == {first["id"]: "AB9", second["id"]: None}


def test_deleted_authorization_takes_its_number_off_the_mark(api):
    session, [member], [auth] = _attended_group(api, 1)
    path = _auth_path(member["id"], auth["id"])
    assert api.delete(path, if_match=api.get(path).etag).status == 204
    attendance = api.get(f"/v1/appointments/{session['id']}/attendance")
    assert _session_number(api, member["id"], session["id"]) is None
    assert _numbers(attendance) == {member["id"]: None}


def test_member_session_billed_to_the_client_shows_no_number_on_the_mark(api):
    session, [member], [auth] = _attended_group(api, 1)
    path = f"/v1/clients/{member['id']}/sessions/{session['id']}"
    moved = api.patch(path, {"bill_to": "client"}, if_match=api.get(path).etag)
    assert moved.status == 200, moved.body
    assert moved.body["session"]["prior_authorization_number"] is None
    _edit_number(api, member["id"], auth["id"], "AB9")  # no longer counted: its number shows nowhere
    assert _session_number(api, member["id"], session["id"]) is None
    assert _numbers(api.get(f"/v1/appointments/{session['id']}/attendance")) == {member["id"]: None}
    # Back to automatic billing, the mark shows the authorization's number again.
    back = api.patch(path, {"bill_to": "automatic"}, if_match=api.get(path).etag)
    assert back.status == 200 and back.body["session"]["prior_authorization_number"] == "AB9", back.body
    assert _numbers(api.get(f"/v1/appointments/{session['id']}/attendance")) == {member["id"]: "AB9"}


def test_re_marked_member_billed_to_the_client_keeps_no_number(api):
    session, [member], [auth] = _attended_group(api, 1)
    path = f"/v1/clients/{member['id']}/sessions/{session['id']}"
    assert api.patch(path, {"bill_to": "client"}, if_match=api.get(path).etag).status == 200
    # A re-mark under another code keeps the session's bill_to: still no number, on both.
    reply = mark(api, session["id"], {"members": [{"client_id": member["id"], "status": "attended", "fee": "code",
                                                   "billing_code": "90847"}]}, role="practitioner")
    assert reply.status == 200, reply.body
    assert _numbers(reply) == {member["id"]: None}
    assert _session_number(api, member["id"], session["id"]) is None
    assert api.get(_auth_path(member["id"], auth["id"])).body["used"] == "0"


def test_reading_attendance_reads_every_members_authorization_in_one_call(api):
    session, _, _ = _attended_group(api, 3)
    assert api.get(f"/v1/appointments/{session['id']}/attendance").status == 200
    calls = current_meter().calls
    # The appointment's partition, the group, its members, then the marks' authorizations at once.
    assert calls.count("BatchGetItem") + calls.count("GetItem") <= 2, calls
    assert calls[-1] == "BatchGetItem", calls

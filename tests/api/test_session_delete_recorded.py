"""A client session an appointment or a group member's mark records is removed through that
record (its status, or the member's mark), never deleted on its own: DELETE of it is a 409
naming the appointment and the way out, with nothing written. Once the record no longer
names the session (legacy data: the appointment gone or moved on, the mark changed), and for
sessions recorded by hand or sent to billing from a calendar, DELETE works as before."""
from __future__ import annotations

from chalicelib.store import items
from chalicelib.store.appointments import appointment_key
from chalicelib.store.attendance import mark_key
from tests.api.entitlement_helpers import make_authorization, make_client
from tests.api.group_helpers import add_members, book_session, make_group, mark
from tests.conftest import PRACTICE_A, USERS

PRACTITIONER = USERS[PRACTICE_A]["practitioner"]
LOCATION = f"loc_{PRACTICE_A}_main"


def _session_path(client_id: str, session_id: str) -> str:
    return f"/v1/clients/{client_id}/sessions/{session_id}"


def _delete_session(api, client_id: str, session_id: str):
    current = api.get(_session_path(client_id, session_id))
    assert current.status == 200, current.body
    return api.delete(_session_path(client_id, session_id), if_match=current.etag)


def _used(api, client_id: str, auth_id: str) -> str:
    used: str = api.get(f"/v1/clients/{client_id}/authorizations/{auth_id}").body["used"]
    return used


def _status(api, appointment_id: str, status: str, **extra):
    current = api.get(f"/v1/appointments/{appointment_id}")
    return api.post(f"/v1/appointments/{appointment_id}/status", {"status": status, **extra},
                    headers={"If-Match": current.etag})


def _attended_appointment(api) -> tuple[dict, dict, str]:
    """A client with an authorization and an attended appointment (its session recorded)."""
    client = make_client(api)
    auth = make_authorization(api, client["id"])
    booked = api.post("/v1/appointments", {
        "client_id": client["id"], "practitioner_id": PRACTITIONER, "location_id": LOCATION,
        "start": "2026-12-01T10:00:00", "end": "2026-12-01T10:50:00", "billing_code": "90837"}, role="front_desk")
    assert booked.status == 201, booked.body
    appointment_id = booked.body["appointments"][0]["id"]
    attended = _status(api, appointment_id, "attended")
    assert attended.status == 200, attended.body
    return client, auth, appointment_id


def _attended_member(api) -> tuple[dict, dict, str]:
    """A group member with an authorization, marked attended on a group session."""
    group = make_group(api)
    [member] = add_members(api, group["id"], 1)
    auth = make_authorization(api, member["id"])
    session = book_session(api, group["id"])
    marked = mark(api, session["id"], {"all_attended": True}, role="practitioner")
    assert marked.status == 200, marked.body
    return member, auth, session["id"]


def _member_mark(api, appointment_id: str, client_id: str) -> dict:
    reply = api.get(f"/v1/appointments/{appointment_id}/attendance")
    assert reply.status == 200, reply.body
    found: dict = next(m for m in reply.body["members"] if m["client_id"] == client_id)
    return found


# ---- one-to-one appointments ---------------------------------------------------------


def test_delete_session_when_its_appointment_is_attended_is_409_naming_the_appointment(api):
    client, auth, appointment_id = _attended_appointment(api)
    session = api.get(_session_path(client["id"], appointment_id))
    assert session.status == 200 and session.body["appointment_id"] == appointment_id, session.body
    before = api.get(f"/v1/appointments/{appointment_id}")

    reply = _delete_session(api, client["id"], appointment_id)

    assert reply.status == 409, reply.body
    assert reply.headers["content-type"].startswith("application/problem+json")
    assert reply.body["appointment_id"] == appointment_id
    assert f"/v1/appointments/{appointment_id}/status" in reply.body["detail"]
    assert "booked" in reply.body["detail"] and "cancelled" in reply.body["detail"]
    # Nothing written: the session, its charge and the appointment are as they were.
    assert api.get(_session_path(client["id"], appointment_id)).body == session.body
    assert _used(api, client["id"], auth["id"]) == "1"
    after = api.get(f"/v1/appointments/{appointment_id}")
    assert after.body == before.body and after.etag == before.etag
    assert after.body["status"] == "attended" and after.body["prior_authorization_number"] == "PA-7781"


def test_set_appointment_back_to_booked_after_a_refused_delete_removes_the_session(api):
    client, auth, appointment_id = _attended_appointment(api)
    assert _delete_session(api, client["id"], appointment_id).status == 409

    booked = _status(api, appointment_id, "booked")

    assert booked.status == 200, booked.body
    assert booked.body["reversal"]["reversed"][0]["id"] == auth["id"]
    assert api.get(_session_path(client["id"], appointment_id)).status == 404
    assert _used(api, client["id"], auth["id"]) == "0"
    # Attending again records the session again and charges it once.
    again = _status(api, appointment_id, "attended")
    assert again.status == 200, again.body
    assert api.get(_session_path(client["id"], appointment_id)).status == 200
    assert _used(api, client["id"], auth["id"]) == "1"


def test_cancel_appointment_after_a_refused_delete_removes_the_session(api):
    client, auth, appointment_id = _attended_appointment(api)
    assert _delete_session(api, client["id"], appointment_id).status == 409

    cancelled = _status(api, appointment_id, "cancelled", reason="Recorded in error")

    assert cancelled.status == 200, cancelled.body
    assert api.get(_session_path(client["id"], appointment_id)).status == 404
    assert _used(api, client["id"], auth["id"]) == "0"


def test_delete_session_when_its_appointment_moved_on_is_204(api):
    # Legacy data: an appointment no longer attended that kept its session. The session is
    # nobody's record any more, so it may go.
    client, auth, appointment_id = _attended_appointment(api)
    items.set_attributes(*appointment_key(PRACTICE_A, appointment_id), {"status": "booked"})

    reply = _delete_session(api, client["id"], appointment_id)

    assert reply.status == 204, reply.body
    assert api.get(_session_path(client["id"], appointment_id)).status == 404
    assert _used(api, client["id"], auth["id"]) == "0"


def test_delete_session_when_its_appointment_is_gone_is_204(api):
    client, auth, appointment_id = _attended_appointment(api)
    items.transact([{"Delete": {"TableName": items.table(),
                                "Key": items.key_of(*appointment_key(PRACTICE_A, appointment_id))}}])

    reply = _delete_session(api, client["id"], appointment_id)

    assert reply.status == 204, reply.body
    assert _used(api, client["id"], auth["id"]) == "0"


def test_delete_session_recorded_by_hand_is_204(api):
    client = make_client(api)
    auth = make_authorization(api, client["id"])
    created = api.post(f"/v1/clients/{client['id']}/sessions",
                       {"date_of_service": "2026-11-20", "billing_code": "90837"})
    assert created.status == 201, created.body

    reply = _delete_session(api, client["id"], created.body["session"]["id"])

    assert reply.status == 204, reply.body
    assert _used(api, client["id"], auth["id"]) == "0"


def test_delete_session_sent_to_billing_from_a_calendar_is_204(api):
    client = make_client(api, email="jamie.rivera@example.com")
    auth = make_authorization(api, client["id"])
    calendar = ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Caseload tests//EN\r\nBEGIN:VEVENT\r\n"
                "UID:held-1@example.com\r\nDTSTART;TZID=America/New_York:20261006T100000\r\n"
                "DTEND;TZID=America/New_York:20261006T105000\r\nATTENDEE:mailto:jamie.rivera@example.com\r\n"
                "END:VEVENT\r\nEND:VCALENDAR\r\n")
    imported = api.post("/v1/appointments/import", {"calendar": calendar, "practitioner_id": PRACTITIONER,
                                                    "location_id": LOCATION, "billing_code": "90837",
                                                    "send_to_billing": True})
    assert imported.status == 200 and imported.body["created"] == 1, imported.body
    [session] = api.get(f"/v1/clients/{client['id']}/sessions").body["items"]
    assert _used(api, client["id"], auth["id"]) == "1"

    reply = _delete_session(api, client["id"], session["id"])

    assert reply.status == 204, reply.body
    assert _used(api, client["id"], auth["id"]) == "0"


def test_delete_session_with_a_stale_if_match_when_recorded_is_409(api):
    # The record is the reason it cannot go, whatever version was sent: a re-read would not help.
    client, _, appointment_id = _attended_appointment(api)
    reply = api.delete(_session_path(client["id"], appointment_id), if_match='"7"')
    assert reply.status == 409 and reply.body["appointment_id"] == appointment_id, reply.body


def test_delete_missing_session_is_404(api):
    client = make_client(api)
    reply = api.delete(_session_path(client["id"], "ses_missing"), if_match='"1"')
    assert reply.status == 404, reply.body


# ---- group sessions ------------------------------------------------------------------


def test_delete_session_when_the_members_mark_records_it_is_409_naming_the_appointment(api):
    member, auth, appointment_id = _attended_member(api)
    session = api.get(_session_path(member["id"], appointment_id))
    assert session.status == 200 and session.body["group_id"], session.body
    before = _member_mark(api, appointment_id, member["id"])

    reply = _delete_session(api, member["id"], appointment_id)

    assert reply.status == 409, reply.body
    assert reply.body["appointment_id"] == appointment_id
    assert f"/v1/appointments/{appointment_id}/attendance" in reply.body["detail"]
    assert api.get(_session_path(member["id"], appointment_id)).body == session.body
    assert _used(api, member["id"], auth["id"]) == "1"
    after = _member_mark(api, appointment_id, member["id"])
    assert after == before and after["status"] == "attended" and after["session_id"] == appointment_id


def test_unmark_member_after_a_refused_delete_removes_the_session(api):
    member, auth, appointment_id = _attended_member(api)
    assert _delete_session(api, member["id"], appointment_id).status == 409

    unmarked = mark(api, appointment_id, {"members": [{"client_id": member["id"], "status": "unmarked"}]},
                    role="practitioner")

    assert unmarked.status == 200, unmarked.body
    assert api.get(_session_path(member["id"], appointment_id)).status == 404
    assert _used(api, member["id"], auth["id"]) == "0"
    assert _member_mark(api, appointment_id, member["id"])["session_id"] is None


def test_delete_session_when_the_members_mark_no_longer_names_it_is_204(api):
    # Legacy data: a mark that moved on and kept the session it once recorded.
    member, auth, appointment_id = _attended_member(api)
    items.set_attributes(*mark_key(PRACTICE_A, appointment_id, member["id"]), {"status": "absent",
                                                                              "session_id": None})

    reply = _delete_session(api, member["id"], appointment_id)

    assert reply.status == 204, reply.body
    assert api.get(_session_path(member["id"], appointment_id)).status == 404
    assert _used(api, member["id"], auth["id"]) == "0"

"""POST /v1/appointments/import again, with an updated export: an event (or an occurrence of a
repeating one) imported before and now cancelled in the calendar (STATUS:CANCELLED, a cancelled
RECURRENCE-ID override, or EXDATE) cancels the appointment the earlier import booked, if it is
still booked. Anything else an earlier import made for it (attended, missed, a session sent to
billing) is kept and listed as a conflict."""
from __future__ import annotations

from chalicelib.services import calendar_import
from tests.api.entitlement_helpers import make_client
from tests.conftest import PRACTICE_A, USERS

PRACTITIONER = USERS[PRACTICE_A]["practitioner"]
LOCATION = f"loc_{PRACTICE_A}_main"
EMAIL = "jamie.rivera@example.com"

# Three Wednesdays in October 2026 (past: they may be attended or sent to billing).
WEEKLY = f"""
UID:weekly-wed@example.com
DTSTART;TZID=America/New_York:20261007T140000
DTEND;TZID=America/New_York:20261007T145000
RRULE:FREQ=WEEKLY;COUNT=3
STATUS:CONFIRMED
ATTENDEE;CN=Jamie Rivera:mailto:{EMAIL}
"""
SECOND_WEDNESDAY_CANCELLED = f"""
UID:weekly-wed@example.com
RECURRENCE-ID;TZID=America/New_York:20261014T140000
DTSTART;TZID=America/New_York:20261014T140000
DTEND;TZID=America/New_York:20261014T145000
STATUS:CANCELLED
ATTENDEE;CN=Jamie Rivera:mailto:{EMAIL}
"""
STARTS = ["2026-10-07T14:00:00-04:00", "2026-10-14T14:00:00-04:00", "2026-10-21T14:00:00-04:00"]


def _ics(*events: str) -> str:
    body = "\r\n".join(f"BEGIN:VEVENT\r\n{e.strip()}\r\nEND:VEVENT" for e in events)
    return f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Caseload tests//EN\r\n{body}\r\nEND:VCALENDAR\r\n"


def _import(api, calendar, **extra):
    reply = api.post("/v1/appointments/import", {"calendar": calendar, "practitioner_id": PRACTITIONER,
                                                 "location_id": LOCATION, "billing_code": "90837", **extra})
    assert reply.status == 200, reply.body
    return reply.body


def _appointments(api, client):
    """start -> (id, status, cancel_reason) of the client's appointments in October 2026."""
    listed = api.get(f"/v1/appointments?client_id={client['id']}&from=2026-10-01&to=2026-10-31")
    return {a["start"]: (a["id"], a["status"], a.get("cancel_reason")) for a in listed.body["items"]}


def _set_status(api, appointment_id, status, **body):
    current = api.get(f"/v1/appointments/{appointment_id}")
    reply = api.post(f"/v1/appointments/{appointment_id}/status", {"status": status, **body},
                     headers={"If-Match": current.etag})
    assert reply.status == 200, reply.body


def _lines(result, outcome):
    return [e for e in result["events"] if e["outcome"] == outcome]


def test_reimport_cancels_the_booked_appointments_of_an_event_now_cancelled(api):
    client = make_client(api, email=EMAIL)
    assert _import(api, _ics(WEEKLY))["created"] == 3
    result = _import(api, _ics(WEEKLY.replace("STATUS:CONFIRMED", "STATUS:CANCELLED")))
    assert (result["created"], result["cancelled"], result["conflicts"]) == (0, 3, 0)
    booked = _appointments(api, client)
    assert [booked[s][1] for s in STARTS] == ["cancelled"] * 3
    assert all("cancelled in the calendar" in booked[s][2] for s in STARTS)
    lines = _lines(result, "cancelled")
    assert sorted(e["created_id"] for e in lines) == sorted(booked[s][0] for s in STARTS)
    assert all(e["uid"] == "weekly-wed@example.com" and e["client_id"] == client["id"] for e in lines)


def test_reimport_cancels_an_occurrence_cancelled_by_a_recurrence_id_override(api):
    client = make_client(api, email=EMAIL)
    _import(api, _ics(WEEKLY))
    result = _import(api, _ics(WEEKLY, SECOND_WEDNESDAY_CANCELLED))
    assert (result["created"], result["already_imported"], result["cancelled"]) == (0, 2, 1)
    booked = _appointments(api, client)
    assert [booked[s][1] for s in STARTS] == ["booked", "cancelled", "booked"]
    [line] = _lines(result, "cancelled")
    assert line["created_id"] == booked[STARTS[1]][0] and line["start"] == "2026-10-14T14:00:00-04:00"


def test_reimport_cancels_an_occurrence_taken_out_by_exdate(api):
    client = make_client(api, email=EMAIL)
    _import(api, _ics(WEEKLY))
    excluded = WEEKLY.replace("STATUS:CONFIRMED", "STATUS:CONFIRMED\nEXDATE;TZID=America/New_York:20261021T140000")
    result = _import(api, _ics(excluded))
    assert (result["already_imported"], result["cancelled"]) == (2, 1)
    booked = _appointments(api, client)
    assert [booked[s][1] for s in STARTS] == ["booked", "booked", "cancelled"]
    assert booked[STARTS[2]][2] == ("Calendar import: this occurrence is cancelled in the calendar "
                                    "(taken out of its series by EXDATE)")


def test_reimport_keeps_attended_and_missed_appointments_and_lists_them_as_conflicts(api):
    client = make_client(api, email=EMAIL)
    _import(api, _ics(WEEKLY))
    ids = {s: v[0] for s, v in _appointments(api, client).items()}
    _set_status(api, ids[STARTS[0]], "attended")
    _set_status(api, ids[STARTS[1]], "no_show")
    result = _import(api, _ics(WEEKLY.replace("STATUS:CONFIRMED", "STATUS:CANCELLED")))
    assert (result["cancelled"], result["conflicts"]) == (1, 2)
    booked = _appointments(api, client)
    assert [booked[s][1] for s in STARTS] == ["attended", "no_show", "cancelled"]
    conflicts = {e["created_id"]: e["detail"] for e in _lines(result, "conflict")}
    assert set(conflicts) == {ids[STARTS[0]], ids[STARTS[1]]}
    assert "attended" in conflicts[ids[STARTS[0]]] and "no_show" in conflicts[ids[STARTS[1]]]
    sessions = api.get(f"/v1/clients/{client['id']}/sessions").body["items"]
    assert [s["appointment_id"] for s in sessions] == [ids[STARTS[0]]]  # the attended session stays


def test_reimport_keeps_a_session_sent_to_billing_and_lists_it_as_a_conflict(api):
    client = make_client(api, email=EMAIL)
    assert _import(api, _ics(WEEKLY), send_to_billing=True)["created"] == 3
    for billing in (True, False):
        result = _import(api, _ics(WEEKLY, SECOND_WEDNESDAY_CANCELLED), send_to_billing=billing)
        [conflict] = _lines(result, "conflict")
        assert (result["cancelled"], result["conflicts"]) == (0, 1)
        assert conflict["created_id"].startswith("ses_ics_") and "sent to billing" in conflict["detail"]
    sessions = api.get(f"/v1/clients/{client['id']}/sessions").body["items"]
    assert len(sessions) == 3


def test_reimport_of_the_same_cancelled_file_again_changes_nothing(api):
    client = make_client(api, email=EMAIL)
    _import(api, _ics(WEEKLY))
    cancelled = _ics(WEEKLY.replace("STATUS:CONFIRMED", "STATUS:CANCELLED"))
    _import(api, cancelled)
    before = _appointments(api, client)
    again = _import(api, cancelled)
    assert (again["cancelled"], again["conflicts"]) == (0, 0)
    assert [e["outcome"] for e in again["events"]] == ["skipped"]
    assert _appointments(api, client) == before


def test_reimport_leaves_an_appointment_staff_moved_to_another_practitioner(api):
    client = make_client(api, email=EMAIL)
    _import(api, _ics(WEEKLY))
    ids = {s: v[0] for s, v in _appointments(api, client).items()}
    other = api.post("/v1/users", {"email": "second.practitioner@example.com", "first_name": "Sam",
                                   "last_name": "Second", "role": "practitioner"})
    assert other.status == 201, other.body
    current = api.get(f"/v1/appointments/{ids[STARTS[1]]}")
    moved = api.patch(f"/v1/appointments/{ids[STARTS[1]]}", {"practitioner_id": other.body["id"]},
                      if_match=current.etag)
    assert moved.status == 200, moved.body
    result = _import(api, _ics(WEEKLY, SECOND_WEDNESDAY_CANCELLED))
    [conflict] = _lines(result, "conflict")
    assert conflict["created_id"] == ids[STARTS[1]] and "another practitioner" in conflict["detail"]
    assert _appointments(api, client)[STARTS[1]][1] == "booked"


def test_reimport_cancel_gives_way_to_an_attendance_recorded_meanwhile(api, monkeypatch):
    # The import reads the appointment as booked; staff mark it attended before the import's
    # write lands. The write is conditioned on the version read, so the attendance stands.
    client = make_client(api, email=EMAIL)
    _import(api, _ics(WEEKLY))
    target = _appointments(api, client)[STARTS[1]][0]
    read = calendar_import.import_store.earlier_imports

    def read_then_attend(*args, **kwargs):
        found = read(*args, **kwargs)
        if not getattr(read_then_attend, "done", False):
            read_then_attend.done = True  # type: ignore[attr-defined]
            _set_status(api, target, "attended")
        return found

    monkeypatch.setattr(calendar_import.import_store, "earlier_imports", read_then_attend)
    result = _import(api, _ics(WEEKLY, SECOND_WEDNESDAY_CANCELLED))
    [conflict] = _lines(result, "conflict")
    assert result["cancelled"] == 0 and conflict["created_id"] == target and "attended" in conflict["detail"]
    assert _appointments(api, client)[STARTS[1]][1] == "attended"
    sessions = api.get(f"/v1/clients/{client['id']}/sessions").body["items"]
    assert [s["appointment_id"] for s in sessions] == [target]

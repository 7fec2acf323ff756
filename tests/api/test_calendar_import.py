"""POST /v1/appointments/import: an .ics file becomes appointments or client sessions."""
from __future__ import annotations

from tests.api.entitlement_helpers import make_client, make_pack
from tests.conftest import PRACTICE_A, USERS

PRACTITIONER = USERS[PRACTICE_A]["practitioner"]
LOCATION = f"loc_{PRACTICE_A}_main"


def _ics(*events: str) -> str:
    """A calendar with a Sydney time zone block and the given VEVENT bodies."""
    body = "\r\n".join(f"BEGIN:VEVENT\r\n{e.strip()}\r\nEND:VEVENT" for e in events)
    return ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Caseload tests//EN\r\n"
            "BEGIN:VTIMEZONE\r\nTZID:Australia/Sydney\r\nBEGIN:STANDARD\r\nDTSTART:19700405T030000\r\n"
            "TZOFFSETFROM:+1100\r\nTZOFFSETTO:+1000\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\n"
            f"{body}\r\nEND:VCALENDAR\r\n")


WEEKLY_IN_NEW_YORK = """
UID:weekly-1@example.com
DTSTART;TZID=America/New_York:20261201T100000
DTEND;TZID=America/New_York:20261201T105000
RRULE:FREQ=WEEKLY;COUNT=3
SUMMARY:Therapy
ATTENDEE;CN=Jamie:mailto:Jamie.Rivera@example.com
"""
SYDNEY_ONE_OFF = """
UID:sydney-1@example.com
DTSTART;TZID=Australia/Sydney:20261203T090000
DTEND;TZID=Australia/Sydney:20261203T094500
ATTENDEE:mailto:jamie.rivera@example.com
"""
STRANGER = """
UID:stranger-1@example.com
DTSTART:20261204T150000Z
DURATION:PT50M
ATTENDEE:mailto:nobody@example.com
"""


def _import(api, calendar, **extra):
    return api.post("/v1/appointments/import", {"calendar": calendar, "practitioner_id": PRACTITIONER,
                                                "location_id": LOCATION, "billing_code": "90837", **extra})


def test_events_become_appointments_and_unknown_attendees_are_listed(api):
    client = make_client(api, email="jamie.rivera@example.com")
    reply = _import(api, _ics(WEEKLY_IN_NEW_YORK, SYDNEY_ONE_OFF, STRANGER))
    assert reply.status == 200, reply.body
    assert (reply.body["created"], reply.body["unmatched"]) == (4, 1)
    unmatched = [e for e in reply.body["events"] if e["outcome"] == "no_matching_client"]
    assert [e["uid"] for e in unmatched] == ["stranger-1@example.com"]
    starts = [a["start"] for a in api.get(
        f"/v1/appointments?client_id={client['id']}&from=2026-12-01&to=2026-12-31").body["items"]]
    # New York wall time kept across the weeks; Sydney 09:00 on Dec 3 is 17:00 on Dec 2 in New York.
    assert starts == ["2026-12-01T10:00:00-05:00", "2026-12-02T17:00:00-05:00", "2026-12-08T10:00:00-05:00",
                      "2026-12-15T10:00:00-05:00"]


def test_importing_the_same_file_again_creates_nothing(api):
    make_client(api, email="jamie.rivera@example.com")
    calendar = _ics(WEEKLY_IN_NEW_YORK)
    assert _import(api, calendar).body["created"] == 3
    again = _import(api, calendar).body
    assert (again["created"], again["already_imported"]) == (0, 3)


def test_send_to_billing_creates_charged_client_sessions(api):
    client = make_client(api, email="jamie.rivera@example.com")
    pack = make_pack(api, client["id"], name="Five", measure="sessions", limit="5", price="1")
    # Care already given: only events that have ended become sessions (tests/api/test_calendar_import_refusals.py).
    held = _ics(WEEKLY_IN_NEW_YORK.replace("20261201", "20261006"))
    reply = _import(api, held, send_to_billing=True).body
    assert reply["created"] == 3
    sessions = api.get(f"/v1/clients/{client['id']}/sessions").body["items"]
    assert sorted(s["date_of_service"] for s in sessions) == ["2026-10-06", "2026-10-13", "2026-10-20"]
    assert api.get(f"/v1/clients/{client['id']}/packs/{pack['id']}").body["used"] == "3"
    assert _import(api, held, send_to_billing=True).body["already_imported"] == 3
    assert api.get(f"/v1/clients/{client['id']}/packs/{pack['id']}").body["used"] == "3"


def test_malformed_calendar_is_422_naming_the_line(api):
    broken = _ics(STRANGER).replace("DURATION:PT50M", "this line is not a property")
    reply = _import(api, broken)
    assert reply.status == 422
    error = reply.body["errors"][0]
    assert error["field"] == "body.calendar" and error["reason"] == "line 15: not NAME:VALUE"
    unclosed = _import(api, "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:x\r\nEND:VCALENDAR\r\n")
    assert unclosed.status == 422 and unclosed.body["errors"][0]["reason"] == \
        "line 4: END:VCALENDAR does not close BEGIN:VEVENT"
    assert _import(api, "hello").body["errors"][0]["reason"] == "line 1: a calendar starts with BEGIN:VCALENDAR"


def test_all_day_events_are_reported_as_skipped(api):
    reply = _import(api, _ics("UID:holiday@example.com\r\nDTSTART;VALUE=DATE:20261225\r\nSUMMARY:Closed"))
    assert reply.body["events"][0]["outcome"] == "skipped"


def test_client_email_changes_move_the_match(api):
    client = make_client(api, email="old@example.com")
    current = api.get(f"/v1/clients/{client['id']}")
    api.patch(f"/v1/clients/{client['id']}", {"email": "jamie.rivera@example.com"}, if_match=current.etag)
    assert _import(api, _ics(SYDNEY_ONE_OFF)).body["created"] == 1


def test_an_unreadable_event_is_skipped_and_the_rest_imported(api):
    make_client(api, email="jamie.rivera@example.com")
    bad = "UID:bad@example.com\r\nDTSTART:20261205T100000Z\r\nDTEND:20261205T105000Z\r\nRRULE:FREQ=SOMETIMES\r\n" \
          "ATTENDEE:mailto:jamie.rivera@example.com"
    reply = _import(api, _ics(bad, SYDNEY_ONE_OFF))
    assert reply.status == 200, reply.body
    outcomes = {e["uid"]: e["outcome"] for e in reply.body["events"]}
    assert outcomes == {"bad@example.com": "skipped", "sydney-1@example.com": "created"}


def test_an_event_with_a_broken_date_is_skipped_with_a_reason_a_person_reads(api):
    make_client(api, email="jamie.rivera@example.com")
    broken = "UID:typo@example.com\r\nDTSTART:2027010X5T150000Z\r\nATTENDEE:mailto:jamie.rivera@example.com"
    reply = _import(api, _ics(broken, SYDNEY_ONE_OFF))
    assert reply.status == 200, reply.body
    skipped = next(e for e in reply.body["events"] if e["uid"] == "typo@example.com")
    assert skipped["outcome"] == "skipped"
    assert "Error" not in skipped["detail"] and "date, time" in skipped["detail"]

"""POST /v1/appointments/import again, with an updated export that moves, shortens or revives
events: the appointment an earlier import booked for an occurrence is found again by the
event's UID and the occurrence's original start (RECURRENCE-ID), wherever it is now, and is
moved through the same path PATCH /v1/appointments takes; a shortened series cancels what it
drops; an occurrence live again after the calendar cancelled it is booked again. Nothing the
practice recorded (attended, missed, billed, moved by staff) is overwritten."""
from __future__ import annotations

from tests.api.entitlement_helpers import make_client
from tests.conftest import PRACTICE_A, USERS

PRACTITIONER = USERS[PRACTICE_A]["practitioner"]
LOCATION = f"loc_{PRACTICE_A}_main"
EMAIL = "jamie.rivera@example.com"
OTHER_EMAIL = "alex.morgan@example.com"

# Google Calendar style: a weekly series on Wednesdays at 14:00 New York, January 2027.
GOOGLE_WEEKLY = f"""
DTSTART;TZID=America/New_York:20270106T140000
DTEND;TZID=America/New_York:20270106T145000
RRULE:FREQ=WEEKLY;COUNT=4;BYDAY=WE
DTSTAMP:20261120T120000Z
UID:7kukuqrfedlm2f9t0vo3u8qz1k@google.com
CREATED:20261101T090000Z
SEQUENCE:0
STATUS:CONFIRMED
SUMMARY:Therapy
ATTENDEE;CUTYPE=INDIVIDUAL;ROLE=REQ-PARTICIPANT;PARTSTAT=ACCEPTED;CN=Jamie Rivera:mailto:{EMAIL}
"""
GOOGLE_UID = "7kukuqrfedlm2f9t0vo3u8qz1k@google.com"
# The second Wednesday moved to Thursday 16:00 (Google writes the moved instance as an override).
SECOND_MOVED_TO_THURSDAY = f"""
DTSTART;TZID=America/New_York:20270114T160000
DTEND;TZID=America/New_York:20270114T165000
DTSTAMP:20261120T120000Z
UID:{GOOGLE_UID}
RECURRENCE-ID;TZID=America/New_York:20270113T140000
SEQUENCE:1
STATUS:CONFIRMED
SUMMARY:Therapy
ATTENDEE;CN=Jamie Rivera:mailto:{EMAIL}
"""
JANUARY = ["2027-01-06T14:00:00-05:00", "2027-01-13T14:00:00-05:00", "2027-01-20T14:00:00-05:00",
           "2027-01-27T14:00:00-05:00"]

# Outlook style: a one-off event in a Windows-named zone block, later moved and lengthened.
OUTLOOK_ONE_OFF = f"""
CLASS:PUBLIC
CREATED:20261115T101500Z
DTEND;TZID=Eastern Standard Time:20270105T105000
DTSTAMP:20261120T120000Z
DTSTART;TZID=Eastern Standard Time:20270105T100000
LAST-MODIFIED:20261115T101500Z
PRIORITY:5
SEQUENCE:0
SUMMARY;LANGUAGE=en-us:Intake
TRANSP:OPAQUE
UID:040000008200E00074C5B7101A82E00800000000D0C6A2B1F0A1DA01000000000000000010000000
ATTENDEE;CN="Alex Morgan";RSVP=TRUE:mailto:{OTHER_EMAIL}
X-MICROSOFT-CDO-BUSYSTATUS:BUSY
"""
OUTLOOK_UID = "040000008200E00074C5B7101A82E00800000000D0C6A2B1F0A1DA01000000000000000010000000"
OUTLOOK_ZONE = """BEGIN:VTIMEZONE\r
TZID:Eastern Standard Time\r
BEGIN:STANDARD\r
DTSTART:16011104T020000\r
RRULE:FREQ=YEARLY;BYDAY=1SU;BYMONTH=11\r
TZOFFSETFROM:-0400\r
TZOFFSETTO:-0500\r
END:STANDARD\r
BEGIN:DAYLIGHT\r
DTSTART:16010311T020000\r
RRULE:FREQ=YEARLY;BYDAY=2SU;BYMONTH=3\r
TZOFFSETFROM:-0500\r
TZOFFSETTO:-0400\r
END:DAYLIGHT\r
END:VTIMEZONE\r
"""


def _ics(*events: str, zone: str = "") -> str:
    body = "\r\n".join(f"BEGIN:VEVENT\r\n{e.strip()}\r\nEND:VEVENT" for e in events)
    return (f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Google Inc//Google Calendar 70.9054//EN\r\n"
            f"CALSCALE:GREGORIAN\r\n{zone}{body}\r\nEND:VCALENDAR\r\n")


def _import(api, calendar, **extra):
    reply = api.post("/v1/appointments/import", {"calendar": calendar, "practitioner_id": PRACTITIONER,
                                                 "location_id": LOCATION, "billing_code": "90837", **extra})
    assert reply.status == 200, reply.body
    return reply.body


def _appointments(api, client, first="2027-01-01", last="2027-03-31"):
    """start -> (id, status, end, cancel_reason) of the client's appointments in the window."""
    listed = api.get(f"/v1/appointments?client_id={client['id']}&from={first}&to={last}")
    assert listed.status == 200, listed.body
    return {a["start"]: (a["id"], a["status"], a["end"], a.get("cancel_reason")) for a in listed.body["items"]}


def _booked(api, client, **window):
    return sorted(s for s, v in _appointments(api, client, **window).items() if v[1] == "booked")


def _lines(result, outcome):
    return [e for e in result["events"] if e["outcome"] == outcome]


def _counts(result):
    return {k: result[k] for k in ("created", "already_imported", "moved", "cancelled", "rebooked", "conflicts")}


def test_reimport_moves_an_occurrence_a_recurrence_id_override_moves(api):
    client = make_client(api, email=EMAIL)
    assert _import(api, _ics(GOOGLE_WEEKLY))["created"] == 4
    second = _appointments(api, client)[JANUARY[1]][0]
    result = _import(api, _ics(GOOGLE_WEEKLY, SECOND_MOVED_TO_THURSDAY))
    assert _counts(result) == {"created": 0, "already_imported": 3, "moved": 1, "cancelled": 0, "rebooked": 0,
                               "conflicts": 0}
    [line] = _lines(result, "moved")
    assert (line["created_id"], line["start"]) == (second, "2027-01-14T16:00:00-05:00")
    assert "2027-01-13" in line["detail"]
    booked = _appointments(api, client)
    assert sorted(booked) == [JANUARY[0], "2027-01-14T16:00:00-05:00", JANUARY[2], JANUARY[3]]
    assert booked["2027-01-14T16:00:00-05:00"][:3] == (second, "booked", "2027-01-14T16:50:00-05:00")


def test_reimport_of_the_moved_file_a_third_time_changes_nothing(api):
    client = make_client(api, email=EMAIL)
    _import(api, _ics(GOOGLE_WEEKLY))
    moved = _ics(GOOGLE_WEEKLY, SECOND_MOVED_TO_THURSDAY)
    _import(api, moved)
    before = _appointments(api, client)
    again = _import(api, moved)
    assert _counts(again) == {"created": 0, "already_imported": 4, "moved": 0, "cancelled": 0, "rebooked": 0,
                              "conflicts": 0}
    assert _appointments(api, client) == before


def test_reimport_moves_an_override_moved_first_and_then_again(api):
    client = make_client(api, email=EMAIL)
    _import(api, _ics(GOOGLE_WEEKLY))
    second = _appointments(api, client)[JANUARY[1]][0]
    _import(api, _ics(GOOGLE_WEEKLY, SECOND_MOVED_TO_THURSDAY))
    later = SECOND_MOVED_TO_THURSDAY.replace("20270114T160000", "20270115T090000").replace(
        "20270114T165000", "20270115T095000")
    result = _import(api, _ics(GOOGLE_WEEKLY, later))
    assert result["moved"] == 1 and _lines(result, "moved")[0]["created_id"] == second
    assert _booked(api, client) == [JANUARY[0], "2027-01-15T09:00:00-05:00", JANUARY[2], JANUARY[3]]


def test_reimport_moves_a_one_off_outlook_event_whose_date_time_and_length_changed(api):
    client = make_client(api, email=OTHER_EMAIL)
    assert _import(api, _ics(OUTLOOK_ONE_OFF, zone=OUTLOOK_ZONE))["created"] == 1
    [(first, (made, _, _, _))] = _appointments(api, client).items()
    assert first == "2027-01-05T10:00:00-05:00"
    moved = OUTLOOK_ONE_OFF.replace("DTSTART;TZID=Eastern Standard Time:20270105T100000",
                                    "DTSTART;TZID=Eastern Standard Time:20270107T110000").replace(
        "DTEND;TZID=Eastern Standard Time:20270105T105000", "DTEND;TZID=Eastern Standard Time:20270107T120000")
    result = _import(api, _ics(moved, zone=OUTLOOK_ZONE))
    assert (result["created"], result["moved"]) == (0, 1)
    assert _appointments(api, client) == {
        "2027-01-07T11:00:00-05:00": (made, "booked", "2027-01-07T12:00:00-05:00", None)}
    assert _counts(_import(api, _ics(moved, zone=OUTLOOK_ZONE)))["already_imported"] == 1
    assert _appointments(api, client) == {
        "2027-01-07T11:00:00-05:00": (made, "booked", "2027-01-07T12:00:00-05:00", None)}


def test_reimport_moves_a_whole_series_to_a_new_hour_across_daylight_saving(api):
    # Clocks go forward on 14 March 2027: the wall-clock time holds, the UTC offset changes.
    client = make_client(api, email=EMAIL)
    march = GOOGLE_WEEKLY.replace("20270106T14", "20270310T14").replace("COUNT=4", "COUNT=3")
    _import(api, _ics(march))
    ids = sorted(v[0] for v in _appointments(api, client).values())
    assert _booked(api, client) == ["2027-03-10T14:00:00-05:00", "2027-03-17T14:00:00-04:00",
                                    "2027-03-24T14:00:00-04:00"]
    later = march.replace("20270310T140000", "20270310T150000").replace("20270310T145000", "20270310T155000")
    result = _import(api, _ics(later))
    assert (result["created"], result["moved"], result["cancelled"]) == (0, 3, 0)
    after = _appointments(api, client)
    assert sorted(after) == ["2027-03-10T15:00:00-05:00", "2027-03-17T15:00:00-04:00", "2027-03-24T15:00:00-04:00"]
    assert sorted(v[0] for v in after.values()) == ids


def test_reimport_moves_an_override_onto_the_other_side_of_the_daylight_saving_change(api):
    client = make_client(api, email=EMAIL)
    march = GOOGLE_WEEKLY.replace("20270106T14", "20270310T14").replace("COUNT=4", "COUNT=3")
    _import(api, _ics(march))
    override = SECOND_MOVED_TO_THURSDAY.replace("RECURRENCE-ID;TZID=America/New_York:20270113T140000",
                                                "RECURRENCE-ID;TZID=America/New_York:20270310T140000").replace(
        "20270114T160000", "20270315T090000").replace("20270114T165000", "20270315T095000")
    result = _import(api, _ics(march, override))
    assert result["moved"] == 1
    assert _booked(api, client) == ["2027-03-15T09:00:00-04:00", "2027-03-17T14:00:00-04:00",
                                    "2027-03-24T14:00:00-04:00"]


def test_reimport_cancels_the_occurrences_a_shortened_series_drops(api):
    client = make_client(api, email=EMAIL)
    _import(api, _ics(GOOGLE_WEEKLY))
    result = _import(api, _ics(GOOGLE_WEEKLY.replace("COUNT=4", "COUNT=2")))
    assert _counts(result) == {"created": 0, "already_imported": 2, "moved": 0, "cancelled": 2, "rebooked": 0,
                               "conflicts": 0}
    booked = _appointments(api, client)
    assert [booked[s][1] for s in JANUARY] == ["booked", "booked", "cancelled", "cancelled"]
    assert "no longer in the calendar" in booked[JANUARY[3]][3]
    assert sorted(e["start"] for e in _lines(result, "cancelled")) == JANUARY[2:]
    again = _import(api, _ics(GOOGLE_WEEKLY.replace("COUNT=4", "COUNT=2")))
    assert (again["cancelled"], again["conflicts"], again["already_imported"]) == (0, 0, 2)


def test_reimport_cancels_what_an_earlier_until_now_ends_before(api):
    client = make_client(api, email=EMAIL)
    _import(api, _ics(GOOGLE_WEEKLY))
    # Google ends a series "this and following" by giving it an UNTIL the day before.
    ended = GOOGLE_WEEKLY.replace("COUNT=4", "UNTIL=20270119T045959Z")
    result = _import(api, _ics(ended))
    assert result["cancelled"] == 2
    assert _booked(api, client) == JANUARY[:2]


def test_reimport_leaves_the_appointments_of_an_event_missing_from_the_file(api):
    # An export often covers a date range only: an absent UID is not taken as deleted.
    client = make_client(api, email=EMAIL)
    other = make_client(api, email=OTHER_EMAIL)
    _import(api, _ics(GOOGLE_WEEKLY, OUTLOOK_ONE_OFF, zone=OUTLOOK_ZONE))
    result = _import(api, _ics(GOOGLE_WEEKLY))
    assert _counts(result) == {"created": 0, "already_imported": 4, "moved": 0, "cancelled": 0, "rebooked": 0,
                               "conflicts": 0}
    assert _booked(api, other) == ["2027-01-05T10:00:00-05:00"]
    assert _booked(api, client) == JANUARY


def test_reimport_rebooks_an_occurrence_live_again_after_the_calendar_cancelled_it(api):
    client = make_client(api, email=EMAIL)
    _import(api, _ics(GOOGLE_WEEKLY))
    cancelled = SECOND_MOVED_TO_THURSDAY.replace("20270114T160000", "20270113T140000").replace(
        "20270114T165000", "20270113T145000").replace("STATUS:CONFIRMED", "STATUS:CANCELLED")
    assert _import(api, _ics(GOOGLE_WEEKLY, cancelled))["cancelled"] == 1
    result = _import(api, _ics(GOOGLE_WEEKLY))
    assert _counts(result) == {"created": 0, "already_imported": 3, "moved": 0, "cancelled": 0, "rebooked": 1,
                               "conflicts": 0}
    [line] = _lines(result, "rebooked")
    assert line["start"] == JANUARY[1] and line["created_id"]
    assert _booked(api, client) == JANUARY
    again = _import(api, _ics(GOOGLE_WEEKLY))
    assert (again["rebooked"], again["already_imported"], again["created"]) == (0, 4, 0)
    assert _booked(api, client) == JANUARY


def test_reimport_of_an_occurrence_live_again_whose_slot_the_practitioner_filled_is_a_conflict(api):
    client = make_client(api, email=EMAIL)
    other = make_client(api, email=OTHER_EMAIL)
    _import(api, _ics(GOOGLE_WEEKLY))
    _import(api, _ics(GOOGLE_WEEKLY.replace("STATUS:CONFIRMED", "STATUS:CANCELLED")))
    filled = api.post("/v1/appointments", {"client_id": other["id"], "practitioner_id": PRACTITIONER,
                                           "location_id": LOCATION, "billing_code": "90837",
                                           "start": "2027-01-13T14:00:00",
                                           "end": "2027-01-13T14:50:00"})
    assert filled.status == 201, filled.body
    result = _import(api, _ics(GOOGLE_WEEKLY))
    assert (result["rebooked"], result["conflicts"]) == (3, 1)
    [conflict] = _lines(result, "conflict")
    assert conflict["start"] == JANUARY[1] and filled.body["appointments"][0]["id"] in conflict["detail"]
    assert _booked(api, client) == [JANUARY[0], JANUARY[2], JANUARY[3]]


def test_reimport_of_an_occurrence_staff_cancelled_keeps_it_cancelled_and_says_so(api):
    client = make_client(api, email=EMAIL)
    _import(api, _ics(GOOGLE_WEEKLY))
    target = _appointments(api, client)[JANUARY[1]][0]
    current = api.get(f"/v1/appointments/{target}")
    cancel = api.post(f"/v1/appointments/{target}/status", {"status": "cancelled", "reason": "Client is away"},
                      headers={"If-Match": current.etag})
    assert cancel.status == 200, cancel.body
    result = _import(api, _ics(GOOGLE_WEEKLY))
    [conflict] = _lines(result, "conflict")
    assert conflict["created_id"] == target and "cancelled in Caseload" in conflict["detail"]
    assert result["already_imported"] == 3 and _booked(api, client) == [JANUARY[0], JANUARY[2], JANUARY[3]]


def test_reimport_keeps_an_appointment_staff_moved_while_the_calendar_did_not(api):
    client = make_client(api, email=EMAIL)
    _import(api, _ics(GOOGLE_WEEKLY))
    target = _appointments(api, client)[JANUARY[1]][0]
    current = api.get(f"/v1/appointments/{target}")
    moved = api.patch(f"/v1/appointments/{target}", {"start": "2027-01-12T09:00:00", "end": "2027-01-12T09:50:00"},
                      if_match=current.etag)
    assert moved.status == 200, moved.body
    result = _import(api, _ics(GOOGLE_WEEKLY))
    assert (result["already_imported"], result["moved"], result["created"]) == (4, 0, 0)
    assert _booked(api, client) == [JANUARY[0], "2027-01-12T09:00:00-05:00", JANUARY[2], JANUARY[3]]


def test_reimport_of_an_occurrence_moved_both_in_caseload_and_in_the_calendar_is_a_conflict(api):
    client = make_client(api, email=EMAIL)
    _import(api, _ics(GOOGLE_WEEKLY))
    target = _appointments(api, client)[JANUARY[1]][0]
    current = api.get(f"/v1/appointments/{target}")
    api.patch(f"/v1/appointments/{target}", {"start": "2027-01-12T09:00:00", "end": "2027-01-12T09:50:00"},
              if_match=current.etag)
    result = _import(api, _ics(GOOGLE_WEEKLY, SECOND_MOVED_TO_THURSDAY))
    [conflict] = _lines(result, "conflict")
    assert conflict["created_id"] == target and "moved in Caseload" in conflict["detail"]
    assert _booked(api, client) == [JANUARY[0], "2027-01-12T09:00:00-05:00", JANUARY[2], JANUARY[3]]


def test_reimport_move_into_a_taken_room_is_a_conflict_and_moves_nothing(api):
    client = make_client(api, email=EMAIL)
    other = make_client(api, email=OTHER_EMAIL)
    room = api.post("/v1/rooms", {"name": "Blue room", "location_ids": [LOCATION], "capacity": 1})
    assert room.status == 201, room.body
    _import(api, _ics(GOOGLE_WEEKLY))
    target = _appointments(api, client)[JANUARY[1]][0]
    current = api.get(f"/v1/appointments/{target}")
    assert api.patch(f"/v1/appointments/{target}", {"room_id": room.body["id"]}, if_match=current.etag).status == 200
    taken = api.post("/v1/appointments", {"client_id": other["id"], "practitioner_id": PRACTITIONER,
                                          "location_id": LOCATION, "room_id": room.body["id"], "billing_code": "90837",
                                          "start": "2027-01-14T16:00:00", "end": "2027-01-14T17:00:00"})
    assert taken.status == 201, taken.body
    result = _import(api, _ics(GOOGLE_WEEKLY, SECOND_MOVED_TO_THURSDAY))
    [conflict] = _lines(result, "conflict")
    assert result["moved"] == 0 and conflict["created_id"] == target and "room" in conflict["detail"]
    assert _booked(api, client) == JANUARY
    # Once the room is free, the same file moves it.
    booked = taken.body["appointments"][0]
    api.post(f"/v1/appointments/{booked['id']}/status", {"status": "cancelled", "reason": "Room needed"},
             headers={"If-Match": api.get(f"/v1/appointments/{booked['id']}").etag})
    assert _import(api, _ics(GOOGLE_WEEKLY, SECOND_MOVED_TO_THURSDAY))["moved"] == 1


def test_reimport_keeps_an_attended_occurrence_the_calendar_moves_and_lists_a_conflict(api):
    client = make_client(api, email=EMAIL)
    past = GOOGLE_WEEKLY.replace("20270106T14", "20261007T14").replace("BYDAY=WE", "BYDAY=WE")
    _import(api, _ics(past))
    window = {"first": "2026-10-01", "last": "2026-11-30"}
    first = _appointments(api, client, **window)["2026-10-07T14:00:00-04:00"][0]
    current = api.get(f"/v1/appointments/{first}")
    attended = api.post(f"/v1/appointments/{first}/status", {"status": "attended"},
                        headers={"If-Match": current.etag})
    assert attended.status == 200, attended.body
    moved = past.replace("DTSTART;TZID=America/New_York:20261007T140000",
                         "DTSTART;TZID=America/New_York:20261007T150000").replace(
        "DTEND;TZID=America/New_York:20261007T145000", "DTEND;TZID=America/New_York:20261007T155000")
    result = _import(api, _ics(moved))
    conflicts = _lines(result, "conflict")
    assert [c["created_id"] for c in conflicts] == [first] and "attended" in conflicts[0]["detail"]
    assert result["moved"] == 3
    assert _appointments(api, client, **window)["2026-10-07T14:00:00-04:00"][:2] == (first, "attended")


def test_reimport_keeps_a_billed_session_the_calendar_moves_and_bills_it_once(api):
    client = make_client(api, email=EMAIL)
    past = GOOGLE_WEEKLY.replace("20270106T14", "20261007T14").replace("RRULE:FREQ=WEEKLY;COUNT=4;BYDAY=WE\n", "")
    assert _import(api, _ics(past), send_to_billing=True)["created"] == 1
    moved = past.replace("20261007T140000", "20261008T100000").replace("20261007T145000", "20261008T105000")
    result = _import(api, _ics(moved), send_to_billing=True)
    [conflict] = _lines(result, "conflict")
    assert result["created"] == 0 and "to billing as client session" in conflict["detail"]
    sessions = api.get(f"/v1/clients/{client['id']}/sessions").body["items"]
    assert [s["date_of_service"] for s in sessions] == ["2026-10-07"]


def test_reimport_of_an_override_an_older_import_booked_twice_cancels_the_one_left_behind(api, monkeypatch):
    # Before imports kept their notes, a moved override was booked anew under the id of its new
    # start and the occurrence's first appointment stayed booked: the next import puts that right.
    from chalicelib.services import calendar_import

    book_event, record = calendar_import._book_event, calendar_import.import_store.record_placed

    def as_before(*args, **kwargs):
        plan = book_event(*args, **kwargs)
        return plan._replace(wanted=tuple(calendar_import.replace(w, original=w.start) for w in plan.wanted))

    monkeypatch.setattr(calendar_import, "_book_event", as_before)
    monkeypatch.setattr(calendar_import.import_store, "record_placed", lambda *args, **kwargs: None)
    client = make_client(api, email=EMAIL)
    _import(api, _ics(GOOGLE_WEEKLY))
    _import(api, _ics(GOOGLE_WEEKLY, SECOND_MOVED_TO_THURSDAY))
    assert len(_booked(api, client)) == 5  # the old way: booked twice
    monkeypatch.setattr(calendar_import, "_book_event", book_event)
    monkeypatch.setattr(calendar_import.import_store, "record_placed", record)
    result = _import(api, _ics(GOOGLE_WEEKLY, SECOND_MOVED_TO_THURSDAY))
    assert (result["cancelled"], result["moved"], result["created"]) == (1, 0, 0)
    assert _booked(api, client) == [JANUARY[0], "2027-01-14T16:00:00-05:00", JANUARY[2], JANUARY[3]]
    assert "booked it again at its new time" in _appointments(api, client)[JANUARY[1]][3]
    again = _import(api, _ics(GOOGLE_WEEKLY, SECOND_MOVED_TO_THURSDAY))
    assert (again["cancelled"], again["moved"], again["already_imported"]) == (0, 0, 4)

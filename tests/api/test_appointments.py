"""/v1/appointments: booking, conflicts, series warnings, views, attendance and charging."""
from __future__ import annotations

from datetime import UTC, datetime

from tests.api.entitlement_helpers import make_authorization, make_client, make_pack
from tests.conftest import PRACTICE_A, USERS

PRACTITIONER = USERS[PRACTICE_A]["practitioner"]
LOCATION, ROOM = f"loc_{PRACTICE_A}_main", f"room_{PRACTICE_A}_1"


def _book(api, client_id, start="2026-12-01T10:00:00", end="2026-12-01T10:50:00", **extra):
    body = {"client_id": client_id, "practitioner_id": PRACTITIONER, "location_id": LOCATION,
            "start": start, "end": end, "billing_code": "90837", **extra}
    return api.post("/v1/appointments", body, role="front_desk")


def _status(api, appointment, status, **extra):
    current = api.get(f"/v1/appointments/{appointment['id']}")
    return api.post(f"/v1/appointments/{appointment['id']}/status", {"status": status, **extra},
                    headers={"If-Match": current.etag})


def test_booking_stores_practice_time_and_shows_in_views(api):
    client = make_client(api)
    reply = _book(api, client["id"], room_id=ROOM)
    assert reply.status == 201, reply.body
    appt = reply.body["appointments"][0]
    assert reply.headers["location"] == f"/v1/appointments/{appt['id']}"
    assert appt["start"] == "2026-12-01T10:00:00-05:00" and appt["status"] == "booked" and not reply.body["warnings"]
    for view in (f"practitioner_id={PRACTITIONER}", f"room_id={ROOM}", f"client_id={client['id']}"):
        day = api.get(f"/v1/appointments?{view}&from=2026-12-01&to=2026-12-01").body["items"]
        assert [a["id"] for a in day] == [appt["id"]], view
    assert api.get(f"/v1/appointments?practitioner_id={PRACTITIONER}&from=2026-12-02&to=2026-12-08").body["items"] == []


def test_weekly_series_warns_which_occurrences_exceed_or_fall_after_the_authorization(api):
    client = make_client(api)
    make_authorization(api, client["id"], allowed="6", begin_on="2026-11-01", end_on="2027-01-19")
    reply = _book(api, client["id"], recurrence={"frequency": "weekly", "count": 10})
    assert reply.status == 201, reply.body
    starts = [a["start"][:10] for a in reply.body["appointments"]]
    assert starts == ["2026-12-01", "2026-12-08", "2026-12-15", "2026-12-22", "2026-12-29", "2027-01-05",
                      "2027-01-12", "2027-01-19", "2027-01-26", "2027-02-02"]
    warned = {w["occurrence"]: w["detail"] for w in reply.body["warnings"] if w["kind"] == "authorization"}
    assert set(warned) == {7, 8, 9, 10}
    assert warned[7] == warned[8] == "authorization PA-7781 (Acme Health) is used up"
    assert warned[9] == warned[10] == "authorization PA-7781 (Acme Health) ended on 2027-01-19"
    assert len({a["series_id"] for a in reply.body["appointments"]}) == 1


def test_booked_appointments_count_as_pending_usage_by_practice_setting(api):
    client = make_client(api)
    make_authorization(api, client["id"], allowed="2", begin_on="2026-11-01", end_on="2027-12-31")
    assert _book(api, client["id"], start="2026-12-01T09:00:00", end="2026-12-01T09:50:00").status == 201
    assert _book(api, client["id"], start="2026-12-02T09:00:00", end="2026-12-02T09:50:00").status == 201
    third = _book(api, client["id"], start="2026-12-03T09:00:00", end="2026-12-03T09:50:00").body
    assert [w["detail"] for w in third["warnings"]] == ["authorization PA-7781 (Acme Health) is used up"]
    practice = api.get("/v1/practice")
    api.patch("/v1/practice", {"count_booked_as_pending": False}, if_match=practice.etag)
    fourth = _book(api, client["id"], start="2026-12-04T09:00:00", end="2026-12-04T09:50:00").body
    assert fourth["warnings"] == []


def test_balance_block_mode_refuses_and_books_nothing(api):
    client = make_client(api)
    make_pack(api, client["id"], name="Two", measure="sessions", limit="2", price="1")
    practice = api.get("/v1/practice")
    api.patch("/v1/practice", {"balance_booking": "block"}, if_match=practice.etag)
    reply = _book(api, client["id"], recurrence={"frequency": "weekly", "count": 3})
    assert reply.status == 409 and [w["occurrence"] for w in reply.body["warnings"]] == [3]
    assert api.get(f"/v1/appointments?client_id={client['id']}&from=2026-12-01&to=2027-01-31").body["items"] == []


def test_room_clash_needs_an_explicit_override(api):
    client = make_client(api)
    assert _book(api, client["id"], room_id=ROOM).status == 201
    clash = _book(api, client["id"], room_id=ROOM, start="2026-12-01T10:30:00", end="2026-12-01T11:20:00")
    assert clash.status == 409 and clash.body["warnings"][0]["kind"] == "room"
    assert "override_room_conflict" in clash.body["detail"]
    back_to_back = _book(api, client["id"], room_id=ROOM, start="2026-12-01T10:50:00", end="2026-12-01T11:40:00")
    assert back_to_back.status == 201
    forced = _book(api, client["id"], room_id=ROOM, start="2026-12-01T10:30:00", end="2026-12-01T11:20:00",
                   override_room_conflict=True)
    assert forced.status == 201 and {w["kind"] for w in forced.body["warnings"]} == {"room", "practitioner"}


def test_hard_block_mode_refuses_room_clash_even_with_override(api):
    client = make_client(api)
    practice = api.get("/v1/practice")
    api.patch("/v1/practice", {"room_booking": "block"}, if_match=practice.etag)
    assert _book(api, client["id"], room_id=ROOM).status == 201
    refused = _book(api, client["id"], room_id=ROOM, start="2026-12-01T10:45:00", end="2026-12-01T11:30:00",
                    override_room_conflict=True)
    assert refused.status == 409 and "override" not in refused.body["detail"]


def test_practitioner_double_booking_is_a_warning(api):
    a, b = make_client(api, "A", "One"), make_client(api, "B", "Two")
    assert _book(api, a["id"]).status == 201
    second = _book(api, b["id"], start="2026-12-01T10:15:00", end="2026-12-01T11:00:00")
    assert second.status == 201 and [w["kind"] for w in second.body["warnings"]] == ["practitioner"]


def test_series_keeps_local_time_across_daylight_saving(api):
    client = make_client(api)
    reply = _book(api, client["id"], start="2027-03-02T10:00:00", end="2027-03-02T10:50:00",
                  recurrence={"frequency": "weekly", "until": "2027-03-20"})
    assert [a["start"] for a in reply.body["appointments"]] == [
        "2027-03-02T10:00:00-05:00", "2027-03-09T10:00:00-05:00", "2027-03-16T10:00:00-04:00"]


def test_attend_charges_and_cancel_gives_back(api):
    client = make_client(api)
    auth = make_authorization(api, client["id"])
    appt = _book(api, client["id"]).body["appointments"][0]
    attended = _status(api, appt, "attended")
    assert attended.status == 200, attended.body
    assert attended.body["charge"]["authorization"]["counted"] == "session 1 of 12 authorized, 11 left, ends 2027-03-31"
    assert attended.body["appointment"]["prior_authorization_number"] == "PA-7781"
    assert attended.body["appointment"]["status"] == "attended"
    cancelled = _status(api, appt, "cancelled", reason="Booked in error")
    assert cancelled.status == 200 and cancelled.body["reversal"]["reversed"][0]["id"] == auth["id"]
    assert cancelled.body["appointment"]["cancel_reason"] == "Booked in error"
    assert api.get(f"/v1/clients/{client['id']}/authorizations/{auth['id']}").body["used"] == "0"
    assert _status(api, appt, "booked").status == 409  # cancelled stays cancelled


def test_changing_attended_to_no_show_recharges_by_pack_setting(api):
    client = make_client(api)
    pack = make_pack(api, client["id"], name="P", measure="sessions", limit="5", price="1", charge_no_shows=True)
    make_authorization(api, client["id"])
    appt = _book(api, client["id"]).body["appointments"][0]
    _status(api, appt, "attended")
    no_show = _status(api, appt, "no_show").body
    assert no_show["reversal"]["reversed"] and no_show["charge"]["pack"]["id"] == pack["id"]
    assert no_show["charge"]["authorization"] is None and no_show["appointment"]["prior_authorization_number"] is None
    assert api.get(f"/v1/clients/{client['id']}/packs/{pack['id']}").body["used"] == "1"


def test_status_change_with_stale_if_match_is_412_and_charges_nothing(api):
    client = make_client(api)
    pack = make_pack(api, client["id"], name="P", measure="sessions", limit="5", price="1")
    appt = _book(api, client["id"]).body["appointments"][0]
    reply = api.post(f"/v1/appointments/{appt['id']}/status", {"status": "attended"}, headers={"If-Match": '"7"'})
    assert reply.status == 412
    assert api.get(f"/v1/clients/{client['id']}/packs/{pack['id']}").body["used"] == "0"


def test_booking_validation_names_the_fields(api):
    client = make_client(api)
    reply = _book(api, client["id"], end="2026-12-01T09:00:00")
    assert reply.status == 422 and "end must be after start" in reply.body["errors"][0]["reason"]
    reply = api.post("/v1/appointments", {"client_id": "cli_x", "practitioner_id": USERS[PRACTICE_A]["billing"],
                                          "location_id": "loc_x", "start": "2026-12-01T10:00:00",
                                          "end": "2026-12-01T10:50:00"})
    fields = {e["field"]: e["reason"] for e in reply.body["errors"]}
    assert fields == {"body.client_id": "does not exist in this practice",
                      "body.practitioner_id": "is not a practitioner",
                      "body.location_id": "does not exist in this practice"}
    no_code = api.post("/v1/appointments", {"client_id": client["id"], "practitioner_id": PRACTITIONER,
                                            "location_id": LOCATION, "start": "2026-12-01T10:00:00",
                                            "end": "2026-12-01T10:50:00"})
    assert no_code.status == 422 and no_code.body["errors"][0]["field"] == "body.billing_code"


def test_billing_code_defaults_from_the_clients_default_service(api):
    client = make_client(api, default_service={"billing_code": "90834"})
    reply = api.post("/v1/appointments", {"client_id": client["id"], "practitioner_id": PRACTITIONER,
                                          "location_id": LOCATION, "start": "2026-12-01T10:00:00",
                                          "end": "2026-12-01T10:45:00"})
    assert reply.status == 201 and reply.body["appointments"][0]["billing_code"] == "90834"


def test_another_practice_sees_nothing_of_a_schedule(api):
    client = make_client(api)
    appt = _book(api, client["id"], room_id=ROOM).body["appointments"][0]
    for view in (f"practitioner_id={PRACTITIONER}", f"room_id={ROOM}", f"client_id={client['id']}"):
        assert api.get(f"/v1/appointments?{view}&from=2026-12-01&to=2026-12-01",
                       practice="prc_b").body["items"] == []
    assert api.get(f"/v1/appointments/{appt['id']}", practice="prc_b").status == 404


def test_moving_one_occurrence_leaves_the_rest_of_the_series(api):
    client = make_client(api)
    series = _book(api, client["id"], recurrence={"frequency": "weekly", "count": 3}).body["appointments"]
    second = series[1]
    moved = api.patch(f"/v1/appointments/{second['id']}",
                      {"start": "2026-12-09T14:00:00", "end": "2026-12-09T14:50:00"}, if_match='"1"')
    assert moved.status == 200, moved.body
    assert [a["start"] for a in moved.body["appointments"]] == ["2026-12-09T14:00:00-05:00"]
    starts = [a["start"] for a in api.get(
        f"/v1/appointments?client_id={client['id']}&from=2026-12-01&to=2026-12-31").body["items"]]
    assert starts == ["2026-12-01T10:00:00-05:00", "2026-12-09T14:00:00-05:00", "2026-12-15T10:00:00-05:00"]


def test_shifting_the_rest_of_a_series_moves_every_later_occurrence(api):
    client = make_client(api)
    series = _book(api, client["id"], recurrence={"frequency": "weekly", "count": 4}).body["appointments"]
    reply = api.patch(f"/v1/appointments/{series[1]['id']}", {"start": "2026-12-08T11:00:00",
                                                              "end": "2026-12-08T11:50:00", "scope": "following"},
                      if_match='"1"')
    assert [a["start"][11:16] for a in reply.body["appointments"]] == ["11:00", "11:00", "11:00"]
    assert api.get(f"/v1/appointments/{series[0]['id']}").body["start"] == "2026-12-01T10:00:00-05:00"
    day = api.get(f"/v1/appointments?practitioner_id={PRACTITIONER}&from=2026-12-22&to=2026-12-22").body["items"]
    assert [a["start"] for a in day] == ["2026-12-22T11:00:00-05:00"]


def test_moving_the_rest_of_a_series_across_daylight_saving_keeps_the_local_time(api):
    # Weekly from Saturday 6 March 2027, 23:30 New York; clocks go forward on 14 March. Moving
    # the first to Sunday 20:30 (given in UTC) moves the others to Sunday 20:30 too, not 21:30.
    client = make_client(api)
    series = _book(api, client["id"], start="2027-03-06T23:30:00", end="2027-03-07T00:20:00",
                   recurrence={"frequency": "weekly", "count": 3}).body["appointments"]
    reply = api.patch(f"/v1/appointments/{series[0]['id']}", {"start": "2027-03-08T01:30:00Z",
                                                              "end": "2027-03-08T02:20:00Z", "scope": "following"},
                      if_match='"1"')
    assert reply.status == 200, reply.body
    assert [(a["start"], a["end"]) for a in reply.body["appointments"]] == [
        ("2027-03-07T20:30:00-05:00", "2027-03-07T21:20:00-05:00"),
        ("2027-03-14T20:30:00-04:00", "2027-03-14T21:20:00-04:00"),
        ("2027-03-21T20:30:00-04:00", "2027-03-21T21:20:00-04:00")]


def test_moving_into_a_taken_room_is_refused_in_block_mode(api):
    client = make_client(api)
    practice = api.get("/v1/practice")
    api.patch("/v1/practice", {"room_booking": "block"}, if_match=practice.etag)
    first = _book(api, client["id"], room_id=ROOM).body["appointments"][0]
    second = _book(api, client["id"], room_id=ROOM, start="2026-12-01T11:00:00",
                   end="2026-12-01T11:50:00").body["appointments"][0]
    clash = api.patch(f"/v1/appointments/{second['id']}", {"start": "2026-12-01T10:30:00",
                                                            "end": "2026-12-01T11:20:00"}, if_match='"1"')
    assert clash.status == 409
    later = api.patch(f"/v1/appointments/{first['id']}", {"start": "2026-12-01T12:00:00", "end": "2026-12-01T12:50:00"},
                      if_match='"1"')
    assert later.status == 200  # its old slots are free now ...
    assert api.patch(f"/v1/appointments/{second['id']}", {"start": "2026-12-01T10:00:00",
                                                          "end": "2026-12-01T10:50:00"}, if_match='"1"').status == 200


def test_cancelling_the_rest_of_a_series(api):
    client = make_client(api)
    series = _book(api, client["id"],
                   recurrence={"frequency": "fortnightly", "until": "2027-01-31"}).body["appointments"]
    assert [a["start"][:10] for a in series] == ["2026-12-01", "2026-12-15", "2026-12-29", "2027-01-12", "2027-01-26"]
    reply = api.post(f"/v1/appointments/{series[2]['id']}/cancel-following", {"reason": "Client moved away"},
                     headers={"If-Match": '"1"'})
    assert reply.status == 200 and [a["status"] for a in reply.body["appointments"]] == ["cancelled"] * 3
    statuses = [api.get(f"/v1/appointments/{a['id']}").body["status"] for a in series]
    assert statuses == ["booked", "booked", "cancelled", "cancelled", "cancelled"]


def test_attended_appointments_cannot_be_moved(api):
    client = make_client(api)
    appt = _book(api, client["id"]).body["appointments"][0]
    _status(api, appt, "attended")
    reply = api.patch(f"/v1/appointments/{appt['id']}", {"notes": "x"}, if_match='"2"')
    assert reply.status == 409


def test_series_limits_are_422(api):
    client = make_client(api)
    empty = _book(api, client["id"], recurrence={"frequency": "weekly", "until": "2026-11-01"})
    assert empty.status == 422 and empty.body["errors"][0]["field"] == "body.recurrence"
    endless = _book(api, client["id"], recurrence={"frequency": "weekly", "until": "2030-12-31"})
    assert endless.status == 422 and "at most 104" in endless.body["errors"][0]["reason"]
    practice = api.get("/v1/practice")
    api.patch("/v1/practice", {"room_booking": "block"}, if_match=practice.etag)
    long_day = _book(api, client["id"], room_id=ROOM, start="2026-12-01T08:00:00", end="2026-12-01T18:00:00")
    assert long_day.status == 422 and long_day.body["errors"][0]["field"] == "body.end"


def test_booking_answers_the_etag_of_its_first_appointment(api):
    client = make_client(api)
    one = _book(api, client["id"])
    assert one.status == 201 and one.etag == '"1"' and one.body["version"] == 1
    series = _book(api, client["id"], start="2026-12-02T10:00:00", end="2026-12-02T10:50:00",
                   recurrence={"frequency": "weekly", "count": 3})
    assert series.status == 201 and series.etag == '"1"'
    assert [a["version"] for a in series.body["appointments"]] == [1, 1, 1]
    first = series.body["appointments"][0]
    moved = api.patch(f"/v1/appointments/{first['id']}", {"notes": "moved"}, if_match=series.etag)
    assert moved.status == 200 and moved.etag == '"2"' and moved.body["version"] == 2
    assert api.patch(f"/v1/appointments/{first['id']}", {"notes": "again"}, if_match=moved.etag).status == 200


def test_cancelling_the_rest_of_a_series_answers_the_etag_of_the_first(api):
    client = make_client(api)
    series = _book(api, client["id"], recurrence={"frequency": "weekly", "count": 2}).body["appointments"]
    reply = api.post(f"/v1/appointments/{series[0]['id']}/cancel-following", {"reason": "Moved away"},
                     headers={"If-Match": '"1"'})
    assert reply.status == 200 and reply.etag == '"2"'
    assert [a["version"] for a in reply.body["appointments"]] == [2, 2]


def test_schedule_items_carry_their_version(api):
    client = make_client(api)
    appt = _book(api, client["id"]).body["appointments"][0]
    api.patch(f"/v1/appointments/{appt['id']}", {"notes": "x"}, if_match='"1"')
    day = api.get(f"/v1/appointments?client_id={client['id']}&from=2026-12-01&to=2026-12-01").body["items"]
    assert [a["version"] for a in day] == [2]


def test_room_conflict_refusal_names_the_appointment_holding_the_room(api):
    client = make_client(api)
    first = _book(api, client["id"], room_id=ROOM).body["appointments"][0]
    clash = _book(api, client["id"], room_id=ROOM, start="2026-12-01T10:45:00", end="2026-12-01T11:30:00")
    assert clash.status == 409 and first["id"] in clash.body["warnings"][0]["detail"]
    # The times a person reads, in the practice's zone, as the booking was made.
    assert clash.body["warnings"][0]["detail"] == f"room is booked 10:00-10:50 ({first['id']})"
    overridden = _book(api, client["id"], room_id=ROOM, start="2026-12-01T10:45:00", end="2026-12-01T11:30:00",
                       override_room_conflict=True)
    assert {w["kind"]: w["detail"] for w in overridden.body["warnings"]}["practitioner"] == \
        f"practitioner is booked 10:00-10:50 ({first['id']})"


def test_cancelled_appointment_frees_its_room_for_a_booking_without_override(api):
    client = make_client(api)
    first = _book(api, client["id"], room_id=ROOM).body["appointments"][0]
    assert _status(api, first, "cancelled", reason="Client ill").status == 200
    again = _book(api, client["id"], room_id=ROOM)
    assert again.status == 201 and not again.body["warnings"]


def _stored_without_slots(client_id, start, end):
    """An appointment as stored before room slots were recorded in every mode: no slot items."""
    from datetime import datetime

    from chalicelib.domain.scheduling import Occurrence
    from chalicelib.models.appointments import AppointmentCreate
    from chalicelib.services.appointments import appointment_item
    from chalicelib.store import items

    data = AppointmentCreate.model_construct(client_id=client_id, practitioner_id=PRACTITIONER, location_id=LOCATION,
                                             room_id=ROOM, telehealth=False, notes=None)
    occ = Occurrence(1, datetime.fromisoformat(start).astimezone(UTC),
                     datetime.fromisoformat(end).astimezone(UTC))
    item = appointment_item(PRACTICE_A, data, "90837", occ, None)
    items.transact([items.put_action(item)])
    return item


def test_appointments_stored_without_room_slots_move_cancel_and_still_block_the_room(api):
    client = make_client(api)
    old = _stored_without_slots(client["id"], "2026-12-01T10:00:00-05:00", "2026-12-01T10:50:00-05:00")
    clash = _book(api, client["id"], room_id=ROOM)
    assert clash.status == 409 and old["id"] in clash.body["warnings"][0]["detail"]
    forced = _book(api, client["id"], room_id=ROOM, start="2026-12-01T10:10:00", end="2026-12-01T10:40:00",
                   override_room_conflict=True)
    assert forced.status == 201
    edited = api.patch(f"/v1/appointments/{old['id']}", {"notes": "kept its time"}, if_match='"1"')
    assert edited.status == 200, edited.body  # its own times are not a new clash
    moved = api.patch(f"/v1/appointments/{old['id']}", {"start": "2026-12-01T12:00:00", "end": "2026-12-01T12:50:00"},
                      if_match=edited.etag)
    assert moved.status == 200, moved.body
    assert _book(api, client["id"], room_id=ROOM, start="2026-12-01T12:30:00", end="2026-12-01T13:00:00").status == 409
    other = _stored_without_slots(client["id"], "2026-12-01T15:00:00-05:00", "2026-12-01T15:50:00-05:00")
    assert _status(api, {"id": other["id"]}, "cancelled", reason="Old booking").status == 200
    assert _book(api, client["id"], room_id=ROOM, start="2026-12-01T15:00:00", end="2026-12-01T15:50:00").status == 201


def test_series_move_refused_on_a_later_occurrence_moves_none_of_it(api):
    from datetime import datetime

    from chalicelib.domain.scheduling import room_slots, slot_changes
    from chalicelib.store import items
    from chalicelib.store.room_slots import hold_action

    client = make_client(api)
    series = _book(api, client["id"], room_id=ROOM, recurrence={"frequency": "weekly", "count": 3}).body
    # Another booking takes the third week's new time between this move's read and its writes.
    start, end = datetime(2026, 12, 15, 16, 0, tzinfo=UTC), datetime(2026, 12, 15, 16, 50, tzinfo=UTC)
    [racer] = slot_changes(set(), {(ROOM, s) for s in room_slots(start, end)}, set(), True)
    items.transact([hold_action(PRACTICE_A, "appt_racer", racer)])
    reply = api.patch(f"/v1/appointments/{series['appointments'][0]['id']}", {
        "start": "2026-12-01T11:00:00", "end": "2026-12-01T11:50:00", "scope": "following"}, if_match='"1"')
    assert reply.status == 409 and "appt_racer" in reply.body["warnings"][0]["detail"]
    assert reply.body["warnings"][0]["occurrence"] == 3
    stored = [api.get(f"/v1/appointments/{a['id']}").body for a in series["appointments"]]
    assert [a["start"][11:16] for a in stored] == ["10:00", "10:00", "10:00"]
    free = _book(api, client["id"], room_id=ROOM, start="2026-12-08T11:00:00", end="2026-12-08T11:50:00")
    assert free.status == 201  # the second week's new time was given back


def test_patch_that_clears_a_required_field_is_422_and_leaves_it_readable(api):
    client = make_client(api)
    appointment = _book(api, client["id"]).body["appointments"][0]
    for field in ("telehealth", "practitioner_id", "billing_code", "start"):
        reply = api.patch(f"/v1/appointments/{appointment['id']}", {field: None},
                          if_match=f'"{appointment["version"]}"')
        assert reply.status == 422, (field, reply.body)
        assert reply.body["errors"][0]["field"] == f"body.{field}"
    again = api.get(f"/v1/appointments/{appointment['id']}")
    assert again.status == 200 and again.body["version"] == appointment["version"]


def test_patch_with_one_local_and_one_offset_time_is_422(api):
    client = make_client(api)
    appointment = _book(api, client["id"]).body["appointments"][0]
    reply = api.patch(f"/v1/appointments/{appointment['id']}",
                      {"start": "2026-12-02T10:00:00", "end": "2026-12-02T10:50:00-05:00"},
                      if_match=f'"{appointment["version"]}"')
    assert reply.status == 422 and reply.body["errors"][0]["field"] == "body.end"


def test_booking_and_moving_into_the_spring_forward_gap_keep_the_wall_clock_length(api):
    # 2027-03-14 02:00-03:00 does not exist in New York: 02:50 is read as 03:50 EDT (RFC 5545).
    client = make_client(api)
    booked = _book(api, client["id"], start="2027-03-14T02:50:00", end="2027-03-14T03:10:00")
    assert booked.status == 201, booked.body
    appointment = booked.body["appointments"][0]
    assert _utc(appointment) == ("2027-03-14T07:50:00", "2027-03-14T08:10:00")
    moved = api.patch(f"/v1/appointments/{appointment['id']}",
                      {"start": "2027-03-14T02:40:00", "end": "2027-03-14T03:05:00"},
                      if_match=booked.etag)
    assert moved.status == 200, moved.body
    assert _utc(moved.body["appointments"][0]) == ("2027-03-14T07:40:00", "2027-03-14T08:05:00")


def _utc(appointment):
    return tuple(datetime.fromisoformat(appointment[k]).astimezone(UTC).replace(tzinfo=None).isoformat()
                 for k in ("start", "end"))

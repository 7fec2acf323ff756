"""POST /v1/appointment-previews and /v1/groups/{id}/appointment-previews: what a booking would
do (every occurrence, every warning, the outcome) before anyone confirms, writing nothing.
Warnings name each occurrence's start in the practice's time zone, as appointments do."""
from __future__ import annotations

from tests.api.entitlement_helpers import make_authorization, make_client
from tests.api.group_helpers import add_members, make_group
from tests.conftest import PRACTICE_A, USERS

PRACTITIONER = USERS[PRACTICE_A]["practitioner"]
LOCATION, ROOM = f"loc_{PRACTICE_A}_main", f"room_{PRACTICE_A}_1"


def _body(client_id, start="2026-12-01T10:00:00", end="2026-12-01T10:50:00", **extra):
    return {"client_id": client_id, "practitioner_id": PRACTITIONER, "location_id": LOCATION, "start": start,
            "end": end, "billing_code": "90837", **extra}


def _day(api, client_id):
    reply = api.get(f"/v1/appointments?client_id={client_id}&from=2026-12-01&to=2026-12-31")
    assert reply.status == 200, reply.body
    return reply.body["items"]


def test_preview_of_a_series_lists_each_occurrence_and_its_balance_warnings_and_books_nothing(api):
    client = make_client(api)
    make_authorization(api, client["id"], allowed="2", begin_on="2026-11-01", end_on="2027-12-31")
    reply = api.post("/v1/appointment-previews", _body(client["id"], recurrence={"frequency": "weekly", "count": 3}),
                     role="front_desk")
    assert reply.status == 200, reply.body
    assert [o["start"] for o in reply.body["occurrences"]] == [
        "2026-12-01T10:00:00-05:00", "2026-12-08T10:00:00-05:00", "2026-12-15T10:00:00-05:00"]
    assert [(w["occurrence"], w["kind"], w["start"]) for w in reply.body["warnings"]] == [
        (3, "authorization", "2026-12-15T10:00:00-05:00")]
    assert reply.body["outcome"] == "books"
    assert _day(api, client["id"]) == []


def test_preview_of_a_taken_room_warns_and_says_an_override_is_needed_where_booking_answers_409(api):
    first, second = make_client(api), make_client(api, first="Other")
    assert api.post("/v1/appointments", _body(first["id"], room_id=ROOM), role="front_desk").status == 201
    preview = api.post("/v1/appointment-previews", _body(second["id"], room_id=ROOM), role="front_desk")
    assert preview.status == 200, preview.body
    assert preview.body["outcome"] == "needs_override"
    [room] = [w for w in preview.body["warnings"] if w["kind"] == "room"]
    assert room["start"] == "2026-12-01T10:00:00-05:00" and room["occurrence"] == 1
    refused = api.post("/v1/appointments", _body(second["id"], room_id=ROOM), role="front_desk")
    assert refused.status == 409
    assert [w["start"] for w in refused.body["warnings"]] == ["2026-12-01T10:00:00-05:00"]
    overridden = api.post("/v1/appointment-previews", _body(second["id"], room_id=ROOM, override_room_conflict=True),
                          role="front_desk")
    assert overridden.body["outcome"] == "books" and overridden.body["warnings"] == preview.body["warnings"]
    assert _day(api, second["id"]) == []


def test_preview_in_the_practices_block_modes_says_refused(api):
    first, second = make_client(api), make_client(api, first="Other")
    assert api.post("/v1/appointments", _body(first["id"], room_id=ROOM), role="front_desk").status == 201
    practice = api.get("/v1/practice")
    assert api.patch("/v1/practice", {"room_booking": "block"}, if_match=practice.etag).status == 200
    taken = api.post("/v1/appointment-previews", _body(second["id"], room_id=ROOM, override_room_conflict=True),
                     role="front_desk")
    assert taken.status == 200 and taken.body["outcome"] == "refused"
    practice = api.get("/v1/practice")
    assert api.patch("/v1/practice", {"room_booking": "warn", "balance_booking": "block"},
                     if_match=practice.etag).status == 200
    make_authorization(api, second["id"], allowed="1", begin_on="2026-11-01", end_on="2027-12-31")
    short = api.post("/v1/appointment-previews", _body(second["id"], recurrence={"frequency": "weekly", "count": 2}),
                     role="front_desk")
    assert short.body["outcome"] == "refused"
    assert [w["occurrence"] for w in short.body["warnings"] if w["kind"] == "authorization"] == [2]


def test_group_preview_names_each_member_short_of_balance_and_books_nothing(api):
    group = make_group(api)
    members = add_members(api, group["id"], 2)
    make_authorization(api, members[0]["id"], allowed="1", begin_on="2026-11-01", end_on="2026-11-30")
    reply = api.post(f"/v1/groups/{group['id']}/appointment-previews",
                     {"location_id": LOCATION, "start": "2026-12-01T18:00:00", "end": "2026-12-01T19:30:00"})
    assert reply.status == 200, reply.body
    assert [(w["client_id"], w["kind"]) for w in reply.body["warnings"]] == [(members[0]["id"], "authorization")]
    assert reply.body["outcome"] == "books"
    listed = api.get(f"/v1/groups/{group['id']}/appointments?from=2026-12-01&to=2026-12-31").body["items"]
    assert listed == []


def test_preview_is_refused_to_billing_and_validates_like_a_booking(api):
    client = make_client(api)
    assert api.post("/v1/appointment-previews", _body(client["id"]), role="billing").status == 403
    bad = api.post("/v1/appointment-previews", _body(client["id"], end="2026-12-01T09:00:00"), role="front_desk")
    assert bad.status == 422 and bad.body["errors"][0]["field"] == "body.end"

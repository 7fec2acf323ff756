"""/v1/locations and /v1/rooms."""
from __future__ import annotations

MAIN = "loc_prc_a_main"


def _create(api, **fields):
    reply = api.post("/v1/locations", {"name": "Annex", **fields})
    assert reply.status == 201, reply.body
    return reply


def test_location_defaults_to_office_pos(api):
    body = _create(api).body
    assert body["place_of_service"] == "11" and body["place_of_service_name"] == "Office"
    assert body["telehealth"] is False and body["room_count"] == 0


def test_telehealth_location_defaults_to_practice_telehealth_pos(api):
    assert _create(api, telehealth=True).body["place_of_service"] == "10"
    practice = api.get("/v1/practice")
    api.patch("/v1/practice", {"default_telehealth_pos": "02"}, if_match=practice.etag)
    assert _create(api, telehealth=True).body["place_of_service"] == "02"


def test_telehealth_and_pos_must_agree(api):
    reply = api.post("/v1/locations", {"name": "Video", "telehealth": True, "place_of_service": "11"})
    assert reply.status == 422 and reply.body["errors"][0]["field"] == "body.place_of_service"
    reply = api.post("/v1/locations", {"name": "Clinic", "place_of_service": "02"})
    assert reply.status == 422 and "telehealth" in reply.body["errors"][0]["reason"]


def test_unassigned_pos_code_is_422(api):
    for code in ("00", "29", "1", "ab"):
        assert api.post("/v1/locations", {"name": "X", "place_of_service": code}).status == 422, code


def test_flipping_a_location_to_telehealth_picks_the_telehealth_pos(api):
    created = _create(api)
    reply = api.patch(f"/v1/locations/{created.body['id']}", {"telehealth": True}, if_match=created.etag)
    assert reply.status == 200 and reply.body["place_of_service"] == "10"
    back = api.patch(f"/v1/locations/{created.body['id']}", {"telehealth": False}, if_match=reply.etag)
    assert back.body["place_of_service"] == "11"


def test_practitioner_can_read_but_not_create_locations(api):
    assert api.get("/v1/locations", role="practitioner").status == 200
    assert api.post("/v1/locations", {"name": "X"}, role="practitioner").status == 403


def test_room_attaches_to_locations_and_counts(api):
    annex = _create(api)
    room = api.post("/v1/rooms", {"name": "Blue room", "location_ids": [MAIN, annex.body["id"]], "capacity": 4})
    assert room.status == 201 and room.headers["location"] == f"/v1/rooms/{room.body['id']}"
    assert api.get(f"/v1/locations/{annex.body['id']}").body["room_count"] == 1
    assert api.get(f"/v1/locations/{MAIN}").body["room_count"] == 2  # the seeded room too


def test_room_with_unknown_location_is_422_and_writes_nothing(api):
    before = api.get("/v1/rooms").body["items"]
    reply = api.post("/v1/rooms", {"name": "Ghost", "location_ids": [MAIN, "loc_missing"]})
    assert reply.status == 422
    assert reply.body["errors"] == [{"field": "body.location_ids.1", "reason": "location loc_missing does not exist"}]
    assert api.get("/v1/rooms").body["items"] == before
    assert api.get(f"/v1/locations/{MAIN}").body["room_count"] == 1


def test_location_with_rooms_cannot_be_deleted_until_rooms_move(api):
    annex = _create(api)
    room = api.post("/v1/rooms", {"name": "Green", "location_ids": [annex.body["id"]]})
    location = api.get(f"/v1/locations/{annex.body['id']}")
    refused = api.delete(f"/v1/locations/{annex.body['id']}", if_match=location.etag)
    assert refused.status == 409 and "rooms" in refused.body["detail"]
    moved = api.patch(f"/v1/rooms/{room.body['id']}", {"location_ids": [MAIN]}, if_match=room.etag)
    assert moved.status == 200 and moved.body["location_ids"] == [MAIN]
    location = api.get(f"/v1/locations/{annex.body['id']}")
    assert location.body["room_count"] == 0
    assert api.delete(f"/v1/locations/{annex.body['id']}", if_match=location.etag).status == 204
    assert api.get(f"/v1/locations/{annex.body['id']}").status == 404


def test_room_update_with_stale_version_is_412_and_moves_nothing(api):
    annex = _create(api)
    room = api.post("/v1/rooms", {"name": "Green", "location_ids": [MAIN]})
    api.patch(f"/v1/rooms/{room.body['id']}", {"name": "Greener"}, if_match=room.etag)
    stale = api.patch(f"/v1/rooms/{room.body['id']}", {"location_ids": [annex.body["id"]]}, if_match=room.etag)
    assert stale.status == 412
    assert api.get(f"/v1/locations/{annex.body['id']}").body["room_count"] == 0


def test_deleting_a_room_releases_its_locations(api):
    room = api.post("/v1/rooms", {"name": "Temp", "location_ids": [MAIN]})
    assert api.get(f"/v1/locations/{MAIN}").body["room_count"] == 2
    assert api.delete(f"/v1/rooms/{room.body['id']}", if_match=room.etag).status == 204
    assert api.get(f"/v1/locations/{MAIN}").body["room_count"] == 1
    assert api.get(f"/v1/rooms/{room.body['id']}").status == 404

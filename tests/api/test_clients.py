"""/v1/clients: records, search, archive, profile with entitlements."""
from __future__ import annotations

from tests.api.entitlement_helpers import charge, make_authorization, make_client, make_pack


def test_client_with_insurance_and_referrer_round_trips(api):
    body = {"first_name": "Ana", "last_name": "Núñez", "date_of_birth": "1990-04-02", "email": "ana@example.com",
            "primary_insurance": {"payer": "Acme", "member_id": "M1", "group_number": "G9"},
            "secondary_insurance": {"payer": "Beta", "member_id": "B2"},
            "referring_provider": {"first_name": "Sam", "last_name": "Lee", "npi": "1234567893"},
            "default_service": {"billing_code": "90837"}}
    created = api.post("/v1/clients", body)
    assert created.status == 201 and created.headers["location"] == f"/v1/clients/{created.body['id']}"
    profile = api.get(created.headers["location"], role="billing").body
    assert profile["primary_insurance"]["payer"] == "Acme" and profile["referring_provider"]["npi"] == "1234567893"
    assert profile["packs"] == [] and profile["authorizations"] == []


def test_client_validation_names_each_field(api):
    reply = api.post("/v1/clients", {"first_name": "", "last_name": "X", "date_of_birth": "1990-13-01",
                                     "referring_provider": {"first_name": "S", "last_name": "L", "npi": "1234567890"},
                                     "secondary_insurance": {"payer": "B", "member_id": "1"},
                                     "default_service": {"billing_code": "90837", "pack_id": "p"}})
    assert reply.status == 422
    fields = {e["field"] for e in reply.body["errors"]}
    assert {"body.first_name", "body.date_of_birth", "body.referring_provider.npi",
            "body.default_service.pack_id"} <= fields


def test_referring_provider_needs_all_three_fields(api):
    reply = api.post("/v1/clients", {"first_name": "A", "last_name": "B", "referring_provider": {"first_name": "S"}})
    assert reply.status == 422
    assert {e["field"] for e in reply.body["errors"]} == {"body.referring_provider.last_name",
                                                          "body.referring_provider.npi"}


def test_search_by_name_prefix_is_case_and_accent_insensitive(api):
    for first, last in (("Ana", "Núñez"), ("Bo", "Nunn"), ("Cy", "Smith")):
        make_client(api, first, last)
    found = lambda q: [c["last_name"] for c in api.get(f"/v1/clients?q={q}").body["items"]]  # noqa: E731
    assert found("nun") == ["Núñez", "Nunn"]  # "nunez ana" sorts before "nunn bo"
    assert found("NUÑEZ") == ["Núñez"] and found("nunez an") == ["Núñez"]
    assert found("smi") == ["Smith"] and found("zzz") == []


def test_archived_clients_are_hidden_unless_asked(api):
    client = make_client(api, "Old", "Timer")
    current = api.get(f"/v1/clients/{client['id']}")
    archived = api.patch(f"/v1/clients/{client['id']}", {"archived": True}, if_match=current.etag)
    assert archived.status == 200 and archived.body["archived"] is True
    assert api.get("/v1/clients?q=timer").body["items"] == []
    assert [c["id"] for c in api.get("/v1/clients?q=timer&include_archived=true").body["items"]] == [client["id"]]


def test_renaming_a_client_updates_search(api):
    client = make_client(api, "Pat", "Before")
    current = api.get(f"/v1/clients/{client['id']}")
    assert api.patch(f"/v1/clients/{client['id']}", {"last_name": "After"}, if_match=current.etag).status == 200
    assert api.get("/v1/clients?q=before").body["items"] == []
    assert api.get("/v1/clients?q=after").body["items"][0]["id"] == client["id"]


def test_profile_shows_used_of_limit(api):
    client = make_client(api)
    make_pack(api, client["id"], name="Prepaid 5", measure="sessions", limit="5", price="500")
    api.post(f"/v1/clients/{client['id']}/charges", {"session_ref": "s1", "date": "2026-11-20",
                                                      "billing_code": "90837"})
    packs = api.get(f"/v1/clients/{client['id']}").body["packs"]
    assert [(p["used"], p["limit"], p["remaining"]) for p in packs] == [("1", "5", "4")]


def test_profile_shows_every_open_pack_and_authorization_as_used_of_left_with_its_version(api):
    api.post("/v1/billing-codes", {"code": "97153", "description": "Adaptive behaviour treatment",
                                   "default_minutes": 60, "default_charge": "20", "unit_minutes": 15})
    client = make_client(api)
    make_pack(api, client["id"], name="Hours", measure="minutes", limit="600", price="1",
              codes={"mode": "only", "codes": ["97153"]})
    budget = make_pack(api, client["id"], name="Budget", measure="money", limit="1000", price="0",
                       codes={"mode": "only", "codes": ["90837"]})
    make_authorization(api, client["id"], measure="units", allowed="20", codes={"mode": "only", "codes": ["97153"]})
    for ref in ("a", "b"):
        assert charge(api, client["id"], ref, code="97153", minutes=45).status == 201
        assert charge(api, client["id"], f"{ref}2", fee="90.00").status == 201
    closed = make_pack(api, client["id"], name="Closed", measure="sessions", limit="5", price="1")
    api.patch(f"/v1/clients/{client['id']}/packs/{closed['id']}", {"closed": True}, if_match='"1"')
    profile = api.get(f"/v1/clients/{client['id']}").body
    assert sorted((p["name"], p["counted"], p["version"]) for p in profile["packs"]) == [
        ("Budget", "used $180.00 of $1,000.00, $820.00 left", 1),
        ("Hours", "used 90 of 600 minutes, 510 left", 1)]
    assert [(a["counted"], a["version"]) for a in profile["authorizations"]] == [("used 6 of 20 units, 14 left", 1)]
    edited = api.patch(f"/v1/clients/{client['id']}/packs/{budget['id']}", {"limit": "3000"}, if_match='"1"')
    assert edited.status == 200
    budget_line = next(p for p in api.get(f"/v1/clients/{client['id']}").body["packs"] if p["id"] == budget["id"])
    assert (budget_line["counted"], budget_line["version"]) == ("used $180.00 of $3,000.00, $2,820.00 left", 2)


def test_default_service_must_exist(api):
    reply = api.post("/v1/clients", {"first_name": "A", "last_name": "B", "default_service": {"billing_code": "99999"}})
    assert reply.status == 422 and "billing code 99999 does not exist" in reply.body["errors"][0]["reason"]
    reply = api.post("/v1/clients", {"first_name": "A", "last_name": "B", "default_service": {"pack_id": "pack_x"}})
    assert reply.status == 422


def test_a_pack_can_be_the_clients_default_service(api):
    client = make_client(api)
    pack = make_pack(api, client["id"], name="Default", measure="sessions", limit="5", price="1")
    current = api.get(f"/v1/clients/{client['id']}")
    reply = api.patch(f"/v1/clients/{client['id']}", {"default_service": {"pack_id": pack["id"]}},
                      if_match=current.etag)
    assert reply.status == 200 and reply.body["default_service"]["pack_id"] == pack["id"]
    other = make_client(api, "Other", "Person")
    current = api.get(f"/v1/clients/{other['id']}")
    assert api.patch(f"/v1/clients/{other['id']}", {"default_service": {"pack_id": pack["id"]}},
                     if_match=current.etag).status == 422  # another client's pack


def test_client_entered_by_mistake_can_be_deleted(api):
    client = make_client(api, "Typo", "Client")
    current = api.get(f"/v1/clients/{client['id']}")
    assert api.delete(f"/v1/clients/{client['id']}", if_match=current.etag, role="front_desk").status == 204
    assert api.get(f"/v1/clients/{client['id']}").status == 404
    assert api.get("/v1/clients?q=client").body["items"] == []


def test_client_with_history_cannot_be_deleted(api):
    client = make_client(api)
    make_pack(api, client["id"], name="P", measure="sessions", limit="1", price="1")
    current = api.get(f"/v1/clients/{client['id']}")
    refused = api.delete(f"/v1/clients/{client['id']}", if_match=current.etag)
    assert refused.status == 409 and "archive the client instead" in refused.body["detail"]
    assert api.delete(f"/v1/clients/{client['id']}", if_match=current.etag, role="billing").status == 403


def test_profile_lists_upcoming_booked_appointments_and_current_groups(api):
    from datetime import date, timedelta

    from tests.api.group_helpers import LOCATION, PRACTITIONER, as_user, make_group, make_practitioner

    client = make_client(api)
    today = date.today()

    def book(day: date, hour: int) -> dict:
        reply = api.post("/v1/appointments", {"client_id": client["id"], "practitioner_id": PRACTITIONER,
                                              "location_id": LOCATION, "start": f"{day}T{hour:02d}:00:00",
                                              "end": f"{day}T{hour:02d}:50:00", "billing_code": "90837"},
                         role="front_desk")
        assert reply.status == 201, reply.body
        return reply.body["appointments"][0]

    book(today - timedelta(days=3), 10)  # past: not upcoming
    upcoming = [book(today + timedelta(days=d), 9) for d in range(2, 15)]
    cancelled = upcoming.pop(0)
    current = api.get(f"/v1/appointments/{cancelled['id']}")
    assert api.post(f"/v1/appointments/{cancelled['id']}/status", {"status": "cancelled", "reason": "ill"},
                    headers={"If-Match": current.etag}).status == 200
    other = make_practitioner(api)
    mine = make_group(api, name="Mine", initials="MIN")
    theirs = make_group(api, name="Theirs", initials="THR", practitioner_id=other)
    left = make_group(api, name="Left", initials="LFT")
    for group in (mine, theirs, left):
        assert api.post(f"/v1/groups/{group['id']}/members", {"client_id": client["id"]}).status == 201
    assert api.delete(f"/v1/groups/{left['id']}/members/{client['id']}").status in (200, 204)

    profile = api.get(f"/v1/clients/{client['id']}", role="front_desk").body
    assert [a["id"] for a in profile["upcoming_appointments"]] == [a["id"] for a in upcoming[:10]]
    assert sorted(g["name"] for g in profile["groups"]) == ["Mine", "Theirs"]
    seen_by_practitioner = api.get(f"/v1/clients/{client['id']}", role=None, headers=as_user(PRACTITIONER)).body
    assert [g["name"] for g in seen_by_practitioner["groups"]] == ["Mine"]


def test_create_client_with_unknown_practitioner_is_refused(api):
    from tests.conftest import PRACTICE_A, USERS

    reply = api.post("/v1/clients", {"first_name": "A", "last_name": "B", "practitioner_id": "usr_nope"})
    assert reply.status == 422
    assert reply.body["errors"] == [{"field": "body.practitioner_id", "reason": "does not exist in this practice"}]
    reply = api.post("/v1/clients", {"first_name": "A", "last_name": "B",
                                     "practitioner_id": USERS[PRACTICE_A]["billing"]})
    assert reply.body["errors"] == [{"field": "body.practitioner_id", "reason": "is not a practitioner"}]
    assert api.get("/v1/clients").body["items"] == []


def test_update_client_with_unknown_practitioner_is_refused(api):
    from tests.conftest import PRACTICE_A, PRACTICE_B, USERS

    client = make_client(api, practitioner_id=USERS[PRACTICE_A]["practitioner"])
    reply = api.patch(f"/v1/clients/{client['id']}", {"practitioner_id": USERS[PRACTICE_B]["practitioner"]},
                      if_match='"1"')
    assert reply.status == 422
    assert reply.body["errors"] == [{"field": "body.practitioner_id", "reason": "does not exist in this practice"}]
    assert api.patch(f"/v1/clients/{client['id']}", {"practitioner_id": None}, if_match='"1"').status == 200

"""An authorization edit reaches what it already counted: its number shows on every session
(and appointment, and claim) counted against it, and a new window or code rule that would
leave counted sessions outside is refused as a cut below what is used is."""
from __future__ import annotations

from chalicelib.observability import current_meter
from tests.api.claim_helpers import add_client, add_payer, add_session, set_up_practice
from tests.api.entitlement_helpers import charge, make_authorization, make_client
from tests.conftest import PRACTICE_A, USERS

PRACTITIONER = USERS[PRACTICE_A]["practitioner"]
LOCATION = f"loc_{PRACTICE_A}_main"


def _auth_path(client_id: str, auth_id: str) -> str:
    return f"/v1/clients/{client_id}/authorizations/{auth_id}"


def _edit(api, client_id: str, auth_id: str, body: dict):
    current = api.get(_auth_path(client_id, auth_id))
    return api.patch(_auth_path(client_id, auth_id), body, if_match=current.etag)


def _session(api, client_id: str, on: str = "2026-11-20", **fields) -> dict:
    reply = api.post(f"/v1/clients/{client_id}/sessions",
                     {"date_of_service": on, "billing_code": "90837", **fields}, role="practitioner")
    assert reply.status == 201, reply.body
    return reply.body["session"]


# ---- the number is the authorization's ---------------------------------------------------

def test_number_edit_shows_on_sessions_already_counted(api):
    client = make_client(api)
    auth = make_authorization(api, client["id"])
    first, second = _session(api, client["id"]), _session(api, client["id"], on="2026-11-21")
    assert first["prior_authorization_number"] == "PA-7781"
    assert _edit(api, client["id"], auth["id"], {"number": "AB9"}).status == 200
    one = api.get(f"/v1/clients/{client['id']}/sessions/{first['id']}").body
    assert one["prior_authorization_number"] == "AB9" and one["authorization_warning"] is None
    listed = api.get(f"/v1/clients/{client['id']}/sessions").body["items"]
    assert {s["id"]: s["prior_authorization_number"] for s in listed} == {first["id"]: "AB9", second["id"]: "AB9"}


def test_session_edit_not_recharged_answers_the_current_number(api):
    client = make_client(api)
    auth = make_authorization(api, client["id"])
    session = _session(api, client["id"])
    assert _edit(api, client["id"], auth["id"], {"number": "AB9"}).status == 200
    path = f"/v1/clients/{client['id']}/sessions/{session['id']}"
    reply = api.patch(path, {"comments": "seen"}, if_match=api.get(path).etag)
    assert reply.status == 200, reply.body
    assert reply.body["session"]["prior_authorization_number"] == "AB9"
    assert api.get(path).body["prior_authorization_number"] == "AB9"


def test_number_added_later_clears_the_sessions_warning(api):
    client = make_client(api)
    auth = make_authorization(api, client["id"], number=None)
    session = _session(api, client["id"])
    assert session["prior_authorization_number"] is None
    assert session["authorization_warning"] == "the authorization has no number"
    assert _edit(api, client["id"], auth["id"], {"number": "AB9"}).status == 200
    shown = api.get(f"/v1/clients/{client['id']}/sessions/{session['id']}").body
    assert (shown["prior_authorization_number"], shown["authorization_warning"]) == ("AB9", None)


def test_deleted_authorization_takes_its_number_off_the_sessions_it_counted(api):
    client = make_client(api)
    auth = make_authorization(api, client["id"])
    session = _session(api, client["id"])
    current = api.get(_auth_path(client["id"], auth["id"]))
    assert api.delete(_auth_path(client["id"], auth["id"]), if_match=current.etag).status == 204
    shown = api.get(f"/v1/clients/{client['id']}/sessions/{session['id']}").body
    assert shown["prior_authorization_number"] is None
    assert "deleted" in shown["authorization_warning"]


def test_number_edit_shows_on_the_attended_appointment(api):
    client = make_client(api)
    auth = make_authorization(api, client["id"])
    booked = api.post("/v1/appointments", {
        "client_id": client["id"], "practitioner_id": PRACTITIONER, "location_id": LOCATION,
        "start": "2026-12-01T10:00:00", "end": "2026-12-01T10:50:00", "billing_code": "90837"}, role="front_desk")
    appointment = booked.body["appointments"][0]
    path = f"/v1/appointments/{appointment['id']}"
    attended = api.post(f"{path}/status", {"status": "attended"}, headers={"If-Match": api.get(path).etag})
    assert attended.body["appointment"]["prior_authorization_number"] == "PA-7781"
    assert _edit(api, client["id"], auth["id"], {"number": "AB9"}).status == 200
    assert api.get(path).body["prior_authorization_number"] == "AB9"
    day = api.get(f"/v1/appointments?client_id={client['id']}&from=2026-12-01&to=2026-12-01").body["items"]
    assert [a["prior_authorization_number"] for a in day] == ["AB9"]
    session = api.get(f"/v1/clients/{client['id']}/sessions/{appointment['id']}").body
    assert session["prior_authorization_number"] == "AB9"


def test_number_edit_reaches_claims_built_afterwards(api):
    set_up_practice(api)
    payer = add_payer(api)
    client = add_client(api, payer)
    auth = make_authorization(api, client["id"])
    session = add_session(api, client)
    assert session["prior_authorization_number"] == "PA-7781"
    assert _edit(api, client["id"], auth["id"], {"number": "AB9"}).status == 200
    reply = api.post("/v1/claims", {"client_id": client["id"], "session_ids": [session["id"]]})
    assert reply.status == 201, reply.body
    assert reply.body["claims"][0]["prior_authorization_number"] == "AB9"


def test_reading_sessions_with_their_numbers_stays_cheap(api):
    client = make_client(api)
    make_authorization(api, client["id"])
    session = _session(api, client["id"])
    for i in range(3):
        _session(api, client["id"], on=f"2026-11-2{i + 1}")
    path = f"/v1/clients/{client['id']}/sessions"
    assert api.get(f"{path}/{session['id']}").status == 200
    assert current_meter().calls == ["GetItem", "GetItem"]  # the session, then its authorization
    assert api.get(path).status == 200
    # The client, the page, then the authorizations the page counts against in one read (here one).
    assert current_meter().calls == ["GetItem", "Query", "GetItem"]


# ---- a new window or code rule that leaves counted sessions out ----------------------------

def _counted(api, client_id: str, days: list[str], **fields) -> None:
    for day in days:
        reply = charge(api, client_id, f"s{day}", on=day, **fields)
        assert reply.status == 201 and reply.body["authorization"] is not None, reply.body


def test_end_on_before_counted_sessions_is_409_naming_them(api):
    client = make_client(api)
    auth = make_authorization(api, client["id"], begin_on="2026-11-01", end_on="2026-11-30")
    _counted(api, client["id"], ["2026-11-02", "2026-11-03", "2026-11-04", "2026-11-05",
                                 "2026-11-11", "2026-11-12", "2026-11-13"])
    reply = _edit(api, client["id"], auth["id"], {"end_on": "2026-11-10"})
    assert reply.status == 409, reply.body
    assert reply.body["field"] == "body.end_on"
    assert "3 sessions" in reply.body["detail"]
    assert all(day in reply.body["detail"] for day in ("2026-11-11", "2026-11-12", "2026-11-13"))
    after = api.get(_auth_path(client["id"], auth["id"])).body
    assert (after["end_on"], after["used"], after["version"]) == ("2026-11-30", "7", auth["version"])


def test_begin_on_after_counted_sessions_is_409(api):
    client = make_client(api)
    auth = make_authorization(api, client["id"], begin_on="2026-11-01", end_on="2026-11-30")
    _counted(api, client["id"], ["2026-11-02", "2026-11-20"])
    reply = _edit(api, client["id"], auth["id"], {"begin_on": "2026-11-10"})
    assert reply.status == 409, reply.body
    assert reply.body["field"] == "body.begin_on" and "2026-11-02" in reply.body["detail"]
    assert api.get(_auth_path(client["id"], auth["id"])).body["begin_on"] == "2026-11-01"


def test_codes_narrowed_past_counted_sessions_is_409(api):
    client = make_client(api)
    auth = make_authorization(api, client["id"])
    _counted(api, client["id"], ["2026-11-02"], code="90834")
    _counted(api, client["id"], ["2026-11-03"])
    reply = _edit(api, client["id"], auth["id"], {"codes": {"mode": "only", "codes": ["90837"]}})
    assert reply.status == 409, reply.body
    assert reply.body["field"] == "body.codes" and "2026-11-02" in reply.body["detail"]
    assert "90834" in reply.body["detail"]
    excluded = _edit(api, client["id"], auth["id"], {"codes": {"mode": "all_except", "codes": ["90834"]}})
    assert excluded.status == 409 and excluded.body["field"] == "body.codes"
    assert api.get(_auth_path(client["id"], auth["id"])).body["codes"] == {"mode": "all_except", "codes": []}


def test_window_still_covering_counted_sessions_is_accepted(api):
    client = make_client(api)
    auth = make_authorization(api, client["id"], begin_on="2026-11-01", end_on="2026-11-30")
    _counted(api, client["id"], ["2026-11-05", "2026-11-09"])
    given_back = charge(api, client["id"], "late", on="2026-11-20")
    assert given_back.status == 201, given_back.body
    assert api.post(f"/v1/clients/{client['id']}/charges/late/reverse", {}).status == 200
    reply = _edit(api, client["id"], auth["id"], {"begin_on": "2026-11-05", "end_on": "2026-11-10",
                                                  "codes": {"mode": "only", "codes": ["90837"]}})
    assert reply.status == 200, reply.body
    assert (reply.body["begin_on"], reply.body["end_on"], reply.body["used"]) == ("2026-11-05", "2026-11-10", "2")

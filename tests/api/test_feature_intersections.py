"""Where features meet: scenarios an end-to-end run over HTTP found answering wrongly, each
kept here over moto (claims and session edits, idempotency and note access, the charges route
and recorded sessions)."""
from __future__ import annotations

from tests.api.claim_helpers import add_client, add_payer, add_session, set_up_practice
from tests.api.entitlement_helpers import make_authorization, make_client, make_pack
from tests.api.test_sweep import BUSINESS, _business_email, _sweep, outbox  # noqa: F401
from tests.conftest import PRACTICE_A, USERS

PRACTITIONER = USERS[PRACTICE_A]["practitioner"]


# ---- a claim, then its session edited, then the export --------------------------------------

def test_export_records_claim_lines_as_exported_when_session_changed_after_check(api):
    set_up_practice(api)
    payer = add_payer(api)
    client = add_client(api, payer)
    session = add_session(api, client)
    claim = api.post("/v1/claims", {"session_ids": [session["id"]]}, role="billing").body["claims"][0]
    assert claim["status"] == "ready" and claim["lines"][0]["code"] == "90834"
    current = api.get(f"/v1/clients/{client['id']}/sessions/{session['id']}")
    edited = api.patch(f"/v1/clients/{client['id']}/sessions/{session['id']}",
                       {"billing_code": "90837", "primary_diagnosis": "F32.1"}, if_match=current.etag)
    assert edited.status == 200, edited.body

    export = api.post("/v1/claims/exports", {"payer_id": payer["id"]}, role="billing")

    assert export.status == 201, export.body
    assert "SV1*HC:90837*180" in export.body["x12"]
    sent = api.get(f"/v1/claims/{claim['id']}", role="billing").body
    assert sent["status"] == "submitted"
    # The claim on record is the claim that was sent, not the one checked before the edit.
    assert [(line["code"], line["charge"]) for line in sent["lines"]] == [("90837", "180.00")]
    assert sent["diagnoses"] == ["F32.1"]
    assert sent["total_charge"] == "180.00"


# ---- Idempotency-Key: one user's answer is never replayed to another -----------------------

def _second_practitioner(api) -> str:
    from chalicelib.auth import issue_local_token

    reply = api.post("/v1/users", {"email": "second@example.com", "first_name": "Sam", "last_name": "Second",
                                   "role": "practitioner"})
    assert reply.status == 201, reply.body
    return issue_local_token(practice_id=PRACTICE_A, user_id=reply.body["id"], role="practitioner")


def test_replay_with_same_key_and_body_by_another_practitioner_never_returns_their_note(api):
    client = make_client(api, practitioner_id=PRACTITIONER)
    body = {"client_id": client["id"], "body": "<p>Discussed the panic attacks.</p>"}
    first = api.post("/v1/notes", body, role="practitioner", headers={"Idempotency-Key": "note-1"})
    assert first.status == 201, first.body
    other = _second_practitioner(api)

    again = api.post("/v1/notes", body, role=None,
                     headers={"Idempotency-Key": "note-1", "Authorization": f"Bearer {other}"})

    # Their own note (their key space), never the first practitioner's, which they may not read.
    assert again.status == 201, again.body
    assert again.body["id"] != first.body["id"]
    assert again.body["practitioner_id"] != PRACTITIONER
    assert api.get(f"/v1/notes/{first.body['id']}", role=None,
                   headers={"Authorization": f"Bearer {other}"}).status == 404


def test_same_key_from_two_users_acts_once_for_each(api):
    body = {"first_name": "Robin", "last_name": "Keyes"}
    mine = api.post("/v1/clients", body, role="front_desk", headers={"Idempotency-Key": "k-1"})
    theirs = api.post("/v1/clients", body, role="admin", headers={"Idempotency-Key": "k-1"})
    replay = api.post("/v1/clients", body, role="front_desk", headers={"Idempotency-Key": "k-1"})

    assert mine.status == theirs.status == replay.status == 201
    assert theirs.body["id"] != mine.body["id"]
    assert replay.body["id"] == mine.body["id"]


# ---- the charges route and sessions recorded elsewhere -------------------------------------

def test_charges_route_reverse_of_recorded_session_refused_and_number_stays_counted(api):
    client = make_client(api)
    authorization = make_authorization(api, client["id"], allowed="5", number="REV-1")
    session = add_session(api, client)
    assert session["prior_authorization_number"] == "REV-1"

    reversed_ = api.post(f"/v1/clients/{client['id']}/charges/{session['id']}/reverse", role="front_desk")

    # Giving it back here would leave the session carrying a number it no longer counts against.
    assert reversed_.status == 409, reversed_.body
    assert f"/v1/clients/{client['id']}/sessions/{session['id']}" in reversed_.body["detail"]
    figures = api.get(f"/v1/clients/{client['id']}/authorizations/{authorization['id']}").body
    assert figures["used"] == "1"
    assert api.get(f"/v1/clients/{client['id']}/charges/{session['id']}").status == 200


def test_charges_route_charge_of_uncharged_recorded_session_refused(api):
    client = make_client(api)
    session = add_session(api, client)  # nothing covers it yet: recorded, not charged
    pack = make_pack(api, client["id"], name="Five", measure="sessions", limit="5", price="500.00")

    charged = api.post(f"/v1/clients/{client['id']}/charges",
                       {"session_ref": session["id"], "date": "2026-11-25", "billing_code": "90837"})

    # A usage dated and coded unlike the session it counts: the session's own PATCH re-charges it.
    assert charged.status == 409, charged.body
    assert f"/v1/clients/{client['id']}/sessions/{session['id']}" in charged.body["detail"]
    assert api.get(f"/v1/clients/{client['id']}/packs/{pack['id']}").body["used"] == "0"


def test_charges_route_charge_of_booked_appointment_refused(api):
    client = make_client(api)
    make_pack(api, client["id"], name="Five", measure="sessions", limit="5", price="500.00")
    booked = api.post("/v1/appointments", {
        "client_id": client["id"], "practitioner_id": PRACTITIONER, "location_id": "loc_prc_a_main",
        "start": "2026-11-24T10:00:00", "end": "2026-11-24T10:45:00", "billing_code": "90834"},
        role="front_desk")
    assert booked.status == 201, booked.body
    appointment = booked.body["appointments"][0]

    charged = api.post(f"/v1/clients/{client['id']}/charges",
                       {"session_ref": appointment["id"], "date": "2026-11-24", "billing_code": "90834"})

    # Its status route charges it (attended, or a no-show a pack charges) and records the session.
    assert charged.status == 409, charged.body
    assert f"/v1/appointments/{appointment['id']}/status" in charged.body["detail"]
    assert api.get(f"/v1/clients/{client['id']}/charges/{appointment['id']}").status == 404


# ---- alerts in a US evening, after the day's sweep -------------------------------------------

def _western_evening(monkeypatch, *modules):
    """19:00 in New York is already tomorrow in UTC: the practice's date is a day behind the
    date the sweep reads up to. Answers the practice's date."""
    import dataclasses
    from datetime import UTC, datetime, timedelta

    from chalicelib.services import practice

    behind = datetime.now(UTC).date() - timedelta(days=1)
    real = practice.practice_calendar
    for module in modules:
        monkeypatch.setattr(module, "practice_calendar",
                            lambda practice_id: dataclasses.replace(real(practice_id), today=behind))
    return behind


def test_used_up_alert_raised_in_a_western_evening_after_the_sweep_is_emailed_next_run(
        api, outbox, monkeypatch):  # noqa: F811
    from chalicelib.services import charging

    _business_email(api)
    behind = _western_evening(monkeypatch, charging)
    client = make_client(api, practitioner_id=PRACTITIONER)
    make_pack(api, client["id"], name="Last one", measure="sessions", limit="1", price="1")
    assert _sweep().finished  # the day's sweep, before the charge

    charged = api.post(f"/v1/clients/{client['id']}/charges",
                       {"session_ref": "evening", "date": behind.isoformat(), "billing_code": "90837"})
    assert charged.status == 201, charged.body
    report = _sweep()

    assert report.finished
    [digest] = [m.body for m in outbox.to(BUSINESS)]
    assert "Pack used up" in digest and "Last one" in digest


def test_pack_and_authorization_opened_in_a_western_evening_after_the_sweep_alert_next_run(
        api, outbox, monkeypatch):  # noqa: F811
    from datetime import timedelta

    from chalicelib.services import entitlements

    _business_email(api)
    client = make_client(api, practitioner_id=PRACTITIONER)
    assert _sweep().finished  # the day's sweep
    behind = _western_evening(monkeypatch, entitlements)

    make_pack(api, client["id"], name="Short", measure="sessions", limit="5", price="1",
              validity={"amount": 5, "unit": "days", "starts": "purchase"}, purchased_on=behind.isoformat())
    make_authorization(api, client["id"], allowed="5", number="PA-END", begin_on="2026-01-01",
                       end_on=(behind + timedelta(days=5)).isoformat())
    report = _sweep()

    assert report.finished
    [digest] = [m.body for m in outbox.to(BUSINESS)]
    assert "Pack expiring soon" in digest and "Short" in digest
    assert "PA-END" in digest

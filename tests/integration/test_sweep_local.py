"""The outbox and the local mailer on DynamoDB Local."""
from __future__ import annotations

import email
from datetime import date
from decimal import Decimal

import pytest

from chalicelib.auth import Principal, Role
from chalicelib.errors import Conflict
from chalicelib.models.clients import ClientCreate
from chalicelib.models.entitlements import ChargeRequest, PackCreate
from chalicelib.services import charging, clients, entitlements
from chalicelib.store import items
from chalicelib.store.keys import events_pk
from chalicelib.store.repository import BILLING_CODES
from tests import stored
from tests.conftest import PRACTICE_A, USERS
from tests.integration.test_booking_races import _race

ADMIN = Principal(user_id=USERS[PRACTICE_A]["admin"], practice_id=PRACTICE_A, role=Role.ADMIN)


def _pack(limit: int) -> tuple[str, str]:
    client_id = clients.create_client(principal=ADMIN, data=ClientCreate(first_name="Out", last_name="Box")).id
    pack = entitlements.create_pack(principal=ADMIN, client_id=client_id, data=PackCreate(
        name="Ten", measure="sessions", limit=Decimal(limit), price=Decimal(1)))
    return client_id, pack.id


def _code():
    from chalicelib.models.codes import BillingCode

    return BillingCode.model_validate(items.public(items.get(*BILLING_CODES.key(PRACTICE_A, "90837"))))


def _events() -> list[dict]:
    return items.query_all(events_pk(PRACTICE_A), "EVENT#")


def _charge(client_id: str, ref: str, companion=None):
    return charging.charge_session(principal=ADMIN, client_id=client_id, code=_code(), companion=companion,
                                   request=ChargeRequest(session_ref=ref, date=date(2026, 11, 20),
                                                         billing_code="90837"))


def test_the_used_up_event_is_written_once_with_the_charge_that_uses_the_pack_up(seeded):
    client_id, pack_id = _pack(10)
    outcomes = _race(lambda i: _charge(client_id, f"s{i}"), 30)
    charged = [o for o in outcomes if not isinstance(o, Exception) and o.status == "charged"]
    assert len(charged) == 10
    assert stored.entitlement(PRACTICE_A, client_id, "PACK", pack_id)["remaining"] == 0
    [event] = _events()
    assert (event["type"], event["entitlement_id"], event["state"], event["remaining"]) == (
        "pack_used_up", pack_id, "pending", 0)


def test_no_event_is_written_when_the_charge_is_not(seeded):
    client_id, pack_id = _pack(1)
    blocker = ("P#prc_a", "PRACTICE")  # exists, so a create-only Put of it must fail

    def refuse(err, index):
        return Conflict("refused")

    companion = charging.Companion(actions=lambda plan: [items.put_action({"PK": blocker[0], "SK": blocker[1]})],
                                   refused=refuse)
    with pytest.raises(Conflict):
        _charge(client_id, "s1", companion)
    assert _events() == []
    assert stored.entitlement(PRACTICE_A, client_id, "PACK", pack_id)["remaining"] == 1
    _charge(client_id, "s1")
    assert [e["type"] for e in _events()] == ["pack_used_up"]


def test_the_file_mailer_writes_the_digest_as_an_eml_file(seeded, tmp_path):
    from chalicelib.jobs.sweep import run_sweep
    from chalicelib.notify.mailer import FileMailer
    from chalicelib.services.practice import practice_calendar

    client_id, _ = _pack(1)
    charging.charge_session(principal=ADMIN, client_id=client_id, code=_code(), request=ChargeRequest(
        session_ref="s1", date=practice_calendar(PRACTICE_A).today, billing_code="90837"))
    report = run_sweep(mailer=FileMailer(tmp_path))
    assert report.emails_sent == 1  # no business email, no practitioner: the pack's creator
    [path] = list(tmp_path.glob("*.eml"))
    message = email.message_from_bytes(path.read_bytes())
    assert message["To"] == "admin@prc-a.example" and "1 pack and authorization alert" in message["Subject"]
    parts = {p.get_content_type(): p.get_payload(decode=True).decode() for p in message.walk()
             if not p.is_multipart()}
    assert "Pack used up: 'Ten' for Out B. — 0 of 1 left" in parts["text/plain"]
    assert "Pack used up: &#x27;Ten&#x27; for Out B." in parts["text/html"]
    assert run_sweep(mailer=FileMailer(tmp_path)).emails_sent == 0


def test_the_digest_reads_current_figures_and_settles_overtaken_alerts_on_dynamodb_local(seeded, tmp_path):
    """On real DynamoDB: the send-time BatchGetItem, the renewal Query, and the finish that
    records why an alert was withheld."""
    from datetime import timedelta

    from chalicelib.jobs.sweep import run_sweep
    from chalicelib.models.entitlements import AuthorizationCreate
    from chalicelib.notify.mailer import FileMailer
    from chalicelib.services.practice import practice_calendar

    today = practice_calendar(PRACTICE_A).today
    client_id = clients.create_client(principal=ADMIN, data=ClientCreate(first_name="Out", last_name="Box")).id
    auth = entitlements.create_authorization(principal=ADMIN, client_id=client_id, data=AuthorizationCreate(
        payer="Acme Health", begin_on=date(2026, 1, 1), end_on=today + timedelta(days=5), allowed=Decimal(3),
        number="PA-3"))
    for ref in ("s1", "s2", "s3"):  # running low, then used up
        charging.charge_session(principal=ADMIN, client_id=client_id, code=_code(), request=ChargeRequest(
            session_ref=ref, date=today, billing_code="90837"))
    report = run_sweep(mailer=FileMailer(tmp_path))  # raises 'ending soon' too
    assert (report.emails_sent, report.events_finished, report.alerts_withheld) == (1, 3, 1)
    [path] = list(tmp_path.glob("*.eml"))
    message = email.message_from_bytes(path.read_bytes())
    text = next(p.get_payload(decode=True).decode() for p in message.walk() if p.get_content_type() == "text/plain")
    rows = [line for line in text.splitlines() if " — " in line]
    assert rows == [f"- Authorization used up and ending soon: 'authorization PA-3 (Acme Health)' for Out B. "
                    f"— 0 of 3 left, ends {auth.end_on.isoformat()}"]
    settled = {e["type"]: (e["state"], e.get("withheld")) for e in _events()}
    assert settled == {"authorization_low": ("delivered", "overtaken"), "authorization_used_up": ("delivered", None),
                       "authorization_ending": ("delivered", None)}

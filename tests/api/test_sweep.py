"""The daily sweep over moto: events, digests, recipients, preferences, exactly-once delivery, the inbox."""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from chalicelib.notify.mailer import MailerError, Message, SesMailer
from tests.api.entitlement_helpers import make_authorization, make_client, make_pack
from tests.conftest import PRACTICE_A, PRACTICE_B, USERS

SENDER = "notifications@caseload.test"
BUSINESS = "office@harbour.example"
PRACTITIONER = USERS[PRACTICE_A]["practitioner"]
PRACTITIONER_EMAIL = "practitioner@prc-a.example"


class Outbox:
    """What moto's SES accepted, read back."""

    @staticmethod
    def messages() -> list:
        from moto.core import DEFAULT_ACCOUNT_ID
        from moto.ses.models import ses_backends

        return list(ses_backends[DEFAULT_ACCOUNT_ID]["us-east-1"].sent_messages)

    def to(self, address: str) -> list:
        return [m for m in self.messages() if address in m.destinations["ToAddresses"]]


@pytest.fixture
def outbox(api, monkeypatch) -> Outbox:
    import boto3

    from chalicelib.config import reset_settings

    monkeypatch.setenv("CASELOAD_MAILER", "ses")
    monkeypatch.setenv("CASELOAD_MAIL_FROM", SENDER)
    reset_settings()
    boto3.client("sesv2", region_name="us-east-1").create_email_identity(EmailIdentity=SENDER)
    return Outbox()


def _sweep(**kw):
    from chalicelib.jobs.sweep import run_sweep

    return run_sweep(**kw)


def _today(api) -> date:
    from chalicelib.services.practice import practice_calendar

    return practice_calendar(PRACTICE_A).today


def _business_email(api, address=BUSINESS):
    current = api.get("/v1/practice")
    assert api.patch("/v1/practice", {"business_email": address}, if_match=current.etag).status == 200


def _client(api, **extra):
    return make_client(api, first="Jamie", last="Rivera", practitioner_id=PRACTITIONER, **extra)


def _charge(api, client_id, ref, code="90837"):
    reply = api.post(f"/v1/clients/{client_id}/charges", {"session_ref": ref, "date": _today(api).isoformat(),
                                                           "billing_code": code})
    assert reply.status == 201, reply.body
    return reply.body


def test_each_event_type_reaches_the_business_email_in_one_digest(api, outbox):
    _business_email(api)
    today = _today(api)
    client = _client(api)
    used_up = make_pack(api, client["id"], name="One left", measure="sessions", limit="1", price="100")
    _charge(api, client["id"], "s1")  # uses the pack up (outbox event)
    make_authorization(api, client["id"], allowed="3", number="PA-LOW", end_on="2030-12-31")
    _charge(api, client["id"], "s2")  # 2 left of 3: low (≤ 2)
    gone = make_client(api, first="Sam", last="Ng")
    make_authorization(api, gone["id"], allowed="1", number="PA-ONE", end_on="2030-12-31")
    _charge(api, gone["id"], "s3")  # used up
    expiring = make_pack(api, gone["id"], name="Expiring", measure="sessions", limit="5", price="1",
                         purchased_on=(today - timedelta(days=20)).isoformat(), validity={"amount": 30, "unit": "days"})
    expired = make_pack(api, gone["id"], name="Lapsed", measure="sessions", limit="5", price="1",
                        purchased_on=(today - timedelta(days=40)).isoformat(), validity={"amount": 30, "unit": "days"})
    make_authorization(api, gone["id"], allowed="10", number="PA-END", end_on=(today + timedelta(days=5)).isoformat())

    report = _sweep()
    assert report.finished and report.emails_sent == 2  # the business email and the practitioner
    [digest] = outbox.to(BUSINESS)
    assert digest.subject == f"Practice {PRACTICE_A}: 6 pack and authorization alerts for {today.isoformat()}"
    body = digest.body
    for line in ("Pack used up: 'One left' for Jamie R. — 0 of 1 left",
                 "Authorization running low: 'authorization PA-LOW (Acme Health)' for Jamie R. — 2 of 3 left",
                 "Authorization used up: 'authorization PA-ONE (Acme Health)' for Sam N. — 0 of 1 left",
                 f"Pack expiring soon: 'Expiring' for Sam N. — 5 of 5 left, expires {expiring['expires_on']}",
                 f"Pack expired: 'Lapsed' for Sam N. — 5 of 5 left, expired {expired['expires_on']}",
                 "Authorization ending soon: 'authorization PA-END (Acme Health)' for Sam N. — 10 of 10 left, ends"):
        assert line.replace("'", "&#x27;") in body, line
    # No client data beyond what staff need: no surnames, no client email.
    assert "Rivera" not in body and "Ng " not in body
    # The practitioner hears only about their own clients' events.
    [mine] = outbox.to(PRACTITIONER_EMAIL)
    assert "Jamie R." in mine.body and "Sam N." not in mine.body
    assert used_up["id"]


def test_rerun_sends_nothing_new_and_new_events_come_the_next_day(api, outbox):
    _business_email(api)
    client = _client(api)
    make_pack(api, client["id"], name="One left", measure="sessions", limit="1", price="1")
    _charge(api, client["id"], "s1")
    first = _sweep()
    again = _sweep()
    assert (first.emails_sent, again.emails_sent) == (2, 0)
    assert len(outbox.messages()) == 2
    make_authorization(api, client["id"], allowed="1", number="PA-2", end_on="2030-12-31")
    _charge(api, client["id"], "s2")
    later = _sweep()
    latest = outbox.to(BUSINESS)[-1].body
    assert later.emails_sent == 2 and "PA-2" in latest and "One left" not in latest


def test_without_a_business_email_the_practitioner_on_the_pack_else_its_creator_is_told(api, outbox):
    with_practitioner = _client(api)
    make_pack(api, with_practitioner["id"], name="Theirs", measure="sessions", limit="1", price="1")
    _charge(api, with_practitioner["id"], "s1")
    nobody = make_client(api, first="Nora", last="Quinn")
    reply = api.post(f"/v1/clients/{nobody['id']}/packs", {"name": "Front desk sold", "measure": "sessions",
                                                            "limit": "1", "price": "1"}, role="front_desk")
    assert reply.status == 201
    _charge(api, nobody["id"], "s2")
    assert _sweep().emails_sent == 2
    assert ["Theirs" in m.body for m in outbox.to(PRACTITIONER_EMAIL)] == [True]
    [desk] = outbox.to("front-desk@prc-a.example")
    assert "Front desk sold" in desk.body and "Theirs" not in desk.body


def test_preferences_are_respected(api, outbox):
    _business_email(api)
    me = api.get("/v1/users/me", role="practitioner")
    api.patch("/v1/users/me", {"notification_preferences": {"pack_used_up": False}}, if_match=me.etag,
              role="practitioner")
    client = _client(api)
    make_pack(api, client["id"], name="One left", measure="sessions", limit="1", price="1")
    _charge(api, client["id"], "s1")
    make_authorization(api, client["id"], allowed="1", number="PA-9", end_on="2030-12-31")
    _charge(api, client["id"], "s2")
    _sweep()
    [mine] = outbox.to(PRACTITIONER_EMAIL)
    assert "PA-9" in mine.body and "One left" not in mine.body
    [office] = outbox.to(BUSINESS)  # the business email is not a user: it gets everything
    assert "PA-9" in office.body and "One left" in office.body


class FailingOnce:
    """SES refusing the first message, then accepting."""

    def __init__(self) -> None:
        self.calls = 0
        self.real = SesMailer()

    def send(self, message: Message) -> str:
        self.calls += 1
        if self.calls == 1:
            raise MailerError("Throttling")
        return self.real.send(message)


def test_an_ses_failure_leaves_the_event_pending_and_the_next_run_sends_it_once(api, outbox):
    _business_email(api)
    client = make_client(api, first="Solo", last="Client")  # no practitioner: one recipient
    make_pack(api, client["id"], name="One left", measure="sessions", limit="1", price="1")
    _charge(api, client["id"], "s1")
    mailer = FailingOnce()
    failed = _sweep(mailer=mailer)
    assert (failed.emails_sent, failed.emails_failed, failed.events_finished) == (0, 1, 0)
    assert outbox.messages() == []
    retried = _sweep(mailer=mailer, today=_today(api) + timedelta(days=1))
    assert (retried.emails_sent, retried.events_finished) == (1, 1)
    assert len(outbox.to(BUSINESS)) == 1
    assert _sweep(mailer=mailer, today=_today(api) + timedelta(days=2)).emails_sent == 0
    assert len(outbox.messages()) == 1


def test_a_run_near_the_time_limit_stops_and_the_next_carries_on(api, outbox):
    _business_email(api)
    client = _client(api)
    make_pack(api, client["id"], name="One left", measure="sessions", limit="1", price="1")
    _charge(api, client["id"], "s1")
    stopped = _sweep(time_left=lambda: 5.0)
    assert not stopped.finished and stopped.emails_sent == 0
    resumed = _sweep()
    assert resumed.finished and resumed.emails_sent == 2


def test_a_pack_expiring_soon_then_expired_emails_once_each(api, outbox):
    _business_email(api)
    today = _today(api)
    client = make_client(api, first="Kai", last="Lee")
    pack = make_pack(api, client["id"], name="Ten", measure="sessions", limit="10", price="1",
                     validity={"amount": 20, "unit": "days"})
    assert _sweep(today=today).emails_sent == 0  # due in 6 days
    assert _sweep(today=today + timedelta(days=6)).emails_sent == 1
    assert _sweep(today=today + timedelta(days=7)).emails_sent == 0
    assert _sweep(today=today + timedelta(days=21)).emails_sent == 1
    subjects = [m.body for m in outbox.to(BUSINESS)]
    assert "Pack expiring soon: &#x27;Ten&#x27;" in subjects[0] and f"expires {pack['expires_on']}" in subjects[0]
    assert "Pack expired: &#x27;Ten&#x27;" in subjects[1]


def test_practices_get_separate_digests(api, outbox):
    _business_email(api)
    for practice in (PRACTICE_A, PRACTICE_B):
        client = api.post("/v1/clients", {"first_name": "P", "last_name": practice}, practice=practice).body
        api.post(f"/v1/clients/{client['id']}/packs", {"name": f"Pack of {practice}", "measure": "sessions",
                                                       "limit": "1", "price": "1"}, practice=practice)
        api.post(f"/v1/clients/{client['id']}/charges", {"session_ref": "s", "date": _today(api).isoformat(),
                                                         "billing_code": "90837"}, practice=practice)
    _sweep()
    [a] = outbox.to(BUSINESS)
    [b] = outbox.to("admin@prc-b.example")  # B has no business email: the pack's creator, B's admin
    assert "Pack of prc_a" in a.body and "prc_b" not in a.body
    assert "Pack of prc_b" in b.body and "prc_a" not in b.body


def test_each_user_reads_their_own_inbox(api, outbox):
    client = _client(api)
    pack = make_pack(api, client["id"], name="One left", measure="sessions", limit="1", price="1")
    _charge(api, client["id"], "s1")
    _sweep()
    inbox = api.get("/v1/notifications", role="practitioner")
    assert inbox.status == 200
    [note] = inbox.body["items"]
    assert note["subject"].endswith("1 pack and authorization alert for " + _today(api).isoformat())
    assert note["events"] == [{"type": "pack_used_up", "headline": "Pack used up",
                               "line": "Pack used up: 'One left' for Jamie R. — 0 of 1 left",
                               "entitlement_kind": "pack", "entitlement_id": pack["id"], "client_id": client["id"]}]
    assert api.get("/v1/notifications", role="front_desk").body["items"] == []
    assert api.get("/v1/notifications", role="practitioner", practice=PRACTICE_B).body["items"] == []

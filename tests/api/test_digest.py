"""What a staff digest says (issue 10 item 9): each pack or authorization once, with its figures
as they are when the email is sent, and only the alerts that are still news."""
from __future__ import annotations

import re
from datetime import date, timedelta

import pytest

from chalicelib.notify.mailer import MailerError, Message
from tests.api.entitlement_helpers import make_authorization, make_client, make_pack
from tests.conftest import PRACTICE_A

BUSINESS = "office@harbour.example"


class Recorder:
    """A mailer that keeps every message it accepts (both parts), or refuses while told to."""

    def __init__(self, *, failing: bool = False) -> None:
        self.sent: list[Message] = []
        self.failing = failing

    def send(self, message: Message) -> str:
        if self.failing:
            raise MailerError("Throttling")
        self.sent.append(message)
        return f"msg-{len(self.sent)}"

    def only(self) -> Message:
        [message] = self.sent
        return message


def _sweep(**kw):
    from chalicelib.jobs.sweep import run_sweep

    return run_sweep(**kw)


def _today() -> date:
    from chalicelib.services.practice import practice_calendar

    return practice_calendar(PRACTICE_A).today


def _business_email(api) -> None:
    current = api.get("/v1/practice")
    assert api.patch("/v1/practice", {"business_email": BUSINESS}, if_match=current.etag).status == 200


def _charge(api, client_id: str, ref: str) -> None:
    reply = api.post(f"/v1/clients/{client_id}/charges", {"session_ref": ref, "date": _today().isoformat(),
                                                          "billing_code": "90837"})
    assert reply.status == 201, reply.body


def _rows(message: Message) -> list[str]:
    """The digest's rows, as the plain-text part lists them (one "...: 'name' for client — figures" line each)."""
    return [line.strip().removeprefix("- ") for line in message.text.splitlines() if " — " in line]


@pytest.fixture
def client(api) -> dict:
    _business_email(api)
    return make_client(api, first="Jamie", last="Rivera")  # no practitioner: the business email alone hears


def test_digest_shows_one_row_with_current_figures_when_an_authorization_goes_low_then_used_up_then_ending(api, client):
    today = _today()
    auth = make_authorization(api, client["id"], allowed="3", number="PA-3", begin_on="2026-01-01",
                              end_on=(today + timedelta(days=5)).isoformat())
    for ref in ("s1", "s2", "s3"):  # 2 left (running low), then 0 (used up)
        _charge(api, client["id"], ref)
    mailer = Recorder()
    assert _sweep(mailer=mailer).emails_sent == 1  # the sweep raises 'ending soon' and sends all three
    message = mailer.only()
    [row] = _rows(message)
    assert row.startswith("Authorization used up and ending soon: 'authorization PA-3 (Acme Health)' for Jamie R. "
                          "— 0 of 3 left, ends ")
    assert "running low" not in message.text.lower() and "2 of 3" not in message.text
    assert "running low" not in message.html.lower() and "2 of 3" not in message.html
    assert message.html.count(f"/clients/{client['id']}\"") == 1  # one row, one link
    assert message.subject.endswith(f"2 pack and authorization alerts for {today.isoformat()}")
    assert auth["end_on"] in row


def test_digest_states_the_balance_when_sent_not_when_the_alert_was_raised(api, client):
    make_authorization(api, client["id"], allowed="4", number="PA-4", end_on="2030-12-31")
    _charge(api, client["id"], "s1")
    _charge(api, client["id"], "s2")  # 2 left of 4: running low, raised with "2 of 4"
    _charge(api, client["id"], "s3")  # 1 left: still low, nothing new raised
    mailer = Recorder()
    _sweep(mailer=mailer)
    [row] = _rows(mailer.only())
    assert row.startswith("Authorization running low: 'authorization PA-4 (Acme Health)' for Jamie R. — 1 of 4 left")
    assert "Used 3 of 4 sessions, 1 left" in mailer.only().text


def test_digest_retried_after_a_failure_shows_the_balance_of_the_retry_day(api, client):
    today = _today()
    make_pack(api, client["id"], name="Ten", measure="sessions", limit="10", price="1",
              validity={"amount": 20, "unit": "days"})
    failing = Recorder(failing=True)
    assert _sweep(mailer=failing, today=today + timedelta(days=6)).emails_failed == 1  # expiring soon: 10 of 10
    _charge(api, client["id"], "s1")
    mailer = Recorder()
    assert _sweep(mailer=mailer, today=today + timedelta(days=7)).emails_sent == 1
    [row] = _rows(mailer.only())
    assert row.startswith("Pack expiring soon: 'Ten' for Jamie R. — 9 of 10 left, expires ")


def test_digest_shows_expired_and_not_expiring_soon_when_both_are_pending(api, client):
    today = _today()
    pack = make_pack(api, client["id"], name="Ten", measure="sessions", limit="10", price="1",
                     validity={"amount": 20, "unit": "days"})
    assert _sweep(mailer=Recorder(failing=True), today=today + timedelta(days=6)).emails_failed == 1
    mailer = Recorder()
    assert _sweep(mailer=mailer, today=today + timedelta(days=21)).emails_sent == 1
    assert _rows(mailer.only()) == [f"Pack expired: 'Ten' for Jamie R. — 10 of 10 left, expired {pack['expires_on']}"]
    # The overtaken alert was settled with the email: nothing about it comes later.
    assert _sweep(mailer=mailer, today=today + timedelta(days=22)).emails_sent == 0


def test_digest_leaves_out_a_used_up_alert_when_the_limit_was_raised_since(api, client):
    pack = make_pack(api, client["id"], name="One", measure="sessions", limit="1", price="1")
    _charge(api, client["id"], "s1")  # used up
    current = api.get(f"/v1/clients/{client['id']}/packs/{pack['id']}")
    assert api.patch(f"/v1/clients/{client['id']}/packs/{pack['id']}", {"limit": "3"},
                     if_match=current.etag).status == 200
    mailer = Recorder()
    report = _sweep(mailer=mailer)
    assert (report.emails_sent, report.events_finished, report.alerts_withheld) == (0, 1, 1)
    assert mailer.sent == []
    assert _sweep(mailer=mailer).emails_sent == 0
    # Used up again at the new limit: that is news again.
    _charge(api, client["id"], "s2")
    _charge(api, client["id"], "s3")
    assert _sweep(mailer=mailer).emails_sent == 1
    assert _rows(mailer.only()) == ["Pack used up: 'One' for Jamie R. — 0 of 3 left"]


def _delete(api, path: str) -> None:
    assert api.delete(path, if_match=api.get(path).etag).status == 204


def _close(api, path: str) -> None:
    assert api.patch(path, {"closed": True}, if_match=api.get(path).etag).status == 200


@pytest.mark.parametrize("change", ["deleted", "closed", "consolidated"])
def test_digest_leaves_out_a_pack_that_was_deleted_closed_or_consolidated_since_the_alert(api, client, change):
    base = f"/v1/clients/{client['id']}/packs"
    pack = make_pack(api, client["id"], name="One", measure="sessions", limit="1", price="1")
    _charge(api, client["id"], "s1")  # used up
    kept = make_pack(api, client["id"], name="Kept", measure="sessions", limit="1", price="1")
    _charge(api, client["id"], "s2")  # used up too: the email still goes, about this one only
    if change == "deleted":
        _delete(api, f"{base}/{pack['id']}")
    elif change == "closed":
        _close(api, f"{base}/{pack['id']}")
    else:
        target = make_pack(api, client["id"], name="Target", measure="sessions", limit="5", price="1")
        reply = api.post(f"{base}/{target['id']}/consolidate", {"source_pack_id": pack["id"]},
                         headers={"If-Match": api.get(f"{base}/{target['id']}").etag})
        assert reply.status == 200, reply.body
    mailer = Recorder()
    report = _sweep(mailer=mailer)
    assert (report.emails_sent, report.events_finished, report.alerts_withheld) == (1, 2, 1)
    assert _rows(mailer.only()) == [f"Pack used up: '{kept['name']}' for Jamie R. — 0 of 1 left"]
    assert _sweep(mailer=mailer, today=_today() + timedelta(days=1)).emails_sent == 0


def test_digest_leaves_out_ending_soon_when_the_end_date_moved_since(api, client):
    today = _today()
    path = f"/v1/clients/{client['id']}/authorizations"
    auth = make_authorization(api, client["id"], allowed="10", number="PA-E",
                              end_on=(today + timedelta(days=5)).isoformat())
    assert _sweep(mailer=Recorder(failing=True)).emails_failed == 1
    current = api.get(f"{path}/{auth['id']}")
    assert api.patch(f"{path}/{auth['id']}", {"end_on": (today + timedelta(days=90)).isoformat()},
                     if_match=current.etag).status == 200
    mailer = Recorder()
    report = _sweep(mailer=mailer, today=today + timedelta(days=1))
    assert (report.emails_sent, report.alerts_withheld) == (0, 1)


def test_digest_leaves_out_ending_soon_once_the_authorization_is_renewed_without_a_gap(api, client):
    today = _today()
    end = today + timedelta(days=5)
    make_authorization(api, client["id"], allowed="10", number="PA-OLD", begin_on="2026-01-01",
                       end_on=end.isoformat())
    make_authorization(api, client["id"], allowed="10", number="PA-NEW", begin_on=(end + timedelta(days=1)).isoformat(),
                       end_on=(end + timedelta(days=180)).isoformat())
    mailer = Recorder()
    report = _sweep(mailer=mailer)
    assert (report.emails_sent, report.alerts_withheld) == (0, 1)


def test_digest_keeps_ending_soon_when_the_renewal_leaves_a_gap_or_is_from_another_payer(api, client):
    today = _today()
    end = today + timedelta(days=5)
    make_authorization(api, client["id"], allowed="10", number="PA-OLD", begin_on="2026-01-01",
                       end_on=end.isoformat())
    make_authorization(api, client["id"], allowed="10", number="PA-LATE",
                       begin_on=(end + timedelta(days=10)).isoformat(), end_on=(end + timedelta(days=180)).isoformat())
    make_authorization(api, client["id"], allowed="10", number="PA-OTHER", payer="Other Mutual",
                       begin_on=(end + timedelta(days=1)).isoformat(), end_on=(end + timedelta(days=180)).isoformat())
    mailer = Recorder()
    assert _sweep(mailer=mailer).emails_sent == 1
    [row] = _rows(mailer.only())
    assert row.startswith("Authorization ending soon: 'authorization PA-OLD (Acme Health)'")


def test_digest_reads_only_the_entitlements_its_events_name_in_one_batch(api, client):
    """The send-time read costs what is due: one BatchGetItem of the named entitlements, not a
    read of every pack."""
    from chalicelib.store import dynamo

    used = make_pack(api, client["id"], name="One", measure="sessions", limit="1", price="1")
    _charge(api, client["id"], "s1")
    for i in range(6):  # packs nobody needs to hear about
        other = make_client(api, first=f"Idle{i}", last="Client")
        make_pack(api, other["id"], name="Idle", measure="sessions", limit="10", price="1")
    calls: list[tuple[str, dict]] = []

    def record(params, model, **_):
        calls.append((model.name, params))

    hooks = dynamo.client().meta.events
    hooks.register("provide-client-params.dynamodb", record, unique_id="digest-reads")
    try:
        assert _sweep(mailer=Recorder()).emails_sent == 1
    finally:
        hooks.unregister("provide-client-params.dynamodb", unique_id="digest-reads")
    batches = [p for name, p in calls if name == "BatchGetItem"]
    assert len(batches) == 1
    [keys] = [spec["Keys"] for spec in batches[0]["RequestItems"].values()]
    assert [k["SK"]["S"] for k in keys] == [f"ENT#PACK#{used['id']}"]
    client_reads = [p for name, p in calls if name in ("Query", "GetItem", "Scan")
                    and "#C#" in str(p.get("ExpressionAttributeValues") or p.get("Key") or "")]
    assert client_reads == []


def test_digest_html_links_each_row_to_the_client_page_in_the_console(api, client, monkeypatch):
    from chalicelib.config import reset_settings

    monkeypatch.setenv("CASELOAD_CONSOLE_URL", "https://console.harbour.example/")
    reset_settings()
    make_pack(api, client["id"], name="One", measure="sessions", limit="1", price="1")
    _charge(api, client["id"], "s1")
    mailer = Recorder()
    _sweep(mailer=mailer)
    message = mailer.only()
    link = f"https://console.harbour.example/clients/{client['id']}"
    assert re.search(rf'<a href="{re.escape(link)}"', message.html)
    assert link in message.text
    assert "Rivera" not in message.html and "Rivera" not in message.text


def test_digest_keeps_a_withheld_alert_pending_while_the_email_fails_and_settles_it_with_the_email(api, client):
    make_authorization(api, client["id"], allowed="3", number="PA-3", end_on="2030-12-31")
    _charge(api, client["id"], "s1")  # running low
    _charge(api, client["id"], "s2")
    _charge(api, client["id"], "s3")  # used up: overtakes running low
    failed = _sweep(mailer=Recorder(failing=True))
    assert (failed.emails_failed, failed.events_finished) == (1, 0)
    mailer = Recorder()
    retried = _sweep(mailer=mailer)
    assert (retried.emails_sent, retried.events_finished, retried.alerts_withheld) == (1, 2, 1)
    assert _rows(mailer.only()) == ["Authorization used up: 'authorization PA-3 (Acme Health)' for Jamie R. "
                                    "— 0 of 3 left, ends 2030-12-31"]
    assert _sweep(mailer=mailer).emails_sent == 0 and len(mailer.sent) == 1


def test_inbox_lists_the_alerts_shown_with_the_figures_sent(api):
    from tests.conftest import USERS

    theirs = make_client(api, first="Jamie", last="Rivera", practitioner_id=USERS[PRACTICE_A]["practitioner"])
    auth = make_authorization(api, theirs["id"], allowed="3", number="PA-3", end_on="2030-12-31")
    for ref in ("s1", "s2", "s3"):
        _charge(api, theirs["id"], ref)
    _sweep(mailer=Recorder())
    [note] = api.get("/v1/notifications", role="practitioner").body["items"]
    assert note["events"] == [{"type": "authorization_used_up", "headline": "Authorization used up",
                               "line": "Authorization used up: 'authorization PA-3 (Acme Health)' for Jamie R. "
                                       "— 0 of 3 left, ends 2030-12-31",
                               "entitlement_kind": "authorization", "entitlement_id": auth["id"],
                               "client_id": theirs["id"]}]

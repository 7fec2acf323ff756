"""Lowering a limit raises the alert it causes (PRODUCT.md §8): a pack or authorization cut to
what is used is 'used up', an authorization cut into its low line is 'running low'. The event
is written with the limit change (one transaction) and the sweep emails it like a charge's."""
from __future__ import annotations

from datetime import date

import pytest

from tests.api.entitlement_helpers import make_authorization, make_client, make_pack, strict_expressions
from tests.api.test_digest import Recorder, _rows
from tests.conftest import PRACTICE_A

BUSINESS = "office@harbour.example"


def _today() -> date:
    from chalicelib.services.practice import practice_calendar

    return practice_calendar(PRACTICE_A).today


def _sweep(mailer: Recorder):
    from chalicelib.jobs.sweep import run_sweep

    return run_sweep(mailer=mailer)


def _charge(api, client_id: str, ref: str) -> None:
    reply = api.post(f"/v1/clients/{client_id}/charges", {"session_ref": ref, "date": _today().isoformat(),
                                                          "billing_code": "90837"})
    assert reply.status == 201, reply.body


def _set(api, path: str, body: dict) -> dict:
    current = api.get(path)
    reply = api.patch(path, body, if_match=current.etag)
    assert reply.status == 200, reply.body
    return reply.body


def _digest_rows(mailer: Recorder) -> list[str]:
    return [row for message in mailer.sent for row in _rows(message)]


@pytest.fixture
def client(api) -> dict:
    current = api.get("/v1/practice")
    assert api.patch("/v1/practice", {"business_email": BUSINESS}, if_match=current.etag).status == 200
    return make_client(api, first="Jamie", last="Rivera")


def _pack(api, client: dict, used: int, limit: str = "5") -> str:
    pack = make_pack(api, client["id"], name="Five", measure="sessions", limit=limit, price="1")
    for i in range(used):
        _charge(api, client["id"], f"p{i}")
    return f"/v1/clients/{client['id']}/packs/{pack['id']}"


def _auth(api, client: dict, used: int, allowed: str) -> str:
    auth = make_authorization(api, client["id"], allowed=allowed, number="PA-9")
    for i in range(used):
        _charge(api, client["id"], f"a{i}")
    return f"/v1/clients/{client['id']}/authorizations/{auth['id']}"


def test_lowering_a_pack_limit_to_what_is_used_emails_used_up(api, client):
    path = _pack(api, client, used=2)
    edited = _set(api, path, {"limit": "2"})
    assert (edited["status"], edited["remaining"]) == ("used_up", "0")
    mailer = Recorder()
    assert _sweep(mailer).emails_sent == 1
    assert _digest_rows(mailer) == ["Pack used up: 'Five' for Jamie R. — 0 of 2 left"]


def test_lowering_an_authorization_to_what_is_used_emails_used_up(api, client):
    path = _auth(api, client, used=1, allowed="3")
    assert _set(api, path, {"allowed": "1"})["remaining"] == "0"
    mailer = Recorder()
    _sweep(mailer)
    [row] = _digest_rows(mailer)
    assert row.startswith("Authorization used up: 'authorization PA-9 (Acme Health)' for Jamie R. — 0 of 1 left")


def test_lowering_an_authorization_into_its_low_line_emails_running_low(api, client):
    # 12 allowed, 5 used: 7 left, above the line (2 left or 80 % used); 7 allowed leaves 2.
    path = _auth(api, client, used=5, allowed="12")
    assert _set(api, path, {"allowed": "7"})["remaining"] == "2"
    mailer = Recorder()
    _sweep(mailer)
    [row] = _digest_rows(mailer)
    assert row.startswith("Authorization running low: 'authorization PA-9 (Acme Health)' for Jamie R. — 2 of 7 left")


def test_lowering_an_authorization_by_percent_line_emails_running_low(api, client):
    # The practice's line is 1 left or 50 % used: 10 allowed, 4 used is not low; 8 allowed is.
    current = api.get("/v1/practice")
    assert api.patch("/v1/practice", {"authorization_low_remaining": 1, "authorization_low_percent": 50},
                     if_match=current.etag).status == 200
    path = _auth(api, client, used=4, allowed="10")
    _set(api, path, {"allowed": "8"})
    mailer = Recorder()
    _sweep(mailer)
    [row] = _digest_rows(mailer)
    assert row.startswith("Authorization running low:") and "— 4 of 8 left" in row


def test_lowering_a_limit_that_leaves_room_raises_nothing(api, client):
    pack = _pack(api, client, used=2)
    auth = _auth(api, make_client(api, first="Alex", last="Stone"), used=1, allowed="12")
    _set(api, pack, {"limit": "4"})
    _set(api, auth, {"allowed": "10"})  # 9 left, line 2
    mailer = Recorder()
    assert _sweep(mailer).emails_sent == 0


def test_lowering_an_already_low_authorization_raises_nothing_new(api, client):
    path = _auth(api, client, used=10, allowed="12")  # the tenth charge raised 'running low'
    mailer = Recorder()
    _sweep(mailer)
    assert len(_digest_rows(mailer)) == 1
    _set(api, path, {"allowed": "11"})  # still low (1 left), not used up: no news
    later = Recorder()
    assert _sweep(later).emails_sent == 0


def test_raising_the_limit_then_using_it_up_emails_used_up_again(api, client):
    path = _pack(api, client, used=2)
    _set(api, path, {"limit": "2"})
    first = Recorder()
    _sweep(first)
    assert _digest_rows(first) == ["Pack used up: 'Five' for Jamie R. — 0 of 2 left"]
    _set(api, path, {"limit": "3"})
    _charge(api, client["id"], "more")
    second = Recorder()
    _sweep(second)
    assert _digest_rows(second) == ["Pack used up: 'Five' for Jamie R. — 0 of 3 left"]


def test_lowering_again_to_a_limit_already_alerted_is_not_emailed_twice(api, client):
    path = _pack(api, client, used=2)
    _set(api, path, {"limit": "2"})
    _sweep(Recorder())
    _set(api, path, {"limit": "4"})
    _set(api, path, {"limit": "2"})  # the same limit used up again: the same event, already sent
    later = Recorder()
    assert _sweep(later).emails_sent == 0


def test_lowering_a_limit_writes_valid_expressions(api, client):
    pack = _pack(api, client, used=2)
    auth = _auth(api, make_client(api, first="Alex", last="Stone"), used=5, allowed="12")
    with strict_expressions() as faults:
        _set(api, pack, {"limit": "2", "name": "Renamed"})
        _set(api, auth, {"allowed": "7"})
        _set(api, auth, {"allowed": "8"})  # no event: the single update
    assert faults == []
    assert api.get(pack).body["name"] == "Renamed"


def test_lowering_a_limit_refused_keeps_its_answers_and_raises_nothing(api, client):
    path = _pack(api, client, used=2)
    current = api.get(path)
    stale = api.patch(path, {"limit": "2"}, if_match='"99"')
    assert stale.status == 412, stale.body
    below = api.patch(path, {"limit": "1"}, if_match=current.etag)
    assert below.status == 409 and below.body["field"] == "body.limit", below.body
    missing = api.patch(f"/v1/clients/{client['id']}/packs/pk_missing", {"limit": "2"}, if_match='"1"')
    assert missing.status == 404, missing.body
    closed = _set(api, path, {"closed": True})
    shut = api.patch(path, {"limit": "2"}, if_match=f'"{closed["version"]}"')
    assert shut.status == 409 and "closed" in shut.body["detail"], shut.body
    _set(api, path, {"closed": False})
    assert api.get(path).body["limit"] == "5"
    assert _sweep(Recorder()).emails_sent == 0


def test_closing_while_lowering_to_used_raises_nothing(api, client):
    # Refused today (the pack must be open to change its limit): nothing is raised either way.
    path = _pack(api, client, used=2)
    current = api.get(path)
    api.patch(path, {"limit": "2", "closed": True}, if_match=current.etag)
    assert _sweep(Recorder()).emails_sent == 0


def test_charge_between_the_read_and_the_cut_is_seen_by_the_retry(api, client, monkeypatch):
    # The limit change reads 1 used (5 → 3 leaves 2: no event); a charge lands before its write
    # (now 2 used: 3 → 1 left, still none), then another (3 used: the cut uses it up). The write,
    # conditioned on `used` as read, is refused; the retry reads again and raises 'used up'.
    from chalicelib.store import entitlements as store

    path = _pack(api, client, used=1)
    real = store.get_entitlement
    charged: list[str] = []

    def racing(*args, **kwargs):
        found = real(*args, **kwargs)
        if not charged:
            charged.append("x")
            _charge(api, client["id"], "r1")
            _charge(api, client["id"], "r2")
        return found

    current = api.get(path)
    monkeypatch.setattr(store, "get_entitlement", racing)
    reply = api.patch(path, {"limit": "3"}, if_match=current.etag)
    assert reply.status == 200, reply.body
    edited = reply.body
    assert (edited["used"], edited["remaining"], edited["status"]) == ("3", "0", "used_up")
    mailer = Recorder()
    _sweep(mailer)
    assert _digest_rows(mailer) == ["Pack used up: 'Five' for Jamie R. — 0 of 3 left"]

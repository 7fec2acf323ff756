"""A limit edit meets renewal and expiry (PRODUCT.md §3, §8): lowering an auto-renew pack's
limit to what is used uses it up, so the next pack opens from the same template, as when a
charge uses it up (once, in the cut's transaction, with the same 'used up' alert); a pack that
has expired or an authorization that has ended raises nothing on a cut and renews nothing."""
from __future__ import annotations

from datetime import date

import pytest

from tests.api.entitlement_helpers import (
    charge,
    make_authorization,
    make_client,
    make_pack,
    make_template,
    strict_expressions,
)
from tests.api.test_digest import Recorder, _rows
from tests.conftest import PRACTICE_A

BUSINESS = "office@harbour.example"


def _today() -> date:
    from chalicelib.services.practice import practice_calendar

    return practice_calendar(PRACTICE_A).today


def _sweep(mailer: Recorder):
    from chalicelib.jobs.sweep import run_sweep

    return run_sweep(mailer=mailer)


def _digest_rows(mailer: Recorder) -> list[str]:
    return [row for message in mailer.sent for row in _rows(message)]


def _charge(api, client_id: str, ref: str, on: str | None = None) -> dict:
    reply = charge(api, client_id, ref, on=on or _today().isoformat())
    assert reply.status == 201, reply.body
    return reply.body


def _set(api, path: str, body: dict) -> dict:
    current = api.get(path)
    reply = api.patch(path, body, if_match=current.etag)
    assert reply.status == 200, reply.body
    return reply.body


def _packs(api, client_id: str) -> list[dict]:
    return api.get(f"/v1/clients/{client_id}/packs?include_closed=true&limit=100").body["items"]


@pytest.fixture
def client(api) -> dict:
    current = api.get("/v1/practice")
    assert api.patch("/v1/practice", {"business_email": BUSINESS}, if_match=current.etag).status == 200
    return make_client(api, first="Jamie", last="Rivera")


@pytest.fixture
def template(api) -> dict:
    return make_template(api, name="Four", quantity="4", price="400.00")


def _renewing_pack(api, client: dict, template: dict, used: int, **fields) -> str:
    pack = make_pack(api, client["id"], template_id=template["id"], auto_renew=True, **fields)
    for i in range(used):
        _charge(api, client["id"], f"s{i}")
    return f"/v1/clients/{client['id']}/packs/{pack['id']}"


def test_lowering_an_auto_renew_pack_to_what_is_used_opens_the_next_pack(api, client, template):
    path = _renewing_pack(api, client, template, used=2)
    edited = _set(api, path, {"limit": "2"})
    assert (edited["status"], edited["remaining"]) == ("used_up", "0")
    packs = _packs(api, client["id"])
    [renewed] = [p for p in packs if p["id"] != edited["id"]]
    assert (renewed["template_id"], renewed["name"], renewed["limit"], renewed["used"], renewed["status"]) == (
        template["id"], "Four", "4", "0", "active")
    assert renewed["auto_renew"] is True and renewed["purchased_on"] == _today().isoformat()
    assert renewed["price"] == "400.00"
    # The next session counts against the new pack, as after a charge's renewal.
    assert _charge(api, client["id"], "next")["pack"]["id"] == renewed["id"]


def test_lowering_a_customised_pack_renews_with_the_templates_quantity(api, client, template):
    # A referral opened at 6 of the template's 4... the renewal is the template's pack, not the custom limit.
    path = _renewing_pack(api, client, template, used=3, limit="6")
    edited = _set(api, path, {"limit": "3"})
    [renewed] = [p for p in _packs(api, client["id"]) if p["id"] != edited["id"]]
    assert (renewed["limit"], renewed["remaining"]) == ("4", "4")


def test_lowering_an_auto_renew_pack_emails_used_up_as_a_charge_would(api, client, template):
    path = _renewing_pack(api, client, template, used=2)
    _set(api, path, {"limit": "2"})
    mailer = Recorder()
    assert _sweep(mailer).emails_sent == 1
    assert _digest_rows(mailer) == ["Pack used up: 'Four' for Jamie R. — 0 of 2 left"]


def test_lowering_a_pack_that_is_not_auto_renew_opens_nothing(api, client, template):
    pack = make_pack(api, client["id"], template_id=template["id"])
    _charge(api, client["id"], "s0")
    _set(api, f"/v1/clients/{client['id']}/packs/{pack['id']}", {"limit": "1"})
    assert [p["id"] for p in _packs(api, client["id"])] == [pack["id"]]


def test_lowering_a_pack_while_turning_auto_renew_off_opens_nothing(api, client, template):
    path = _renewing_pack(api, client, template, used=2)
    edited = _set(api, path, {"limit": "2", "auto_renew": False})
    assert edited["auto_renew"] is False
    assert [p["id"] for p in _packs(api, client["id"])] == [edited["id"]]


def test_lowering_a_pack_to_a_limit_that_leaves_room_opens_nothing(api, client, template):
    path = _renewing_pack(api, client, template, used=1)
    _set(api, path, {"limit": "3"})
    assert len(_packs(api, client["id"])) == 1


def test_lowering_and_closing_a_pack_in_one_patch_opens_nothing(api, client, template):
    path = _renewing_pack(api, client, template, used=2)
    current = api.get(path)
    api.patch(path, {"limit": "2", "closed": True}, if_match=current.etag)
    assert len(_packs(api, client["id"])) == 1
    assert _sweep(Recorder()).emails_sent == 0


def test_lowering_a_renewed_pack_again_does_not_renew_twice(api, client, template):
    # Used up by a cut (renewed), raised again, then cut again: the pack renewed once already.
    path = _renewing_pack(api, client, template, used=2)
    _set(api, path, {"limit": "2"})
    _set(api, path, {"limit": "3"})
    _set(api, path, {"limit": "2"})
    assert len(_packs(api, client["id"])) == 2


def _close_the_other(api, client_id: str, pack_id: str) -> None:
    """Close every pack but `pack_id`, so the next charge can only count against it."""
    for other in _packs(api, client_id):
        if other["id"] != pack_id:
            _set(api, f"/v1/clients/{client_id}/packs/{other['id']}", {"closed": True})


def test_charge_using_up_a_pack_a_cut_renewed_does_not_renew_twice(api, client, template):
    # Renewed by a cut, then raised (the funder's letter was wrong) and used up by a charge.
    path = _renewing_pack(api, client, template, used=2)
    pack_id = _set(api, path, {"limit": "2"})["id"]
    _set(api, path, {"limit": "3"})
    _close_the_other(api, client["id"], pack_id)
    charged = _charge(api, client["id"], "s2")
    assert (charged["pack"]["id"], charged["pack"]["remaining"]) == (pack_id, "0")
    assert charged["pack"]["renewed_pack_id"] is None
    assert len(_packs(api, client["id"])) == 2


def test_charge_given_back_and_charged_again_does_not_renew_twice(api, client, template):
    # A charge used the pack up and renewed it; the session is corrected (given back, charged
    # again): the pack is used up again by the same session, and it already renewed once.
    path = _renewing_pack(api, client, template, used=3)
    pack_id = path.rsplit("/", 1)[1]
    first = _charge(api, client["id"], "last")
    assert first["pack"]["renewed_pack_id"]
    assert api.post(f"/v1/clients/{client['id']}/charges/last/reverse").status == 200
    _close_the_other(api, client["id"], pack_id)
    again = _charge(api, client["id"], "last")
    assert (again["pack"]["id"], again["pack"]["remaining"]) == (pack_id, "0")
    assert again["pack"]["renewed_pack_id"] is None
    assert len(_packs(api, client["id"])) == 2


def test_lowering_an_expired_pack_raises_nothing_and_opens_nothing(api, client):
    expiring = make_template(api, name="Month", quantity="4", validity={"amount": 30, "unit": "days",
                                                                       "starts": "purchase"})
    pack = make_pack(api, client["id"], template_id=expiring["id"], auto_renew=True, purchased_on="2026-01-01")
    for ref in ("e1", "e2"):
        _charge(api, client["id"], ref, on="2026-01-10")
    path = f"/v1/clients/{client['id']}/packs/{pack['id']}"
    _sweep(Recorder())  # the expired alert, if any, is settled first
    edited = _set(api, path, {"limit": "2"})
    assert edited["remaining"] == "0"
    assert len(_packs(api, client["id"])) == 1
    later = Recorder()
    assert _sweep(later).emails_sent == 0, _digest_rows(later)


def test_lowering_an_expired_pack_while_extending_it_renews(api, client):
    # The same PATCH moves the expiry into the future: the pack is in force again, and the cut
    # uses it up.
    expiring = make_template(api, name="Month", quantity="4", validity={"amount": 30, "unit": "days",
                                                                       "starts": "purchase"})
    pack = make_pack(api, client["id"], template_id=expiring["id"], auto_renew=True, purchased_on="2026-01-01")
    _charge(api, client["id"], "e1", on="2026-01-10")
    _sweep(Recorder())
    path = f"/v1/clients/{client['id']}/packs/{pack['id']}"
    _set(api, path, {"limit": "1", "expires_on": "2027-06-30"})
    assert len(_packs(api, client["id"])) == 2
    mailer = Recorder()
    _sweep(mailer)
    assert _digest_rows(mailer) == ["Pack used up: 'Month' for Jamie R. — 0 of 1 left, expires 2027-06-30"]


def test_lowering_an_ended_authorization_to_what_is_used_raises_nothing(api, client):
    auth = make_authorization(api, client["id"], begin_on="2026-01-01", end_on="2026-03-31", allowed="6")
    for ref in ("a1", "a2"):
        _charge(api, client["id"], ref, on="2026-02-01")
    _sweep(Recorder())
    _set(api, f"/v1/clients/{client['id']}/authorizations/{auth['id']}", {"allowed": "2"})
    later = Recorder()
    assert _sweep(later).emails_sent == 0, _digest_rows(later)


def test_lowering_an_ended_authorization_into_its_low_line_raises_nothing(api, client):
    auth = make_authorization(api, client["id"], begin_on="2026-01-01", end_on="2026-03-31", allowed="12")
    for i in range(5):
        _charge(api, client["id"], f"a{i}", on="2026-02-01")
    _sweep(Recorder())
    _set(api, f"/v1/clients/{client['id']}/authorizations/{auth['id']}", {"allowed": "7"})
    assert _sweep(Recorder()).emails_sent == 0


def test_lowering_an_auto_renew_pack_writes_valid_expressions(api, client, template):
    path = _renewing_pack(api, client, template, used=2)
    with strict_expressions() as faults:
        _set(api, path, {"limit": "2"})
        _charge(api, client["id"], "next")
    assert faults == []
    assert len(_packs(api, client["id"])) == 2


def test_turning_auto_renew_on_later_renews_when_the_pack_is_used_up(api, client, template):
    # Sold without auto-renew, switched on afterwards: the flag says the next pack opens, so it
    # does (from the template), whether a charge or a cut uses the pack up.
    pack = make_pack(api, client["id"], template_id=template["id"], limit="2")
    path = f"/v1/clients/{client['id']}/packs/{pack['id']}"
    assert _set(api, path, {"auto_renew": True})["auto_renew"] is True
    _charge(api, client["id"], "s0")
    used_up = _charge(api, client["id"], "s1")["pack"]
    assert used_up["remaining"] == "0" and used_up["renewed_pack_id"]
    [renewed] = [p for p in _packs(api, client["id"]) if p["id"] != pack["id"]]
    assert (renewed["id"], renewed["limit"], renewed["template_id"]) == (used_up["renewed_pack_id"], "4",
                                                                         template["id"])


def test_turning_auto_renew_on_while_cutting_to_what_is_used_renews(api, client, template):
    pack = make_pack(api, client["id"], template_id=template["id"])
    _charge(api, client["id"], "s0")
    _set(api, f"/v1/clients/{client['id']}/packs/{pack['id']}", {"auto_renew": True, "limit": "1"})
    assert len(_packs(api, client["id"])) == 2


def test_turning_auto_renew_on_for_a_pack_without_a_template_is_422(api, client):
    pack = make_pack(api, client["id"], name="Custom", measure="sessions", limit="3", price="1")
    path = f"/v1/clients/{client['id']}/packs/{pack['id']}"
    reply = api.patch(path, {"auto_renew": True}, if_match=api.get(path).etag)
    assert reply.status == 422 and reply.body["errors"][0]["field"] == "body.auto_renew", reply.body
    assert api.get(path).body["auto_renew"] is False


def test_turning_auto_renew_on_when_the_template_is_inactive_is_422(api, client, template):
    pack = make_pack(api, client["id"], template_id=template["id"])
    tpl_path = f"/v1/pack-templates/{template['id']}"
    _set(api, tpl_path, {"active": False})
    path = f"/v1/clients/{client['id']}/packs/{pack['id']}"
    reply = api.patch(path, {"auto_renew": True}, if_match=api.get(path).etag)
    assert reply.status == 422 and reply.body["errors"][0]["field"] == "body.auto_renew", reply.body


def test_lowering_an_auto_renew_pack_writes_cut_alert_and_renewal_in_one_transaction(api, client, template,
                                                                                    monkeypatch):
    from chalicelib.store import items

    path = _renewing_pack(api, client, template, used=2)
    real = items.transact
    seen: list[list[str]] = []

    def recording(actions, *args, **kwargs):
        seen.append([next(iter(a)) for a in actions])
        return real(actions, *args, **kwargs)

    monkeypatch.setattr(items, "transact", recording)
    _set(api, path, {"limit": "2"})
    # The pack's update, the 'used up' event and the renewal's Put: all or nothing.
    assert seen == [["Update", "Update", "Put"]]


def test_lowering_an_ended_authorization_while_extending_it_emails_used_up(api, client):
    auth = make_authorization(api, client["id"], begin_on="2026-01-01", end_on="2026-03-31", allowed="6")
    _charge(api, client["id"], "a1", on="2026-02-01")
    _sweep(Recorder())
    _set(api, f"/v1/clients/{client['id']}/authorizations/{auth['id']}", {"allowed": "1", "end_on": "2027-03-31"})
    mailer = Recorder()
    _sweep(mailer)
    [row] = _digest_rows(mailer)
    assert row.startswith("Authorization used up:") and "— 0 of 1 left" in row


def test_used_up_pack_when_read_names_the_pack_that_renewed_it(api, client, template):
    # The pack's own page says where its sessions go now (a cut's PATCH answer and any later read).
    pack = make_pack(api, client["id"], template_id=template["id"], limit="2", auto_renew=True)
    path = f"/v1/clients/{client['id']}/packs/{pack['id']}"
    assert api.get(path).body["renewed_pack_id"] is None
    _charge(api, client["id"], "s0")
    cut = _set(api, path, {"limit": "1"})
    [renewed] = [p for p in _packs(api, client["id"]) if p["id"] != pack["id"]]
    assert cut["renewed_pack_id"] == renewed["id"] == api.get(path).body["renewed_pack_id"]

"""Charging under concurrency, on DynamoDB Local (the in-process AWS mock lets conditional
decrements race)."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import date
from decimal import Decimal

from chalicelib.auth import Principal, Role
from chalicelib.models.clients import ClientCreate
from chalicelib.models.entitlements import ChargeRequest, PackCreate
from chalicelib.services import charging, clients, codes, entitlements
from chalicelib.store import idempotency
from tests import stored
from tests.conftest import PRACTICE_A, USERS

DESK = Principal(user_id=USERS[PRACTICE_A]["front_desk"], practice_id=PRACTICE_A, role=Role.FRONT_DESK)


def _race(fn, n):
    with ThreadPoolExecutor(max_workers=n) as pool:
        return list(pool.map(fn, range(n)))


def _client_with_pack(**pack):
    client = clients.create_client(principal=DESK, data=ClientCreate(first_name="Race", last_name="Client"))
    created = entitlements.create_pack(principal=DESK, client_id=client.id, data=PackCreate(**pack))
    return client.id, created.id


def _charge(client_id, ref, fee=None):
    code = codes.billing_code_for_charge(principal=DESK, code="90837")
    request = ChargeRequest(session_ref=ref, date=date(2026, 11, 20), billing_code="90837", fee=fee)
    return charging.charge_session(principal=DESK, client_id=client_id, request=request, code=code)


def _ledger(client_id, pack_id):
    return stored.ledger(PRACTICE_A, client_id, pack_id)


def test_fifty_concurrent_charges_on_a_ten_session_pack_charge_exactly_ten(seeded):
    client_id, pack_id = _client_with_pack(name="Ten", measure="sessions", limit=Decimal(10), price=Decimal(1))
    results = _race(lambda i: _charge(client_id, f"s{i}"), 50)
    charged = [r for r in results if r.status == "charged"]
    refused = [r for r in results if r.status == "nothing_charged"]
    assert len(charged) == 10 and len(refused) == 40
    assert all(r.pack_reason == "pack 'Ten' is used up" for r in refused)
    pack = stored.entitlement(PRACTICE_A, client_id, "PACK", pack_id)
    assert (pack["used"], pack["remaining"]) == (10, 0)
    entries = _ledger(client_id, pack_id)
    assert len(entries) == 10 and sum(e["amount"] for e in entries) == 10
    assert {e["session_ref"] for e in entries} == {r.session_ref for r in charged}


def test_concurrent_uneven_fees_never_overdraw_a_money_pack(seeded):
    client_id, pack_id = _client_with_pack(name="Budget", measure="money", limit=Decimal("1000.00"), price=Decimal(0))
    fees = [Decimal(f) for f in ("180.00", "95.50", "240.25", "60.00", "133.33")] * 8
    results = _race(lambda i: _charge(client_id, f"m{i}", fee=fees[i]), len(fees))
    charged = {r.session_ref: r for r in results if r.status == "charged"}
    spent = sum(fees[int(ref[1:])] for ref in charged)
    pack = stored.entitlement(PRACTICE_A, client_id, "PACK", pack_id)
    assert pack["used"] == spent <= Decimal("1000.00") and pack["remaining"] == Decimal("1000.00") - spent
    assert pack["remaining"] < min(fees) or all(r.status == "charged" for r in results)
    assert sum(e["amount"] for e in _ledger(client_id, pack_id)) == spent
    refused = [r for r in results if r.status == "nothing_charged"]
    assert all("left, the session needs" in r.pack_reason or "used up" in r.pack_reason for r in refused)


def test_twenty_concurrent_retries_of_one_idempotency_key_charge_once(seeded):
    client_id, pack_id = _client_with_pack(name="Ten", measure="sessions", limit=Decimal(10), price=Decimal(1))

    def retry(_):
        try:
            return idempotency.run_once(scope=f"{PRACTICE_A}#charge_session", key="attend-42",
                                        request={"session_ref": "visit-42"},
                                        run=lambda: _charge(client_id, "visit-42").model_dump(mode="json"))
        except Exception as err:  # noqa: BLE001 - "in progress" conflicts are an expected answer
            return err

    outcomes = _race(retry, 20)
    answers = [o for o in outcomes if isinstance(o, dict)]
    assert answers and all(a["status"] == "charged" for a in answers)
    pack = stored.entitlement(PRACTICE_A, client_id, "PACK", pack_id)
    assert pack["used"] == 1 and len(_ledger(client_id, pack_id)) == 1


def test_concurrent_charges_of_one_session_count_it_once(seeded):
    client_id, pack_id = _client_with_pack(name="Ten", measure="sessions", limit=Decimal(10), price=Decimal(1))
    results = _race(lambda i: _charge(client_id, "same-session"), 12)
    assert [r.status for r in results].count("charged") == 1
    assert all(r.status == "already_charged" for r in results if r.status != "charged")
    assert stored.entitlement(PRACTICE_A, client_id, "PACK", pack_id)["used"] == 1


def test_concurrent_reversals_give_back_once(seeded):
    client_id, pack_id = _client_with_pack(name="Ten", measure="sessions", limit=Decimal(10), price=Decimal(1))
    _charge(client_id, "undo-me")
    results = _race(lambda i: charging.reverse_session(principal=DESK, client_id=client_id, session_ref="undo-me"), 10)
    assert sum(len(r.reversed) for r in results) == 1
    pack = stored.entitlement(PRACTICE_A, client_id, "PACK", pack_id)
    assert (pack["used"], pack["remaining"]) == (0, 10)
    assert sum(e["amount"] for e in _ledger(client_id, pack_id)) == 0

"""Property-based tests of the balance rules: whatever sequence of charges, reversals, limit
edits and consolidations staff perform, every pack's ledger adds up to its `used`, `remaining`
is `limit - used` and never negative, and a reversal restores exactly what the charge took.

Sequential, so moto is a fair stand-in here; the concurrent versions run on DynamoDB Local.
"""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chalicelib.auth import Principal, Role
from chalicelib.errors import Conflict
from chalicelib.models.clients import ClientCreate
from chalicelib.models.entitlements import ChargeRequest, PackCreate, PackUpdate
from chalicelib.services import charging, clients, codes, entitlements
from tests import stored
from tests.conftest import PRACTICE_A, USERS

DESK = Principal(user_id=USERS[PRACTICE_A]["front_desk"], practice_id=PRACTICE_A, role=Role.FRONT_DESK)
money = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("400"), places=2)
steps = st.lists(st.one_of(
    st.tuples(st.just("charge"), st.integers(0, 7), money),
    st.tuples(st.just("reverse"), st.integers(0, 7), st.just(Decimal(0))),
    st.tuples(st.just("limit"), st.just(0), st.decimals(min_value=Decimal(1), max_value=Decimal(2000), places=2)),
    st.tuples(st.just("consolidate"), st.just(0), st.decimals(min_value=Decimal(1), max_value=Decimal(500), places=2)),
), max_size=10)


def _packs(client_id):
    return [e for e in stored.entitlements(PRACTICE_A, client_id) if e["kind"] == "PACK"]


def _check_invariants(client_id):
    for pack in _packs(client_id):
        ledger = stored.ledger(PRACTICE_A, client_id, pack["id"])
        assert sum((e["amount"] for e in ledger), Decimal(0)) == pack["used"]
        assert pack["remaining"] == pack["limit"] - pack["used"] >= 0


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=steps)
def test_any_sequence_keeps_ledger_and_balances_consistent(moto_backend, steps):
    code = codes.billing_code_for_charge(principal=DESK, code="90837")
    client = clients.create_client(principal=DESK, data=ClientCreate(first_name="Prop", last_name="Erty"))
    main = entitlements.create_pack(principal=DESK, client_id=client.id, data=PackCreate(
        name="Budget", measure="money", limit=Decimal("1000"), price=Decimal(0)))
    taken: dict[str, Decimal] = {}
    for action, n, amount in steps:
        ref = f"s{n}"
        if action == "charge":
            before = sum((p["used"] for p in _packs(client.id)), Decimal(0))
            result = charging.charge_session(principal=DESK, client_id=client.id, code=code, request=ChargeRequest(
                session_ref=ref, date=date(2026, 11, 20), billing_code="90837", fee=amount))
            after = sum((p["used"] for p in _packs(client.id)), Decimal(0))
            if result.status == "charged":
                assert ref not in taken and after - before == amount
                taken[ref] = amount
            else:
                assert after == before
        elif action == "reverse":
            before = sum((p["used"] for p in _packs(client.id)), Decimal(0))
            result = charging.reverse_session(principal=DESK, client_id=client.id, session_ref=ref)
            after = sum((p["used"] for p in _packs(client.id)), Decimal(0))
            assert before - after == taken.pop(ref, Decimal(0))  # exactly what was taken, once
            assert bool(result.reversed) == (before != after)
        elif action == "limit":
            current = stored.entitlement(PRACTICE_A, client.id, "PACK", main.id)
            try:
                entitlements.update_pack(principal=DESK, client_id=client.id, pack_id=main.id,
                                         changes=PackUpdate(limit=amount), expected_version=current["version"])
                assert amount >= current["used"]
            except Conflict:
                assert amount < current["used"]
        else:
            extra = entitlements.create_pack(principal=DESK, client_id=client.id, data=PackCreate(
                name="Extra", measure="money", limit=amount, price=Decimal(0)))
            current = stored.entitlement(PRACTICE_A, client.id, "PACK", main.id)
            entitlements.consolidate_packs(principal=DESK, client_id=client.id, pack_id=main.id,
                                           source_pack_id=extra.id, expected_version=current["version"])
        _check_invariants(client.id)
    assert sum((p["used"] for p in _packs(client.id)), Decimal(0)) == sum(taken.values(), Decimal(0))

"""A charge racing a limit cut, on DynamoDB Local: whichever lands first, the alert the pair
causes is raised exactly once (by the cut or by the charge, under the new limit) and nothing
is overdrawn."""
from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from decimal import Decimal
from typing import Any

from chalicelib.auth import Principal, Role
from chalicelib.models.clients import ClientCreate
from chalicelib.models.entitlements import (
    AuthorizationCreate,
    AuthorizationUpdate,
    ChargeRequest,
    PackCreate,
    PackUpdate,
)
from chalicelib.services import charging, clients, codes, entitlements
from chalicelib.store import events, items
from chalicelib.store.keys import events_pk
from tests import stored
from tests.conftest import PRACTICE_A, USERS

ADMIN = Principal(user_id=USERS[PRACTICE_A]["admin"], practice_id=PRACTICE_A, role=Role.ADMIN)
PAIRS = 8


def _charge(client_id: str, ref: str) -> Any:
    code = codes.billing_code_for_charge(principal=ADMIN, code="90837")
    request = ChargeRequest(session_ref=ref, date=date(2026, 11, 20), billing_code="90837")
    return charging.charge_session(principal=ADMIN, client_id=client_id, request=request, code=code)


def _client(i: int) -> str:
    return clients.create_client(principal=ADMIN, data=ClientCreate(first_name="Race", last_name=f"Cut{i}")).id


def _events_of(entitlement_id: str) -> list[str]:
    return sorted(e["id"] for e in items.query_all(events_pk(PRACTICE_A), events.EVENT) if
                  e["entitlement_id"] == entitlement_id)


def _after(i: int, job: Any) -> Any:
    """Every other cut starts a little late, so both orders (and the overlap) happen."""
    time.sleep(0.02 * (i % 4))
    return job()


def _race(jobs: list[Any]) -> list[Any]:
    with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
        return list(pool.map(lambda job: job(), jobs))


def race_cut_against_charge(data: PackCreate) -> list[tuple[str, str]]:
    """A pack (`data`) per client with 3 of its sessions used, then its limit cut to 4 while a
    fourth session is charged: together they use the pack up. Returns (client, pack) pairs."""
    packs = []
    for i in range(PAIRS):
        client_id = _client(i)
        pack = entitlements.create_pack(principal=ADMIN, client_id=client_id, data=data)
        for ref in ("a", "b", "c"):
            assert _charge(client_id, ref).status == "charged"
        packs.append((client_id, pack.id))
    jobs = []
    for i, (client_id, pack_id) in enumerate(packs):
        jobs.append(lambda c=client_id, p=pack_id, i=i: _after(i, lambda: entitlements.update_pack(
            principal=ADMIN, client_id=c, pack_id=p, changes=PackUpdate(limit=Decimal(4)), expected_version=1)))
        jobs.append(lambda c=client_id: _charge(c, "d"))
    _race(jobs)
    return packs


def test_charge_racing_a_pack_cut_to_used_up_raises_used_up_once_and_never_overdraws(seeded):
    packs = race_cut_against_charge(PackCreate(name="Six", measure="sessions", limit=Decimal(6), price=Decimal(1)))
    for client_id, pack_id in packs:
        pack = stored.entitlement(PRACTICE_A, client_id, "PACK", pack_id)
        assert (pack["limit"], pack["used"], pack["remaining"]) == (4, 4, 0)
        assert sum(e["amount"] for e in stored.ledger(PRACTICE_A, client_id, pack_id)) == 4
        assert _events_of(pack_id) == [f"pack_used_up#{pack_id}#4"]


def test_charge_racing_an_authorization_cut_into_its_low_line_raises_running_low_once(seeded):
    auths = []
    for i in range(PAIRS):
        client_id = _client(i)
        auth = entitlements.create_authorization(principal=ADMIN, client_id=client_id, data=AuthorizationCreate(
            payer="Acme", begin_on=date(2026, 1, 1), end_on=date(2027, 3, 31), allowed=Decimal(12), number="PA-1"))
        for ref in ("a", "b", "c", "d", "e"):
            _charge(client_id, ref)
        auths.append((client_id, auth.id))
    # 12 allowed, 5 used; cut to 8 (3 left, line 2) while a sixth is charged: 2 left, low.
    jobs = []
    for i, (client_id, auth_id) in enumerate(auths):
        jobs.append(lambda c=client_id, a=auth_id, i=i: _after(i, lambda: entitlements.update_authorization(
            principal=ADMIN, client_id=c, authorization_id=a, changes=AuthorizationUpdate(allowed=Decimal(8)),
            expected_version=1)))
        jobs.append(lambda c=client_id: _charge(c, "f"))
    _race(jobs)
    for client_id, auth_id in auths:
        auth = stored.entitlement(PRACTICE_A, client_id, "AUTH", auth_id)
        assert (auth["allowed"], auth["used"], auth["remaining"]) == (8, 6, 2)
        assert _events_of(auth_id) == [f"authorization_low#{auth_id}#8"]

"""Races as production runs them: several separate API server processes (`chalice local`,
one request at a time each, as Lambda serves), one DynamoDB Local behind the fault proxy
(tests/faults/proxy.py) that cancels overlapping transactions with TransactionConflict as
real DynamoDB does, and throttles, fails and loses answers at small rates.

After every round: overdraws 0, lost usages 0 (balance = ledger = active usages), duplicate
effects 0, 5xx 0, and the share of contended requests that succeeded (the rest may only be
409 "try again" or 503 with Retry-After). Bounded here; `make fuzz` runs more rounds:

    CASELOAD_RACE_ROUNDS=10 CASELOAD_RACE_SERVERS=6 pytest tests/integration/test_production_races.py -s
"""
from __future__ import annotations

import os
import random
import statistics
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest

from chalicelib.auth import Principal, Role, issue_local_token
from chalicelib.models.appointments import AppointmentCreate
from chalicelib.models.clients import ClientCreate
from chalicelib.models.entitlements import AuthorizationCreate, PackCreate
from chalicelib.models.groups import GroupAppointmentCreate, GroupCreate
from chalicelib.models.practice import PracticeUpdate
from chalicelib.services import appointments, clients, entitlements, groups, practice
from chalicelib.store import items
from chalicelib.store.keys import client_pk
from tests import stored
from tests.conftest import PRACTICE_A, PRACTICE_B, USERS, reset_caches
from tests.faults.fleet import Call, Fleet
from tests.faults.proxy import FaultProxy

ROUNDS = int(os.environ.get("CASELOAD_RACE_ROUNDS", "1"))
SERVERS = int(os.environ.get("CASELOAD_RACE_SERVERS", "4"))
# hold_ms keeps a transaction's items held a little after its answer, as DynamoDB's own commit
# does, so concurrent requests overlap even on a quiet machine and the conflicts are really met.
FAULTS = os.environ.get("CASELOAD_RACE_FAULTS",
                        "seed=11,conflict=1,throttle=0.01,provisioned=0.005,internal=0.005,timeout=0.005,hold_ms=15")
# Appointments of the one client attended at once per round (soak runs raise it).
ATTENDS = int(os.environ.get("CASELOAD_RACE_ATTENDS", "16"))
BAR = 0.99
ADMIN_A = Principal(user_id=USERS[PRACTICE_A]["admin"], practice_id=PRACTICE_A, role=Role.ADMIN)
ADMIN_B = Principal(user_id=USERS[PRACTICE_B]["admin"], practice_id=PRACTICE_B, role=Role.ADMIN)
PRACTITIONER = USERS[PRACTICE_A]["practitioner"]
DAY = datetime(2026, 12, 1)


@dataclass
class Figures:
    """One round of one scenario."""

    scenario: str
    calls: list[Call]
    overdraws: int = 0
    lost: int = 0
    duplicates: int = 0
    wrong: list[str] = field(default_factory=list)

    @property
    def server_errors(self) -> int:
        return sum(c.status >= 500 and not (c.status == 503 and c.retry_after) for c in self.calls)

    @property
    def retry_later(self) -> int:
        return sum(_retry_later(c) for c in self.calls)

    @property
    def succeeded(self) -> int:
        return len(self.calls) - self.retry_later - len(self.wrong) - self.server_errors

    @property
    def share(self) -> float:
        return self.succeeded / len(self.calls) if self.calls else 1.0

    def line(self) -> str:
        p50 = statistics.median(c.seconds for c in self.calls) * 1000
        return (f"{self.scenario}: requests={len(self.calls)} succeeded={self.succeeded} ({self.share:.1%}) "
                f"retry_later={self.retry_later} wrong={len(self.wrong)} 5xx={self.server_errors} "
                f"overdraws={self.overdraws} lost={self.lost} duplicates={self.duplicates} p50={p50:.0f}ms")


def _retry_later(call: Call) -> bool:
    if call.status == 503:
        return bool(call.retry_after) or bool(isinstance(call.answer, dict) and call.answer.get("retry_after"))
    return call.status == 409 and isinstance(call.answer, dict) and any(
        phrase in call.answer.get("detail", "") for phrase in ("Try again", "try again", "retry", "in progress"))


@pytest.fixture(scope="module")
def production(ddb_local):
    """Tables of their own, both practices seeded, the proxy with faults, the server fleet."""
    from chalicelib.config import get_settings
    from chalicelib.store import dynamo
    from devtools.seed import seed_practice
    from devtools.tables import create_tables

    suffix = uuid.uuid4().hex[:8]
    env = {"CASELOAD_TABLE_NAME": f"caseload-race-{suffix}",
           "CASELOAD_IDEMPOTENCY_TABLE_NAME": f"caseload-idem-{suffix}", "CASELOAD_AUTH_MODE": "local"}
    with pytest.MonkeyPatch.context() as patch:
        for name, value in {**env, "CASELOAD_DYNAMODB_ENDPOINT": ddb_local.endpoint}.items():
            patch.setenv(name, value)
        reset_caches()
        create_tables(dynamo.client(), get_settings())
        for practice_id in (PRACTICE_A, PRACTICE_B):
            seed_practice(practice_id, f"Practice {practice_id}", user_ids=USERS[practice_id])
        token = issue_local_token(practice_id=PRACTICE_A, user_id=ADMIN_A.user_id, role="admin")
        with FaultProxy(ddb_local.endpoint, FAULTS) as proxy, \
                Fleet(SERVERS, {**env, "CASELOAD_DYNAMODB_ENDPOINT": proxy.endpoint}, token=token) as fleet:
            fleet.proxy = proxy
            yield {"fleet": fleet, "proxy": proxy, "env": env, "endpoint": ddb_local.endpoint}
            print(f"\nfault proxy ({proxy.policy.config.describe()}): {dict(proxy.policy.counts)}")
        reset_caches()


@pytest.fixture
def race(production, monkeypatch):
    """This process reads and sets up directly against DynamoDB Local (no faults)."""
    for name, value in {**production["env"], "CASELOAD_DYNAMODB_ENDPOINT": production["endpoint"]}.items():
        monkeypatch.setenv(name, value)
    reset_caches()
    yield production["fleet"]
    reset_caches()


# ---- invariants ---------------------------------------------------------------------------

def _check_entitlement(figures: Figures, practice_id: str, client_id: str, kind: str, entitlement_id: str) -> dict:
    """Overdrawn? Lost usage? The balance must equal its ledger and its active usages."""
    item = stored.entitlement(practice_id, client_id, kind, entitlement_id)
    capacity = item["limit"] if kind == "PACK" else item["allowed"]
    if item["remaining"] < 0 or item["used"] > capacity or item["remaining"] != capacity - item["used"]:
        figures.overdraws += 1
    ledger = sum(e["amount"] for e in stored.ledger(practice_id, client_id, entitlement_id))
    usages = [u for u in items.query_all(client_pk(practice_id, client_id), "USE#")
              if u["state"] == "active" and u["entitlement_id"] == entitlement_id]
    active = sum(u["amount"] for u in usages)
    if not item["used"] == ledger == active:
        figures.lost += 1
    # A session counted twice: net ledger per session above what its one usage says.
    net: dict[str, Decimal] = {}
    for entry in stored.ledger(practice_id, client_id, entitlement_id):
        net[entry["session_ref"]] = net.get(entry["session_ref"], Decimal(0)) + entry["amount"]
    per_usage = {u["session_ref"]: u["amount"] for u in usages}
    figures.duplicates += sum(amount > per_usage.get(ref, Decimal(0)) for ref, amount in net.items())
    return item


def _expect(figures: Figures, allowed: dict[int, Any]) -> None:
    """Answers other than the allowed statuses (or retry-later) are wrong answers."""
    for call in figures.calls:
        if call.status >= 500 or _retry_later(call):
            continue
        check = allowed.get(call.status)
        if check is None or (callable(check) and not check(call)):
            figures.wrong.append(f"{call.tag} -> {call.status} {str(call.answer)[:160]}")


def _report(figures: Figures, *, bar: float | None = BAR) -> None:
    print("\n" + figures.line())
    assert figures.overdraws == 0 and figures.lost == 0 and figures.duplicates == 0, figures.line()
    assert figures.server_errors == 0, [f"{c.tag} {c.status} {c.answer}" for c in figures.calls if c.status >= 500]
    assert not figures.wrong, figures.wrong[:5]
    if bar is not None:
        assert figures.share >= bar, figures.line()


def _client(principal: Principal = ADMIN_A, name: str = "Race") -> str:
    return clients.create_client(principal=principal, data=ClientCreate(first_name=name, last_name="Prod")).id


def _pack(client_id: str, **fields: Any) -> str:
    return entitlements.create_pack(principal=ADMIN_A, client_id=client_id, data=PackCreate(**fields)).id


def _charge(client_id: str, ref: str, **extra: Any) -> Call:
    return Call("POST", f"/v1/clients/{client_id}/charges", tag=ref,
                body={"session_ref": ref, "date": "2026-11-20", "billing_code": "90837", **extra})


def _rounds():
    return range(ROUNDS)


# ---- scenarios ----------------------------------------------------------------------------

@pytest.mark.parametrize("round_no", _rounds())
def test_concurrent_charges_on_one_pack_never_overdraw_or_lose_usages(race, round_no):
    client_id = _client()
    pack_id = _pack(client_id, name="Ten", measure="sessions", limit=Decimal(10), price=Decimal(1))
    cancelled_before = race.proxy.policy.counts["cancel"]
    figures = Figures("charges on one pack", race.drive([_charge(client_id, f"c{round_no}-{i}") for i in range(24)]))
    # The figures mean something only if transactions really were cancelled for conflicts.
    assert race.proxy.policy.counts["cancel"] > cancelled_before or "conflict=0" in FAULTS
    _expect(figures, {201: True, 200: lambda c: c.answer["status"] == "nothing_charged"})
    pack = _check_entitlement(figures, PRACTICE_A, client_id, "PACK", pack_id)
    figures.duplicates += abs(sum(c.status == 201 for c in figures.calls) - int(pack["used"]))
    _report(figures)


@pytest.mark.parametrize("round_no", _rounds())
def test_concurrent_uneven_fees_never_overdraw_a_money_pack(race, round_no):
    client_id = _client()
    pack_id = _pack(client_id, name="Budget", measure="money", limit=Decimal("1000.00"), price=Decimal(0))
    fees = ["180.00", "95.50", "240.25", "60.00", "133.33"] * 4
    figures = Figures("uneven fees on a money pack", race.drive(
        [_charge(client_id, f"m{round_no}-{i}", fee=fee) for i, fee in enumerate(fees)]))
    _expect(figures, {201: True, 200: lambda c: c.answer["status"] == "nothing_charged"})
    pack = _check_entitlement(figures, PRACTICE_A, client_id, "PACK", pack_id)
    spent = sum(Decimal(c.body["fee"]) for c in figures.calls if c.status == 201)
    figures.duplicates += spent != pack["used"]
    _report(figures)


@pytest.mark.parametrize("round_no", _rounds())
def test_concurrent_attends_of_one_clients_appointments_charge_each_once(race, round_no):
    client_id = _client()
    auth = entitlements.create_authorization(principal=ADMIN_A, client_id=client_id, data=AuthorizationCreate(
        payer="Acme", begin_on=DAY.date().replace(month=1), end_on=DAY.date().replace(year=2027),
        allowed=Decimal(ATTENDS), number="PA-1"))
    booked = [appointments.book(principal=ADMIN_A, data=AppointmentCreate(
        client_id=client_id, practitioner_id=PRACTITIONER, location_id=f"loc_{PRACTICE_A}_main", billing_code="90837",
        start=DAY.replace(day=1 + i // 24, hour=i % 24 // 2 + 7, minute=30 * (i % 2)),
        end=DAY.replace(day=1 + i // 24, hour=i % 24 // 2 + 7, minute=30 * (i % 2) + 25))).appointments[0]
        for i in range(ATTENDS)]
    figures = Figures("attends of one client's appointments", race.drive([
        Call("POST", f"/v1/appointments/{a.id}/status", {"status": "attended"}, headers={"If-Match": f'"{a.version}"'},
             tag=a.id) for a in booked]))
    _expect(figures, {200: lambda c: c.answer["appointment"]["status"] == "attended"})
    item = _check_entitlement(figures, PRACTICE_A, client_id, "AUTH", auth.id)
    attended = [c for c in figures.calls if c.status == 200]
    figures.duplicates += abs(len(attended) - int(item["used"]))
    for call in figures.calls:
        stored = appointments.get_appointment(principal=ADMIN_A, appointment_id=call.tag)
        if (call.status == 200) != (stored.status == "attended"):
            figures.lost += 1  # a status and its charge disagree with the answer given
    _report(figures)


@pytest.mark.parametrize("round_no", _rounds())
def test_one_idempotency_key_sent_concurrently_charges_once_and_answers_alike(race, round_no):
    client_id = _client()
    pack_id = _pack(client_id, name="Ten", measure="sessions", limit=Decimal(10), price=Decimal(1))
    key = f"same-{round_no}-{uuid.uuid4().hex[:6]}"
    calls = [_charge(client_id, f"k{round_no}") for _ in range(SERVERS * 3)]
    for call in calls:
        call.headers = {"Idempotency-Key": key}
    figures = Figures("one Idempotency-Key sent concurrently", race.drive(calls))
    _expect(figures, {201: True})
    pack = _check_entitlement(figures, PRACTICE_A, client_id, "PACK", pack_id)
    bodies = {str(c.answer) for c in figures.calls if c.status == 201}
    figures.duplicates += (pack["used"] != 1) + (len(bodies) > 1)
    _report(figures)


@pytest.mark.parametrize("round_no", _rounds())
def test_concurrent_bookings_of_one_room_book_it_once(race, round_no):
    current = practice.get_practice(principal=ADMIN_B)
    if current.room_booking != "block":
        practice.update_practice(principal=ADMIN_B, changes=PracticeUpdate(room_booking="block"),
                                 expected_version=current.version)
    client_ids = [_client(ADMIN_B) for _ in range(12)]
    hour = 8 + round_no % 10
    day = f"2026-12-{2 + round_no // 10:02d}"
    token_b = issue_local_token(practice_id=PRACTICE_B, user_id=ADMIN_B.user_id, role="admin")
    calls = [Call("POST", "/v1/appointments", {
        "client_id": cid, "practitioner_id": USERS[PRACTICE_B]["practitioner"], "location_id": f"loc_{PRACTICE_B}_main",
        "room_id": f"room_{PRACTICE_B}_1", "billing_code": "90837", "start": f"{day}T{hour:02d}:{5 * (i % 3):02d}:00",
        "end": f"{day}T{hour:02d}:50:00", "override_room_conflict": True},
        headers={"Authorization": f"Bearer {token_b}"}, tag=cid) for i, cid in enumerate(client_ids)]
    figures = Figures("bookings of one room", race.drive(calls))
    _expect(figures, {201: True, 409: lambda c: "room" in str(c.answer).lower()})
    booked = sum(c.status == 201 for c in figures.calls)
    figures.duplicates += booked > 1
    figures.lost += booked == 0 and figures.retry_later == 0  # someone must win unless all were told to retry
    _report(figures)


@pytest.mark.parametrize("round_no", _rounds())
def test_concurrent_mark_all_attended_from_several_processes_charges_each_member_once(race, round_no):
    group = groups.create_group(principal=ADMIN_A, data=GroupCreate(name=f"Race {round_no}", initials="RG",
                                                                    practitioner_id=PRACTITIONER))
    members = []
    for i in range(6):
        client_id = _client(name=f"M{i}")
        members.append((client_id, _pack(client_id, name="Group 10", measure="sessions", limit=Decimal(10),
                                         price=Decimal(1))))
        groups.add_member(principal=ADMIN_A, group_id=group.id, client_id=client_id,
                          since=datetime(2026, 1, 1, tzinfo=UTC))
    session = groups.book_group_appointment(principal=ADMIN_A, group_id=group.id, data=GroupAppointmentCreate(
        location_id=f"loc_{PRACTICE_A}_main", start=DAY.replace(hour=18), end=DAY.replace(hour=19)))
    appointment_id = session.appointments[0].id
    figures = Figures("group mark all attended", race.drive([
        Call("POST", f"/v1/appointments/{appointment_id}/attendance", {"all_attended": True}, tag=f"mark{i}")
        for i in range(SERVERS * 2)]))
    _expect(figures, {200: lambda c: not any(m.get("error") for m in c.answer["members"])})
    for client_id, pack_id in members:
        pack = _check_entitlement(figures, PRACTICE_A, client_id, "PACK", pack_id)
        figures.duplicates += pack["used"] > 1
        figures.lost += pack["used"] < 1 and any(c.status == 200 for c in figures.calls)
    _report(figures)


@pytest.mark.parametrize("round_no", _rounds())
def test_interleaved_charges_and_reversals_keep_balance_ledger_and_usages_equal(race, round_no):
    client_id = _client()
    pack_id = _pack(client_id, name="Fifty", measure="sessions", limit=Decimal(50), price=Decimal(1))
    calls = []
    for i in range(12):
        ref = f"r{round_no}-{i}"
        calls += [_charge(client_id, ref), Call("POST", f"/v1/clients/{client_id}/charges/{ref}/reverse", tag=ref)]
        if i % 3 == 0:
            calls.append(_charge(client_id, ref))  # charged again after (or racing) its reversal
    random.Random(round_no).shuffle(calls)
    figures = Figures("charges and reversals interleaved", race.drive(calls))
    _expect(figures, {201: True, 200: True})
    _check_entitlement(figures, PRACTICE_A, client_id, "PACK", pack_id)
    _report(figures)

"""Contended throughput and latency against DynamoDB Local: every caller works on ONE client
(charges on one pack; attends of one client's appointments against one authorization), at
1, 4 and 16 concurrent callers, with conflict injection off and on (the in-process fault
hook: a transaction overlapping one in flight is cancelled with TransactionConflict, as
real DynamoDB does). The cost of the retries is the difference between the two.

    .venv/bin/python -m bench.contention [--ops 48] [--faults "seed=1,conflict=1"]
"""
from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime
from decimal import Decimal
from typing import Any


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--ops", type=int, default=48, help="operations per concurrency level")
    parser.add_argument("--faults", default="seed=1,conflict=1", help="fault settings when injection is on")
    args = parser.parse_args()
    from bench.stack import demo_stack

    with demo_stack():
        rows = run(args.ops, args.faults)
    print(f"\nContended operations on one client (DynamoDB Local; injection on = {args.faults})")
    for row in rows:
        print("  " + "  ".join(f"{k}={v}" for k, v in row.items()))


def run(ops: int, faults: str) -> list[dict[str, Any]]:
    """One row per (operation, injection, callers)."""
    from chalicelib.auth import Principal, Role
    from chalicelib.models.appointments import AppointmentCreate, StatusChange
    from chalicelib.models.clients import ClientCreate
    from chalicelib.models.entitlements import AuthorizationCreate, ChargeRequest, PackCreate
    from chalicelib.services import appointments, charging, clients, codes, entitlements
    from devtools.seed import DEMO_PRACTICE_ID, DEMO_USERS
    from tests.faults import app_faults

    desk = Principal(user_id=DEMO_USERS["front_desk"], practice_id=DEMO_PRACTICE_ID, role=Role.FRONT_DESK)
    code = codes.billing_code_for_charge(principal=desk, code="90837")

    def new_client() -> str:
        client_id = clients.create_client(principal=desk, data=ClientCreate(first_name="Bench", last_name="Hot")).id
        entitlements.create_pack(principal=desk, client_id=client_id, data=PackCreate(
            name="Big", measure="sessions", limit=Decimal(1_000_000), price=Decimal(0)))
        entitlements.create_authorization(principal=desk, client_id=client_id, data=AuthorizationCreate(
            payer="Bench", begin_on=date(2026, 1, 1), end_on=date(2027, 12, 31), allowed=Decimal(1_000_000),
            number="B-1"))
        return client_id

    def charges() -> list[Callable[[], Any]]:
        client_id = new_client()
        return [lambda i=i: charging.charge_session(principal=desk, client_id=client_id, code=code,
                                                    request=ChargeRequest(session_ref=f"c{i}", date=date(2026, 11, 20),
                                                                          billing_code="90837"))
                for i in range(ops)]

    def attends() -> list[Callable[[], Any]]:
        client_id = new_client()
        practitioner = DEMO_USERS["practitioner"]
        location = next(iter(_locations(desk)))
        booked = [appointments.book(principal=desk, data=AppointmentCreate(
            client_id=client_id, practitioner_id=practitioner, location_id=location, billing_code="90837",
            start=datetime(2026, 12, 1 + i // 20, 7 + (i % 20) // 2, 30 * (i % 2)),
            end=datetime(2026, 12, 1 + i // 20, 7 + (i % 20) // 2, 30 * (i % 2) + 25))).appointments[0]
            for i in range(ops)]
        return [lambda a=a: appointments.change_status(principal=desk, appointment_id=a.id,
                                                       change=StatusChange(status="attended"),
                                                       expected_version=a.version) for a in booked]

    for task in charges()[:4] + attends()[:4]:  # warm up: imports, connections, caches
        task()
    rows = []
    for name, prepare in (("charge on one pack", charges), ("attend one client's appointments", attends)):
        for injected in (False, True):
            for callers in (1, 4, 16):
                work = prepare()
                if injected:
                    with app_faults(faults) as policy:
                        row = _measure(work, callers)
                    row["cancelled"] = policy.counts["cancel"]
                else:
                    row = _measure(work, callers)
                rows.append({"operation": name, "injection": "on" if injected else "off", "callers": callers, **row})
    return rows


def _locations(principal: Any) -> list[str]:
    from chalicelib.services import locations

    return [loc.id for loc in locations.list_locations(principal=principal, limit=10, start_key=None)[0]]


def _measure(work: list[Callable[[], Any]], callers: int) -> dict[str, Any]:
    latencies: list[float] = []
    failures: dict[str, int] = {}

    def one(task: Callable[[], Any]) -> None:
        started = time.perf_counter()
        try:
            task()
        except Exception as err:  # noqa: BLE001 - counted by type: the figure is how many fail
            failures[type(err).__name__] = failures.get(type(err).__name__, 0) + 1
            return
        latencies.append(time.perf_counter() - started)

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=callers) as pool:
        list(pool.map(one, work))
    elapsed = time.perf_counter() - started
    ordered = sorted(latencies) or [0.0]
    return {"ok": len(latencies), "failed": failures or 0, "ops_per_s": round(len(latencies) / elapsed, 1),
            "p50_ms": round(statistics.median(ordered) * 1000, 1),
            "p95_ms": round(ordered[max(0, int(len(ordered) * 0.95) - 1)] * 1000, 1)}


if __name__ == "__main__":
    main()

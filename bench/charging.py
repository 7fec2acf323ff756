"""Charging against DynamoDB Local: DynamoDB calls per charge and per report page, throughput
at 1, 4 and 16 concurrent callers, and the time of a charge against the bare
TransactWriteItems it makes.

    .venv/bin/python -m bench.charging [--charges 200]
"""
from __future__ import annotations

import argparse
import statistics
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from decimal import Decimal
from functools import partial
from typing import Any


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--charges", type=int, default=200, help="charges per concurrency level")
    args = parser.parse_args()
    from bench.stack import demo_stack

    with demo_stack():
        figures = run(args.charges)
    for section, rows in figures.items():
        print(f"\n{section}")
        for row in rows:
            print("  " + "  ".join(f"{k}={v}" for k, v in row.items()))


def run(charges: int) -> dict[str, list[dict[str, Any]]]:
    """Every figure the benchmark prints, by section."""
    import app
    from bench.lambda_event import api_event
    from chalicelib.auth import Principal, Role, issue_local_token
    from chalicelib.models.clients import ClientCreate
    from chalicelib.models.entitlements import AuthorizationCreate, ChargeRequest, PackCreate
    from chalicelib.observability import start_meter
    from chalicelib.services import charging, clients, codes, entitlements
    from chalicelib.store import items
    from devtools.seed import DEMO_PRACTICE_ID, DEMO_USERS

    desk = Principal(user_id=DEMO_USERS["front_desk"], practice_id=DEMO_PRACTICE_ID, role=Role.FRONT_DESK)
    token = issue_local_token(practice_id=DEMO_PRACTICE_ID, user_id=DEMO_USERS["admin"], role="admin")
    code = codes.billing_code_for_charge(principal=desk, code="90837")

    def new_client() -> str:
        client = clients.create_client(principal=desk, data=ClientCreate(first_name="Bench", last_name="Client"))
        entitlements.create_pack(principal=desk, client_id=client.id, data=PackCreate(
            name="Big", measure="sessions", limit=Decimal(1_000_000), price=Decimal(0)))
        entitlements.create_authorization(principal=desk, client_id=client.id, data=AuthorizationCreate(
            payer="Bench", begin_on=date(2026, 1, 1), end_on=date(2027, 12, 31), allowed=Decimal(1_000_000),
            number="B-1"))
        return client.id

    def charge(client_id: str, ref: str):
        return charging.charge_session(principal=desk, client_id=client_id, code=code, request=ChargeRequest(
            session_ref=ref, date=date(2026, 11, 20), billing_code="90837"))

    figures: dict[str, list[dict[str, Any]]] = {}

    # Calls: the service, then the whole HTTP operation (which also looks up the billing code).
    client_id = new_client()
    meter = start_meter()
    charge(client_id, "calls-1")
    service_calls = list(meter.calls)
    event = api_event("POST", "/v1/clients/{client_id}/charges", f"/v1/clients/{client_id}/charges", token=token,
                      path_params={"client_id": client_id},
                      body={"session_ref": "calls-2", "date": "2026-11-20", "billing_code": "90837"})
    assert app.app(event, None)["statusCode"] == 201
    from chalicelib.observability import current_meter
    route_calls = list(current_meter().calls)
    report_calls = {}
    for path, query in (("/v1/reports/pack-expiry", None), ("/v1/reports/authorizations", None),
                        ("/v1/reports/pack-sales", {"from": "2026-01-01", "to": "2026-12-31"})):
        assert app.app(api_event("GET", path, path, token=token, query=query), None)["statusCode"] == 200
        report_calls[path] = list(current_meter().calls)
    figures["DynamoDB calls"] = [
        {"operation": "charge (service)", "calls": " ".join(service_calls),
         "bar": "1 transaction + at most 1 read", "meets_bar": service_calls == ["Query", "TransactWriteItems"]},
        {"operation": "POST /v1/clients/{id}/charges", "calls": " ".join(route_calls),
         "note": "GetItem is the billing-code lookup"},
        *({"operation": f"GET {p} (page)", "calls": " ".join(c), "bar": "1 Query", "meets_bar": c == ["Query"]}
          for p, c in report_calls.items()),
    ]

    # Time of one charge vs the bare TransactWriteItems it makes, interleaved.
    client_id = new_client()
    charge_times, dynamo_times, bare_times = [], [], []
    for i in range(charges):
        meter = start_meter()
        started = time.perf_counter()
        charge(client_id, f"t{i}")
        charge_times.append(time.perf_counter() - started)
        dynamo_times.append(meter.dynamodb_seconds)
        actions = _bare_actions(items, client_id, f"bare{i}")
        started = time.perf_counter()
        items.transact(actions)
        bare_times.append(time.perf_counter() - started)
    med = statistics.median
    figures["One charge (sequential, median)"] = [{
        "charge_ms": round(med(charge_times) * 1000, 2),
        "its_dynamodb_ms": round(med(dynamo_times) * 1000, 2),
        "bare_transact_ms": round(med(bare_times) * 1000, 2),
        "charge/bare_transact": round(med(charge_times) / med(bare_times), 3),
        "charge/its_dynamodb_time": round(med(charge_times) / med(dynamo_times), 3),
    }]

    rows = []
    for workers in (1, 4, 16):
        client_ids = [new_client() for _ in range(workers)]  # one client per caller: no artificial contention
        latencies: list[float] = []

        def worker(w: int, workers: int, client_ids: list[str], latencies: list[float]) -> None:
            for i in range(charges // workers):
                started = time.perf_counter()
                charge(client_ids[w], f"c{workers}-{w}-{i}")
                latencies.append(time.perf_counter() - started)

        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=workers) as pool:
            list(pool.map(partial(worker, workers=workers, client_ids=client_ids, latencies=latencies),
                          range(workers)))
        elapsed = time.perf_counter() - started
        rows.append({"callers": workers, "charges": len(latencies), "charges_per_s": round(len(latencies) / elapsed, 1),
                     "median_ms": round(med(latencies) * 1000, 2),
                     "p95_ms": round(sorted(latencies)[int(len(latencies) * 0.95) - 1] * 1000, 2)})
    figures["Throughput (DynamoDB Local, one client per caller)"] = rows
    return figures


def _bare_actions(items: Any, client_id: str, ref: str) -> list[dict[str, Any]]:
    """A transaction of the same shape as a charge's (2 balance updates, 2 usages, 2 ledger
    entries), on items of its own."""
    from chalicelib.store import dynamo

    pk = f"P#bench#C#{client_id}"
    out = []
    for kind in ("PACK", "AUTH"):
        out.append({"Update": {"TableName": items.table(), "Key": items.key_of(pk, f"BARE#{kind}"),
                               "UpdateExpression": "ADD used :one", "ExpressionAttributeValues":
                                   dynamo.to_item({":one": 1})}})
        for prefix in ("USE", "LEDGER"):
            out.append({"Put": {"TableName": items.table(), "Item": dynamo.to_item({
                "PK": pk, "SK": f"{prefix}#{ref}#{kind}", "amount": Decimal(1), "on": "2026-11-20"}),
                "ConditionExpression": "attribute_not_exists(PK)"}})
    return out


if __name__ == "__main__":
    main()

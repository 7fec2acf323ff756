"""DynamoDB calls and app overhead per API operation, against DynamoDB Local.

Each operation runs through the Chalice app as Lambda would call it (an API Gateway event),
so the figures include auth, validation, serialisation and logging. Prints, per operation:
DynamoDB calls (bars: <= 2 for a single-item read or write, 1 Query per list page), the
median request time, the median time spent in DynamoDB calls, and their ratio.

    .venv/bin/python -m bench.api_calls [--repeat 30]
"""
from __future__ import annotations

import argparse
import json
import statistics
import time
from collections.abc import Callable
from typing import Any


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()
    from bench.stack import demo_stack

    with demo_stack():
        rows = measure(args.repeat)
    print_table(rows)


def print_table(rows: list[dict[str, Any]]) -> None:
    """The figures as an aligned table."""
    header = ("operation", "calls", "bar", "ok", "request ms", "dynamodb ms", "ratio", "DynamoDB operations")
    lines = [header] + [(r["operation"], str(r["dynamodb_calls"]), str(r["bar"]), "yes" if r["meets_bar"] else "NO",
                         f'{r["median_request_ms"]:.2f}', f'{r["median_dynamodb_ms"]:.2f}',
                         f'{r["overhead_ratio"]:.3f}', " ".join(r["calls"])) for r in rows]
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    for line in lines:
        print("  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)))


def measure(repeat: int) -> list[dict[str, Any]]:
    """Run each operation `repeat` times; one row of figures per operation."""
    import app
    from bench.lambda_event import api_event
    from chalicelib.auth import issue_local_token
    from chalicelib.observability import current_meter
    from devtools.seed import DEMO_PRACTICE_ID, DEMO_USERS

    token = issue_local_token(practice_id=DEMO_PRACTICE_ID, user_id=DEMO_USERS["admin"], role="admin")
    state: dict[str, Any] = {}

    def send(method: str, resource: str, path: str, **kw: Any) -> dict[str, Any]:
        out = app.app(api_event(method, resource, path, token=token, **kw), None)
        assert out["statusCode"] < 400, out
        return out

    def create_location() -> dict[str, Any]:
        out = send("POST", "/v1/locations", "/v1/locations", body={"name": "Bench", "place_of_service": "11"})
        state["location"] = json.loads(out["body"])
        return out

    def etag_of(loc: dict[str, Any]) -> str:
        return f'"{loc["version"]}"'

    def update_location() -> dict[str, Any]:
        loc = state["location"]
        out = send("PATCH", "/v1/locations/{location_id}", f"/v1/locations/{loc['id']}",
                   path_params={"location_id": loc["id"]}, body={"phone": "555-0100"},
                   headers={"If-Match": etag_of(loc)})
        state["location"] = json.loads(out["body"])
        return out

    def get_location() -> dict[str, Any]:
        loc = state["location"]
        return send("GET", "/v1/locations/{location_id}", f"/v1/locations/{loc['id']}",
                    path_params={"location_id": loc["id"]})

    client = json.loads(send("POST", "/v1/clients", "/v1/clients",
                             body={"first_name": "Bench", "last_name": "Client"})["body"])
    send("POST", "/v1/clients/{client_id}/packs", f"/v1/clients/{client['id']}/packs",
         path_params={"client_id": client["id"]}, body={"name": "Big", "measure": "sessions", "limit": "100000",
                                                        "price": "0"})
    slot = {"n": 0}

    def book() -> dict[str, Any]:
        slot["n"] += 1
        day, hour = divmod(slot["n"], 8)
        start = f"2027-{1 + day // 28:02d}-{1 + day % 28:02d}T{9 + hour:02d}:00:00"
        out = send("POST", "/v1/appointments", "/v1/appointments", body={
            "client_id": client["id"], "practitioner_id": DEMO_USERS["practitioner"],
            "location_id": "loc_prc_demo_main", "start": start, "end": start[:11] + f"{9 + hour:02d}:50:00",
            "billing_code": "90837"})
        state["appointment"] = json.loads(out["body"])["appointments"][0]
        return out

    def attend_booked() -> dict[str, Any]:
        appt = state["appointment"]
        return send("POST", "/v1/appointments/{appointment_id}/status", f"/v1/appointments/{appt['id']}/status",
                    path_params={"appointment_id": appt["id"]}, body={"status": "attended"},
                    headers={"If-Match": '"1"'})

    operations: list[tuple[str, str, Callable[[], dict[str, Any]]]] = [
        ("GET /v1/practice", "read", lambda: send("GET", "/v1/practice", "/v1/practice")),
        ("POST /v1/locations", "write", create_location),
        ("GET /v1/locations/{id}", "read", get_location),
        ("PATCH /v1/locations/{id}", "write", update_location),
        ("GET /v1/locations?limit=20", "list", lambda: send("GET", "/v1/locations", "/v1/locations",
                                                            query={"limit": "20"})),
        ("GET /v1/billing-codes", "list", lambda: send("GET", "/v1/billing-codes", "/v1/billing-codes")),
        ("POST /v1/rooms", "write", lambda: send("POST", "/v1/rooms", "/v1/rooms", body={
            "name": "Bench room", "location_ids": [state["location"]["id"]]})),
        ("POST /v1/appointments", "book", book),
        ("POST /v1/appointments/{id}/status (attend)", "attend", attend_booked),
        ("GET /v1/appointments (practitioner week)", "list", lambda: send(
            "GET", "/v1/appointments", "/v1/appointments",
            query={"practitioner_id": DEMO_USERS["practitioner"], "from": "2027-01-01", "to": "2027-01-07"})),
    ]
    rows = []
    for name, kind, run in operations:
        run()  # warm: first-call costs are cold start's business, not this benchmark's
        totals, dynamo_times, calls = [], [], set()
        for _ in range(repeat):
            if kind == "attend":
                book()  # the booking is setup, not part of the figure
            started = time.perf_counter()
            (run if kind != "attend" else attend_booked)()
            totals.append(time.perf_counter() - started)
            meter = current_meter()
            dynamo_times.append(meter.dynamodb_seconds)
            calls.add(tuple(meter.calls))
        bar = {"list": 1, "write": 2, "read": 2, "book": None, "attend": None}[kind]
        (ops,) = calls  # the same calls every time
        transactions = ops.count("TransactWriteItems")
        rows.append({"operation": name, "dynamodb_calls": len(ops), "calls": list(ops),
                     "bar": bar if bar is not None else "1 transaction",
                     "meets_bar": len(ops) <= bar if bar is not None else transactions == 1,
                     "median_request_ms": round(statistics.median(totals) * 1000, 2),
                     "median_dynamodb_ms": round(statistics.median(dynamo_times) * 1000, 2),
                     "overhead_ratio": round(statistics.median(totals) / statistics.median(dynamo_times), 3)})
    return rows


if __name__ == "__main__":
    main()

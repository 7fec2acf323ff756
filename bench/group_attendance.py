"""DynamoDB calls and time to "mark all attended" for groups of 5, 15 and 40 members, against
DynamoDB Local, through the Chalice app as Lambda calls it.

Every member has a pack and every other member an authorization too, so a member's charge
takes from one or two balances. Prints, per group size: DynamoDB calls, transactions, the
largest transaction (actions; DynamoDB's limit is 100), calls per member, and the median
request time with members' transactions side by side (the default, 8 threads) and one after
another, alternating in one run so machine noise hits both alike. Bar: calls grow linearly
with members (the same number of calls per extra member between sizes), and no transaction
exceeds 100 actions.

    .venv/bin/python -m bench.group_attendance [--repeat 5]
"""
from __future__ import annotations

import argparse
import itertools
import json
import os
import statistics
import time
from typing import Any

SIZES = (5, 15, 40)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    from bench.stack import demo_stack

    with demo_stack():
        rows = [measure(size, args.repeat) for size in SIZES]
    header = ("members", "calls", "transactions", "largest txn", "calls/member", "median ms", "ms/member",
              "one by one ms", "speed-up")
    lines = [header] + [(str(r["members"]), str(r["calls"]), str(r["transactions"]), str(r["largest_transaction"]),
                         f'{r["calls"] / r["members"]:.2f}', f'{r["median_ms"]:.1f}',
                         f'{r["median_ms"] / r["members"]:.1f}', f'{r["sequential_ms"]:.1f}',
                         f'{r["sequential_ms"] / r["median_ms"]:.2f}') for r in rows]
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    for line in lines:
        print("  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)))
    slopes = [(b["calls"] - a["calls"]) / (b["members"] - a["members"]) for a, b in itertools.pairwise(rows)]
    linear = len(set(slopes)) == 1
    small = all(r["largest_transaction"] <= 100 for r in rows)
    print(f"extra calls per extra member between sizes: {', '.join(f'{s:g}' for s in slopes)} "
          f"({'linear' if linear else 'NOT linear'}); "
          f"largest transaction within 100 actions: {'yes' if small else 'NO'}")


def measure(members: int, repeat: int) -> dict[str, Any]:
    import app
    from bench.lambda_event import api_event
    from chalicelib.auth import issue_local_token
    from chalicelib.config import reset_settings
    from chalicelib.observability import current_meter
    from chalicelib.store import items
    from devtools.seed import DEMO_PRACTICE_ID, DEMO_USERS

    token = issue_local_token(practice_id=DEMO_PRACTICE_ID, user_id=DEMO_USERS["admin"], role="admin")

    def send(method: str, resource: str, path: str, **kw: Any) -> dict[str, Any]:
        out = app.app(api_event(method, resource, path, token=token, **kw), None)
        assert out["statusCode"] < 400, out
        return json.loads(out["body"]) if out["body"] else {}

    group = send("POST", "/v1/groups", "/v1/groups", body={
        "name": f"Bench {members}", "initials": "B", "practitioner_id": DEMO_USERS["practitioner"]})
    for i in range(members):
        client = send("POST", "/v1/clients", "/v1/clients", body={"first_name": f"M{i}", "last_name": "Bench"})
        cpath = f"/v1/clients/{client['id']}"
        send("POST", "/v1/clients/{client_id}/packs", cpath + "/packs", path_params={"client_id": client["id"]},
             body={"name": "Group pack", "measure": "sessions", "limit": "1000", "price": "0"})
        if i % 2:
            send("POST", "/v1/clients/{client_id}/authorizations", cpath + "/authorizations",
                 path_params={"client_id": client["id"]},
                 body={"payer": "Bench", "begin_on": "2026-01-01", "end_on": "2030-12-31", "allowed": "1000"})
        send("POST", "/v1/groups/{group_id}/members", f"/v1/groups/{group['id']}/members",
             path_params={"group_id": group["id"]}, body={"client_id": client["id"], "since": "2026-01-01T00:00:00Z"})

    sizes: list[int] = []
    real_transact = items.transact

    def counting_transact(actions: list[dict[str, Any]]) -> None:
        sizes.append(len(actions))
        real_transact(actions)

    items.transact = counting_transact
    times: dict[str, list[float]] = {"8": [], "1": []}
    calls = set()
    try:
        for n, workers in enumerate(w for _ in range(repeat + 1) for w in times):
            os.environ["CASELOAD_ATTENDANCE_WORKERS"] = workers
            reset_settings()
            booked = send("POST", "/v1/groups/{group_id}/appointments", f"/v1/groups/{group['id']}/appointments",
                          path_params={"group_id": group["id"]}, body={
                              "location_id": "loc_prc_demo_main",
                              "start": f"2027-03-{1 + n // 2:02d}T{8 + n % 2 * 2:02d}:00:00",
                              "end": f"2027-03-{1 + n // 2:02d}T{9 + n % 2 * 2:02d}:30:00"})
            appointment_id = booked["appointments"][0]["id"]
            sizes.clear()
            started = time.perf_counter()
            send("POST", "/v1/appointments/{appointment_id}/attendance",
                 f"/v1/appointments/{appointment_id}/attendance", path_params={"appointment_id": appointment_id},
                 body={"all_attended": True})
            if n >= 2:  # the first pair warms up and is not counted
                times[workers].append(time.perf_counter() - started)
                calls.add(tuple(sorted(current_meter().calls)))  # members run side by side: any order
    finally:
        items.transact = real_transact
        os.environ.pop("CASELOAD_ATTENDANCE_WORKERS")
        reset_settings()
    (ops,) = calls  # the same calls every time
    return {"members": members, "calls": len(ops), "transactions": ops.count("TransactWriteItems"),
            "largest_transaction": max(sizes), "median_ms": statistics.median(times["8"]) * 1000,
            "sequential_ms": statistics.median(times["1"]) * 1000}


if __name__ == "__main__":
    main()

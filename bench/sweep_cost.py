"""Sweep cost against DynamoDB Local with 1k, 10k and 100k packs, the same number due each time.

Packs are written straight into the table (as the API writes them, DUE index keys included);
a few are about to expire (due today), the rest expire next year. The sweep then runs for
real: reads the DUE index, raises the events, writes the digests (file mailer). Prints items
read ÷ items due (bar: ≤ 1.1 at every size) and the sweep's time.

    .venv/bin/python -m bench.sweep_cost [--due 200] [--sizes 1000,10000,100000]
"""
from __future__ import annotations

import argparse
import tempfile
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--due", type=int, default=200, help="packs due at every size")
    parser.add_argument("--sizes", default="1000,10000,100000")
    args = parser.parse_args()
    from bench.stack import demo_stack

    with demo_stack():
        rows = run([int(s) for s in args.sizes.split(",")], args.due)
    print("packs    due  items read  read/due  bar    emails  sweep s")
    for r in rows:
        print(f"{r['packs']:<8} {r['due']:<4} {r['read']:<11} {r['ratio']:<9.3f} "
              f"{'ok' if r['ratio'] <= 1.1 else 'OVER':<6} {r['emails']:<7} {r['seconds']:.2f}")


def run(sizes: list[int], due: int) -> list[dict[str, Any]]:
    from chalicelib.jobs.sweep import run_sweep
    from chalicelib.notify.mailer import FileMailer
    from chalicelib.services.practice import practice_calendar
    from devtools.seed import DEMO_PRACTICE_ID

    today = practice_calendar(DEMO_PRACTICE_ID).today
    rows, written = [], 0
    with tempfile.TemporaryDirectory() as outbox:
        run_sweep(mailer=FileMailer(Path(outbox)))  # the first run reads a month back; not measured
        for size in sizes:
            _write_packs(DEMO_PRACTICE_ID, due, expires=today + timedelta(days=7), first=written)
            _write_packs(DEMO_PRACTICE_ID, size - written - due, expires=today + timedelta(days=365),
                         first=written + due)
            written = size
            started = time.perf_counter()
            report = run_sweep(mailer=FileMailer(Path(outbox)))
            seconds = time.perf_counter() - started
            assert report.finished and report.events_raised == due, report
            rows.append({"packs": size, "due": report.items_due, "read": report.items_read,
                         "ratio": report.items_read / report.items_due, "emails": report.emails_sent,
                         "seconds": seconds})
    return rows


def _write_packs(practice_id: str, count: int, *, expires: date, first: int) -> None:
    """`count` open packs, one client each, as create_pack writes them, 25 per BatchWriteItem."""
    from chalicelib.services.practice import due_floor, practice_calendar
    from chalicelib.store import dynamo
    from chalicelib.store.entitlements import new_pack_item
    from devtools.seed import DEMO_USERS

    practitioner = DEMO_USERS["practitioner"]  # each digest goes to the demo practitioner
    terms = {"name": "Bench pack", "measure": "sessions", "limit": Decimal(10), "quantity": Decimal(10),
             "price": Decimal(100), "validity": {"amount": 1, "unit": "days", "starts": "purchase"}}
    calendar = practice_calendar(practice_id)
    batch: list[dict[str, Any]] = []
    for n in range(first, first + count):
        item = new_pack_item(practice_id, f"cli_bench{n:06d}", f"Bench Client{n}", terms,
                             purchased_on=expires - timedelta(days=1), flags={"practitioner_id": practitioner},
                             soon_days=calendar.soon_days, today=due_floor(calendar))
        batch.append({"PutRequest": {"Item": dynamo.to_item(item)}})
        if len(batch) == 25:
            _flush(batch)
            batch = []
    if batch:
        _flush(batch)


def _flush(batch: list[dict[str, Any]]) -> None:
    from chalicelib.store import dynamo, items

    pending = {items.table(): batch}
    while pending:
        pending = dynamo.client().batch_write_item(RequestItems=pending).get("UnprocessedItems") or {}


if __name__ == "__main__":
    main()

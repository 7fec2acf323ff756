"""`make sweep`: run the daily sweep now against the local stack, emails to .data/outbox.

Uses the DynamoDB Local that `make run` started if it is up; otherwise starts one on the same
data directory for the length of the run.

    python -m devtools.sweep [--ddb-port 8001] [--data-dir .data]
"""
from __future__ import annotations

import argparse
import contextlib
import os
import sys
from pathlib import Path

from devtools.ddb_local import ROOT, DynamoDBLocal, SetupError, listening


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--ddb-port", type=int, default=8001)
    parser.add_argument("--data-dir", type=Path, default=ROOT / ".data")
    args = parser.parse_args()
    outbox = args.data_dir / "outbox"
    os.environ.update({"CASELOAD_MAILER": "file", "CASELOAD_OUTBOX_DIR": str(outbox)})
    running = listening(args.ddb_port)
    with contextlib.ExitStack() as stack:
        if not running:
            ddb = DynamoDBLocal(port=args.ddb_port, db_path=args.data_dir / "dynamodb")
            try:
                ddb.start()
            except SetupError as err:
                print(f"make sweep: {err}", file=sys.stderr)
                return 1
            stack.callback(ddb.stop)
        from devtools.run_local import prepare

        prepare(f"http://127.0.0.1:{args.ddb_port}")
        from chalicelib.jobs.purge import purge_practice
        from chalicelib.jobs.sweep import run_sweep

        before = set(outbox.glob("*.eml")) if outbox.exists() else set()
        report = run_sweep(purge=purge_practice)
    written = sorted(set(outbox.glob("*.eml")) - before) if outbox.exists() else []
    print(f"sweep: read {report.items_read} items in {report.buckets} buckets, {report.items_due} due; "
          f"raised {report.events_raised} events; sent {report.emails_sent} emails "
          f"({report.emails_failed} failed); purged {len(report.purged_practices)} practices")
    for path in written:
        print(f"  {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

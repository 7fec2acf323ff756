"""The local stack behind `make run`: DynamoDB Local with data on disk, the tables, the demo
practice, the API (devtools/local_api.py: chalice.local's server, answering an unknown path
with a problem+json 404), and the staff console (console/dist, with the local sign-in) served
by devtools/console_server.py. Ctrl-C stops them all.

    python -m devtools.run_local [--api-port 8000] [--ddb-port 8001] [--console-port 8080] [--data-dir .data]
"""
from __future__ import annotations

import argparse
import os
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path
from typing import IO

from devtools.console_server import DIST as CONSOLE_DIST
from devtools.console_server import make_server as make_console_server
from devtools.console_server import start as start_console_server
from devtools.ddb_local import ROOT, DynamoDBLocal, SetupError, listening


def _local_env(ddb_endpoint: str, console_origin: str | None = None) -> dict[str, str]:
    env = {**os.environ, "CASELOAD_DYNAMODB_ENDPOINT": ddb_endpoint, "CASELOAD_STAGE": "local",
           "CASELOAD_AUTH_MODE": "local", "AWS_DEFAULT_REGION": os.environ.get("AWS_DEFAULT_REGION", "us-east-1")}
    if console_origin:
        # The API's CORS answers exactly this origin; the digest links to it too.
        env["CASELOAD_CONSOLE_ORIGIN"] = env["CASELOAD_CONSOLE_URL"] = console_origin
    # DynamoDB Local accepts any credentials but boto3 insists on having some.
    env.setdefault("AWS_ACCESS_KEY_ID", "local")
    env.setdefault("AWS_SECRET_ACCESS_KEY", "local")
    return env


def prepare(ddb_endpoint: str, console_origin: str | None = None) -> dict[str, str]:
    """Create missing tables and seed the demo practice; returns a token per role."""
    os.environ.update(_local_env(ddb_endpoint, console_origin))
    from chalicelib.auth import issue_local_token
    from chalicelib.config import get_settings, reset_settings
    from chalicelib.store import dynamo
    from devtools.seed import DEMO_PRACTICE_ID, DEMO_USERS, seed_demo
    from devtools.tables import create_tables

    reset_settings()
    dynamo.reset_clients()
    create_tables(dynamo.client(), get_settings())
    seed_demo()
    return {role: issue_local_token(practice_id=DEMO_PRACTICE_ID, user_id=user_id, role=role)
            for role, user_id in DEMO_USERS.items()}


# The API server's access log (chalice.local's) quotes each request line; a query can hold what
# a person typed (`GET /v1/clients?q=<a client's name>`), and logs never carry client data.
_QUERY = re.compile(r"(\"[A-Z]+ [^\s?\"]*)\?[^\s\"]*")


def redact_queries(line: str) -> str:
    """An access-log line with every query string replaced by `?…`."""
    return _QUERY.sub(r"\1?…", line)


def _copy_redacted(source: IO[str], sink: IO[str]) -> None:
    for line in source:
        sink.write(redact_queries(line))
        sink.flush()


def _wait_for_api(url: str, process: subprocess.Popen, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SetupError(f"the API server exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=5) as answer:
                answer.read()  # read it whole: closing early breaks the server's pipe (a traceback)
            return
        except OSError:
            time.sleep(0.2)
    raise SetupError(f"the API did not answer on {url} within {timeout:.0f}s")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--api-port", type=int, default=8000)
    parser.add_argument("--ddb-port", type=int, default=8001)
    parser.add_argument("--console-port", type=int, default=8080)
    parser.add_argument("--console-dist", type=Path, default=CONSOLE_DIST)
    parser.add_argument("--data-dir", type=Path, default=ROOT / ".data")
    args = parser.parse_args()
    console_url = f"http://127.0.0.1:{args.console_port}"

    stopping = False

    def request_stop(signum: int, frame: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)
    ddb = DynamoDBLocal(port=args.ddb_port, db_path=args.data_dir / "dynamodb")
    api: subprocess.Popen | None = None
    console = None
    try:
        if listening(args.console_port):
            raise SetupError(f"port {args.console_port} (the console) is already in use")
        ddb.start()
        tokens = prepare(ddb.endpoint, console_url)
        api = subprocess.Popen(
            [sys.executable, "-m", "devtools.local_api", "--host", "127.0.0.1", "--port", str(args.api_port),
             "--stage", "local"],  # no autoreload: restart `make run` after a change
            cwd=ROOT, env=_local_env(ddb.endpoint, console_url), stdin=subprocess.DEVNULL, stderr=subprocess.PIPE,
            text=True, start_new_session=True)  # we stop it ourselves, after our own Ctrl-C handling
        assert api.stderr is not None
        threading.Thread(target=_copy_redacted, args=(api.stderr, sys.stderr), daemon=True).start()
        url = f"http://127.0.0.1:{args.api_port}"
        _wait_for_api(f"{url}/v1/openapi.json", api)
        console = make_console_server(port=args.console_port, api_url=url, dist=args.console_dist)
        start_console_server(console)
        print(f"\nCaseload API on {url}  (DynamoDB Local on {ddb.endpoint}, data in {ddb.db_path})")
        built = "" if (args.console_dist / "index.html").is_file() else \
            "  (not built: `npm --prefix console run build`, or `make run`)"
        print(f"Caseload console on {console_url}/  (sign in as any demo user){built}")
        print("Demo practice tokens (valid 8 hours; `make token ROLE=...` for more):")
        for role in ("admin", "practitioner"):
            print(f"{role.upper()}_TOKEN={tokens[role]}")
        print(f"Try: curl -H \"Authorization: Bearer $ADMIN_TOKEN\" {url}/v1/practice\nCtrl-C stops.", flush=True)
        while not stopping and api.poll() is None:
            time.sleep(0.2)
        return 0 if stopping else 1
    except SetupError as err:
        print(f"make run: {err}", file=sys.stderr)
        return 2
    finally:
        if console is not None:
            console.shutdown()
            console.server_close()
        if api is not None and api.poll() is None:
            api.terminate()
            try:
                api.wait(10)
            except subprocess.TimeoutExpired:
                api.kill()
        ddb.stop()
        print("Stopped the console, the API and DynamoDB Local.", flush=True)


if __name__ == "__main__":
    sys.exit(main())

"""The local stack `make run` starts, driven over real HTTP, including a restart."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

from devtools.ddb_local import free_port

ROOT = Path(__file__).resolve().parents[2]


class Stack:
    """`python -m devtools.run_local` in a subprocess, with its printed admin token."""

    def __init__(self, data_dir: Path) -> None:
        self.api_port, self.ddb_port, self.console_port = free_port(), free_port(), free_port()
        self.url = f"http://127.0.0.1:{self.api_port}"
        env = {k: v for k, v in os.environ.items() if not k.startswith("CASELOAD_")}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "devtools.run_local", "--api-port", str(self.api_port), "--ddb-port",
             str(self.ddb_port), "--console-port", str(self.console_port), "--data-dir", str(data_dir)],
            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        self.token = self._read_token()

    def _read_token(self, timeout: float = 90.0) -> str:
        deadline = time.monotonic() + timeout
        for line in self.process.stdout:
            if line.startswith("ADMIN_TOKEN="):
                return line.strip().split("=", 1)[1]
            assert time.monotonic() < deadline, "the stack did not print a token in time"
        raise AssertionError(f"the stack exited with {self.process.wait()} before printing a token")

    def call(self, method: str, path: str, headers: dict | None = None, **kw) -> requests.Response:
        return requests.request(method, self.url + path, timeout=30, **kw,
                                headers={"Authorization": f"Bearer {self.token}", **(headers or {})})

    def stop(self) -> int:
        self.process.send_signal(signal.SIGINT)
        code = self.process.wait(60)
        self.process.stdout.close()
        return code


def _port_open(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


def test_local_stack_serves_the_demo_practice_and_keeps_data_across_restart(tmp_path):
    stack = Stack(tmp_path)
    try:
        practice = stack.call("GET", "/v1/practice")
        assert practice.status_code == 200 and practice.json()["id"] == "prc_demo"
        created = stack.call("POST", "/v1/locations", json={"name": "Telehealth", "telehealth": True})
        assert created.status_code == 201
        assert stack.call("GET", created.headers["Location"]).json()["place_of_service"] == "10"
        assert requests.get(stack.url + "/v1/practice", timeout=10).status_code == 401
        client = stack.call("POST", "/v1/clients", json={"first_name": "Http", "last_name": "Client"}).json()
        pack = stack.call("POST", f"/v1/clients/{client['id']}/packs",
                          json={"name": "Five", "measure": "sessions", "limit": "5", "price": "500"}).json()
        charged = stack.call("POST", f"/v1/clients/{client['id']}/charges", headers={"Idempotency-Key": "e2e-1"},
                             json={"session_ref": "visit-1", "date": "2026-11-20", "billing_code": "90837"})
        assert charged.status_code == 201 and charged.json()["pack"]["remaining"] == "4"
    finally:
        assert stack.stop() == 0
    assert not any(_port_open(port) for port in (stack.api_port, stack.ddb_port, stack.console_port))

    again = Stack(tmp_path)  # same data dir: the seed runs again and must add nothing
    try:
        assert again.call("GET", created.headers["Location"]).status_code == 200
        names = [loc["name"] for loc in again.call("GET", "/v1/locations").json()["items"]]
        assert sorted(names) == ["Main clinic", "Telehealth"]
        users = again.call("GET", "/v1/users").json()["items"]
        assert len(users) == 4
        codes = again.call("GET", "/v1/billing-codes?limit=100").json()["items"]
        assert len(codes) == 8
        kept = again.call("GET", f"/v1/clients/{client['id']}/packs/{pack['id']}").json()
        assert (kept["used"], kept["remaining"]) == ("1", "4")
    finally:
        assert again.stop() == 0

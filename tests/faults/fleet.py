"""Several API server processes, as Lambda runs the app: each its own process with its own
DynamoDB client and caches, serving one request at a time, all against one database (through
the fault proxy). `Fleet.drive` hands a list of requests to one driver thread per server, so
every server has exactly one request in flight, and records each answer."""
from __future__ import annotations

import json
import os
import queue
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any

import requests

from devtools.ddb_local import free_port

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Call:
    """One request to send, and (after `drive`) its answer."""

    method: str
    path: str
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    tag: str = ""
    status: int = 0
    answer: Any = None
    seconds: float = 0.0
    server: int = -1
    retry_after: str | None = None


class Fleet:
    """`count` `chalice local` processes on free loopback ports with `env` (the endpoint,
    table names) on top of this process's environment."""

    def __init__(self, count: int, env: dict[str, str], *, token: str) -> None:
        self.token = token
        base = {k: v for k, v in os.environ.items() if not k.startswith("CASELOAD_")}
        self.env = {**base, "AWS_ACCESS_KEY_ID": "local", "AWS_SECRET_ACCESS_KEY": "local",
                    "AWS_DEFAULT_REGION": "us-east-1", "CASELOAD_STAGE": "local", "CASELOAD_AUTH_MODE": "local",
                    **env}
        self.ports = [free_port() for _ in range(count)]
        self.processes: list[subprocess.Popen] = []
        self._sessions = [requests.Session() for _ in range(count)]

    def start(self, timeout: float = 90.0) -> Fleet:
        chalice = str(Path(sys.executable).parent / "chalice")
        for port in self.ports:
            self.processes.append(subprocess.Popen(
                [chalice, "local", "--host", "127.0.0.1", "--port", str(port), "--stage", "local", "--no-autoreload"],
                cwd=ROOT, env=self.env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL, start_new_session=True))
        deadline = time.monotonic() + timeout
        for port, process in zip(self.ports, self.processes, strict=True):
            while True:
                if process.poll() is not None:
                    raise RuntimeError(f"chalice local on {port} exited with {process.returncode}")
                try:
                    requests.get(f"http://127.0.0.1:{port}/v1/openapi.json", timeout=2)
                    break
                except requests.RequestException:
                    if time.monotonic() > deadline:
                        raise RuntimeError(f"chalice local on {port} did not answer in {timeout:.0f}s") from None
                    time.sleep(0.2)
        return self

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.terminate()
        for process in self.processes:
            try:
                process.wait(15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(5)
        for session in self._sessions:
            session.close()

    def __enter__(self) -> Fleet:
        return self.start()

    def __exit__(self, exc_type: type | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.stop()

    def send(self, server: int, call: Call) -> Call:
        """One request to one server; the answer is recorded on `call`."""
        started = time.perf_counter()
        try:
            reply = self._sessions[server].request(
                call.method, f"http://127.0.0.1:{self.ports[server]}{call.path}",
                data=json.dumps(call.body) if call.body is not None else None, timeout=60,
                headers={"Authorization": f"Bearer {self.token}", "Content-Type": "application/json", **call.headers})
            call.status = reply.status_code
            call.answer = reply.json() if reply.content else None
            call.retry_after = reply.headers.get("Retry-After")
        except requests.RequestException as err:
            call.status, call.answer = 599, repr(err)  # a server that did not answer counts as a 5xx
        call.seconds = time.perf_counter() - started
        call.server = server
        return call

    def drive(self, calls: list[Call], *, servers: int | None = None) -> list[Call]:
        """Send every call, one at a time per server, `servers` (all) servers at once."""
        work: queue.Queue[Call] = queue.Queue()
        for call in calls:
            work.put(call)

        def serve(server: int) -> None:
            while True:
                try:
                    call = work.get_nowait()
                except queue.Empty:
                    return
                self.send(server, call)

        threads = [threading.Thread(target=serve, args=(i,)) for i in range(servers or len(self.ports))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return calls

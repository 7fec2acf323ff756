"""A fault-injecting HTTP proxy in front of DynamoDB Local, so that several separate processes
(server processes, as Lambda runs them) meet the failures real DynamoDB gives: it sees every
client's TransactWriteItems, so transactions from different processes really conflict.

Loopback only (it refuses to listen or forward anywhere else), one thread per connection up
to `max_connections` (more wait), and the same FaultPolicy as the in-process hook. A timeout
after a write is a dropped connection once the upstream answered: the caller cannot know
whether the write happened (botocore sees a closed connection, as after a network failure).

    python -m tests.faults.proxy --upstream http://127.0.0.1:8001 --port 8002 \
        --faults "seed=1,conflict=1,throttle=0.02"
"""
from __future__ import annotations

import argparse
import contextlib
import http.client
import ipaddress
import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import urlsplit

from tests.faults.policy import FaultConfig, FaultPolicy, fault_response, operation_of

_MAX_BODY = 16 * 1024 * 1024  # DynamoDB's own request limit


def _loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(socket.gethostbyname(host)).is_loopback
    except (OSError, ValueError):
        return False


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    # Set by FaultProxy.
    policy: FaultPolicy
    upstream: tuple[str, int]
    slots: threading.BoundedSemaphore

    def process_request(self, request: Any, client_address: Any) -> None:
        self.slots.acquire()  # bounded: at most max_connections handler threads at once
        try:
            super().process_request(request, client_address)
        except Exception:
            self.slots.release()
            raise

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            self.slots.release()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as botocore's pool expects
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib's name
        pass  # quiet: the counts say what happened

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if length > _MAX_BODY:
            self.send_error(413)
            return
        raw = self.rfile.read(length)
        operation = operation_of(self.headers.get("X-Amz-Target"))
        try:
            body = json.loads(raw or b"{}")
        except ValueError:
            body = {}
        policy = self.server.policy
        ticket = policy.begin(operation, body)
        try:
            if ticket.fault.refuses:
                self._answer(*fault_response(ticket.fault))
                return
            status, headers, content = self._forward(raw)
        finally:
            policy.end(ticket)
        if ticket.fault.kind == "timeout_after_write":
            self.close_connection = True  # written upstream; the caller never hears of it
            return
        self._answer(status, headers, content)

    def _forward(self, raw: bytes) -> tuple[int, dict[str, str], bytes]:
        conn = getattr(self, "_upstream", None)
        for tries in range(2):
            if conn is None:
                conn = http.client.HTTPConnection(*self.server.upstream, timeout=30)
                self._upstream = conn
            try:
                headers = {k: v for k, v in self.headers.items() if k.lower() not in ("connection", "host")}
                conn.request("POST", self.path, body=raw, headers=headers)
                answer = conn.getresponse()
                content = answer.read()
                kept = {k: v for k, v in answer.getheaders()
                        if k.lower() not in ("connection", "transfer-encoding", "content-length")}
                return answer.status, kept, content
            except (http.client.HTTPException, OSError):
                conn.close()
                conn = self._upstream = None
                if tries:
                    raise
        raise AssertionError("unreachable")

    def _answer(self, status: int, headers: dict[str, str], content: bytes) -> None:
        self.send_response(status)
        for name, value in headers.items():
            if name.lower() != "content-length":
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(content)))
        self.end_headers()
        self.wfile.write(content)

    def finish(self) -> None:
        super().finish()
        upstream = getattr(self, "_upstream", None)
        if upstream is not None:
            upstream.close()


class FaultProxy:
    """The proxy on a loopback port in a background thread; a context manager."""

    def __init__(self, upstream: str, config: FaultConfig | str, *, port: int = 0,
                 max_connections: int = 64) -> None:
        parts = urlsplit(upstream)
        if parts.scheme != "http" or not _loopback(parts.hostname or ""):
            raise ValueError("the fault proxy only forwards to a loopback http endpoint (DynamoDB Local)")
        self.policy = FaultPolicy(FaultConfig.parse(config) if isinstance(config, str) else config)
        self.server = _Server(("127.0.0.1", port), _Handler)
        self.server.policy = self.policy
        self.server.upstream = (parts.hostname, parts.port or 80)
        self.server.slots = threading.BoundedSemaphore(max_connections)
        self._thread: threading.Thread | None = None

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def start(self) -> FaultProxy:
        self._thread = threading.Thread(target=self.server.serve_forever, name="fault-proxy", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        if self._thread is not None:
            self._thread.join(10)

    def __enter__(self) -> FaultProxy:
        return self.start()

    def __exit__(self, exc_type: type | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--upstream", required=True, help="DynamoDB Local, e.g. http://127.0.0.1:8001")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--faults", default="conflict=1", help="e.g. seed=1,conflict=1,throttle=0.02")
    args = parser.parse_args()
    with FaultProxy(args.upstream, args.faults, port=args.port) as proxy:
        print(f"fault proxy on {proxy.endpoint} -> {args.upstream} ({proxy.policy.config.describe()})", flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            threading.Event().wait()


if __name__ == "__main__":
    main()

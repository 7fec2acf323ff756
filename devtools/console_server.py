"""The staff console's local web server (`make run`, the browser tests): a development tool only.

Serves the built console (console/dist) with the single-page-app fallback to index.html, and
    GET  /config.json   {"apiUrl": "<the local API>", "auth": "local"}
    GET  /local/users   the demo practice's active users: [{"id", "name", "role"}]
    POST /local/token   {"user_id": "usr_..."} -> {"token": "<local bearer token>"}
The /local endpoints stand in for Cognito's hosted UI on this machine only: they exist in no
deployed component (the deployed console is static files on S3 and its config.json says
"auth": "cognito").

    python -m devtools.console_server --api-url http://127.0.0.1:8000 [--port 8080] [--dist console/dist]
(needs the environment `make run` gives the API: DynamoDB Local's endpoint, local auth.)
"""
from __future__ import annotations

import argparse
import json
import mimetypes
import re
import threading
from collections.abc import Callable
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import urlsplit

from devtools.ddb_local import ROOT

DIST = ROOT / "console" / "dist"
# Vite names built assets <name>-<hash>.<ext> under assets/: their content never changes.
_HASHED = re.compile(r"^assets/.+-[A-Za-z0-9_-]{8,}\.[a-z0-9]+$")
IMMUTABLE = "public, max-age=31536000, immutable"
NO_CACHE = "no-cache"
_MAX_BODY = 4096

mimetypes.add_type("text/javascript", ".js")
mimetypes.add_type("text/javascript", ".mjs")
mimetypes.add_type("application/manifest+json", ".webmanifest")
mimetypes.add_type("image/svg+xml", ".svg")
mimetypes.add_type("font/woff2", ".woff2")


def security_headers(api_url: str) -> dict[str, str]:
    """The headers CloudFront adds to the deployed console (infra/stack.yaml, ConsoleHeaders), so
    that a page breaking the policy breaks here first; connect-src names the local API where the
    template names API Gateway and the hosted UI. No HSTS: this is plain HTTP."""
    api = urlsplit(api_url)
    policy = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
              f"font-src 'self'; connect-src 'self' {api.scheme}://{api.netloc}; object-src 'none'; "
              "base-uri 'self'; form-action 'self'; frame-ancestors 'none'")
    return {"Content-Security-Policy": policy, "X-Frame-Options": "DENY", "Referrer-Policy": "no-referrer"}


def demo_users() -> list[dict[str, str]]:
    """The demo practice's active users, for the local sign-in list (read from the store, so a
    user an admin adds in the console can sign in too)."""
    from chalicelib.auth import Principal, Role
    from chalicelib.services import users
    from devtools.seed import DEMO_PRACTICE_ID, DEMO_USERS

    admin = Principal(user_id=DEMO_USERS["admin"], practice_id=DEMO_PRACTICE_ID, role=Role.ADMIN)
    found, start_key = [], None
    while True:
        page, start_key = users.list_users(principal=admin, limit=100, start_key=start_key)
        found += [{"id": u.id, "name": f"{u.first_name} {u.last_name}", "role": u.role.value}
                  for u in page if u.active]
        if not start_key:
            return found


def local_token(user_id: str) -> str | None:
    """A local bearer token for one of the demo practice's active users, or None."""
    from chalicelib.auth import issue_local_token
    from devtools.seed import DEMO_PRACTICE_ID

    user = next((u for u in demo_users() if u["id"] == user_id), None)
    if user is None:
        return None
    return issue_local_token(practice_id=DEMO_PRACTICE_ID, user_id=user_id, role=user["role"])


class ConsoleHandler(BaseHTTPRequestHandler):
    server_version = "CaseloadConsole"
    protocol_version = "HTTP/1.1"
    # Set by make_server.
    dist: Path = DIST
    api_url: str = ""
    security: ClassVar[dict[str, str]] = {}  # set per server by make_server
    users: Callable[[], list[dict[str, str]]] = staticmethod(demo_users)
    token: Callable[[str], str | None] = staticmethod(local_token)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 (the base class's name)
        pass  # quiet: the API's own log is the one to read

    def do_GET(self) -> None:
        self._get(head=False)

    def do_HEAD(self) -> None:
        self._get(head=True)

    def do_POST(self) -> None:
        path = self.path.split("?", 1)[0]
        if path != "/local/token":
            self._json(HTTPStatus.METHOD_NOT_ALLOWED, {"title": "Method not allowed"})
            return
        length = int(self.headers.get("Content-Length") or 0)
        if length > _MAX_BODY:
            self._json(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, {"title": "Body too large"})
            return
        try:
            body = json.loads(self.rfile.read(length) or b"null")
        except ValueError:
            body = None
        user_id = body.get("user_id") if isinstance(body, dict) else None
        if not isinstance(user_id, str) or not user_id:
            self._json(HTTPStatus.UNPROCESSABLE_ENTITY, {"title": "user_id is required", "field": "user_id"})
            return
        token = type(self).token(user_id)
        if token is None:
            self._json(HTTPStatus.NOT_FOUND, {"title": "No such active demo user", "field": "user_id"})
            return
        self._json(HTTPStatus.OK, {"token": token})

    def _get(self, *, head: bool) -> None:
        path = self.path.split("?", 1)[0].split("#", 1)[0]
        if path == "/config.json":
            self._json(HTTPStatus.OK, {"apiUrl": self.api_url, "auth": "local"}, head=head)
        elif path == "/local/users":
            self._json(HTTPStatus.OK, type(self).users(), head=head)
        else:
            self._static(path, head=head)

    def _static(self, path: str, *, head: bool) -> None:
        root = self.dist.resolve()
        relative = path.lstrip("/")
        target = (root / relative).resolve()
        if relative and target.is_relative_to(root) and target.is_file():
            cache = IMMUTABLE if _HASHED.match(relative) else NO_CACHE
        elif Path(relative).suffix and not relative.endswith(".html"):
            # A missing file (a script, an image) is a 404, not the app: a stale hashed name
            # must fail loudly instead of parsing HTML as JavaScript.
            self._json(HTTPStatus.NOT_FOUND, {"title": "Not found"}, head=head)
            return
        else:
            target, cache = root / "index.html", NO_CACHE  # a client-side route
        if not target.is_file():
            self._json(HTTPStatus.SERVICE_UNAVAILABLE,
                       {"title": f"The console is not built: no {target}; run `npm --prefix console run build`"},
                       head=head)
            return
        data = target.read_bytes()
        kind = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        if kind.startswith("text/") or kind in ("application/json", "image/svg+xml"):
            kind += "; charset=utf-8"
        self._send(HTTPStatus.OK, data, kind, {"Cache-Control": cache}, head=head)

    def _json(self, status: HTTPStatus, payload: Any, *, head: bool = False) -> None:
        self._send(status, json.dumps(payload).encode(), "application/json",
                   {"Cache-Control": "no-store"}, head=head)

    def _send(self, status: HTTPStatus, data: bytes, kind: str, headers: dict[str, str], *, head: bool) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("X-Content-Type-Options", "nosniff")
        for name, value in {**self.security, **headers}.items():
            self.send_header(name, value)
        self.end_headers()
        if not head:
            self.wfile.write(data)


def make_server(*, port: int, api_url: str, dist: Path = DIST, host: str = "127.0.0.1",
                users: Callable[[], list[dict[str, str]]] = demo_users,
                token: Callable[[str], str | None] = local_token) -> ThreadingHTTPServer:
    """A threaded server for the console; call serve_forever (or `start`) on it."""
    handler = type("BoundConsoleHandler", (ConsoleHandler,), {
        "dist": Path(dist), "api_url": api_url.rstrip("/"), "security": security_headers(api_url),
        "users": staticmethod(users), "token": staticmethod(token)})
    server = ThreadingHTTPServer((host, port), handler)
    server.daemon_threads = True
    return server


def start(server: ThreadingHTTPServer) -> threading.Thread:
    """Serve in a daemon thread; `server.shutdown()` stops it."""
    thread = threading.Thread(target=server.serve_forever, name="console-server", daemon=True)
    thread.start()
    return thread


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument("--api-url", default="http://127.0.0.1:8000")
    parser.add_argument("--dist", type=Path, default=DIST)
    args = parser.parse_args()
    server = make_server(port=args.port, api_url=args.api_url, dist=args.dist)
    print(f"Caseload console on http://127.0.0.1:{args.port}/ (API {args.api_url})", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""CORS for the staff console, which is served from its own origin (locally
http://127.0.0.1:8080, deployed the CloudFront URL): exactly that origin, the `console_origin`
setting, may call the API from a browser; any other origin gets no Access-Control-Allow-Origin,
so the browser keeps the answer from its script.

Every route path also answers OPTIONS (the preflight a browser sends before a request with a
bearer token or a JSON body), with no token needed: chalicelib/http.py registers one per path.
The headers are added by the app's middleware (app.py), so error answers carry them too and the
console can show the problem instead of an opaque network error.
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from chalice import Response

from chalicelib.config import get_settings

ALLOWED_HEADERS = "Authorization, Content-Type, If-Match, Idempotency-Key"
# What the console reads from an answer: the version for If-Match, a created resource's
# address, how long to wait after a 503 and the id to quote to support.
EXPOSED_HEADERS = "ETag, Location, Retry-After, X-Request-Id"
# Browsers reuse a preflight this long (Chromium caps it at 2 hours).
MAX_AGE_SECONDS = 600


def allowed_origin(origin: str | None) -> str | None:
    """The request's Origin if it is exactly the console's, else None."""
    console = get_settings().console_origin.rstrip("/")
    return origin if origin and origin == console else None


def preflight(request: Any, methods: Iterable[str]) -> Response:
    """The answer to OPTIONS on a path: which methods and headers the console may send."""
    headers: dict[str, str | list[str]] = {}
    if allowed_origin(request.headers.get("origin")):
        headers = {"Access-Control-Allow-Methods": ", ".join(sorted({*methods, "OPTIONS"})),
                   "Access-Control-Allow-Headers": ALLOWED_HEADERS,
                   "Access-Control-Max-Age": str(MAX_AGE_SECONDS)}
    return Response(body="", status_code=204, headers=headers)


def with_cors(request: Any, response: Response) -> Response:
    """Add the CORS headers an answer needs (every answer: the middleware calls this)."""
    headers = response.headers
    vary = headers.get("Vary")
    if isinstance(vary, list):  # a multi-value header (Chalice allows a list): one comma-separated value
        vary = ", ".join(vary)
    if not vary:
        headers["Vary"] = "Origin"
    elif "origin" not in {part.strip().lower() for part in vary.split(",")}:
        headers["Vary"] = f"{vary}, Origin"  # the answer differs by Origin: caches must know
    origin = allowed_origin((request.headers or {}).get("origin"))
    if origin:
        headers["Access-Control-Allow-Origin"] = origin
        headers["Access-Control-Expose-Headers"] = EXPOSED_HEADERS
    return response

"""Caseload API: the Chalice app, its blueprints, its schedule and middleware. Nothing else lives here."""
import gc

# Cold start: loading the app makes a few hundred thousand long-lived objects (modules, models,
# routes), and the cyclic collector would scan them all several times over while they load
# (~100 ms). It is off until the app is built, then what was built is frozen out of later scans.
gc.disable()

import json
import threading
import uuid
from collections.abc import Callable
from typing import Any

from chalice import Chalice, Cron, Response
from chalice.app import CloudWatchEvent, Request

from chalicelib.cors import with_cors
from chalicelib.http import PROBLEM_JSON, method_not_allowed, problem
from chalicelib.routes import (
    appointments,
    charges,
    claims,
    clients,
    codes,
    entitlements,
    groups,
    invoices,
    locations,
    meta,
    notes,
    notifications,
    payers,
    practice,
    reports,
    sessions,
    users,
)


class _Caseload(Chalice):
    """Chalice keeps the request being served on the app object. `chalice local` serves each
    request on its own thread, so one shared attribute let a request read another's headers
    and body; here each thread sees its own."""

    _serving = threading.local()

    @property
    def current_request(self) -> Request | None:
        return getattr(self._serving, "request", None)

    @current_request.setter
    def current_request(self, request: Request | None) -> None:
        self._serving.request = request


app = _Caseload(app_name="caseload")
app.api.binary_types = []  # everything is JSON; avoids Chalice's Accept checks on binary types

for blueprint in (practice.bp, locations.bp, users.bp, codes.bp, clients.bp, entitlements.bp, charges.bp,
                  reports.bp, appointments.bp, sessions.bp, invoices.bp, groups.bp, notes.bp, notifications.bp,
                  payers.bp, claims.bp, meta.bp):
    app.register_blueprint(blueprint)


@app.schedule(Cron(0, 6, "*", "*", "?", "*"), name="daily_sweep",
              description="Email staff about packs and authorizations; purge closed practices")
def daily_sweep(event: CloudWatchEvent) -> None:
    """Every day at 06:00 UTC; the digest covers whatever is due that day."""
    from chalicelib.jobs.sweep import run_scheduled

    run_scheduled(event.context)


@app.middleware("http")
def problem_details(event: Request, get_response: Callable[[Request], Response]) -> Response:
    """Errors Chalice raises before a route runs (405, 415, 404) get the problem+json shape too."""
    response = get_response(event)
    content_type = {k.lower(): v for k, v in response.headers.items()}.get("content-type", "")
    if response.status_code >= 400 and not (isinstance(content_type, str) and content_type.startswith(PROBLEM_JSON)):
        body = response.body if isinstance(response.body, dict) else _json_or_none(response.body)
        request_id = ((event.context or {}) if event is not None else {}).get("requestId") or str(uuid.uuid4())
        if (body or {}).get("Code") == "MethodNotAllowedError" and event is not None:
            # Chalice's method check: name the route's template (never the query) and its methods.
            allowed = str(response.headers.get("Allow", "")).split(",")
            converted = method_not_allowed(event.method, event.path, allowed, request_id)
        else:
            detail = (body or {}).get("Message") or (body or {}).get("message") or "Request failed"
            converted = problem(response.status_code, (body or {}).get("Code", "Error"), detail, request_id)
        # The CORS headers the inner middleware added (and a 503's Retry-After) stay.
        own = {name.lower() for name in converted.headers}
        converted.headers.update({k: v for k, v in response.headers.items() if k.lower() not in own})
        converted.headers["X-Request-Id"] = request_id
        return converted
    return response


@app.middleware("http")
def cross_origin(event: Request, get_response: Callable[[Request], Response]) -> Response:
    """The staff console, on its own origin, may read every answer, errors too (chalicelib/cors.py)."""
    return with_cors(event, get_response(event))


def _json_or_none(raw: Any) -> Any:
    try:
        return json.loads(raw)
    except (TypeError, ValueError):
        return None


# Everything above lives as long as the container: later collections need not scan it.
gc.freeze()
gc.enable()

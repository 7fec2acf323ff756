"""Caseload API: the Chalice app, its blueprints and middleware. Nothing else lives here."""
import json

from chalice import Chalice, Response

from chalicelib.http import PROBLEM_JSON, problem
from chalicelib.routes import (
    appointments,
    charges,
    clients,
    codes,
    entitlements,
    groups,
    invoices,
    locations,
    meta,
    notes,
    practice,
    reports,
    sessions,
    users,
)

app = Chalice(app_name="caseload")
app.api.binary_types = []  # everything is JSON; avoids Chalice's Accept checks on binary types

for blueprint in (practice.bp, locations.bp, users.bp, codes.bp, clients.bp, entitlements.bp, charges.bp,
                  reports.bp, appointments.bp, sessions.bp, invoices.bp, groups.bp, notes.bp, meta.bp):
    app.register_blueprint(blueprint)


@app.middleware("http")
def problem_details(event, get_response) -> Response:
    """Errors Chalice raises before a route runs (405, 415, 404) get the problem+json shape too."""
    response = get_response(event)
    content_type = {k.lower(): v for k, v in response.headers.items()}.get("content-type", "")
    if response.status_code >= 400 and not content_type.startswith(PROBLEM_JSON):
        body = response.body if isinstance(response.body, dict) else _json_or_none(response.body)
        detail = (body or {}).get("Message") or (body or {}).get("message") or "Request failed"
        converted = problem(response.status_code, (body or {}).get("Code", "Error"), detail)
        converted.headers.update({k: v for k, v in response.headers.items() if k.lower() != "content-type"})
        return converted
    return response


def _json_or_none(raw):
    try:
        return json.loads(raw)
    except (TypeError, ValueError):
        return None

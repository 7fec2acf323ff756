"""/v1/clients/{id}/sessions: client sessions, the service records claims are built from."""
from __future__ import annotations

from typing import TYPE_CHECKING

from chalice import Blueprint

from chalicelib.auth import Role
from chalicelib.http import Call, Listing, operation
from chalicelib.lazy import lazy, models_of

bp = Blueprint(__name__)
if TYPE_CHECKING:  # what mypy and an IDE follow; at run time each is imported on first use
    from chalicelib.models import sessions as models
    from chalicelib.services import sessions as service
else:
    models = models_of("chalicelib.models.sessions")
    service = lazy("chalicelib.services.sessions")
TAG = "Client sessions"
SESSIONS = "/v1/clients/{client_id}/sessions"
RECORDERS = {Role.ADMIN, Role.PRACTITIONER, Role.BILLING}


@operation(bp, "POST", SESSIONS, roles=RECORDERS, summary="Record a session and charge it", tag=TAG,
           body=models.SessionCreate, response=models.SessionResult,
           location="/v1/clients/{session[client_id]}/sessions/{session[id]}")
def create_session(call: Call) -> models.SessionResult:
    return service.create_session(principal=call.principal, client_id=call.params["client_id"], data=call.body)


@operation(bp, "GET", SESSIONS, summary="A client's sessions", tag=TAG, response=models.ClientSession, paginated=True)
def list_sessions(call: Call) -> Listing:
    return Listing(*service.list_sessions(principal=call.principal, client_id=call.params["client_id"],
                                          limit=call.query.limit, start_key=call.start_key))


@operation(bp, "GET", SESSIONS + "/{session_id}", summary="Read a session", tag=TAG, response=models.ClientSession)
def get_session(call: Call) -> models.ClientSession:
    return service.get_session(principal=call.principal, client_id=call.params["client_id"],
                               session_id=call.params["session_id"])


@operation(bp, "PATCH", SESSIONS + "/{session_id}", roles=RECORDERS,
           summary="Edit a session (a new code, length, fee or date re-charges)", tag=TAG, body=models.SessionUpdate,
           response=models.SessionResult)
def update_session(call: Call) -> models.SessionResult:
    return service.update_session(principal=call.principal, client_id=call.params["client_id"],
                                  session_id=call.params["session_id"], changes=call.body,
                                  expected_version=call.version)


@operation(bp, "DELETE", SESSIONS + "/{session_id}", roles=RECORDERS,
           summary="Delete a session recorded in error (its charge is given back; 409 while an appointment "
                   "or group mark records it)", tag=TAG)
def delete_session(call: Call) -> None:
    service.delete_session(principal=call.principal, client_id=call.params["client_id"],
                           session_id=call.params["session_id"], expected_version=call.version)

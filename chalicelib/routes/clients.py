"""/v1/clients: client records, with their open packs and authorizations."""
from __future__ import annotations

from typing import TYPE_CHECKING

from chalice import Blueprint

from chalicelib.auth import Role
from chalicelib.http import Call, Listing, operation
from chalicelib.lazy import lazy, models_of

bp = Blueprint(__name__)
if TYPE_CHECKING:  # what mypy and an IDE follow; at run time each is imported on first use
    from chalicelib.models import clients as models
    from chalicelib.services import clients as service
else:
    models = models_of("chalicelib.models.clients")
    service = lazy("chalicelib.services.clients")
TAG = "Clients"


@operation(bp, "POST", "/v1/clients", summary="Create a client", tag=TAG, body=models.ClientCreate,
           response=models.Client, location="/v1/clients/{id}")
def create_client(call: Call) -> models.Client:
    return service.create_client(principal=call.principal, data=call.body)


@operation(bp, "GET", "/v1/clients", summary="List or search clients by name", tag=TAG, query=models.ClientQuery,
           response=models.Client, paginated=True)
def list_clients(call: Call) -> Listing:
    return Listing(*service.list_clients(principal=call.principal, limit=call.query.limit, start_key=call.start_key,
                                         q=call.query.q, include_archived=call.query.include_archived))


@operation(bp, "GET", "/v1/clients/{client_id}", summary="Read a client with its packs and authorizations",
           tag=TAG, response=models.ClientProfile)
def get_client(call: Call) -> models.ClientProfile:
    return service.get_client(principal=call.principal, client_id=call.params["client_id"])


@operation(bp, "PATCH", "/v1/clients/{client_id}", summary="Update or archive a client", tag=TAG,
           body=models.ClientUpdate, response=models.Client)
def update_client(call: Call) -> models.Client:
    return service.update_client(principal=call.principal, client_id=call.params["client_id"], changes=call.body,
                                 expected_version=call.version)


@operation(bp, "DELETE", "/v1/clients/{client_id}", roles={Role.ADMIN, Role.FRONT_DESK},
           summary="Delete a client entered by mistake (one with no packs or authorizations)", tag=TAG)
def delete_client(call: Call) -> None:
    service.delete_client(principal=call.principal, client_id=call.params["client_id"],
                          expected_version=call.version)

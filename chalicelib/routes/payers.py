"""/v1/payers: the practice's payer catalogue that client insurances and claims point to."""
from __future__ import annotations

from typing import TYPE_CHECKING

from chalice import Blueprint

from chalicelib.auth import Role
from chalicelib.http import Call, Listing, operation
from chalicelib.lazy import lazy, models_of

bp = Blueprint(__name__)
if TYPE_CHECKING:  # what mypy and an IDE follow; at run time each is imported on first use
    from chalicelib.models import payers as models
    from chalicelib.services import payers as service
else:
    models = models_of("chalicelib.models.payers")
    service = lazy("chalicelib.services.payers")
EDITORS = {Role.ADMIN, Role.BILLING}
TAG = "Payers"


@operation(bp, "POST", "/v1/payers", roles=EDITORS, summary="Add a payer", tag=TAG, body=models.PayerCreate,
           response=models.Payer, location="/v1/payers/{id}")
def create_payer(call: Call) -> models.Payer:
    return service.create_payer(principal=call.principal, data=call.body)


@operation(bp, "GET", "/v1/payers", summary="List payers", tag=TAG, response=models.Payer, paginated=True)
def list_payers(call: Call) -> Listing:
    return Listing(*service.list_payers(principal=call.principal, limit=call.query.limit, start_key=call.start_key))


@operation(bp, "GET", "/v1/payers/{payer_id}", summary="Read a payer", tag=TAG, response=models.Payer)
def get_payer(call: Call) -> models.Payer:
    return service.get_payer(principal=call.principal, payer_id=call.params["payer_id"])


@operation(bp, "PATCH", "/v1/payers/{payer_id}", roles=EDITORS, summary="Update a payer", tag=TAG,
           body=models.PayerUpdate, response=models.Payer)
def update_payer(call: Call) -> models.Payer:
    return service.update_payer(principal=call.principal, payer_id=call.params["payer_id"], changes=call.body,
                                expected_version=call.version)


@operation(bp, "DELETE", "/v1/payers/{payer_id}", roles=EDITORS, summary="Delete a payer", tag=TAG)
def delete_payer(call: Call) -> None:
    service.delete_payer(principal=call.principal, payer_id=call.params["payer_id"], expected_version=call.version)

"""/v1/clients/{id}/charges: count a session against the client's entitlements, or give it back.

For sessions recorded elsewhere; attending an appointment or recording a client session calls
the same charging service, and such a session is refused here (its own route charges it).
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from chalice import Blueprint

from chalicelib.http import Call, Reply, operation
from chalicelib.lazy import lazy, models_of

bp = Blueprint(__name__)
if TYPE_CHECKING:  # what mypy and an IDE follow; at run time each is imported on first use
    from chalicelib.models import entitlements as models
    from chalicelib.services import charging, codes
else:
    models = models_of("chalicelib.models.entitlements")
    charging = lazy("chalicelib.services.charging")
    codes = lazy("chalicelib.services.codes")
TAG = "Charges"
CHARGES = "/v1/clients/{client_id}/charges"


@operation(bp, "POST", CHARGES, summary="Charge a session to the client's authorization and pack", tag=TAG,
           body=models.ChargeRequest, response=models.ChargeResult, status=200)
def charge_session(call: Call) -> Reply:
    code = codes.billing_code_for_charge(principal=call.principal, code=call.body.billing_code)
    result = charging.charge_by_reference(principal=call.principal, client_id=call.params["client_id"],
                                          request=call.body, code=code)
    return Reply(result, status=201 if result.status == "charged" else 200,
                 headers={"Location": f"/v1/clients/{call.params['client_id']}/charges/{result.session_ref}"}
                 if result.status == "charged" else {})


@operation(bp, "GET", CHARGES + "/{session_ref}", summary="What a session counts against", tag=TAG,
           response=models.SessionCharges)
def get_session_charges(call: Call) -> models.SessionCharges:
    return charging.session_usages(principal=call.principal, client_id=call.params["client_id"],
                                   session_ref=call.params["session_ref"])


@operation(bp, "POST", CHARGES + "/{session_ref}/reverse", summary="Give back what a session took (once)",
           tag=TAG, response=models.ReversalResult, status=200)
def reverse_session_charge(call: Call) -> models.ReversalResult:
    return charging.reverse_by_reference(principal=call.principal, client_id=call.params["client_id"],
                                         session_ref=call.params["session_ref"])

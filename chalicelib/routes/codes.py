"""/v1/billing-codes and /v1/diagnosis-codes: the practice's code catalogues."""
from __future__ import annotations

from typing import TYPE_CHECKING

from chalice import Blueprint

from chalicelib.auth import Role
from chalicelib.http import Call, Listing, operation
from chalicelib.lazy import lazy, models_of

bp = Blueprint(__name__)
if TYPE_CHECKING:  # what mypy and an IDE follow; at run time each is imported on first use
    from chalicelib.models import codes as models
    from chalicelib.services import codes as service
else:
    models = models_of("chalicelib.models.codes")
    service = lazy("chalicelib.services.codes")
BILLING_EDITORS = {Role.ADMIN, Role.BILLING}
DIAGNOSIS_EDITORS = {Role.ADMIN, Role.BILLING, Role.PRACTITIONER}
BILLING, DIAGNOSIS = "Billing codes", "Diagnosis codes"


@operation(bp, "POST", "/v1/billing-codes", roles=BILLING_EDITORS, summary="Add a billing code", tag=BILLING,
           body=models.BillingCodeCreate, response=models.BillingCode, location="/v1/billing-codes/{code}")
def create_billing_code(call: Call) -> models.BillingCode:
    return service.create_billing_code(principal=call.principal, data=call.body)


@operation(bp, "GET", "/v1/billing-codes", summary="List billing codes", tag=BILLING, response=models.BillingCode,
           paginated=True)
def list_billing_codes(call: Call) -> Listing:
    return Listing(*service.list_billing_codes(principal=call.principal, limit=call.query.limit,
                                               start_key=call.start_key))


@operation(bp, "GET", "/v1/billing-codes/{code}", summary="Read a billing code", tag=BILLING,
           response=models.BillingCode)
def get_billing_code(call: Call) -> models.BillingCode:
    return service.get_billing_code(principal=call.principal, code=call.params["code"])


@operation(bp, "PATCH", "/v1/billing-codes/{code}", roles=BILLING_EDITORS, summary="Update a billing code",
           tag=BILLING, body=models.BillingCodeUpdate, response=models.BillingCode)
def update_billing_code(call: Call) -> models.BillingCode:
    return service.update_billing_code(principal=call.principal, code=call.params["code"], changes=call.body,
                                       expected_version=call.version)


@operation(bp, "DELETE", "/v1/billing-codes/{code}", roles=BILLING_EDITORS, summary="Delete a billing code",
           tag=BILLING)
def delete_billing_code(call: Call) -> None:
    service.delete_billing_code(principal=call.principal, code=call.params["code"], expected_version=call.version)


@operation(bp, "POST", "/v1/diagnosis-codes", roles=DIAGNOSIS_EDITORS, summary="Add a diagnosis code",
           tag=DIAGNOSIS, body=models.DiagnosisCodeCreate, response=models.DiagnosisCode,
           location="/v1/diagnosis-codes/{code}")
def create_diagnosis_code(call: Call) -> models.DiagnosisCode:
    return service.create_diagnosis_code(principal=call.principal, data=call.body)


@operation(bp, "GET", "/v1/diagnosis-codes", summary="List diagnosis codes", tag=DIAGNOSIS,
           response=models.DiagnosisCode, paginated=True)
def list_diagnosis_codes(call: Call) -> Listing:
    return Listing(*service.list_diagnosis_codes(principal=call.principal, limit=call.query.limit,
                                                 start_key=call.start_key))


@operation(bp, "GET", "/v1/diagnosis-codes/{code}", summary="Read a diagnosis code", tag=DIAGNOSIS,
           response=models.DiagnosisCode)
def get_diagnosis_code(call: Call) -> models.DiagnosisCode:
    return service.get_diagnosis_code(principal=call.principal, code=call.params["code"])


@operation(bp, "PATCH", "/v1/diagnosis-codes/{code}", roles=DIAGNOSIS_EDITORS,
           summary="Update a diagnosis code", tag=DIAGNOSIS, body=models.DiagnosisCodeUpdate,
           response=models.DiagnosisCode)
def update_diagnosis_code(call: Call) -> models.DiagnosisCode:
    return service.update_diagnosis_code(principal=call.principal, code=call.params["code"], changes=call.body,
                                         expected_version=call.version)


@operation(bp, "DELETE", "/v1/diagnosis-codes/{code}", roles=DIAGNOSIS_EDITORS,
           summary="Delete a diagnosis code", tag=DIAGNOSIS)
def delete_diagnosis_code(call: Call) -> None:
    service.delete_diagnosis_code(principal=call.principal, code=call.params["code"],
                                  expected_version=call.version)

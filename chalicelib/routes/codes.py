"""/v1/billing-codes and /v1/diagnosis-codes: the practice's code catalogues."""
from chalice import Blueprint

from chalicelib.auth import Role
from chalicelib.http import Call, Listing, operation
from chalicelib.lazy import lazy
from chalicelib.models.codes import (
    BillingCode,
    BillingCodeCreate,
    BillingCodeUpdate,
    DiagnosisCode,
    DiagnosisCodeCreate,
    DiagnosisCodeUpdate,
)

bp = Blueprint(__name__)
service = lazy("chalicelib.services.codes")
BILLING_EDITORS = {Role.ADMIN, Role.BILLING}
DIAGNOSIS_EDITORS = {Role.ADMIN, Role.BILLING, Role.PRACTITIONER}
BILLING, DIAGNOSIS = "Billing codes", "Diagnosis codes"


@operation(bp, "POST", "/v1/billing-codes", roles=BILLING_EDITORS, summary="Add a billing code", tag=BILLING,
           body=BillingCodeCreate, response=BillingCode, location="/v1/billing-codes/{code}")
def create_billing_code(call: Call) -> BillingCode:
    return service.create_billing_code(principal=call.principal, data=call.body)


@operation(bp, "GET", "/v1/billing-codes", summary="List billing codes", tag=BILLING, response=BillingCode,
           paginated=True)
def list_billing_codes(call: Call) -> Listing:
    return Listing(*service.list_billing_codes(principal=call.principal, limit=call.query.limit,
                                               start_key=call.start_key))


@operation(bp, "GET", "/v1/billing-codes/{code}", summary="Read a billing code", tag=BILLING,
           response=BillingCode)
def get_billing_code(call: Call) -> BillingCode:
    return service.get_billing_code(principal=call.principal, code=call.params["code"])


@operation(bp, "PATCH", "/v1/billing-codes/{code}", roles=BILLING_EDITORS, summary="Update a billing code",
           tag=BILLING, body=BillingCodeUpdate, response=BillingCode)
def update_billing_code(call: Call) -> BillingCode:
    return service.update_billing_code(principal=call.principal, code=call.params["code"], changes=call.body,
                                       expected_version=call.if_match)


@operation(bp, "DELETE", "/v1/billing-codes/{code}", roles=BILLING_EDITORS, summary="Delete a billing code",
           tag=BILLING)
def delete_billing_code(call: Call) -> None:
    service.delete_billing_code(principal=call.principal, code=call.params["code"], expected_version=call.if_match)


@operation(bp, "POST", "/v1/diagnosis-codes", roles=DIAGNOSIS_EDITORS, summary="Add a diagnosis code",
           tag=DIAGNOSIS, body=DiagnosisCodeCreate, response=DiagnosisCode,
           location="/v1/diagnosis-codes/{code}")
def create_diagnosis_code(call: Call) -> DiagnosisCode:
    return service.create_diagnosis_code(principal=call.principal, data=call.body)


@operation(bp, "GET", "/v1/diagnosis-codes", summary="List diagnosis codes", tag=DIAGNOSIS,
           response=DiagnosisCode, paginated=True)
def list_diagnosis_codes(call: Call) -> Listing:
    return Listing(*service.list_diagnosis_codes(principal=call.principal, limit=call.query.limit,
                                                 start_key=call.start_key))


@operation(bp, "GET", "/v1/diagnosis-codes/{code}", summary="Read a diagnosis code", tag=DIAGNOSIS,
           response=DiagnosisCode)
def get_diagnosis_code(call: Call) -> DiagnosisCode:
    return service.get_diagnosis_code(principal=call.principal, code=call.params["code"])


@operation(bp, "PATCH", "/v1/diagnosis-codes/{code}", roles=DIAGNOSIS_EDITORS,
           summary="Update a diagnosis code", tag=DIAGNOSIS, body=DiagnosisCodeUpdate, response=DiagnosisCode)
def update_diagnosis_code(call: Call) -> DiagnosisCode:
    return service.update_diagnosis_code(principal=call.principal, code=call.params["code"], changes=call.body,
                                         expected_version=call.if_match)


@operation(bp, "DELETE", "/v1/diagnosis-codes/{code}", roles=DIAGNOSIS_EDITORS,
           summary="Delete a diagnosis code", tag=DIAGNOSIS)
def delete_diagnosis_code(call: Call) -> None:
    service.delete_diagnosis_code(principal=call.principal, code=call.params["code"],
                                  expected_version=call.if_match)

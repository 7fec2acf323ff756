"""Use cases for the code catalogues: billing codes and diagnosis codes."""
from __future__ import annotations

import json
from importlib import resources

from chalicelib.auth import Principal
from chalicelib.domain import codes
from chalicelib.errors import AlreadyExists, NotFound, ValidationFailed
from chalicelib.models.codes import (
    BillingCode,
    BillingCodeCreate,
    BillingCodeUpdate,
    DiagnosisCode,
    DiagnosisCodeCreate,
    DiagnosisCodeUpdate,
)
from chalicelib.services.common import changes_of
from chalicelib.store import codes as store


def create_billing_code(*, principal: Principal, data: BillingCodeCreate) -> BillingCode:
    """Add a billing code to the practice's catalogue (the code is its id)."""
    return store.create_billing_code(principal.practice_id, data)


def get_billing_code(*, principal: Principal, code: str) -> BillingCode:
    return store.get_billing_code(principal.practice_id, code.upper())


def list_billing_codes(*, principal: Principal, limit: int,
                       start_key: dict | None) -> tuple[list[BillingCode], dict | None]:
    return store.list_billing_codes(principal.practice_id, limit=limit, start_key=start_key)


def update_billing_code(*, principal: Principal, code: str, changes: BillingCodeUpdate,
                        expected_version: int) -> BillingCode:
    values = changes_of(changes, required=("description", "default_minutes", "default_charge",
                                           "add_on", "active"))
    return store.update_billing_code(principal.practice_id, code.upper(), values, expected_version=expected_version)


def delete_billing_code(*, principal: Principal, code: str, expected_version: int) -> None:
    """Remove a code from the catalogue; sessions keep their own copy of the code they used."""
    store.delete_billing_code(principal.practice_id, code.upper(), expected_version=expected_version)


def seed_billing_codes(practice_id: str) -> int:
    """Add the common psychotherapy codes a new practice starts with; returns how many were new."""
    data = json.loads(resources.files("chalicelib.data").joinpath("psychotherapy_codes.json").read_text())
    added = 0
    for entry in data["codes"]:
        code = BillingCodeCreate.model_validate(entry)
        try:
            store.create_billing_code(practice_id, code)
            added += 1
        except AlreadyExists:
            pass  # seeding twice creates nothing twice
    return added


def create_diagnosis_code(*, principal: Principal, data: DiagnosisCodeCreate) -> DiagnosisCode:
    """Add a diagnosis code; ICD-10-CM codes must exist in the CMS list."""
    billable = None
    if data.system == "ICD-10-CM":
        official = codes.icd10_description(data.code)
        if official is None:
            raise ValidationFailed.field("body.code", f"{data.code} is not in the ICD-10-CM code list")
        description = data.description or official
        billable = codes.icd10_is_billable(data.code)
    elif data.description is None:
        raise ValidationFailed.field("body.description", "is required for codes outside ICD-10-CM")
    else:
        description = data.description
    return store.create_diagnosis_code(principal.practice_id, data, description=description, billable=billable)


def _dx_id(code: str) -> str:
    try:
        return codes.icd10_code(code)
    except ValueError:
        return code.upper()  # not a valid code: the lookup simply finds nothing


def get_diagnosis_code(*, principal: Principal, code: str) -> DiagnosisCode:
    return store.get_diagnosis_code(principal.practice_id, _dx_id(code))


def list_diagnosis_codes(*, principal: Principal, limit: int,
                         start_key: dict | None) -> tuple[list[DiagnosisCode], dict | None]:
    return store.list_diagnosis_codes(principal.practice_id, limit=limit, start_key=start_key)


def update_diagnosis_code(*, principal: Principal, code: str, changes: DiagnosisCodeUpdate,
                          expected_version: int) -> DiagnosisCode:
    values = changes_of(changes, required=("description", "active"))
    return store.update_diagnosis_code(principal.practice_id, _dx_id(code), values,
                                       expected_version=expected_version)


def delete_diagnosis_code(*, principal: Principal, code: str, expected_version: int) -> None:
    store.delete_diagnosis_code(principal.practice_id, _dx_id(code), expected_version=expected_version)


def billing_code_for_charge(*, principal: Principal, code: str) -> BillingCode:
    """The practice's billing code a session is charged under; 422 if it has none such."""
    try:
        return get_billing_code(principal=principal, code=code)
    except NotFound as err:
        raise ValidationFailed.field("body.billing_code", f"{code} is not in the practice's billing codes") from err

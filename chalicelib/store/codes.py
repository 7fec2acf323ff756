"""The practice's code catalogues: billing codes (repository.BILLING_CODES, `CODE#<code>`) and
diagnosis codes (repository.DIAGNOSIS_CODES, `DX#<code>`), each keyed by the code itself."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from chalicelib.models.codes import BillingCode, BillingCodeCreate, DiagnosisCode, DiagnosisCodeCreate
from chalicelib.store import items
from chalicelib.store.repository import BILLING_CODES, DIAGNOSIS_CODES, Entities


def billing_code_of(item: dict[str, Any]) -> BillingCode:
    """A stored billing code as the BillingCode model (other repositories' batch reads use it too)."""
    return BillingCode.model_validate(items.public(item))


def _diagnosis(item: dict[str, Any]) -> DiagnosisCode:
    return DiagnosisCode.model_validate(items.public(item))


_BILLING = Entities(BILLING_CODES, billing_code_of)
_DIAGNOSIS = Entities(DIAGNOSIS_CODES, _diagnosis)


def create_billing_code(practice_id: str, data: BillingCodeCreate) -> BillingCode:
    """A new billing code; AlreadyExists if the practice has it already."""
    return _BILLING.create(practice_id, data.code, data.model_dump(mode="json"))


def get_billing_code(practice_id: str, code: str) -> BillingCode:
    """One billing code, or NotFound."""
    return _BILLING.get(practice_id, code)


def billing_codes(practice_id: str, codes: list[str]) -> list[BillingCode | None]:
    """Several billing codes in one read, in the order asked (None: not in the catalogue)."""
    return [None if item is None else billing_code_of(item) for item in BILLING_CODES.get_many(practice_id, codes)]


def list_billing_codes(practice_id: str, *, limit: int,
                       start_key: dict[str, Any] | None) -> tuple[list[BillingCode], dict[str, Any] | None]:
    """One page of the catalogue in code order, and the key to continue from."""
    return _BILLING.page(practice_id, limit=limit, start_key=start_key)


def update_billing_code(practice_id: str, code: str, changes: Mapping[str, Any], *,
                        expected_version: int) -> BillingCode:
    """Set (None: clear) the fields in `changes` on the code at the version read."""
    return _BILLING.update(practice_id, code, changes, expected_version=expected_version)


def delete_billing_code(practice_id: str, code: str, *, expected_version: int) -> None:
    """Delete the code at the version read."""
    _BILLING.delete(practice_id, code, expected_version=expected_version)


def create_diagnosis_code(practice_id: str, data: DiagnosisCodeCreate, *, description: str,
                          billable: bool | None) -> DiagnosisCode:
    """A new diagnosis code with its description (and, where known, whether it is billable);
    AlreadyExists if the practice has it already."""
    fields = {**data.model_dump(mode="json"), "description": description}
    if data.system == "ICD-10-CM":  # the CMS list's answer, null included; other systems have none
        fields["billable"] = billable
    return _DIAGNOSIS.create(practice_id, data.code, fields)


def get_diagnosis_code(practice_id: str, code: str) -> DiagnosisCode:
    """One diagnosis code, or NotFound."""
    return _DIAGNOSIS.get(practice_id, code)


def diagnosis_codes(practice_id: str, codes: list[str]) -> list[DiagnosisCode | None]:
    """Several diagnosis codes in one read, in the order asked (None: not in the catalogue)."""
    return [None if item is None else _diagnosis(item) for item in DIAGNOSIS_CODES.get_many(practice_id, codes)]


def list_diagnosis_codes(practice_id: str, *, limit: int,
                         start_key: dict[str, Any] | None) -> tuple[list[DiagnosisCode], dict[str, Any] | None]:
    """One page of the diagnosis codes in code order, and the key to continue from."""
    return _DIAGNOSIS.page(practice_id, limit=limit, start_key=start_key)


def update_diagnosis_code(practice_id: str, code: str, changes: Mapping[str, Any], *,
                          expected_version: int) -> DiagnosisCode:
    """Set (None: clear) the fields in `changes` on the code at the version read."""
    return _DIAGNOSIS.update(practice_id, code, changes, expected_version=expected_version)


def delete_diagnosis_code(practice_id: str, code: str, *, expected_version: int) -> None:
    """Delete the code at the version read."""
    _DIAGNOSIS.delete(practice_id, code, expected_version=expected_version)

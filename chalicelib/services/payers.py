"""Use cases for the payer catalogue. A payer is what a client insurance's `payer_id` names and
what a claim is sent to; deleting one leaves insurances pointing at it to the scrub to report."""
from __future__ import annotations

from typing import Any

from chalicelib.auth import Principal
from chalicelib.domain.ids import new_id
from chalicelib.models.payers import Payer, PayerCreate, PayerUpdate
from chalicelib.services.common import changes_of
from chalicelib.store import items
from chalicelib.store.repository import PAYERS


def _payer(item: dict[str, Any]) -> Payer:
    return Payer.model_validate(items.public(item))


def create_payer(*, principal: Principal, data: PayerCreate) -> Payer:
    payer_id = new_id("pay")
    return _payer(PAYERS.create(principal.practice_id, payer_id, data.model_dump(mode="json")))


def get_payer(*, principal: Principal, payer_id: str) -> Payer:
    return _payer(PAYERS.get(principal.practice_id, payer_id))


def list_payers(*, principal: Principal, limit: int, start_key: dict | None) -> tuple[list[Payer], dict | None]:
    page = PAYERS.list(principal.practice_id, limit=limit, start_key=start_key)
    return [_payer(i) for i in page.items], page.last_key


def update_payer(*, principal: Principal, payer_id: str, changes: PayerUpdate, expected_version: int) -> Payer:
    values = changes_of(changes, required=("name", "requires_authorization"))
    return _payer(PAYERS.update(principal.practice_id, payer_id, values, expected_version=expected_version))


def delete_payer(*, principal: Principal, payer_id: str, expected_version: int) -> None:
    PAYERS.delete(principal.practice_id, payer_id, expected_version=expected_version)

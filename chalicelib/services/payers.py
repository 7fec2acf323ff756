"""Use cases for the payer catalogue. A payer is what a client insurance's `payer_id` names and
what a claim is sent to; deleting one leaves insurances pointing at it to the scrub to report."""
from __future__ import annotations

from chalicelib.auth import Principal
from chalicelib.domain.ids import new_id
from chalicelib.models.payers import Payer, PayerCreate, PayerUpdate
from chalicelib.services.common import changes_of
from chalicelib.store import payers as store


def create_payer(*, principal: Principal, data: PayerCreate) -> Payer:
    return store.create_payer(principal.practice_id, new_id("pay"), data)


def get_payer(*, principal: Principal, payer_id: str) -> Payer:
    return store.get_payer(principal.practice_id, payer_id)


def list_payers(*, principal: Principal, limit: int, start_key: dict | None) -> tuple[list[Payer], dict | None]:
    return store.list_payers(principal.practice_id, limit=limit, start_key=start_key)


def update_payer(*, principal: Principal, payer_id: str, changes: PayerUpdate, expected_version: int) -> Payer:
    values = changes_of(changes, required=("name", "requires_authorization"))
    return store.update_payer(principal.practice_id, payer_id, values, expected_version=expected_version)


def delete_payer(*, principal: Principal, payer_id: str, expected_version: int) -> None:
    store.delete_payer(principal.practice_id, payer_id, expected_version=expected_version)

"""The practice's payer catalogue (repository.PAYERS, `PAYER#<id>` in the practice partition)."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from chalicelib.models.payers import Payer, PayerCreate
from chalicelib.store import items
from chalicelib.store.repository import PAYERS, Entities


def _payer(item: dict[str, Any]) -> Payer:
    return Payer.model_validate(items.public(item))


_PAYERS = Entities(PAYERS, _payer)


def create_payer(practice_id: str, payer_id: str, data: PayerCreate) -> Payer:
    """A new payer; AlreadyExists if the id is taken."""
    return _PAYERS.create(practice_id, payer_id, data.model_dump(mode="json"))


def get_payer(practice_id: str, payer_id: str) -> Payer:
    """One payer, or NotFound."""
    return _PAYERS.get(practice_id, payer_id)


def find_payer(practice_id: str, payer_id: str) -> Payer | None:
    """One payer, or None."""
    return _PAYERS.get_or_none(practice_id, payer_id)


def list_payers(practice_id: str, *, limit: int,
                start_key: dict[str, Any] | None) -> tuple[list[Payer], dict[str, Any] | None]:
    """One page of the catalogue in id order, and the key to continue from."""
    return _PAYERS.page(practice_id, limit=limit, start_key=start_key)


def update_payer(practice_id: str, payer_id: str, changes: Mapping[str, Any], *, expected_version: int) -> Payer:
    """Set (None: clear) the fields in `changes` on the payer at the version read."""
    return _PAYERS.update(practice_id, payer_id, changes, expected_version=expected_version)


def delete_payer(practice_id: str, payer_id: str, *, expected_version: int) -> None:
    """Delete the payer at the version read."""
    _PAYERS.delete(practice_id, payer_id, expected_version=expected_version)

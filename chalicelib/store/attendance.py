"""Group members' attendance marks: one item per member beside the group appointment, in
its partition (`ATTEND#<client>`), so one Query reads a session and all its marks
(store/appointment_partition.py). A mark is written in the same transaction as the charge or
reversal it makes."""
from __future__ import annotations

from typing import Any

from chalicelib.store import items
from chalicelib.store.keys import ATTENDANCE, appointment_pk

KIND = "ATTEND"


def mark_key(practice_id: str, appointment_id: str, client_id: str) -> tuple[str, str]:
    return appointment_pk(practice_id, appointment_id), ATTENDANCE + client_id


def get_mark(practice_id: str, appointment_id: str, client_id: str) -> dict[str, Any] | None:
    """A member's mark as stored (None: never marked)."""
    return items.get(*mark_key(practice_id, appointment_id, client_id))


def mark_item(practice_id: str, appointment_id: str, client_id: str, values: dict[str, Any]) -> dict[str, Any]:
    """A whole mark item: `values` are the mark's own fields (status, fee, version, ...)."""
    pk, sk = mark_key(practice_id, appointment_id, client_id)
    return {"PK": pk, "SK": sk, "kind": KIND, "client_id": client_id, **values}


def put_mark_action(item: dict[str, Any], *, expected_version: int | None) -> dict[str, Any]:
    """Write a mark: the first one (None) on a free key, later ones on the version read."""
    return items.put_action(item, expected_version=expected_version)


def marks_of(practice_id: str, appointment_id: str) -> list[dict[str, Any]]:
    """Every member's mark on a group appointment (one Query)."""
    return items.query_all(appointment_pk(practice_id, appointment_id), ATTENDANCE)

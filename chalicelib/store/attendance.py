"""Group members' attendance marks: one item per member beside the group appointment, in
its partition (`ATTEND#<client>`), so one Query reads a session and all its marks
(store/appointment_partition.py). A mark is written in the same transaction as the charge or
reversal it makes."""
from __future__ import annotations

from typing import Any

from chalicelib.store import items
from chalicelib.store.keys import ATTENDANCE, appointment_pk
from chalicelib.store.repository import BILLING_CODES, CLIENTS, LOCATIONS
from chalicelib.store.sessions import session_key

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


def read_for_marks(practice_id: str, appointment_id: str, *, codes: list[str], location_id: str,
                   client_ids: list[str], recorded: list[str]) -> tuple[list[dict[str, Any] | None],
                                                                         dict[str, Any] | None,
                                                                         list[dict[str, Any] | None],
                                                                         list[dict[str, Any] | None]]:
    """What marking members needs, in one read (a BatchGetItem per 100 keys): the billing
    codes, the session's location, each member's client item and the session each member in
    `recorded` has for this appointment (None: missing), each in the order asked."""
    keys = ([BILLING_CODES.key(practice_id, c) for c in codes] + [LOCATIONS.key(practice_id, location_id)]
            + [CLIENTS.key(practice_id, c) for c in client_ids]
            + [session_key(practice_id, c, appointment_id) for c in recorded])
    found = items.get_many(keys)
    after_codes = len(codes) + 1
    after_clients = after_codes + len(client_ids)
    return found[:len(codes)], found[len(codes)], found[after_codes:after_clients], found[after_clients:]

"""Client sessions (service records): one item per session in its client's partition
(`SESSION#<id>`). A session is written in the same transaction as its charge, so this module
hands out actions; the charge's store (store/charges.py) writes the rest."""
from __future__ import annotations

from typing import Any

from chalicelib.store import items
from chalicelib.store.keys import APPOINTMENT_SK, ATTENDANCE, appointment_pk, client_pk

SESSION = "SESSION#"
KIND = "SESSION"


def session_key(practice_id: str, client_id: str, session_id: str) -> tuple[str, str]:
    return client_pk(practice_id, client_id), SESSION + session_id


def get(practice_id: str, client_id: str, session_id: str) -> dict[str, Any]:
    """The session, or NotFound."""
    return items.get_existing(*session_key(practice_id, client_id, session_id), resource="Client session",
                              resource_id=session_id)


def page(practice_id: str, client_id: str, *, limit: int, start_key: dict[str, Any] | None) -> items.Page:
    """A client's sessions, oldest recorded first (one Query)."""
    return items.query_page(client_pk(practice_id, client_id), SESSION, limit=limit, start_key=start_key)


def new_item(practice_id: str, client_id: str, session_id: str, values: dict[str, Any]) -> dict[str, Any]:
    """A whole new session item, ready to Put."""
    pk, sk = session_key(practice_id, client_id, session_id)
    return items.new_item({**values, "PK": pk, "SK": sk, "kind": KIND, "id": session_id, "client_id": client_id})


def put_action(practice_id: str, client_id: str, session: dict[str, Any], *,
               expected_version: int | None = None) -> dict[str, Any]:
    """Write a whole session: new (None) or replacing the expected version."""
    pk, sk = session_key(practice_id, client_id, session["id"])
    return items.put_action({**session, "PK": pk, "SK": sk, "kind": KIND}, expected_version=expected_version)


def delete_action(practice_id: str, client_id: str, session_id: str, *, expected_version: int) -> dict[str, Any]:
    return items.delete_action(*session_key(practice_id, client_id, session_id), expected_version=expected_version)


def drop_action(practice_id: str, client_id: str, session_id: str) -> dict[str, Any]:
    """Delete the session an appointment or a group mark recorded, whatever its version: it
    goes with the charge its record made, in the same transaction."""
    pk, sk = session_key(practice_id, client_id, session_id)
    return {"Delete": {"TableName": items.table(), "Key": items.key_of(pk, sk)}}


def stamp_record_action(practice_id: str, client_id: str, session: dict[str, Any],
                        number: str | None) -> list[dict[str, Any]]:
    """The appointment (or the group member's mark) a session records shows the session's
    prior authorization number: kept in step in the same transaction as a re-charge."""
    appointment_id = session.get("appointment_id")
    if not appointment_id:
        return []
    sk = ATTENDANCE + client_id if session.get("group_id") else APPOINTMENT_SK
    return [items.follow_action(appointment_pk(practice_id, appointment_id), sk,
                                {"prior_authorization_number": number})]


def get_many(practice_id: str, client_id: str, session_ids: list[str]) -> list[dict[str, Any] | None]:
    """Several sessions of a client in one BatchGetItem, in the order asked (None: missing)."""
    return items.get_many([session_key(practice_id, client_id, s) for s in session_ids])

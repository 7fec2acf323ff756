"""Client sessions (service records): one item per session in its client's partition
(`SESSION#<id>`). A session is written in the same transaction as its charge, so this module
hands out actions; the charge's store (store/charges.py) writes the rest."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from chalicelib.errors import AlreadyExists, PreconditionFailed
from chalicelib.models.codes import BillingCode
from chalicelib.models.locations import Location
from chalicelib.models.sessions import ClientSession
from chalicelib.store import codes, items, locations
from chalicelib.store.history import has_history, history_refused
from chalicelib.store.keys import APPOINTMENT_SK, ATTENDANCE, appointment_pk, client_pk
from chalicelib.store.repository import BILLING_CODES, CLIENTS, LOCATIONS, Collection, get_each

SESSION = "SESSION#"
KIND = "SESSION"
RESOURCE = "Client session"


def session_key(practice_id: str, client_id: str, session_id: str) -> tuple[str, str]:
    return client_pk(practice_id, client_id), SESSION + session_id


def session_of(item: Mapping[str, Any]) -> ClientSession:
    """A session (as stored, or as about to be written) as the ClientSession model."""
    return ClientSession.model_validate(items.public(dict(item)))


def fields_of(session: ClientSession) -> dict[str, Any]:
    """The session's stored fields, exactly those it was stored with: a whole rewrite starts
    from them (every stored field is one of the model's)."""
    return session.model_dump(mode="json", exclude_unset=True)


def get(practice_id: str, client_id: str, session_id: str) -> ClientSession:
    """The session, or NotFound."""
    return session_of(items.get_existing(*session_key(practice_id, client_id, session_id), resource=RESOURCE,
                                         resource_id=session_id))


def page(practice_id: str, client_id: str, *, limit: int,
         start_key: dict[str, Any] | None) -> tuple[list[ClientSession], dict[str, Any] | None]:
    """A client's sessions, oldest recorded first (one Query), and the key to continue from."""
    found = items.query_page(client_pk(practice_id, client_id), SESSION, limit=limit, start_key=start_key)
    return [session_of(i) for i in found.items], found.last_key


def codes_and_client(practice_id: str, code_names: list[str], location_id: str | None,
                     client_id: str | None) -> tuple[list[BillingCode | None], Location | None, bool | None]:
    """Billing codes (None: not in the catalogue), the location (None: not asked, or no such
    location) and whether the client has a history (None: not asked, or no such client), in
    one BatchGetItem: what a session's charge checks."""
    wanted: list[tuple[Collection, str]] = [(BILLING_CODES, c) for c in code_names]
    if location_id:
        wanted.append((LOCATIONS, location_id))
    found = get_each(practice_id, wanted + ([(CLIENTS, client_id)] if client_id else []))
    client = found.pop() if client_id else None
    location = found.pop() if location_id else None
    return ([None if c is None else codes.billing_code_of(c) for c in found],
            None if location is None else locations.location_of(location),
            None if client is None else has_history(client))


def stale(session: ClientSession, expected_version: int) -> PreconditionFailed:
    """The 412 for a write sent with an If-Match other than the session's version as read."""
    return items.stale(RESOURCE, session.id, session.version, expected_version)


def put(practice_id: str, client_id: str, session: Mapping[str, Any], *, expected_version: int) -> None:
    """Rewrite a whole session still at the version read."""
    items.transact_entity([put_action(practice_id, client_id, session, expected_version=expected_version)],
                          expected_version=expected_version, resource=RESOURCE, resource_id=session["id"])


def write_refused(err: items.TransactionCancelled, index: int, *, expected_version: int,
                  session_id: str) -> Exception | None:
    """Why the session's write at `index` of a charge's transaction was refused (404, 412), or None."""
    return items.write_error(err, index, expected_version=expected_version, resource=RESOURCE,
                             resource_id=session_id)


def create_refused(err: items.TransactionCancelled, start: int, *, session_id: str,
                   client_id: str) -> Exception | None:
    """Why a new session (at `start`, its client's history marker after it) was refused: its id
    taken, or its client gone; None when neither."""
    if start in err.failed():
        return AlreadyExists(f"Client session {session_id} already exists")
    return history_refused(err, start + 1, client_id)


def new_item(practice_id: str, client_id: str, session_id: str, values: dict[str, Any]) -> dict[str, Any]:
    """A whole new session item, ready to Put."""
    pk, sk = session_key(practice_id, client_id, session_id)
    return items.new_item({**values, "PK": pk, "SK": sk, "kind": KIND, "id": session_id, "client_id": client_id})


def put_action(practice_id: str, client_id: str, session: Mapping[str, Any], *,
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


def stamp_record_action(practice_id: str, client_id: str, session: Mapping[str, Any],
                        number: str | None) -> list[dict[str, Any]]:
    """The appointment (or the group member's mark) a session records shows the session's
    prior authorization number, and names the authorization it now counts against (none when
    billed to the client): kept in step in the same transaction as a re-charge."""
    appointment_id = session.get("appointment_id")
    if not appointment_id:
        return []
    sk = ATTENDANCE + client_id if session.get("group_id") else APPOINTMENT_SK
    return [items.follow_action(appointment_pk(practice_id, appointment_id), sk,
                                {"prior_authorization_number": number,
                                 "authorization_id": session.get("authorization_id")})]


def get_many(practice_id: str, client_id: str, session_ids: list[str]) -> list[ClientSession | None]:
    """Several sessions of a client in one BatchGetItem, in the order asked (None: missing)."""
    found = items.get_many([session_key(practice_id, client_id, s) for s in session_ids])
    return [None if item is None else session_of(item) for item in found]

"""Group members' attendance marks: one item per member beside the group appointment, in
its partition (`ATTEND#<client>`), so one Query reads a session and all its marks
(store/appointment_partition.py). A mark is written in the same transaction as the charge or
reversal it makes."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, fields
from typing import Any

from chalicelib.domain.groups import Mark
from chalicelib.models.codes import BillingCode
from chalicelib.models.locations import Location
from chalicelib.models.sessions import ClientSession
from chalicelib.store import codes as code_store
from chalicelib.store import dynamo, items, locations
from chalicelib.store.history import has_history
from chalicelib.store.keys import ATTENDANCE, appointment_pk
from chalicelib.store.repository import BILLING_CODES, CLIENTS, LOCATIONS
from chalicelib.store.sessions import session_key, session_of

KIND = "ATTEND"


def mark_key(practice_id: str, appointment_id: str, client_id: str) -> tuple[str, str]:
    return appointment_pk(practice_id, appointment_id), ATTENDANCE + client_id


_MARK_FIELDS = frozenset(f.name for f in fields(Mark))


def mark_of(item: dict[str, Any]) -> Mark:
    """A stored mark item as Mark (the appointment partition's read uses it too)."""
    return Mark(**{k: v for k, v in item.items() if k in _MARK_FIELDS})


def get_mark(practice_id: str, appointment_id: str, client_id: str) -> Mark | None:
    """A member's mark as stored (None: never marked)."""
    item = items.get(*mark_key(practice_id, appointment_id, client_id))
    return None if item is None else mark_of(item)


def put_mark_action(practice_id: str, appointment_id: str, mark: Mark, *,
                    expected_version: int | None) -> dict[str, Any]:
    """Write a mark whole: the first one (None) on a free key, later ones on the version read."""
    pk, sk = mark_key(practice_id, appointment_id, mark.client_id)
    return items.put_action({**asdict(mark), "PK": pk, "SK": sk, "kind": KIND}, expected_version=expected_version)


def marks_of(practice_id: str, appointment_id: str) -> list[Mark]:
    """Every member's mark on a group appointment (one Query)."""
    return [mark_of(i) for i in items.query_all(appointment_pk(practice_id, appointment_id), ATTENDANCE)]


@dataclass(frozen=True)
class ForMarks:
    """What marking members needs, each in the order asked (None: missing): the billing codes,
    the session's location, whether each member's client has a history (None: no such client)
    and the session each recorded member has for this appointment."""

    codes: list[BillingCode | None]
    location: Location | None
    histories: list[bool | None]
    sessions: list[ClientSession | None]


def read_for_marks(practice_id: str, appointment_id: str, *, codes: list[str], location_id: str,
                   client_ids: list[str], recorded: list[str]) -> ForMarks:
    """What marking members needs, in one read (a BatchGetItem per 100 keys)."""
    keys = ([BILLING_CODES.key(practice_id, c) for c in codes] + [LOCATIONS.key(practice_id, location_id)]
            + [CLIENTS.key(practice_id, c) for c in client_ids]
            + [session_key(practice_id, c, appointment_id) for c in recorded])
    found = items.get_many(keys)
    after_codes = len(codes) + 1
    after_clients = after_codes + len(client_ids)
    location = found[len(codes)]
    return ForMarks(codes=[None if c is None else code_store.billing_code_of(c) for c in found[:len(codes)]],
                    location=None if location is None else locations.location_of(location),
                    histories=[None if c is None else has_history(c) for c in found[after_codes:after_clients]],
                    sessions=[None if s is None else session_of(s) for s in found[after_clients:]])


def write_alone(actions: list[dict[str, Any]],
                refused: Callable[[items.TransactionCancelled, int], Exception | None]) -> None:
    """Write a mark's companion writes with no charge (a change between states that charge
    nothing), in one transaction; a refusal is what `refused` makes of it (from index 0)."""
    try:
        items.transact(actions)
    except items.TransactionCancelled as err:
        raise (refused(err, 0) or err) from err


def not_recording_check(practice_id: str, appointment_id: str, client_id: str, session_id: str) -> dict[str, Any]:
    """A transaction's check that the client's mark on a group session does not name the
    session as the one it recorded (no mark, or one that moved on, passes). Read the refusal
    with `recording`."""
    return {"ConditionCheck": {
        "TableName": items.table(), "Key": items.key_of(*mark_key(practice_id, appointment_id, client_id)),
        "ConditionExpression": "attribute_not_exists(#session) OR #session <> :session",
        "ExpressionAttributeNames": {"#session": "session_id"},
        "ExpressionAttributeValues": dynamo.to_item({":session": session_id}),
        "ReturnValuesOnConditionCheckFailure": "ALL_OLD"}}


def recording(err: items.TransactionCancelled, index: int) -> Mark | None:
    """The mark that still records the session, when the not_recording_check at `index` of a
    cancelled transaction was refused; None when it passed."""
    old = err.items[index] if index in err.failed() else None
    return mark_of(old) if old else None

"""What earlier calendar imports wrote for a file's events: each imported occurrence's
appointment and client session have ids derived from its UID and original start
(services/calendar_import.py), so they are read by key, all in batched reads, never by scanning
a schedule. One small item per imported event (its UID, hashed, in the key) remembers each
occurrence it placed, by original start: where the calendar had it at the last import and the
appointment made for it, so a moved, shortened or revived event finds its appointments again."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass

from chalicelib.models.sessions import ClientSession
from chalicelib.store import dynamo, items, retry
from chalicelib.store.appointments import StoredAppointment, appointment_key, appointment_of
from chalicelib.store.keys import IMPORTED_EVENT_SK, imported_event_pk
from chalicelib.store.sessions import session_key, session_of

KIND = "ICSEVENT"
# Each placed occurrence is one attribute of the event's item, named by its original start:
# writes of different occurrences never overwrite each other, and no read-modify-write is needed.
_PLACED = "at#"
_PER_WRITE = 100


@dataclass(frozen=True)
class Imported:
    """Where an import would have written one occurrence: its appointment, and (when its client
    is known) the client session it sends to billing."""

    appointment_id: str
    client_id: str | None
    session_id: str


@dataclass(frozen=True)
class Found:
    """What is there now (None: nothing was imported there, or it is gone)."""

    appointment: StoredAppointment | None
    session: ClientSession | None


@dataclass(frozen=True)
class Placed:
    """One occurrence as the last import placed it: the calendar's start and end then (UTC,
    ISO 8601) and the appointment that stands for it."""

    start: str
    end: str
    appointment_id: str


def earlier_imports(practice_id: str, wanted: list[Imported]) -> list[Found]:
    """For each occurrence, what an earlier import wrote for it, in the order asked (strongly
    consistent reads, 100 keys per BatchGetItem)."""
    keys = []
    for w in wanted:
        keys.append(appointment_key(practice_id, w.appointment_id))
        if w.client_id:
            keys.append(session_key(practice_id, w.client_id, w.session_id))
    found = iter(items.get_many(keys))
    out = []
    for w in wanted:
        appointment = next(found)
        session = next(found) if w.client_id else None
        out.append(Found(appointment=appointment_of(appointment) if appointment else None,
                         session=session_of(session) if session else None))
    return out


def _event_key(practice_id: str, uid: str) -> tuple[str, str]:
    # A UID is any text of any length: its hash keeps the key short and free of separators.
    return imported_event_pk(practice_id, hashlib.sha256(uid.encode()).hexdigest()[:32]), IMPORTED_EVENT_SK


def placed_occurrences(practice_id: str, uids: list[str]) -> dict[str, dict[str, Placed]]:
    """Per UID, its occurrences as imports placed them, by original start (UTC, ISO 8601):
    one batched read for all (an event never imported, or imported before this was kept, has none)."""
    found = items.get_many([_event_key(practice_id, uid) for uid in uids]) if uids else []
    out: dict[str, dict[str, Placed]] = {}
    for uid, item in zip(uids, found, strict=True):
        placed = {}
        for name, value in (item or {}).items():
            if name.startswith(_PLACED) and isinstance(value, str) and value.count("|") == 2:
                start, end, appointment_id = value.split("|")
                placed[name.removeprefix(_PLACED)] = Placed(start, end, appointment_id)
        out[uid] = placed
    return out


def record_placed(practice_id: str, uid: str, placed: dict[str, Placed]) -> None:
    """Remember where this import left each of an event's occurrences (by original start).
    Setting the same values again is harmless, so the write is simply resent."""
    if not placed:
        return
    changes = [(f"{_PLACED}{original}", f"{p.start}|{p.end}|{p.appointment_id}") for original, p in placed.items()]
    pk, sk = _event_key(practice_id, uid)
    # An update expression is at most 4 KB: a hundred assignments a write keeps well inside it.
    for first in range(0, len(changes), _PER_WRITE):
        expression, names, values = items.update_clause(
            {"kind": KIND, "uid": uid, **dict(changes[first:first + _PER_WRITE])})
        _update(pk, sk, expression, names, values)


def _update(pk: str, sk: str, expression: str, names: dict[str, str], values: dict[str, object]) -> None:
    retry.call(lambda: dynamo.client().update_item(
        TableName=items.table(), Key=items.key_of(pk, sk), UpdateExpression=expression,
        ExpressionAttributeNames=names, ExpressionAttributeValues=dynamo.to_item(values)), what="record the import")

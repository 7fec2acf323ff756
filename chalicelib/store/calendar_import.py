"""What earlier calendar imports wrote for the events a file now cancels: each imported event's
appointment and client session have ids derived from its UID and start (services/calendar_import.py),
so they are read by key, all in batched reads, never by scanning a schedule."""
from __future__ import annotations

from dataclasses import dataclass

from chalicelib.models.sessions import ClientSession
from chalicelib.store import items
from chalicelib.store.appointments import StoredAppointment, appointment_key, appointment_of
from chalicelib.store.sessions import session_key, session_of


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

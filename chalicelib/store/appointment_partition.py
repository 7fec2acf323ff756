"""Reads of an appointment's own partition (`P#<practice>#APPT#<id>`): the appointment item
and, for a group appointment, each member's attendance mark beside it (`ATTEND#<client>`),
so one Query reads both. Writes belong to the appointment and attendance services' stores."""
from __future__ import annotations

from chalicelib.domain.groups import Mark
from chalicelib.store import items
from chalicelib.store.appointments import StoredAppointment, appointment_of
from chalicelib.store.attendance import mark_of
from chalicelib.store.keys import APPOINTMENT_SK, ATTENDANCE, SK, appointment_pk


def get(practice_id: str, appointment_id: str) -> StoredAppointment | None:
    """The appointment (strongly consistent), or None."""
    item = items.get(appointment_pk(practice_id, appointment_id), APPOINTMENT_SK)
    return appointment_of(item) if item else None


def with_marks(practice_id: str,
               appointment_id: str) -> tuple[StoredAppointment | None, dict[str, Mark]]:
    """The appointment (None if missing) and its members' marks by client id: one Query."""
    found = items.query_page(appointment_pk(practice_id, appointment_id), limit=1000, start_key=None,
                             consistent=True).items
    appointment = next((appointment_of(i) for i in found if i[SK] == APPOINTMENT_SK), None)
    marks = {i["client_id"]: mark_of(i) for i in found if i[SK].startswith(ATTENDANCE)}
    return appointment, marks


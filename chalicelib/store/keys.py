"""Key design. Every key starts with the practice, so a request can only ever address its
own practice's items: tenancy holds by construction of the key, not by a filter."""
from __future__ import annotations

import zlib
from typing import Any

PK = "PK"
SK = "SK"


def practice_pk(practice_id: str) -> str:
    """Partition of a practice's settings and catalogues."""
    return f"P#{practice_id}"


def entity_sk(kind: str, entity_id: str = "") -> str:
    """Sort key of one entity of a kind inside its partition (empty id: the kind's prefix)."""
    return f"{kind}#{entity_id}"


# Sort key of the practice's own record in its partition.
PRACTICE_SK = "PRACTICE"


def client_pk(practice_id: str, client_id: str) -> str:
    """Partition of one client's entitlements, usages and ledger."""
    return f"P#{practice_id}#C#{client_id}"


# Sort-key prefixes inside a client's partition. Packs and authorizations share ENT# so one
# Query reads every entitlement a charge chooses from.
ENT = "ENT#"
PACK_SK = "ENT#PACK#"
AUTH_SK = "ENT#AUTH#"
USAGE = "USE#"
LEDGER = "LEDGER#"


def usage_sk(session_ref: str, kind: str) -> str:
    """The one usage a session makes of one kind of entitlement (PACK or AUTH)."""
    return f"{USAGE}{session_ref}#{kind}"


def client_name_pk(practice_id: str) -> str:
    """GSI1 partition for searching clients by name."""
    return f"P#{practice_id}#CLIENTNAME"


def client_email_pk(practice_id: str) -> str:
    """GSI2 partition for finding clients by email."""
    return f"P#{practice_id}#CLIENTEMAIL"


def pack_expiry_pk(practice_id: str) -> str:
    """GSI1 partition of open packs by expiry date."""
    return f"P#{practice_id}#PACKEXP"


def pack_sale_pk(practice_id: str) -> str:
    """GSI2 partition of packs by purchase date."""
    return f"P#{practice_id}#PACKSALE"


def authorization_end_pk(practice_id: str) -> str:
    """GSI1 partition of open authorizations by end date."""
    return f"P#{practice_id}#AUTHEND"


def appointment_pk(practice_id: str, appointment_id: str) -> str:
    """An appointment's own partition (read by id)."""
    return f"P#{practice_id}#APPT#{appointment_id}"


APPOINTMENT_SK = "APPT"


def imported_event_pk(practice_id: str, event_key: str) -> str:
    """The partition of what calendar imports made of one event (`event_key`: its UID, hashed)."""
    return f"P#{practice_id}#ICS#{event_key}"


IMPORTED_EVENT_SK = "ICS"


def practitioner_schedule_pk(practice_id: str, practitioner_id: str) -> str:
    """GSI1 partition of a practitioner's appointments by start time."""
    return f"P#{practice_id}#PRAC#{practitioner_id}"


def room_schedule_pk(practice_id: str, room_id: str) -> str:
    """GSI2 partition of a room's appointments by start time."""
    return f"P#{practice_id}#ROOM#{room_id}"


def client_schedule_pk(practice_id: str, client_id: str) -> str:
    """GSI3 partition of a client's appointments by start time."""
    return f"P#{practice_id}#C#{client_id}#APPTS"


def room_slot_pk(practice_id: str, room_id: str, slot: str) -> str:
    """A five-minute slot of a room, held by one appointment in hard-block mode (written
    before room-hour items replaced them; no longer written or read, still purged)."""
    return f"P#{practice_id}#ROOMSLOT#{room_id}#{slot}"


def room_slots_sk(room_id: str, hour: str) -> str:
    """One UTC hour of a room in the practice's partition: who holds each five-minute slot."""
    return f"ROOMSLOTS#{room_id}#{hour}"


def group_pk(practice_id: str, group_id: str) -> str:
    """A group's own partition: its memberships."""
    return f"P#{practice_id}#GROUP#{group_id}"


MEMBER = "MEMBER#"


def client_groups_pk(practice_id: str, client_id: str) -> str:
    """GSI1 partition of the groups a client belongs (or belonged) to."""
    return f"P#{practice_id}#C#{client_id}#GROUPS"


def group_schedule_pk(practice_id: str, group_id: str) -> str:
    """GSI3 partition of a group's appointments by start time (a client's schedule for
    one-to-one appointments)."""
    return f"P#{practice_id}#GROUP#{group_id}#APPTS"


# Sort-key prefix of a member's attendance inside a group appointment's partition, so one
# Query reads the appointment and every member's attendance.
ATTENDANCE = "ATTEND#"


def note_pk(practice_id: str, note_id: str) -> str:
    """A chart note's own partition (read by id)."""
    return f"P#{practice_id}#NOTE#{note_id}"


NOTE_SK = "NOTE"


def client_notes_pk(practice_id: str, client_id: str) -> str:
    """GSI1 partition of a client's chart notes by creation time."""
    return f"P#{practice_id}#C#{client_id}#NOTES"


def group_notes_pk(practice_id: str, group_id: str) -> str:
    """GSI1 partition of a group's notes by creation time."""
    return f"P#{practice_id}#GROUP#{group_id}#NOTES"


# Invoices live in their client's partition (INVOICE#<id>); three index partitions list them
# by invoice date (sort key `<issued_on>#<invoice id>`), each written with the invoice itself.
INVOICE = "INVOICE#"


def practice_invoices_pk(practice_id: str) -> str:
    """GSI1 partition of every invoice of a practice by invoice date."""
    return f"P#{practice_id}#INVOICES"


def invoice_status_pk(practice_id: str, status: str) -> str:
    """GSI2 partition of a practice's invoices in one status (unpaid, part_paid, paid)."""
    return f"P#{practice_id}#INVOICES#{status}"


def client_invoices_pk(practice_id: str, client_id: str) -> str:
    """GSI3 partition of one client's invoices by invoice date."""
    return f"P#{practice_id}#C#{client_id}#INVOICES"


def invoice_date_sk(issued_on: str, invoice_id: str) -> str:
    return f"{issued_on}#{invoice_id}"


# Claims live in the practice partition (CLAIM#<id>); three index partitions list them by date
# of service (sort key `<date_of_service>#<claim id>`), each written with the claim itself.
def claims_pk(practice_id: str) -> str:
    """GSI2 partition of every claim of a practice by date of service."""
    return f"P#{practice_id}#CLAIMS"


def claim_status_pk(practice_id: str, status: str) -> str:
    """GSI1 partition of a practice's claims in one status (draft, ready, submitted, ...)."""
    return f"P#{practice_id}#CLAIMS#{status}"


def client_claims_pk(practice_id: str, client_id: str) -> str:
    """GSI3 partition of one client's claims by date of service."""
    return f"P#{practice_id}#C#{client_id}#CLAIMS"


# In a client's partition: the one live claim a session is on (CLAIMED#<session id>).
CLAIMED = "CLAIMED#"
# In the practice partition: the interchange control number counter, only ever ADDed to.
CLAIM_CONTROL_SK = "CLAIMCONTROL"


# Client sessions live in their client's partition (SESSION#<id>). Each also carries
# SESSIONS_PK, its practice's session partition in two sparse keys-only indexes: SESSIONDATE
# (sort key: the session's own date_of_service, so a date change moves it with no extra write)
# and SESSIONID (sort key: SK, to find a session by id without knowing its client).
SESSION = "SESSION#"
SESSIONS_PK = "SESSIONSPK"


def practice_sessions_pk(practice_id: str) -> str:
    """SESSIONDATE and SESSIONID partition of every client session of a practice."""
    return f"P#{practice_id}#SESSIONS"


def derived_index_keys(item: dict[str, Any]) -> dict[str, str]:
    """Index attributes an item derives from its own key, written with every Put of it so that
    no writer can forget them: a client session's practice session partition."""
    if item.get("kind") == "SESSION" and "#C#" in item.get(PK, ""):
        return {SESSIONS_PK: f"{item[PK].split('#C#')[0]}#SESSIONS"}
    return {}


# ---- what the daily sweep reads -------------------------------------------------------
# The DUE index is sparse and date-bucketed: an item carries DUEPK only while the sweep has
# something to do with it on that date (a pack about to expire, an authorization about to
# end, an event to deliver, a closed practice to purge). Each date is spread over DUE_SHARDS
# partitions so one busy day does not make one hot partition. It is the one index not keyed
# by practice: the sweep is a system job that serves every practice.
DUE_SHARDS = 8


def due_bucket(on: str, shard: int) -> str:
    return f"DUE#{on}#{shard}"


def due_keys(pk: str, sk: str, on: str | None) -> dict[str, str | None]:
    """The DUE index attributes putting an item in `on`'s bucket (None: out of the index)."""
    if on is None:
        return {"DUEPK": None, "DUESK": None}
    return {"DUEPK": due_bucket(on, zlib.crc32(f"{pk}|{sk}".encode()) % DUE_SHARDS), "DUESK": f"{pk}|{sk}"}


def events_pk(practice_id: str) -> str:
    """Partition of a practice's notification events (raised at charge time or by the sweep)."""
    return f"P#{practice_id}#EVENTS"


def inbox_pk(practice_id: str, user_id: str) -> str:
    """Partition of one user's notification inbox, newest last by sort key."""
    return f"P#{practice_id}#USER#{user_id}#INBOX"


# The sweep's own bookkeeping: which date buckets it still has to read, and its lease.
SWEEP_STATE = ("SYSTEM#SWEEP", "STATE")

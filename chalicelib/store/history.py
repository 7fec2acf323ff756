"""A client's history marker: set, in the same transaction as the client's first pack,
authorization or session, and never removed. A client is deleted only while it has none
(services/clients.delete_client)."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from chalicelib.errors import NotFound
from chalicelib.store import items
from chalicelib.store.repository import CLIENTS


def has_history(client: Mapping[str, Any] | None) -> bool:
    """Whether a client has had a pack, authorization or session (then it is archived, never
    deleted). `history_items` is the counter older data carries."""
    return bool(client) and (bool((client or {}).get("has_history")) or ((client or {}).get("history_items") or 0) > 0)


def client_history_added(practice_id: str, client_id: str) -> dict[str, Any]:
    """The history marker written unconditionally (the client must exist): only for a caller
    that has not read the client item; prefer history_marker, which writes it once."""
    return items.mark_action(*CLIENTS.key(practice_id, client_id), "has_history")


def history_marker(practice_id: str, client_id: str,
                   client: Mapping[str, Any] | bool | None) -> list[dict[str, Any]]:
    """The write that records, in the same transaction as a first pack, authorization or
    session, that the client (which must exist) has a history. `client` is the client item the
    request already read, or whether it has a history (store.sessions.codes_and_client). Once
    marked, nothing is written: the marker is never removed and a marked client is never
    deleted, so the client item is written once per client lifetime, not by every session (it
    would otherwise be a hot item all of a client's attends contend on)."""
    marked = client if isinstance(client, bool) else has_history(client)
    return [] if marked else [client_history_added(practice_id, client_id)]


def history_refused(err: items.TransactionCancelled, index: int | None, client_id: str) -> NotFound | None:
    """NotFound for the client when the history marker at `index` was refused (the client is gone)."""
    return NotFound("Client", client_id) if index is not None and index in err.failed() else None

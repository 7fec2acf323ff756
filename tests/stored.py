"""The table as stored: raw items read straight from DynamoDB, the oracle tests check balances
and ledgers against (independent of the typed reads the code under test uses)."""
from __future__ import annotations

from typing import Any

from chalicelib.store import items
from chalicelib.store.entitlements import entitlement_key
from chalicelib.store.keys import ENT, LEDGER, USAGE, client_pk


def entitlement(practice_id: str, client_id: str, kind: str, entitlement_id: str) -> dict[str, Any]:
    """A pack or authorization item as stored (KeyError if it was never written)."""
    found = items.get(*entitlement_key(practice_id, client_id, kind, entitlement_id))
    if found is None:
        raise KeyError(entitlement_id)
    return found


def entitlements(practice_id: str, client_id: str) -> list[dict[str, Any]]:
    """Every pack and authorization item of a client."""
    return items.query_all(client_pk(practice_id, client_id), ENT)


def ledger(practice_id: str, client_id: str, entitlement_id: str) -> list[dict[str, Any]]:
    """An entitlement's ledger entries, oldest first."""
    return items.query_all(client_pk(practice_id, client_id), f"{LEDGER}{entitlement_id}#")


def usages(practice_id: str, client_id: str, session_ref: str) -> list[dict[str, Any]]:
    """The usage items one session made."""
    return items.query_all(client_pk(practice_id, client_id), f"{USAGE}{session_ref}#")

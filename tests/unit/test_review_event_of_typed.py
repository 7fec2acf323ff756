"""Review: an event raised from a typed Entitlement is the event d1d0c04 raised from the stored
item (the sweep's milestones) with the same id, byte for byte, and the same fields (a pack's
end_on None, an authorization's expires_on None)."""
from __future__ import annotations

from decimal import Decimal

import pytest

from chalicelib.domain.notifications import (
    AUTHORIZATION_ENDING,
    AUTHORIZATION_LOW,
    PACK_EXPIRING,
    PACK_USED_UP,
    client_label,
    event_of,
)
from chalicelib.store.entitlements import entitlement_of
from tests.unit.test_review_entitlement_edited import AUTH, PACK


def _old_event_of(event_type, kind, entitlement, *, remaining, marker):
    """d1d0c04's domain/notifications.event_of on a stored item."""
    name = entitlement["name"] if kind == "PACK" else \
        f"authorization {entitlement.get('number') or entitlement['id']} ({entitlement['payer']})"
    capacity = entitlement["limit"] if kind == "PACK" else entitlement["allowed"]
    return {"id": f"{event_type}#{entitlement['id']}#{marker}", "type": event_type, "entitlement_kind": kind,
            "entitlement_id": entitlement["id"], "entitlement_name": name, "client_id": entitlement["client_id"],
            "client_label": client_label(entitlement.get("client_name") or ""), "remaining": remaining,
            "limit": capacity, "expires_on": entitlement.get("expires_on"), "end_on": entitlement.get("end_on"),
            "practitioner_id": entitlement.get("practitioner_id"), "created_by": entitlement.get("created_by")}


@pytest.mark.parametrize(("event_type", "item", "marker"), [
    (PACK_EXPIRING, PACK, "2027-01-31"),
    (PACK_EXPIRING, {**PACK, "expires_on": None}, ""),
    (PACK_USED_UP, PACK, "10"),
    (AUTHORIZATION_ENDING, AUTH, "2027-03-31"),
    (AUTHORIZATION_LOW, {**AUTH, "number": None}, "12"),
])
def test_event_from_the_typed_entitlement_is_the_stored_items_event(event_type, item, marker):
    remaining = Decimal(1)
    new = event_of(event_type, entitlement_of(item), remaining=remaining, marker=marker)
    assert new == _old_event_of(event_type, item["kind"], item, remaining=remaining, marker=marker)
    assert new["id"].encode() == f"{event_type}#{item['id']}#{marker}".encode()

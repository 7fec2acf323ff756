"""Notification events: the outbox a charge writes to, the sweep's milestones, their delivery."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from chalicelib.domain.entitlements import Entitlement
from chalicelib.store import dynamo, items
from chalicelib.store.entitlements import entitlement_key, entitlement_of
from chalicelib.store.keys import AUTH_SK, PK, SK, client_pk, due_keys, events_pk

EVENT = "EVENT#"
# BatchGetItem takes at most this many keys per request.
BATCH_KEYS = 100
# Delivered events stay a year for the inbox's "about what", then TTL removes them.
KEEP_DELIVERED = timedelta(days=400)


# Attributes that place an item (keys, index keys), not what it says.
PLACEMENT = frozenset({PK, SK, "GSI1PK", "GSI1SK", "GSI2PK", "GSI2SK", "GSI3PK", "GSI3SK", "DUEPK", "DUESK"})


def event_data(item: dict[str, Any]) -> dict[str, Any]:
    """A stored event as the rules read it: its attributes, without where it is placed."""
    return {k: v for k, v in item.items() if k not in PLACEMENT}


def event_key(practice_id: str, event_id: str) -> tuple[str, str]:
    return events_pk(practice_id), EVENT + event_id


def raise_event(practice_id: str, event: dict[str, Any], *, on: str) -> dict[str, Any]:
    """A transaction action that records a pending event, due for delivery on `on`, unless it
    was raised before (then nothing changes, delivered or not: event ids are deterministic, so
    a pack is 'used up' once per limit, 'expiring' once per expiry date). It has no
    condition, so it can ride in a charge's transaction without ever making the charge fail."""
    pk, sk = event_key(practice_id, event["id"])
    values = {**event, "practice_id": practice_id, "kind": "EVENT", "state": "pending", "raised_on": on,
              "created_at": items.now(), **due_keys(pk, sk, on)}
    values = {k: v for k, v in values.items() if v is not None}
    names = {f"#a{i}": name for i, name in enumerate(values)}
    sets = ", ".join(f"#a{i} = if_not_exists(#a{i}, :v{i})" for i in range(len(values)))
    wire = dynamo.to_item({f":v{i}": v for i, v in enumerate(values.values())})
    return {"Update": {"TableName": items.table(), "Key": items.key_of(pk, sk), "UpdateExpression": "SET " + sets,
                       "ExpressionAttributeNames": names, "ExpressionAttributeValues": wire}}


def mark_delivered_to(pk: str, sk: str, recipient_key: str) -> bool:
    """Record that one recipient's email about the event at (pk, sk) was accepted; False if it
    already was (another sweep got there first)."""
    try:
        dynamo.client().update_item(
            TableName=items.table(), Key=items.key_of(pk, sk),
            UpdateExpression="ADD delivered_to :r", ConditionExpression="NOT contains(delivered_to, :who)",
            ExpressionAttributeValues=dynamo.to_item({":r": {recipient_key}, ":who": recipient_key}))
        return True
    except dynamo.client().exceptions.ConditionalCheckFailedException:
        return False


def finish(pk: str, sk: str, *, today: str, withheld: str | None = None) -> None:
    """Every recipient has it: out of the sweep's buckets for good. `withheld` says why it was
    settled without being shown (no longer true, overtaken...), for whoever asks later."""
    expires = int((datetime.now(UTC) + KEEP_DELIVERED).timestamp())
    values: dict[str, Any] = {":delivered": "delivered", ":today": today, ":ttl": expires}
    sets = "SET #state = :delivered, delivered_on = :today, expires_at = :ttl"
    if withheld:
        sets, values[":why"] = sets + ", withheld = :why", withheld
    dynamo.client().update_item(
        TableName=items.table(), Key=items.key_of(pk, sk),
        UpdateExpression=sets + " REMOVE DUEPK, DUESK", ExpressionAttributeNames={"#state": "state"},
        ExpressionAttributeValues=dynamo.to_item(values))


def named_entitlements(events: list[dict[str, Any]]) -> dict[tuple[str, str], Entitlement | None]:
    """The packs and authorizations these events name, as they are now, by (kind, id) (None:
    not found; a deleted one is read with its state "deleted"): BatchGetItem of exactly those,
    so the cost follows what is due."""
    keys = {(e["entitlement_kind"], e["entitlement_id"]):
            entitlement_key(e["practice_id"], e["client_id"], e["entitlement_kind"], e["entitlement_id"])
            for e in events}
    wanted = list(keys.items())
    found: dict[tuple[str, str], Entitlement | None] = {}
    for start in range(0, len(wanted), BATCH_KEYS):
        chunk = wanted[start:start + BATCH_KEYS]
        read = items.get_many([key for _, key in chunk])
        found.update(zip((name for name, _ in chunk), (entitlement_of(i) if i else None for i in read), strict=True))
    return found


def client_authorizations(practice_id: str, client_id: str) -> list[Entitlement]:
    """A client's authorizations, deleted ones too (one Query), to tell whether one was renewed."""
    return [entitlement_of(i) for i in items.query_all(client_pk(practice_id, client_id), AUTH_SK)]


def move_to(pk: str, sk: str, seen_in: str | None, on: str | None) -> None:
    """Put the item at (pk, sk), found in bucket `seen_in`, in another day's bucket (None: out
    of the index), unless it moved meanwhile."""
    keys = due_keys(pk, sk, on)
    if on is None:
        expression, values = "REMOVE DUEPK, DUESK", {":seen": seen_in}
    else:
        expression, values = "SET DUEPK = :pk, DUESK = :sk", {":seen": seen_in, ":pk": keys["DUEPK"],
                                                             ":sk": keys["DUESK"]}
    try:
        dynamo.client().update_item(TableName=items.table(), Key=items.key_of(pk, sk),
                                    UpdateExpression=expression, ConditionExpression="DUEPK = :seen",
                                    ExpressionAttributeValues=dynamo.to_item(values))
    except dynamo.client().exceptions.ConditionalCheckFailedException:
        pass  # changed since we read it (a new expiry, a delivery): its new place stands

"""What the daily sweep reads and writes: the DUE index, its own state and lease, the
practices and users it emails, and the inbox entries it leaves.

The sweep (jobs/sweep.py) never sees a key: it gets typed handles (`DueRef`) for what it found
and hands them back to move, raise, deliver or finish. Everything DynamoDB is here and in
store/events.py (the events themselves).
"""
from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from botocore.exceptions import ClientError

from chalicelib.domain.entitlements import Entitlement
from chalicelib.store import dynamo, events, items, retry
from chalicelib.store.entitlements import entitlement_of
from chalicelib.store.events import event_data
from chalicelib.store.keys import DUE_SHARDS, PK, SK, SWEEP_STATE, due_bucket

DUE_INDEX = "DUE"


@dataclass(frozen=True)
class DueRef:
    """Where an item found in the DUE index is, and which bucket it was found in (moving it is
    conditioned on that bucket, so an item re-dated meanwhile keeps its new place)."""

    pk: str
    sk: str
    bucket: str | None


@dataclass
class DueEntitlement:
    """A pack or authorization whose next milestone is due, as stored when it was found."""

    ref: DueRef
    practice_id: str
    entitlement: Entitlement


@dataclass
class PendingEvent:
    """A notification event still to be delivered to some recipient."""

    ref: DueRef
    practice_id: str
    data: dict[str, Any]  # what the domain rules read: type, entitlement, client, figures
    delivered_to: set[str] = field(default_factory=set)

    @property
    def key(self) -> tuple[str, str]:
        """Identifies the event in this run (event ids are deterministic per practice)."""
        return self.practice_id, self.data["id"]


@dataclass
class DuePractice:
    """A closed practice whose purge day has come (or a stale entry of a reopened one)."""

    ref: DueRef
    id: str
    status: str | None
    purge_on: str | None


@dataclass
class DueItems:
    """Everything the DUE index held for a range of days."""

    entitlements: list[DueEntitlement] = field(default_factory=list)
    events: list[PendingEvent] = field(default_factory=list)
    practices: list[DuePractice] = field(default_factory=list)
    buckets: int = 0
    items_read: int = 0


def practice_of(pk: str) -> str:
    """The practice id of a key: every practice key starts `P#<practice>` (keys.practice_pk)."""
    return pk.split("#")[1]


def _ref(item: dict[str, Any]) -> DueRef:
    return DueRef(item[PK], item[SK], item.get("DUEPK"))


def _event(item: dict[str, Any]) -> PendingEvent:
    return PendingEvent(ref=_ref(item), practice_id=item["practice_id"], data=event_data(item),
                        delivered_to=set(item.get("delivered_to") or ()))


def read_due(first: date, last: date) -> DueItems:
    """Every item in the DUE buckets of `first`..`last` (each day's shards), sorted by what the
    sweep does with it. An item there for nothing (a delivered event, a stale entry) is taken
    out of the index as it is read."""
    found = DueItems()
    day = first
    while day <= last:
        for shard in range(DUE_SHARDS):
            found.buckets += 1
            for item in _bucket(day, shard):
                found.items_read += 1
                kind = item.get("kind")
                if kind in ("PACK", "AUTH"):
                    found.entitlements.append(DueEntitlement(ref=_ref(item), practice_id=practice_of(item[PK]),
                                                             entitlement=entitlement_of(item)))
                elif kind == "EVENT" and item.get("state") == "pending":
                    found.events.append(_event(item))
                elif kind == "PRACTICE":
                    found.practices.append(DuePractice(ref=_ref(item), id=item["id"], status=item.get("status"),
                                                       purge_on=item.get("purge_on")))
                else:
                    move(_ref(item), None)  # delivered or stale: nothing more to do with it
        day += timedelta(days=1)
    return found


def _bucket(day: date, shard: int) -> Iterator[dict[str, Any]]:
    return items.every_item(due_bucket(day.isoformat(), shard), index=DUE_INDEX)


def move(ref: DueRef, on: date | None) -> None:
    """Put an item in another day's bucket (None: out of the index), unless it moved meanwhile."""
    events.move_to(ref.pk, ref.sk, ref.bucket, on.isoformat() if on else None)


def raise_milestone(practice_id: str, event: dict[str, Any], *, on: date) -> PendingEvent | None:
    """Record a milestone event (once: raising is idempotent) and return it as stored, or None
    if it was delivered already (a run that died after raising it may even have sent it)."""
    action = events.raise_event(practice_id, event, on=on.isoformat())["Update"]
    # Raising sets only what is not set yet, so it is simply resent under the discipline.
    stored = dynamo.from_item(retry.call(lambda: dynamo.client().update_item(**action, ReturnValues="ALL_NEW"),
                                         what="raise an event")["Attributes"])
    return _event(stored) if stored["state"] == "pending" else None


def mark_delivered(event: PendingEvent, recipient_key: str) -> bool:
    """Record that one recipient's email about this event was accepted; False if it already
    was (another sweep got there first)."""
    if not events.mark_delivered_to(event.ref.pk, event.ref.sk, recipient_key):
        return False
    event.delivered_to.add(recipient_key)
    return True


def finish(event: PendingEvent, *, on: date, withheld: str | None = None) -> None:
    """Every recipient has it (or it is settled unsent, `withheld` saying why): out of the index."""
    events.finish(event.ref.pk, event.ref.sk, today=on.isoformat(), withheld=withheld)


# ---- the sweep's own bookkeeping ----------------------------------------------------------

def next_bucket() -> date | None:
    """The first day whose buckets the next run must read (None: never run)."""
    state = items.get(*SWEEP_STATE) or {}
    return date.fromisoformat(state["next_bucket"]) if state.get("next_bucket") else None


def set_next_bucket(day: date) -> None:
    pk, sk = SWEEP_STATE
    retry.call(lambda: dynamo.client().update_item(
        TableName=items.table(), Key=items.key_of(pk, sk), UpdateExpression="SET #next = :day",
        ExpressionAttributeNames={"#next": "next_bucket"},
        ExpressionAttributeValues=dynamo.to_item({":day": day.isoformat()})),
        what="record the sweep's progress")


def acquire_lease(seconds: int) -> str | None:
    """One sweep at a time (a schedule can fire twice): a lease that expires on its own if a
    run dies holding it. None if another run holds it."""
    lease, now = uuid.uuid4().hex, int(time.time())
    pk, sk = SWEEP_STATE

    def attempt(_: retry.Attempt) -> str | None:
        try:
            dynamo.client().update_item(
                TableName=items.table(), Key=items.key_of(pk, sk),
                UpdateExpression="SET lease_id = :lease, lease_until = :until",
                ConditionExpression="attribute_not_exists(lease_until) OR lease_until < :now",
                ExpressionAttributeValues=dynamo.to_item({":lease": lease, ":until": now + seconds, ":now": now}),
                ReturnValuesOnConditionCheckFailure="ALL_OLD")
        except ClientError as err:
            if items.error_code(err) != "ConditionalCheckFailedException":
                raise
            held = dynamo.from_item(err.response.get("Item") or {})
            return lease if held.get("lease_id") == lease else None  # ours, if a lost answer had landed
        return lease

    return retry.run(attempt, what="take the sweep's lease")


def release_lease(lease: str) -> None:
    pk, sk = SWEEP_STATE
    try:
        retry.call(lambda: dynamo.client().update_item(
            TableName=items.table(), Key=items.key_of(pk, sk), UpdateExpression="REMOVE lease_id, lease_until",
            ConditionExpression="lease_id = :lease", ExpressionAttributeValues=dynamo.to_item({":lease": lease})),
            what="release the sweep's lease")
    except ClientError as err:
        if items.error_code(err) != "ConditionalCheckFailedException":
            raise
        # it expired and another run took it


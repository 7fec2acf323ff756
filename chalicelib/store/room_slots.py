"""Room slots: one item per room and UTC hour in the practice's partition, holding for each
five-minute slot the set of appointments in it. A booking without an override conditions its
new slots on being empty, in the same transaction as the appointment, so two bookings racing
for one room cannot both get in; with an override it adds itself anyway. Living in the
practice's partition, the items are exported and purged with the practice's own.
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from chalicelib.domain.scheduling import HourChange
from chalicelib.store import dynamo, items
from chalicelib.store.keys import practice_pk, room_slots_sk

KIND = "ROOMSLOTS"


def hold_action(practice_id: str, appointment_id: str, change: HourChange) -> dict[str, Any]:
    """One transaction action: add the appointment to the slots it takes (those it must find
    empty conditioned so) and remove it from those it leaves."""
    names: dict[str, str] = {}
    values: dict[str, Any] = {":me": {appointment_id}}
    clauses = []
    taken = sorted(change.take)
    if taken:
        names.update({f"#t{i}": slot for i, slot in enumerate(taken)} | {"#kind": "kind"})
        values[":kind"] = KIND
        clauses += ["SET #kind = :kind", "ADD " + ", ".join(f"#t{i} :me" for i in range(len(taken)))]
    released = sorted(change.release)
    if released:
        names.update({f"#r{i}": slot for i, slot in enumerate(released)})
        clauses.append("DELETE " + ", ".join(f"#r{i} :me" for i in range(len(released))))
    update: dict[str, Any] = {
        "TableName": items.table(), "Key": items.key_of(practice_pk(practice_id), room_slots_sk(change.room_id,
                                                                                                change.hour)),
        "UpdateExpression": " ".join(clauses), "ExpressionAttributeNames": names,
        "ExpressionAttributeValues": dynamo.to_item(values)}
    if change.free:
        # A set emptied by DELETE disappears, so "no appointment in the slot" is "no attribute".
        update["ConditionExpression"] = " AND ".join(f"attribute_not_exists(#t{taken.index(slot)})"
                                                     for slot in sorted(change.free))
        update["ReturnValuesOnConditionCheckFailure"] = "ALL_OLD"  # who holds it, for the refusal
    return {"Update": update}


def holders(item: dict[str, Any] | None, slots: Iterable[str]) -> list[str]:
    """The appointments an hour item (as a refused condition returned it) holds in `slots`."""
    found: set[str] = set()
    for slot in slots:
        found |= set((item or {}).get(slot) or ())
    return sorted(found)

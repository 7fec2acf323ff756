"""Claims' keys, indexes and the writes that must be atomic: a claim with its sessions' markers,
an export with its claims, and the practice's interchange control number counter."""
from __future__ import annotations

from typing import Any

from chalicelib.store import dynamo, items, retry
from chalicelib.store.keys import (
    CLAIM_CONTROL_SK,
    CLAIMED,
    PK,
    SK,
    claim_status_pk,
    claims_pk,
    client_claims_pk,
    client_pk,
    practice_pk,
)
from chalicelib.store.repository import CLAIMS

LIST_INDEXES = ("GSI1", "GSI2", "GSI3")


def index_keys(practice_id: str, claim: dict[str, Any]) -> dict[str, str]:
    """The three list indexes a claim is in: by status, the practice's and the client's, each by date."""
    sort = f"{claim['date_of_service']}#{claim['id']}"
    return {"GSI1PK": claim_status_pk(practice_id, claim["status"]), "GSI1SK": sort,
            "GSI2PK": claims_pk(practice_id), "GSI2SK": sort,
            "GSI3PK": client_claims_pk(practice_id, claim["client_id"]), "GSI3SK": sort}


def marker_key(practice_id: str, client_id: str, session_id: str) -> tuple[str, str]:
    """The item saying which live claim a session is on (one at a time, by its key)."""
    return client_pk(practice_id, client_id), CLAIMED + session_id


def markers(practice_id: str, client_id: str, session_ids: list[str]) -> dict[str, str]:
    """session id -> the claim it is on, for those already on one (one BatchGetItem)."""
    found = items.get_many([marker_key(practice_id, client_id, s) for s in session_ids])
    return {s: m["claim_id"] for s, m in zip(session_ids, found) if m}


def create_claim(practice_id: str, claim: dict[str, Any]) -> dict[str, Any] | str:
    """Put a new claim and one marker per session in one transaction. Returns the item, or the
    id of the claim that took one of its sessions first (nothing written then)."""
    item = items.new_item({**CLAIMS.item(practice_id, claim["id"], claim), **index_keys(practice_id, claim)})
    marks = [items.put_action({PK: pk, SK: sk, "kind": "CLAIMED", "claim_id": claim["id"],
                               "session_id": session_id})
             for session_id in claim["session_ids"]
             for pk, sk in [marker_key(practice_id, claim["client_id"], session_id)]]
    try:
        items.transact([items.put_action(item), *marks])
    except items.TransactionCancelled as err:
        taken = [err.items[i] for i in err.failed() if i > 0 and err.items[i]]
        if taken:
            return str(taken[0].get("claim_id"))
        raise
    return item


def delete_claim(practice_id: str, claim: dict[str, Any], *, expected_version: int) -> None:
    """Delete an unsent claim at the version read and free its sessions, in one transaction."""
    pk, sk = CLAIMS.key(practice_id, claim["id"])
    delete = items.delete_action(pk, sk, expected_version=expected_version)
    delete["Delete"]["ConditionExpression"] += " AND #status IN (:draft, :ready)"
    delete["Delete"]["ExpressionAttributeNames"]["#status"] = "status"
    delete["Delete"]["ExpressionAttributeValues"].update(dynamo.to_item({":draft": "draft", ":ready": "ready"}))
    frees = [{"Delete": {"TableName": items.table(),
                         "Key": items.key_of(*marker_key(practice_id, claim["client_id"], s))}}
             for s in claim["session_ids"]]
    items.transact_entity([delete, *frees], expected_version=expected_version, resource="Claim",
                          resource_id=claim["id"])


def save_claim(practice_id: str, claim_id: str, changes: dict[str, Any], *, expected_version: int,
               status: str | None = None) -> dict[str, Any]:
    """Update a claim at the version read; a new status moves it to that status's list."""
    extra = {"GSI1PK": claim_status_pk(practice_id, status), "status": status} if status else {}
    return CLAIMS.update(practice_id, claim_id, {**changes, **extra}, expected_version=expected_version)


def submit_action(practice_id: str, claim: dict[str, Any], *, export_id: str, entry: dict[str, Any]) -> dict[str, Any]:
    """In an export's transaction: a ready claim at the version read becomes submitted."""
    return _from_ready_action(practice_id, claim, "submitted", entry, export_id=export_id)


def draft_action(practice_id: str, claim: dict[str, Any], *, problems: list[dict[str, Any]],
                 entry: dict[str, Any]) -> dict[str, Any]:
    """In an export's transaction: a ready claim whose records changed since its check goes back
    to draft with its new problems, so the next export does not pick it up again."""
    return _from_ready_action(practice_id, claim, "draft", entry, problems=problems)


def _from_ready_action(practice_id: str, claim: dict[str, Any], status: str, entry: dict[str, Any],
                       **changes: Any) -> dict[str, Any]:
    """A ready claim, still at the version read, moves to `status` (its status index with it),
    records `entry` in its history and sets `changes`."""
    pk, sk = CLAIMS.key(practice_id, claim["id"])
    values = {":status": status, ":ready": "ready", ":gsi": claim_status_pk(practice_id, status),
              ":entry": [entry], ":expected": claim["version"], ":one": 1, ":now": entry["at"],
              **{f":{name}": value for name, value in changes.items()}}
    sets = "".join(f", {name} = :{name}" for name in changes)
    return {"Update": {
        "TableName": items.table(), "Key": items.key_of(pk, sk),
        "UpdateExpression": f"SET #status = :status, GSI1PK = :gsi{sets}, "
                            "history = list_append(history, :entry), #version = #version + :one, updated_at = :now",
        "ConditionExpression": "#version = :expected AND #status = :ready",
        "ExpressionAttributeNames": {"#status": "status", "#version": "version"},
        "ExpressionAttributeValues": dynamo.to_item(values)}}


def next_control_number(practice_id: str) -> int:
    """The practice's next interchange control number: one atomic ADD, so two exports never get
    the same number. A number taken by an export that then fails is skipped, never reused."""
    response = retry.call(lambda: dynamo.client().update_item(
        TableName=items.table(), Key=items.key_of(practice_pk(practice_id), CLAIM_CONTROL_SK),
        UpdateExpression="ADD #n :one", ExpressionAttributeNames={"#n": "number"},
        ExpressionAttributeValues=dynamo.to_item({":one": 1}), ReturnValues="UPDATED_NEW"),
        what="take a control number")
    return int(dynamo.from_item(response["Attributes"])["number"])


def ready_claims(practice_id: str, payer_ref: str, *, limit: int) -> list[dict[str, Any]]:
    """The payer's ready claims, oldest date of service first, at most `limit`."""
    found: list[dict[str, Any]] = []
    for item in items.every_item(claim_status_pk(practice_id, "ready"), index="GSI1"):
        if item.get("payer_ref") == payer_ref:
            found.append(item)
            if len(found) >= limit:
                break
    return found


def list_page(practice_id: str, *, status: str | None, client_id: str | None, between: tuple[str, str],
              filters: dict[str, Any], limit: int, start_key: dict[str, Any] | None) -> items.Page:
    """One page of claims from the narrowest index; the other filters apply within it."""
    if client_id:
        index, pk = "GSI3", client_claims_pk(practice_id, client_id)
        if status:
            filters = {**filters, "status": status}
    elif status:
        index, pk = "GSI1", claim_status_pk(practice_id, status)
    else:
        index, pk = "GSI2", claims_pk(practice_id)
    conditions, names, values = [], {}, {}
    for i, (name, value) in enumerate(filters.items()):
        if isinstance(value, tuple):  # any of several attributes equal to one value
            conditions.append("(" + " OR ".join(f"#f{i}_{j} = :v{i}" for j in range(len(value) - 1)) + ")")
            names.update({f"#f{i}_{j}": attr for j, attr in enumerate(value[:-1])})
            values[f":v{i}"] = value[-1]
        else:
            conditions.append(f"#f{i} = :v{i}")
            names[f"#f{i}"] = name
            values[f":v{i}"] = value
    return items.query_page(pk, limit=limit, start_key=start_key, index=index, between=between,
                            filter=" AND ".join(conditions) or None, filter_values=values or None,
                            filter_names=names or None)

"""Generic item operations on the main table, shared by every repository.

Each write that can race is conditional: create is `attribute_not_exists`, update and delete
check the version the caller read (If-Match). Failures come back as domain exceptions.

Every call runs under the one retry discipline (store/retry.py). A write whose outcome is
unknown (timeout, 5xx) is resent so that it cannot apply twice: a transaction carries one
ClientRequestToken across all its attempts (DynamoDB applies it once in 10 minutes), and a
single-item write that finds its condition refused checks whether the item it finds is the
one it wrote itself (same version and `updated_at` stamp), which is success.
"""
from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, cast

from botocore.exceptions import ClientError

from chalicelib.clock import now as now  # the stored time format; re-exported for the store's callers
from chalicelib.config import get_settings
from chalicelib.errors import AlreadyExists, Conflict, NotFound, PreconditionFailed
from chalicelib.store import dynamo, retry
from chalicelib.store.keys import PK, SESSIONS_PK, SK, derived_index_keys

# Attributes that belong to the key design, not to the entity.
_KEY_ATTRS = frozenset({PK, SK, "GSI1PK", "GSI1SK", "kind", SESSIONS_PK})


def table() -> str:
    """Name of the main table."""
    return get_settings().table_name


def public(item: dict[str, Any]) -> dict[str, Any]:
    """An item without its key attributes: the entity as the models know it."""
    return {k: v for k, v in item.items() if k not in _KEY_ATTRS}


@dataclass(frozen=True)
class Page:
    """One page of a Query: entities plus the key to continue from (None at the end)."""

    items: list[dict[str, Any]]
    last_key: dict[str, Any] | None


def get(pk: str, sk: str) -> dict[str, Any] | None:
    """One item by key (strongly consistent, so a read after a write sees it)."""
    response = retry.call(lambda: dynamo.client().get_item(TableName=table(), Key=key_of(pk, sk),
                                                           ConsistentRead=True))
    item = response.get("Item")
    return dynamo.from_item(item) if item else None


BATCH_GET_LIMIT = 100


def get_many(keys: list[tuple[str, str]]) -> list[dict[str, Any] | None]:
    """Several items by key, 100 per BatchGetItem (strongly consistent), in the order asked.
    Repeated keys are asked for once (DynamoDB refuses duplicates); keys DynamoDB leaves
    unprocessed under load are asked for again."""
    found: dict[tuple[str, str], dict[str, Any]] = {}
    unique = list(dict.fromkeys(keys))
    # BatchGetItem takes at most 100 keys per request.
    for start in range(0, len(unique), BATCH_GET_LIMIT):
        request: dict[str, Any] | None = {table(): {
            "Keys": [key_of(pk, sk) for pk, sk in unique[start:start + BATCH_GET_LIMIT]], "ConsistentRead": True}}
        while request:
            asked = request  # retry.call runs the lambda now, in this iteration: B023 does not apply
            response = retry.call(lambda: dynamo.client().batch_get_item(RequestItems=asked))  # noqa: B023
            for item in map(dynamo.from_item, response["Responses"].get(table(), [])):
                found[(item[PK], item[SK])] = item
            request = response.get("UnprocessedKeys") or None
    return [found.get(key) for key in keys]


def get_existing(pk: str, sk: str, *, resource: str, resource_id: str) -> dict[str, Any]:
    """One item by key, or NotFound."""
    item = get(pk, sk)
    if item is None:
        raise NotFound(resource, resource_id)
    return item


def new_item(item: dict[str, Any]) -> dict[str, Any]:
    """An item as first written: version 1 and its creation time."""
    stamp = now()
    return {**item, "version": 1, "created_at": stamp, "updated_at": stamp}


def create(item: dict[str, Any], *, resource: str, resource_id: str) -> dict[str, Any]:
    """Put a new item at version 1; AlreadyExists if its key is taken."""
    item = new_item(item)
    wire = dynamo.to_item(item)

    def attempt(state: retry.Attempt) -> None:
        try:
            dynamo.client().put_item(TableName=table(), Item=wire, ConditionExpression="attribute_not_exists(PK)",
                                     ReturnValuesOnConditionCheckFailure="ALL_OLD")
        except ClientError as err:
            if error_code(err) != "ConditionalCheckFailedException":
                raise
            # Only a resent write can have been refused by itself: without a resend, an equal
            # item (a deterministic id created twice in one second) is someone else's.
            if ((state.outcome_unknown or _resent(err)) and err.response.get("Item")
                    and dynamo.from_item(err.response["Item"]) == dynamo.from_item(wire)):
                return  # our own earlier attempt landed (its answer was lost): done, once
            raise AlreadyExists(f"{resource} {resource_id} already exists") from err

    retry.run(attempt, what=f"create {resource.lower()} {resource_id}")
    return item


def update(pk: str, sk: str, changes: dict[str, Any], *, expected_version: int, resource: str,
           resource_id: str, condition: str | None = None, condition_values: dict[str, Any] | None = None,
           condition_names: dict[str, str] | None = None, condition_reason: str = "") -> dict[str, Any]:
    """Set (or, for None values, remove) attributes if the stored version is the expected one.

    One UpdateItem: on a failed condition DynamoDB returns the old item, which tells a
    missing item (404) from a stale version (412) without a second read.
    """
    stamp = now()
    changes = {**changes, "updated_at": stamp}
    expression, names, values = update_clause(changes, prefix="f", also_set=["#version = #version + :one"])
    names["#version"] = "version"
    values.update({":expected": expected_version, ":one": 1})
    cond = "attribute_exists(PK) AND #version = :expected"
    if condition:
        cond += f" AND ({condition})"
        values.update(condition_values or {})
        names.update(condition_names or {})
    wire_values = dynamo.to_item(values)

    def attempt(state: retry.Attempt) -> dict[str, Any]:
        try:
            response = dynamo.client().update_item(
                TableName=table(), Key=key_of(pk, sk), UpdateExpression=expression,
                ConditionExpression=cond, ExpressionAttributeNames=names,
                ExpressionAttributeValues=wire_values, ReturnValues="ALL_NEW",
                ReturnValuesOnConditionCheckFailure="ALL_OLD")
        except ClientError as err:
            old = dynamo.from_item(err.response["Item"]) if err.response.get("Item") else None
            if (error_code(err) == "ConditionalCheckFailedException" and old is not None
                    and (state.outcome_unknown or _resent(err)) and _is_own_update(old, changes, expected_version)):
                return old  # our own earlier attempt landed (its answer was lost): done, once
            raise _condition_error(err, expected_version, resource, resource_id, condition_reason) from err
        return dynamo.from_item(response["Attributes"])

    return retry.run(attempt, what=f"change {resource.lower()} {resource_id}")


def _is_own_update(old: dict[str, Any], changes: dict[str, Any], expected_version: int) -> bool:
    """Whether the stored item is exactly what our update made of `expected_version`."""
    if old.get("version") != expected_version + 1:
        return False
    return all(old.get(k) == dynamo.from_item({"v": dynamo.to_value(v)})["v"] if v is not None else k not in old
               for k, v in changes.items())


def delete(pk: str, sk: str, *, expected_version: int, resource: str, resource_id: str,
           condition: str | None = None, condition_values: dict[str, Any] | None = None,
           condition_reason: str = "") -> None:
    """Delete an item if the stored version is the expected one (and `condition` holds)."""
    cond = "attribute_exists(PK) AND #version = :expected"
    if condition:
        cond += f" AND ({condition})"
    wire_values = dynamo.to_item({":expected": expected_version, **(condition_values or {})})

    def attempt(state: retry.Attempt) -> None:
        try:
            dynamo.client().delete_item(
                TableName=table(), Key=key_of(pk, sk), ConditionExpression=cond,
                ExpressionAttributeNames={"#version": "version"}, ExpressionAttributeValues=wire_values,
                ReturnValuesOnConditionCheckFailure="ALL_OLD")
        except ClientError as err:
            if (error_code(err) == "ConditionalCheckFailedException" and not err.response.get("Item")
                    and (state.outcome_unknown or _resent(err))):
                # Gone after an attempt whose outcome was lost: that attempt deleted it (or a
                # concurrent delete did); either way the item is deleted, as asked.
                return
            raise _condition_error(err, expected_version, resource, resource_id, condition_reason) from err

    retry.run(attempt, what=f"delete {resource.lower()} {resource_id}")


def _resent(err: ClientError) -> bool:
    """Whether botocore already resent this call (an earlier attempt may have landed)."""
    return bool(err.response.get("ResponseMetadata", {}).get("RetryAttempts", 0) > 0)


def query_page(pk: str, sk_prefix: str | None = None, *, limit: int, start_key: dict[str, Any] | None,
               index: str | None = None, forward: bool = True, between: tuple[str, str] | None = None,
               # `filter` names the DynamoDB FilterExpression, and callers pass it by that name (A002)
               filter: str | None = None, filter_values: dict[str, Any] | None = None,  # noqa: A002
               filter_names: dict[str, str] | None = None, consistent: bool = False) -> Page:
    """One Query call: up to `limit` items of partition `pk` whose sort key starts with
    `sk_prefix` (or lies `between` two bounds, inclusive).

    Without a filter it asks for one item more than the page holds, so `last_key` is None
    exactly when nothing follows (clients never fetch an empty last page). With a filter,
    DynamoDB's own page end is used, so a page may hold fewer items than `limit`.
    """
    pk_name, sk_name = (f"{index}PK", f"{index}SK") if index else (PK, SK)
    names = {"#pk": pk_name, "#sk": sk_name, **(filter_names or {})}
    values: dict[str, Any] = {":pk": pk, **(filter_values or {})}
    if between:
        condition = "#pk = :pk AND #sk BETWEEN :low AND :high"
        values.update({":low": between[0], ":high": between[1]})
    elif sk_prefix:
        condition = "#pk = :pk AND begins_with(#sk, :prefix)"
        values[":prefix"] = sk_prefix
    else:
        condition = "#pk = :pk"
        del names["#sk"]
    params: dict[str, Any] = {"TableName": table(), "KeyConditionExpression": condition,
                              "ExpressionAttributeNames": names, "ExpressionAttributeValues": dynamo.to_item(values),
                              "Limit": limit if filter else limit + 1, "ScanIndexForward": forward}
    if index:
        params["IndexName"] = index
    elif consistent:
        params["ConsistentRead"] = True
    if filter:
        params["FilterExpression"] = filter
    if start_key:
        params["ExclusiveStartKey"] = dynamo.to_item(start_key)
    response = retry.call(lambda: dynamo.client().query(**params))
    found = [dynamo.from_item(i) for i in response.get("Items", [])]
    if filter:
        last = response.get("LastEvaluatedKey")
        return Page(items=found, last_key=dynamo.from_item(last) if last else None)
    if len(found) <= limit:
        # Fewer than asked: the end, unless DynamoDB stopped at its 1 MB page size.
        last = response.get("LastEvaluatedKey")
        return Page(items=found, last_key=dynamo.from_item(last) if last else None)
    last_item = found[limit - 1]
    return Page(items=found[:limit], last_key={k: last_item[k] for k in {PK, SK, pk_name, sk_name}})


def query_all(pk: str, sk_prefix: str, *, consistent: bool = True, max_items: int = 1000) -> list[dict[str, Any]]:
    """Every item under a prefix (a client's entitlements or usages: small by nature)."""
    page = query_page(pk, sk_prefix, limit=max_items, start_key=None, consistent=consistent)
    return page.items


def every_item(pk: str, sk_prefix: str | None = None, *, index: str | None = None, consistent: bool = False,
               start_key: dict[str, Any] | None = None) -> Iterator[dict[str, Any]]:
    """Every item of a partition (or an index partition), page after page."""
    start = start_key
    while True:
        page = query_page(pk, sk_prefix, limit=1000, start_key=start, index=index, consistent=consistent)
        yield from page.items
        if page.last_key is None:
            return
        start = page.last_key


def transact_entity(actions: list[dict[str, Any]], *, expected_version: int | None, resource: str,
                    resource_id: str) -> None:
    """A transaction whose first action writes one entity at `expected_version` (None: creates
    it): that action's refusal is NotFound, PreconditionFailed (412) or AlreadyExists; any other
    refusal is the TransactionCancelled conflict itself."""
    try:
        transact(actions)
    except TransactionCancelled as err:
        raise (write_error(err, 0, expected_version=expected_version, resource=resource, resource_id=resource_id)
               or err) from err


def transact(actions: list[dict[str, Any]], *, token: str | None = None) -> None:
    """Run TransactWriteItems (all or nothing) under the retry discipline.

    A cancellation for TransactionConflict or throttling alone wrote nothing and is retried
    with the same actions; a refused condition raises TransactionCancelled at once (the
    caller tells stale, missing and already-done apart); a ValidationError is our bug
    (WriteInvalid). Every attempt carries one ClientRequestToken (`token`, or a fresh one),
    so a resend after a lost answer cannot apply twice.
    """
    token = token or uuid.uuid4().hex

    def attempt(_: retry.Attempt) -> None:
        try:
            dynamo.client().transact_write_items(TransactItems=actions, ClientRequestToken=token)
        except ClientError as err:
            if error_code(err) != "TransactionCanceledException":
                raise
            cancelled = TransactionCancelled.from_error(err)
            if cancelled.failed():
                raise cancelled from err
            if cancelled.invalid():
                raise WriteInvalid(f"DynamoDB refused the transaction as invalid: {cancelled.reasons}") from err
            raise retry.Again("transaction conflict or throttling: nothing was written") from cancelled

    retry.run(attempt, what="write this change")


class WriteInvalid(RuntimeError):
    """DynamoDB found a write malformed (a ValidationError reason): a bug, never retried."""


class TransactionCancelled(Conflict):
    """A transaction's condition failed; `reasons[i]` is the code for action i ('None': passed)
    and `items[i]` the item as it was, where the action asked for it."""

    def __init__(self, reasons: list[str], old_items: list[dict[str, Any] | None]) -> None:
        super().__init__("The change conflicts with the current state; nothing was written")
        self.reasons = reasons
        self.items = old_items

    @classmethod
    def from_error(cls, err: ClientError) -> TransactionCancelled:
        """The cancellation a TransactionCanceledException describes."""
        reasons = err.response.get("CancellationReasons", [])
        return cls([r.get("Code", "None") for r in reasons],
                   [dynamo.from_item(r["Item"]) if r.get("Item") else None for r in reasons])

    def failed(self) -> list[int]:
        """Indexes of the actions whose condition failed (ConditionalCheckFailed). A
        TransactionConflict or throttling reason is not a refusal: it says nothing of the data."""
        return [i for i, r in enumerate(self.reasons) if r == retry.REASON_CONDITION]

    def conflicted(self) -> list[int]:
        """Indexes of the actions cancelled for contention or throttling (retry the same write)."""
        return [i for i, r in enumerate(self.reasons) if r in retry.REASON_RETRYABLE]

    def invalid(self) -> list[int]:
        """Indexes of the actions DynamoDB found malformed (anything else: ValidationError, ...)."""
        known = retry.REASON_PASSED | retry.REASON_RETRYABLE | {retry.REASON_CONDITION}
        return [i for i, r in enumerate(self.reasons) if r not in known]


def error_code(err: ClientError) -> str:
    """The DynamoDB error code of a ClientError."""
    return str(err.response.get("Error", {}).get("Code", ""))


def _condition_error(err: ClientError, expected_version: int, resource: str, resource_id: str,
                     condition_reason: str = "") -> Exception:
    if error_code(err) != "ConditionalCheckFailedException":
        return cast(Exception, err)  # botocore is untyped: ClientError is Any to mypy
    old = err.response.get("Item")
    if not old:
        return NotFound(resource, resource_id)
    stored = dynamo.from_item(old).get("version")
    if stored != expected_version:
        return stale(resource, resource_id, stored, expected_version)
    return Conflict(condition_reason or f"{resource} {resource_id} cannot be changed now")


def stale(resource: str, resource_id: str, stored: Any, expected_version: int) -> PreconditionFailed:
    return PreconditionFailed(
        f"{resource} {resource_id} has changed since you read it (version {stored}, you sent "
        f"{expected_version}); read it again and retry", current_version=int(stored))


def update_clause(changes: dict[str, Any], *, prefix: str = "a",
                  also_set: list[str] | None = None) -> tuple[str, dict[str, str], dict[str, Any]]:
    """The one update-expression builder: 'SET #a0 = :a0, ... REMOVE #a1' setting each of
    `changes` (None: remove it), with the attribute names and values it uses. `also_set`:
    assignments written as they are (counters such as '#version = #version + :one'), whose
    names and values the caller supplies."""
    names: dict[str, str] = {}
    values: dict[str, Any] = {}
    sets, removes = list(also_set or []), []
    for i, (name, value) in enumerate(changes.items()):
        names[f"#{prefix}{i}"] = name
        if value is None:
            removes.append(f"#{prefix}{i}")
        else:
            values[f":{prefix}{i}"] = value
            sets.append(f"#{prefix}{i} = :{prefix}{i}")
    clauses = (["SET " + ", ".join(sets)] if sets else []) + (["REMOVE " + ", ".join(removes)] if removes else [])
    return " ".join(clauses), names, values


def key_of(pk: str, sk: str) -> dict[str, Any]:
    """A key in DynamoDB's attribute-value form."""
    return dynamo.to_item({PK: pk, SK: sk})


# Transaction actions. Each carries its own condition; `version_check` is the If-Match rule.

def put_action(item: dict[str, Any], *, expected_version: int | None = None) -> dict[str, Any]:
    """Put a whole item: new (key must be free) or replacing the expected version."""
    item = {**item, **derived_index_keys(item)}
    put: dict[str, Any] = {"TableName": table(), "Item": dynamo.to_item(item),
                           "ReturnValuesOnConditionCheckFailure": "ALL_OLD"}
    if expected_version is None:
        put["ConditionExpression"] = "attribute_not_exists(PK)"
    else:
        put.update(_version_check(expected_version))
    return {"Put": put}


def delete_action(pk: str, sk: str, *, expected_version: int) -> dict[str, Any]:
    """Delete an item still at the expected version."""
    return {"Delete": {"TableName": table(), "Key": key_of(pk, sk),
                       "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
                       **_version_check(expected_version)}}


def add_action(pk: str, sk: str, attribute: str, delta: int, *, below: int | None = None) -> dict[str, Any]:
    """Add `delta` to a counter on an item that must exist (and, with `below`, whose counter
    is still under that ceiling)."""
    condition = "attribute_exists(PK)" + (" AND #a < :below" if below is not None else "")
    values = {":delta": delta, **({":below": below} if below is not None else {})}
    return {"Update": {"TableName": table(), "Key": key_of(pk, sk),
                       "UpdateExpression": "ADD #a :delta", "ConditionExpression": condition,
                       "ExpressionAttributeNames": {"#a": attribute},
                       "ExpressionAttributeValues": dynamo.to_item(values)}}


def follow_action(pk: str, sk: str, values: dict[str, Any]) -> dict[str, Any]:
    """Set attributes on an item that must exist and move its version on: a copy kept in step
    with another entity in the same transaction (holders of the old ETag become stale, as the
    representation they read has changed)."""
    expression, names, wire = update_clause(values, also_set=["#version = #version + :one", "#updated = :now"])
    names.update({"#version": "version", "#updated": "updated_at"})
    wire.update({":one": 1, ":now": now()})
    return {"Update": {"TableName": table(), "Key": key_of(pk, sk), "UpdateExpression": expression,
                       "ConditionExpression": "attribute_exists(PK)", "ExpressionAttributeNames": names,
                       "ExpressionAttributeValues": dynamo.to_item(wire)}}


def mark_action(pk: str, sk: str, attribute: str) -> dict[str, Any]:
    """Set a flag that is never cleared (true) on an item that must exist. It leaves the
    item's version alone: the flag is not part of what an If-Match protects."""
    return {"Update": {"TableName": table(), "Key": key_of(pk, sk),
                       "UpdateExpression": "SET #a = :true", "ConditionExpression": "attribute_exists(PK)",
                       "ExpressionAttributeNames": {"#a": attribute},
                       "ExpressionAttributeValues": dynamo.to_item({":true": True})}}


def _version_check(expected_version: int) -> dict[str, Any]:
    return {"ConditionExpression": "attribute_exists(PK) AND #version = :expected",
            "ExpressionAttributeNames": {"#version": "version"},
            "ExpressionAttributeValues": dynamo.to_item({":expected": expected_version})}


def write_error(err: TransactionCancelled, index: int, *, expected_version: int | None, resource: str,
                resource_id: str) -> Exception | None:
    """Why the write at `index` failed, or None if it passed: AlreadyExists for a create,
    NotFound or PreconditionFailed (stale If-Match) for a versioned write."""
    if index not in err.failed():
        return None
    if expected_version is None:
        return AlreadyExists(f"{resource} {resource_id} already exists")
    old = err.items[index]
    if not old:
        return NotFound(resource, resource_id)
    return stale(resource, resource_id, old.get("version"), expected_version)


def set_attributes(pk: str, sk: str, values: dict[str, Any]) -> None:
    """Set attributes on an existing item without a version check (denormalised copies only)."""
    expression, names, wire = update_clause(values)
    # Setting the same values twice is harmless, so this write is simply resent.
    retry.call(lambda: dynamo.client().update_item(
        TableName=table(), Key=key_of(pk, sk), ConditionExpression="attribute_exists(PK)",
        UpdateExpression=expression, ExpressionAttributeNames=names, ExpressionAttributeValues=dynamo.to_item(wire)),
        what="update the item")

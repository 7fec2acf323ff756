"""Put client sessions written before the SESSIONDATE and SESSIONID indexes into them.

Every session written since carries SESSIONSPK (store/items.py put_action stamps it from the
session's key); a session written before, and not edited since, does not, so POST /v1/claims
by date or by id without client_id would not find it. Run once per deployed table after the
indexes exist (the stack update creates them):

    .venv/bin/python -m devtools.backfill_session_index            # the configured table
    .venv/bin/python -m devtools.backfill_session_index --dry-run  # count only

A one-off Scan of the whole table (about 1 read unit per 8 KB, eventually consistent), then one
conditional UpdateItem per unstamped session (1 write unit each, plus the two tiny index
writes). Safe to run twice or while the API serves: the update only sets the attribute where
it is missing and the item is still a session."""
from __future__ import annotations

import argparse
from typing import Any

from botocore.exceptions import ClientError

from chalicelib.store import dynamo, items, retry
from chalicelib.store.keys import PK, SESSIONS_PK, SK, derived_index_keys


def unstamped_sessions() -> list[dict[str, Any]]:
    """The (PK, SK, kind) of every session item without its practice session partition."""
    found: list[dict[str, Any]] = []
    params: dict[str, Any] = {
        "TableName": items.table(), "FilterExpression": "#kind = :session AND attribute_not_exists(#spk)",
        "ProjectionExpression": "#pk, #sk, #kind",
        "ExpressionAttributeNames": {"#kind": "kind", "#spk": SESSIONS_PK, "#pk": PK, "#sk": SK},
        "ExpressionAttributeValues": dynamo.to_item({":session": "SESSION"})}
    while True:
        response = _scan(params)
        found += [dynamo.from_item(i) for i in response.get("Items", [])]
        if not response.get("LastEvaluatedKey"):
            return found
        params = {**params, "ExclusiveStartKey": response["LastEvaluatedKey"]}


def _scan(params: dict[str, Any]) -> dict[str, Any]:
    response: dict[str, Any] = retry.call(lambda: dynamo.client().scan(**params), what="scan for sessions")
    return response


def stamp(session: dict[str, Any]) -> bool:
    """Set the session's index attribute; False when it was stamped or deleted meanwhile."""
    value = derived_index_keys(session)[SESSIONS_PK]
    try:
        retry.call(lambda: dynamo.client().update_item(
            TableName=items.table(), Key=items.key_of(session[PK], session[SK]),
            UpdateExpression="SET #spk = :spk",
            ConditionExpression="#kind = :session AND attribute_not_exists(#spk)",
            ExpressionAttributeNames={"#spk": SESSIONS_PK, "#kind": "kind"},
            ExpressionAttributeValues=dynamo.to_item({":spk": value, ":session": "SESSION"})),
            what="stamp a session")
    except ClientError as err:
        if items.error_code(err) != "ConditionalCheckFailedException":
            raise
        return False
    return True


def backfill(*, dry_run: bool = False) -> tuple[int, int]:
    """(sessions found unstamped, sessions stamped)."""
    found = unstamped_sessions()
    return len(found), 0 if dry_run else sum(stamp(s) for s in found)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dry-run", action="store_true", help="count the unstamped sessions, change nothing")
    args = parser.parse_args()
    found, stamped = backfill(dry_run=args.dry_run)
    print(f"{found} session(s) without the index attribute; {stamped} stamped")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

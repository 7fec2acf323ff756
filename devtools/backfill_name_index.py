"""Re-file clients in the name index under the current folding of their names.

GET /v1/clients?q= reads the name index (GSI1) by the folded "last first" written when the
client was created or last renamed. Search now also spells out the letters that do not
decompose (ł ø đ ħ ŧ æ œ þ ð, dotless i) and turns every apostrophe (U+2019 and its kin) and
hyphen (en and em dashes...) into the ASCII one; a client written before, and not renamed
since, keeps its old key, so `zolc` does not find Żółć, nor `o'neill` an O'Neill written with
U+2019, until this runs. Run once per deployed table after that release:

    .venv/bin/python -m devtools.backfill_name_index                   # every practice
    .venv/bin/python -m devtools.backfill_name_index --practice prc_1  # only these practices
    .venv/bin/python -m devtools.backfill_name_index --dry-run         # count only

Without --practice, one Scan of the table (keys of practice records only) finds the practices.
Then one Query per 1,000 clients pages through each practice's name index (eventually
consistent) and one conditional UpdateItem per client whose key differs rewrites it (1 write
unit plus the index write). Only the index key changes (not the client's version, so an ETag
read before stays good). Safe to run twice or while the API serves: the update applies only
while the client still has the key and the names read, so a concurrent rename is never
overwritten (the rename files the client under the new folding itself)."""
from __future__ import annotations

import argparse
from typing import Any

from botocore.exceptions import ClientError

from chalicelib.store import dynamo, items, retry
from chalicelib.store.clients import BY_NAME, name_sort_key
from chalicelib.store.keys import PK, PRACTICE_SK, SK, client_name_pk, practice_pk

_KEY = f"{BY_NAME}SK"


def practices() -> list[str]:
    """Ids of every practice with a record in the table."""
    found: list[str] = []
    params: dict[str, Any] = {
        "TableName": items.table(), "FilterExpression": "#sk = :practice", "ProjectionExpression": "#pk",
        "ExpressionAttributeNames": {"#pk": PK, "#sk": SK},
        "ExpressionAttributeValues": dynamo.to_item({":practice": PRACTICE_SK})}
    prefix = practice_pk("")
    while True:
        response = _scan(params)
        found += [dynamo.from_item(i)[PK].removeprefix(prefix) for i in response.get("Items", [])]
        if not response.get("LastEvaluatedKey"):
            return sorted(found)
        params = {**params, "ExclusiveStartKey": response["LastEvaluatedKey"]}


def _scan(params: dict[str, Any]) -> dict[str, Any]:
    response: dict[str, Any] = retry.call(lambda: dynamo.client().scan(**params), what="scan for practices")
    return response


def misfiled(practice_id: str) -> list[dict[str, Any]]:
    """The practice's clients (archived ones too) whose name key is not their names' current folding."""
    return [c for c in items.every_item(client_name_pk(practice_id), index=BY_NAME)
            if c[_KEY] != name_sort_key(c["id"], c["first_name"], c["last_name"])]


def refile(client: dict[str, Any]) -> bool:
    """Write the client's current name key; False when it was renamed or deleted since it was read."""
    try:
        retry.call(lambda: dynamo.client().update_item(
            TableName=items.table(), Key=items.key_of(client[PK], client[SK]),
            UpdateExpression="SET #key = :new",
            ConditionExpression="#key = :old AND first_name = :first AND last_name = :last",
            ExpressionAttributeNames={"#key": _KEY},
            ExpressionAttributeValues=dynamo.to_item({
                ":new": name_sort_key(client["id"], client["first_name"], client["last_name"]),
                ":old": client[_KEY], ":first": client["first_name"], ":last": client["last_name"]})),
            what="re-file a client by name")
    except ClientError as err:
        if items.error_code(err) != "ConditionalCheckFailedException":
            raise
        return False
    return True


def backfill(practice_ids: list[str] | None = None, *, dry_run: bool = False) -> tuple[int, int]:
    """(clients found under an old name key, clients re-filed), over the practices given or all."""
    found = refiled = 0
    for practice_id in practices() if practice_ids is None else practice_ids:
        stale = misfiled(practice_id)  # read the whole practice first: a re-filed client moves in the index
        found += len(stale)
        refiled += 0 if dry_run else sum(refile(c) for c in stale)
    return found, refiled


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--practice", action="append", metavar="ID",
                        help="only this practice (repeat for several); default every practice")
    parser.add_argument("--dry-run", action="store_true", help="count the clients to re-file, change nothing")
    args = parser.parse_args()
    found, refiled = backfill(args.practice, dry_run=args.dry_run)
    print(f"{found} client(s) under an old name key; {refiled} re-filed")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

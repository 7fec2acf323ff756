"""devtools/backfill_session_index.py: a session written before the sessions indexes existed
is found by date and by id once the backfill has stamped it."""
from __future__ import annotations

from chalicelib.store import dynamo, items
from chalicelib.store.keys import SESSIONS_PK, client_pk
from devtools.backfill_session_index import backfill, stamp
from tests.api.claim_helpers import add_client, add_payer, add_session, set_up_practice
from tests.conftest import PRACTICE_A


def _unstamp(client_id: str, session_id: str) -> None:
    """The session as an older release wrote it: without the index attribute."""
    dynamo.client().update_item(TableName=items.table(), Key=items.key_of(client_pk(PRACTICE_A, client_id),
                                                                          f"SESSION#{session_id}"),
                                UpdateExpression="REMOVE #spk", ExpressionAttributeNames={"#spk": SESSIONS_PK})


def test_backfill_puts_an_old_session_back_in_the_date_and_id_indexes(api):
    set_up_practice(api)
    client = add_client(api, add_payer(api))
    old, new = add_session(api, client, "2026-11-10"), add_session(api, client, "2026-11-11")
    _unstamp(client["id"], old["id"])
    by_id = api.post("/v1/claims", {"session_ids": [old["id"]]}, role="billing")
    assert by_id.status == 422  # not in the index: what the backfill is for
    assert backfill(dry_run=True) == (1, 0)
    assert backfill() == (1, 1)
    assert backfill() == (0, 0)  # a second run finds nothing to do
    reply = api.post("/v1/claims", {"from": "2026-11-01", "to": "2026-11-30"}, role="billing")
    assert sorted(s for c in reply.body["claims"] for s in c["session_ids"]) == sorted([old["id"], new["id"]])


def test_backfill_stamp_of_a_session_deleted_meanwhile_is_false(api):
    assert stamp({"PK": client_pk(PRACTICE_A, "cli_gone"), "SK": "SESSION#ses_gone", "kind": "SESSION"}) is False

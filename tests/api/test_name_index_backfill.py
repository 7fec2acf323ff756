"""devtools/backfill_name_index.py: a client filed by name before search folded ł, ø, æ and
typographic apostrophes is found by its plain spelling once the backfill has re-filed it, and
the backfill never overwrites a rename made meanwhile."""
from __future__ import annotations

import unicodedata
from urllib.parse import quote

from chalicelib.store import dynamo, items
from chalicelib.store.clients import BY_NAME
from chalicelib.store.keys import practice_pk
from devtools.backfill_name_index import backfill, misfiled, practices, refile
from tests.api.entitlement_helpers import make_client
from tests.conftest import PRACTICE_A, PRACTICE_B

_KEY = f"{BY_NAME}SK"
RSQUO = "\N{RIGHT SINGLE QUOTATION MARK}"  # looks like ASCII ' (ruff RUF001): what the folding is for


def _old_name_key(last: str, first: str) -> str:
    """The name key as releases before the folding fix wrote it."""
    text = unicodedata.normalize("NFKD", f"{last} {first}")
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()
    return " ".join(text.split())


def _file_as_before(client: dict) -> None:
    """The client's name key as an older release wrote it."""
    dynamo.client().update_item(
        TableName=items.table(), Key=items.key_of(practice_pk(PRACTICE_A), f"CLIENT#{client['id']}"),
        UpdateExpression="SET #key = :old", ExpressionAttributeNames={"#key": _KEY},
        ExpressionAttributeValues=dynamo.to_item(
            {":old": f"{_old_name_key(client['last_name'], client['first_name'])}#{client['id']}"}))


def _found(api, q: str, practice: str = PRACTICE_A) -> list[str]:
    reply = api.get("/v1/clients?include_archived=true&q=" + quote(q), practice=practice)
    assert reply.status == 200, reply.body
    return [c["last_name"] for c in reply.body["items"]]


def test_backfill_refiles_old_name_keys_so_plain_spellings_find_them(api):
    old = [make_client(api, "Ada", "Żółć"), make_client(api, "Pat", f"O{RSQUO}Neill"), make_client(api, "Bo", "Ærø")]
    plain = make_client(api, "Cy", "Núñez")  # its key is the same under either folding
    for client in [*old, plain]:
        _file_as_before(client)
    archived = api.get(f"/v1/clients/{old[2]['id']}")
    assert api.patch(f"/v1/clients/{old[2]['id']}", {"archived": True}, if_match=archived.etag).status == 200
    _file_as_before(old[2])
    assert _found(api, "zolc") == [] and _found(api, "o'neill") == []  # what the backfill is for
    assert backfill(dry_run=True) == (3, 0)
    assert _found(api, "zolc") == []  # a dry run changes nothing
    assert backfill() == (3, 3)
    assert backfill() == (0, 0)  # a second run finds nothing to do
    assert _found(api, "zolc") == ["Żółć"] and _found(api, "o'neill") == [f"O{RSQUO}Neill"]
    assert _found(api, "aero") == ["Ærø"] and _found(api, "nunez") == ["Núñez"]
    version = api.get(f"/v1/clients/{old[0]['id']}")
    assert version.body["version"] == old[0]["version"]  # an ETag read before the backfill still holds


def test_backfill_of_named_practices_leaves_the_others(api):
    mine = make_client(api, "Ada", "Żółć")
    _file_as_before(mine)
    assert {PRACTICE_A, PRACTICE_B} <= set(practices())
    assert backfill([PRACTICE_B]) == (0, 0)
    assert _found(api, "zolc") == []
    assert backfill([PRACTICE_A]) == (1, 1)
    assert _found(api, "zolc") == ["Żółć"]


def test_refile_of_a_client_renamed_meanwhile_keeps_the_rename(api):
    client = make_client(api, "Ada", "Żółć")
    _file_as_before(client)
    [read] = misfiled(PRACTICE_A)
    current = api.get(f"/v1/clients/{client['id']}")
    assert api.patch(f"/v1/clients/{client['id']}", {"last_name": "Łęcka"}, if_match=current.etag).status == 200
    assert refile(read) is False
    assert _found(api, "lecka") == ["Łęcka"] and _found(api, "zolc") == []
    assert misfiled(PRACTICE_A) == []


def test_refile_of_a_client_deleted_meanwhile_is_false(api):
    client = make_client(api, "Ada", "Żółć")
    _file_as_before(client)
    [read] = misfiled(PRACTICE_A)
    current = api.get(f"/v1/clients/{client['id']}")
    assert api.delete(f"/v1/clients/{client['id']}", if_match=current.etag).status == 204
    assert refile(read) is False
    assert backfill() == (0, 0)

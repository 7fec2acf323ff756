"""Group memberships: one item per member in the group's partition (`P#<practice>#GROUP#<group>`
/ `MEMBER#<client>`), also listed by client through GSI1 (`…#C#<client>#GROUPS` / `<group>`).
The group itself is a practice entity (repository.GROUPS), whose `member_count` moves in the
same transaction as each membership, under the ceiling the caller names."""
from __future__ import annotations

from typing import Any

from chalicelib.errors import Conflict
from chalicelib.store import items
from chalicelib.store.keys import MEMBER, PK, SK, client_groups_pk, group_pk
from chalicelib.store.repository import CLIENTS, GROUPS

BY_CLIENT = "GSI1"


def _key(practice_id: str, group_id: str, client_id: str) -> tuple[str, str]:
    return group_pk(practice_id, group_id), MEMBER + client_id


def _item(practice_id: str, membership: dict[str, Any]) -> dict[str, Any]:
    pk, sk = _key(practice_id, membership["group_id"], membership["client_id"])
    return {**membership, PK: pk, SK: sk, "kind": "MEMBER",
            f"{BY_CLIENT}PK": client_groups_pk(practice_id, membership["client_id"]),
            f"{BY_CLIENT}SK": membership["group_id"]}


def _public(found: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [items.public(i) for i in found]


def practitioner_groups_page(practice_id: str, practitioner_id: str, *, limit: int,
                             start_key: dict[str, Any] | None) -> items.Page:
    """One page of the groups a practitioner runs or is shared with (one Query, filtered)."""
    return items.query_page(*GROUPS.key(practice_id, ""), limit=limit, start_key=start_key,
                            filter="practitioner_id = :me OR contains(shared_with, :me)",
                            filter_values={":me": practitioner_id})


def members(practice_id: str, group_id: str) -> list[dict[str, Any]]:
    """Every membership of a group, current and past (one Query; a group is small)."""
    return _public(items.query_all(group_pk(practice_id, group_id), MEMBER))


def members_page(practice_id: str, group_id: str, *, limit: int,
                 start_key: dict[str, Any] | None) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
    page = items.query_page(group_pk(practice_id, group_id), MEMBER, limit=limit, start_key=start_key)
    return _public(page.items), page.last_key


def membership(practice_id: str, group_id: str, client_id: str) -> dict[str, Any] | None:
    item = items.get(*_key(practice_id, group_id, client_id))
    return items.public(item) if item else None


def client_and_membership(practice_id: str, group_id: str,
                          client_id: str) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """The client and its membership of the group (either None if absent): one BatchGetItem."""
    client, current = items.get_many([CLIENTS.key(practice_id, client_id), _key(practice_id, group_id, client_id)])
    return client, items.public(current) if current else None


def client_memberships(practice_id: str, client_id: str, *, limit: int,
                       start_key: dict[str, Any] | None) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
    """One page of the memberships of a client, current and past (one Query of GSI1)."""
    page = items.query_page(client_groups_pk(practice_id, client_id), limit=limit, start_key=start_key,
                            index=BY_CLIENT)
    return _public(page.items), page.last_key


def put_membership(practice_id: str, membership: dict[str, Any], *, expected_version: int | None, delta: int,
                   ceiling: int | None) -> None:
    """Write a membership (new, or replacing the version read) and move the group's member count
    by `delta` in one transaction; with `ceiling`, refused once the count has reached it."""
    try:
        items.transact([items.put_action(_item(practice_id, membership), expected_version=expected_version),
                        items.add_action(*GROUPS.key(practice_id, membership["group_id"]), "member_count", delta,
                                         below=ceiling)])
    except items.TransactionCancelled as err:
        if 1 in err.failed():
            raise Conflict(f"A group has at most {ceiling} members") from err
        raise Conflict("The membership changed at the same moment; read it again and retry") from err

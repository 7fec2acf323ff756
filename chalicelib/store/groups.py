"""Group memberships: one item per member in the group's partition (`P#<practice>#GROUP#<group>`
/ `MEMBER#<client>`), also listed by client through GSI1 (`…#C#<client>#GROUPS` / `<group>`).
The group itself is a practice entity (repository.GROUPS), whose `member_count` moves in the
same transaction as each membership, under the ceiling the caller names."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

from chalicelib.domain.clients import display_name
from chalicelib.errors import Conflict
from chalicelib.models.codes import BillingCode
from chalicelib.models.groups import Group, GroupCreate
from chalicelib.models.users import User
from chalicelib.store import codes, items, users
from chalicelib.store.keys import MEMBER, PK, SK, client_groups_pk, group_pk
from chalicelib.store.repository import BILLING_CODES, CLIENTS, GROUPS, USERS, Entities, get_each

BY_CLIENT = "GSI1"


@dataclass(frozen=True)
class Membership:
    """A client's membership of a group as stored: the periods they were a member (each
    `joined_at`, `left_at`: None while it lasts) and the version a rewrite must match."""

    group_id: str
    client_id: str
    client_name: str
    active: bool
    periods: list[dict[str, Any]]
    version: int
    created_at: str
    updated_at: str


def _membership(item: dict[str, Any]) -> Membership:
    return Membership(group_id=item["group_id"], client_id=item["client_id"], client_name=item["client_name"],
                      active=item["active"], periods=item["periods"], version=item["version"],
                      created_at=item["created_at"], updated_at=item["updated_at"])


def _group(item: dict[str, Any]) -> Group:
    return Group.model_validate(items.public(item))


_GROUPS = Entities(GROUPS, _group)


# ---- groups ---------------------------------------------------------------------------

def create_group(practice_id: str, group_id: str, data: GroupCreate, *, practitioner_id: str,
                 shared_with: list[str]) -> Group:
    """A new group with no members yet, run by `practitioner_id`; AlreadyExists if the id is taken."""
    return _GROUPS.create(practice_id, group_id, {**data.model_dump(mode="json"), "practitioner_id": practitioner_id,
                                                  "shared_with": shared_with, "member_count": 0})


def get_group(practice_id: str, group_id: str) -> Group:
    """One group, or NotFound."""
    return _GROUPS.get(practice_id, group_id)


def find_group(practice_id: str, group_id: str) -> Group | None:
    """One group, or None."""
    return _GROUPS.get_or_none(practice_id, group_id)


def groups_by_id(practice_id: str, group_ids: list[str]) -> list[Group | None]:
    """Several groups in one read, in the order asked (None: no such group)."""
    return [None if item is None else _group(item) for item in GROUPS.get_many(practice_id, group_ids)]


def list_groups(practice_id: str, *, limit: int,
                start_key: dict[str, Any] | None) -> tuple[list[Group], dict[str, Any] | None]:
    """One page of the practice's groups in id order, and the key to continue from."""
    return _GROUPS.page(practice_id, limit=limit, start_key=start_key)


def update_group(practice_id: str, group_id: str, changes: Mapping[str, Any], *, expected_version: int) -> Group:
    """Set (None: clear) the fields in `changes` on the group at the version read."""
    return _GROUPS.update(practice_id, group_id, changes, expected_version=expected_version)


def users_and_code(practice_id: str, user_ids: list[str],
                   code: str | None) -> tuple[list[User | None], BillingCode | None]:
    """Users (None: no such user) and a billing code (None: not asked, or not in the
    catalogue), in one BatchGetItem: the people and the code a group names."""
    found = get_each(practice_id, [(USERS, u) for u in user_ids] + ([(BILLING_CODES, code)] if code else []))
    people = [None if item is None else users.user_of(item) for item in found[:len(user_ids)]]
    billing = found[-1] if code else None
    return people, None if billing is None else codes.billing_code_of(billing)


def _key(practice_id: str, group_id: str, client_id: str) -> tuple[str, str]:
    return group_pk(practice_id, group_id), MEMBER + client_id


def _item(practice_id: str, membership: dict[str, Any]) -> dict[str, Any]:
    pk, sk = _key(practice_id, membership["group_id"], membership["client_id"])
    return {**membership, PK: pk, SK: sk, "kind": "MEMBER",
            f"{BY_CLIENT}PK": client_groups_pk(practice_id, membership["client_id"]),
            f"{BY_CLIENT}SK": membership["group_id"]}


def practitioner_groups_page(practice_id: str, practitioner_id: str, *, limit: int,
                             start_key: dict[str, Any] | None) -> tuple[list[Group], dict[str, Any] | None]:
    """One page of the groups a practitioner runs or is shared with (one Query, filtered)."""
    page = items.query_page(*GROUPS.key(practice_id, ""), limit=limit, start_key=start_key,
                            filter="practitioner_id = :me OR contains(shared_with, :me)",
                            filter_values={":me": practitioner_id})
    return [_group(i) for i in page.items], page.last_key


# ---- memberships ----------------------------------------------------------------------

def members(practice_id: str, group_id: str) -> list[Membership]:
    """Every membership of a group, current and past (one Query; a group is small)."""
    return [_membership(i) for i in items.query_all(group_pk(practice_id, group_id), MEMBER)]


def members_page(practice_id: str, group_id: str, *, limit: int,
                 start_key: dict[str, Any] | None) -> tuple[list[Membership], dict[str, Any] | None]:
    page = items.query_page(group_pk(practice_id, group_id), MEMBER, limit=limit, start_key=start_key)
    return [_membership(i) for i in page.items], page.last_key


def membership(practice_id: str, group_id: str, client_id: str) -> Membership | None:
    item = items.get(*_key(practice_id, group_id, client_id))
    return _membership(item) if item else None


def client_name_and_membership(practice_id: str, group_id: str,
                               client_id: str) -> tuple[str | None, Membership | None]:
    """The client's display name and its membership of the group (either None if absent): one
    BatchGetItem."""
    client, current = items.get_many([CLIENTS.key(practice_id, client_id), _key(practice_id, group_id, client_id)])
    name = display_name(client["first_name"], client["last_name"]) if client else None
    return name, _membership(current) if current else None


def client_memberships(practice_id: str, client_id: str, *, limit: int,
                       start_key: dict[str, Any] | None) -> tuple[list[Membership], dict[str, Any] | None]:
    """One page of the memberships of a client, current and past (one Query of GSI1)."""
    page = items.query_page(client_groups_pk(practice_id, client_id), limit=limit, start_key=start_key,
                            index=BY_CLIENT)
    return [_membership(i) for i in page.items], page.last_key


def put_membership(practice_id: str, group_id: str, client_id: str, *, client_name: str, active: bool,
                   periods: list[dict[str, Any]], current: Membership | None, delta: int,
                   ceiling: int | None) -> Membership:
    """Write a membership (new, or replacing `current` at the version read) and move the group's
    member count by `delta` in one transaction; with `ceiling`, refused once the count has
    reached it. The membership as written."""
    fields = {"group_id": group_id, "client_id": client_id, "client_name": client_name, "active": active,
              "periods": periods}
    if current:
        written = {**asdict(current), **fields, "version": current.version + 1, "updated_at": items.now()}
    else:
        written = items.new_item(fields)
    try:
        items.transact([items.put_action(_item(practice_id, written),
                                         expected_version=current.version if current else None),
                        items.add_action(*GROUPS.key(practice_id, group_id), "member_count", delta, below=ceiling)])
    except items.TransactionCancelled as err:
        if 1 in err.failed():
            raise Conflict(f"A group has at most {ceiling} members") from err
        raise Conflict("The membership changed at the same moment; read it again and retry") from err
    return _membership(written)

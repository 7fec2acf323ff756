"""Staff users (repository.USERS, `USER#<id>` in the practice partition) and the marker that
keeps an email to one user per practice (`USEREMAIL#<email, lower case>`): a user's create,
email change and delete write the user and its marker in one transaction, so two concurrent
writes with one email cannot both succeed."""
from __future__ import annotations

from typing import Any

from chalicelib.store import items
from chalicelib.store.repository import USER_EMAILS, USERS


class EmailTaken(Exception):
    """Another user of the practice has this email (its marker exists)."""


def _marker(practice_id: str, email: str, user_id: str) -> dict[str, Any]:
    return items.new_item(USER_EMAILS.item(practice_id, email.lower(), {"user_id": user_id}))


def _drop_marker(practice_id: str, email: str) -> dict[str, Any]:
    """Delete an email's marker, whatever its version (the user's own write holds the If-Match)."""
    return {"Delete": {"TableName": items.table(), "Key": items.key_of(*USER_EMAILS.key(practice_id, email.lower()))}}


def _transact(actions: list[dict[str, Any]], *, marker_index: int, user_id: str,
              expected_version: int | None) -> None:
    try:
        items.transact(actions)
    except items.TransactionCancelled as err:
        refused = items.write_error(err, 0, expected_version=expected_version, resource=USERS.resource,
                                    resource_id=user_id)
        if refused:
            raise refused from err
        if marker_index in err.failed():
            raise EmailTaken() from err
        raise


def standing(practice_id: str, user_id: str) -> str | None:
    """The user's stored role while they are active; None if deleted or deactivated
    (every request checks it, strongly consistent, so this reads no more than it needs)."""
    item = USERS.get_or_none(practice_id, user_id)
    return item["role"] if item is not None and item.get("active") else None


def create(practice_id: str, user_id: str, data: dict[str, Any]) -> dict[str, Any]:
    """A new user with its email marker; EmailTaken, or AlreadyExists if the id is taken."""
    user = items.new_item(USERS.item(practice_id, user_id, data))
    _transact([items.put_action(user), items.put_action(_marker(practice_id, data["email"], user_id))],
              marker_index=1, user_id=user_id, expected_version=None)
    return items.public(user)


def replace_with_new_email(practice_id: str, current: dict[str, Any], values: dict[str, Any], *,
                           expected_version: int) -> dict[str, Any]:
    """Apply changes that include a new email: the user at the version read, the new email's
    marker, the old one's removal, in one transaction. The user as written."""
    user_id = current["id"]
    merged = USERS.item(practice_id, user_id, {**items.public(current), **values, "version": expected_version + 1,
                                               "updated_at": items.now()})
    _transact([items.put_action(merged, expected_version=expected_version),
               items.put_action(_marker(practice_id, values["email"], user_id)),
               _drop_marker(practice_id, current["email"])],
              marker_index=1, user_id=user_id, expected_version=expected_version)
    return items.public(merged)


def delete(practice_id: str, user_id: str, email: str, *, expected_version: int) -> None:
    """Delete a user at the version read and free its email, in one transaction."""
    _transact([items.delete_action(*USERS.key(practice_id, user_id), expected_version=expected_version),
               _drop_marker(practice_id, email)],
              marker_index=-1, user_id=user_id, expected_version=expected_version)

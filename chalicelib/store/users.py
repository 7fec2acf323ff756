"""Staff users (repository.USERS, `USER#<id>` in the practice partition) and the marker that
keeps an email to one user per practice (`USEREMAIL#<email, lower case>`): a user's create,
email change and delete write the user and its marker in one transaction, so two concurrent
writes with one email cannot both succeed."""
from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from chalicelib.domain.notifications import Staff
from chalicelib.store import items
from chalicelib.store.repository import USER_EMAILS, USERS

if TYPE_CHECKING:
    from chalicelib.models.users import User, UserCreate


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


def user_of(item: dict[str, Any]) -> User:
    """A stored user as the User model (other repositories' batch reads use it too)."""
    # Imported here, not at the top: auth imports this module on every cold start for
    # `standing`, which needs no model, and the models cost import time.
    from chalicelib.models.users import User

    return User.model_validate(items.public(item))


def get_user(practice_id: str, user_id: str) -> User:
    """One user, or NotFound."""
    return user_of(USERS.get(practice_id, user_id))


def find_user(practice_id: str, user_id: str) -> User | None:
    """One user, or None."""
    item = USERS.get_or_none(practice_id, user_id)
    return None if item is None else user_of(item)


def list_users(practice_id: str, *, limit: int,
               start_key: dict[str, Any] | None) -> tuple[list[User], dict[str, Any] | None]:
    """One page of the practice's users in id order, and the key to continue from."""
    page = USERS.list(practice_id, limit=limit, start_key=start_key)
    return [user_of(i) for i in page.items], page.last_key


def digest_staff(practice_id: str) -> list[Staff]:
    """Every user of the practice as the daily digest addresses them (a practice has a handful:
    one Query of its users)."""
    return [Staff(id=item["id"], email=item["email"], active=bool(item.get("active", True)),
                  muted=frozenset(k for k, on in (item.get("notification_preferences") or {}).items() if not on))
            for item in USERS.all(practice_id)]


def standing(practice_id: str, user_id: str) -> str | None:
    """The user's stored role while they are active; None if deleted or deactivated
    (every request checks it, strongly consistent, so this reads no more than it needs)."""
    item = USERS.get_or_none(practice_id, user_id)
    return item["role"] if item is not None and item.get("active") else None


def create(practice_id: str, user_id: str, data: UserCreate) -> User:
    """A new user with its email marker; EmailTaken, or AlreadyExists if the id is taken."""
    user = items.new_item(USERS.item(practice_id, user_id, data.model_dump(mode="json")))
    _transact([items.put_action(user), items.put_action(_marker(practice_id, data.email, user_id))],
              marker_index=1, user_id=user_id, expected_version=None)
    return user_of(user)


def update(practice_id: str, user_id: str, changes: Mapping[str, Any], *, expected_version: int) -> User:
    """Set (None: clear) the fields in `changes` on the user at the version read. A change of
    `email` other than its case moves the email's marker in the same transaction (EmailTaken)."""
    if "email" not in changes:
        return user_of(USERS.update(practice_id, user_id, dict(changes), expected_version=expected_version))
    current = USERS.get(practice_id, user_id)
    if changes["email"].lower() == current["email"].lower():  # the marker's key is the same
        return user_of(USERS.update(practice_id, user_id, dict(changes), expected_version=expected_version))
    merged = USERS.item(practice_id, user_id, {**items.public(current), **changes, "version": expected_version + 1,
                                               "updated_at": items.now()})
    _transact([items.put_action(merged, expected_version=expected_version),
               items.put_action(_marker(practice_id, changes["email"], user_id)),
               _drop_marker(practice_id, current["email"])],
              marker_index=1, user_id=user_id, expected_version=expected_version)
    return user_of(merged)


def delete(practice_id: str, user_id: str, *, expected_version: int) -> None:
    """Delete a user at the version read and free its email, in one transaction (NotFound if
    there is no such user)."""
    email = USERS.get(practice_id, user_id)["email"]
    _transact([items.delete_action(*USERS.key(practice_id, user_id), expected_version=expected_version),
               _drop_marker(practice_id, email)],
              marker_index=-1, user_id=user_id, expected_version=expected_version)

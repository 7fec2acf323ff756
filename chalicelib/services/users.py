"""Use cases for staff users. An email belongs to one user per practice: a marker item keyed
by the email is written in the same transaction as the user, so two concurrent creates with
one email cannot both succeed. Deployed, each user is also a sign-in account in the Cognito
pool (chalicelib/accounts.py): created first (its sub is the user's id), then the record; a
record that cannot be written takes its new account with it. Changes of role, email or
active flag reach the account after the record is written (a failure there is a 503 and the
same change can be sent again)."""
from __future__ import annotations

from typing import Any

from chalicelib import accounts
from chalicelib.auth import Principal, forget_standing
from chalicelib.domain.ids import new_id
from chalicelib.errors import AlreadyExists, Conflict
from chalicelib.models.users import MyProfileUpdate, User, UserCreate, UserUpdate
from chalicelib.services.common import changes_of
from chalicelib.store import users as store

_REQUIRED = ("email", "first_name", "last_name", "role", "active", "notification_preferences")


def _email_taken(email: str) -> AlreadyExists:
    return AlreadyExists(f"A user with email {email} already exists in this practice", field="body.email")


def create_user(*, principal: Principal, data: UserCreate, user_id: str | None = None) -> User:
    """A new staff user with a unique email (`user_id` is for provisioning, which has made the
    account already; else a new account's sub deployed, a new id locally)."""
    account = user_id is None and accounts.enabled()
    if user_id is None:
        user_id = (accounts.create_account(email=data.email, practice_id=principal.practice_id, role=data.role.value)
                   if account else new_id("usr"))
    try:
        try:
            user = store.create(principal.practice_id, user_id, data)
        except store.EmailTaken as err:
            raise _email_taken(data.email) from err
    except Exception:
        if account:
            accounts.delete_account(user_id)
        raise
    forget_standing(principal.practice_id, user_id)  # a token that came before the record
    return user


def get_user(*, principal: Principal, user_id: str) -> User:
    return store.get_user(principal.practice_id, user_id)


def list_users(*, principal: Principal, limit: int, start_key: dict | None) -> tuple[list[User], dict | None]:
    return store.list_users(principal.practice_id, limit=limit, start_key=start_key)


def update_user(*, principal: Principal, user_id: str, changes: UserUpdate | MyProfileUpdate,
                expected_version: int) -> User:
    """Change a user; an email change moves the uniqueness marker in the same transaction."""
    values = changes_of(changes, required=_REQUIRED)
    if user_id == principal.user_id and (values.get("role", principal.role.value) != principal.role.value
                                         or values.get("active") is False):
        raise Conflict("You cannot change your own role or deactivate yourself; ask another admin")
    try:
        user = store.update(principal.practice_id, user_id, values, expected_version=expected_version)
    except store.EmailTaken as err:
        raise _email_taken(values["email"]) from err
    return _synced(principal.practice_id, user, values)


def _synced(practice_id: str, user: User, values: dict[str, Any]) -> User:
    """The written user, after its sign-in account has taken the same change (deployed)."""
    if "role" in values or "active" in values:  # this container admits them as they are now
        forget_standing(practice_id, user.id)
    if accounts.enabled():
        if "role" in values:
            accounts.set_role(user.id, user.role.value)
        if "active" in values:
            accounts.set_active(user.id, user.active)
        if "email" in values:
            accounts.set_email(user.id, user.email)
    return user


def reset_mfa(*, principal: Principal, user_id: str) -> None:
    """Remove a staff member's authenticator app, so that their next sign-in enrols a new one,
    and sign them out everywhere (deployed; local sign-in has no second factor)."""
    store.get_user(principal.practice_id, user_id)  # a user of another practice is not found
    if user_id == principal.user_id:
        raise Conflict("You cannot reset your own authenticator; ask another admin")
    if not accounts.enabled():
        raise Conflict("Sign-in here is local and has no second factor: there is no authenticator to reset")
    accounts.reset_authenticator(user_id)


def delete_user(*, principal: Principal, user_id: str, expected_version: int) -> None:
    """Delete a user (and free their email). Admins cannot delete themselves."""
    if user_id == principal.user_id:
        raise Conflict("You cannot delete your own user; ask another admin")
    store.delete(principal.practice_id, user_id, expected_version=expected_version)
    forget_standing(principal.practice_id, user_id)  # their next request here is refused
    if accounts.enabled():
        accounts.delete_account(user_id)

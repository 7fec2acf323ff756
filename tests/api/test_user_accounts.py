"""Deployed, staff users are also Cognito sign-in accounts, kept in step (moto's Cognito)."""
from __future__ import annotations

import pytest

from chalicelib.auth import Principal, Role
from chalicelib.errors import AlreadyExists, ServiceUnavailable
from chalicelib.models.users import UserCreate, UserUpdate
from tests.conftest import PRACTICE_A, USERS

ADMIN = Principal(user_id=USERS[PRACTICE_A]["admin"], practice_id=PRACTICE_A, role=Role.ADMIN)


@pytest.fixture
def pool(moto_backend, monkeypatch):
    """A user pool shaped like the deployed one, with the app in its cognito stage."""
    import boto3

    from chalicelib import accounts
    from chalicelib.config import reset_settings

    cognito = boto3.client("cognito-idp", region_name="us-east-1")
    pool_id = cognito.create_user_pool(
        PoolName="staff", UsernameAttributes=["email"],
        Schema=[{"Name": "practice_id", "AttributeDataType": "String", "Mutable": False}])["UserPool"]["Id"]
    for group in accounts.ROLE_GROUPS:
        cognito.create_group(UserPoolId=pool_id, GroupName=group)
    monkeypatch.setenv("CASELOAD_AUTH_MODE", "cognito")
    monkeypatch.setenv("CASELOAD_COGNITO_USER_POOL_ID", pool_id)
    reset_settings()
    accounts._client_cache.clear()
    yield cognito, pool_id
    accounts._client_cache.clear()


def _account(pool, user_id):
    cognito, pool_id = pool
    user = cognito.admin_get_user(UserPoolId=pool_id, Username=user_id)
    listed = cognito.admin_list_groups_for_user(UserPoolId=pool_id, Username=user_id)["Groups"]
    groups = [g["GroupName"] for g in listed]
    return {a["Name"]: a["Value"] for a in user["UserAttributes"]}, groups, user["Enabled"]


def _create(email="pat@harbour.example", role=Role.PRACTITIONER):
    from chalicelib.services import users

    return users.create_user(principal=ADMIN, data=UserCreate(email=email, first_name="Pat", last_name="Smith",
                                                              role=role))


def test_creating_a_user_creates_their_account_with_practice_and_role(pool):
    user = _create()
    attributes, groups, enabled = _account(pool, user.id)
    assert attributes["sub"] == user.id  # the id every token will carry
    assert attributes["custom:practice_id"] == PRACTICE_A and attributes["email"] == "pat@harbour.example"
    assert groups == ["practitioner"] and enabled


def test_a_record_that_cannot_be_written_leaves_no_account(pool):
    cognito, pool_id = pool
    _create(email="taken@harbour.example")
    # The same email again: Cognito (or the practice's email marker) refuses it.
    with pytest.raises(AlreadyExists):
        _create(email="taken@harbour.example")
    emails = [next(a["Value"] for a in u["Attributes"] if a["Name"] == "email")
              for u in cognito.list_users(UserPoolId=pool_id)["Users"]]
    assert emails == ["taken@harbour.example"]


def test_role_active_and_email_changes_reach_the_account_and_delete_removes_it(pool):
    from chalicelib.services import users

    user = _create()
    changed = users.update_user(principal=ADMIN, user_id=user.id, expected_version=1,
                                changes=UserUpdate(role=Role.BILLING, email="pat.smith@harbour.example"))
    attributes, groups, enabled = _account(pool, user.id)
    assert groups == ["billing"] and attributes["email"] == "pat.smith@harbour.example" and enabled
    users.update_user(principal=ADMIN, user_id=user.id, expected_version=changed.version,
                      changes=UserUpdate(active=False))
    assert _account(pool, user.id)[2] is False
    users.update_user(principal=ADMIN, user_id=user.id, expected_version=changed.version + 1,
                      changes=UserUpdate(active=True))
    assert _account(pool, user.id)[2] is True
    users.delete_user(principal=ADMIN, user_id=user.id, expected_version=changed.version + 2)
    cognito, pool_id = pool
    assert cognito.list_users(UserPoolId=pool_id)["Users"] == []


def test_a_refused_account_change_is_a_503_that_can_be_retried(pool, monkeypatch):
    from botocore.exceptions import ClientError

    from chalicelib import accounts
    from chalicelib.services import users

    user = _create()
    real = accounts._cognito()

    class Throttled:
        """The directory refusing group changes, as under throttling."""

        def __getattr__(self, name):
            if name == "admin_add_user_to_group":
                def refuse(**_):
                    raise ClientError({"Error": {"Code": "TooManyRequestsException"}}, name)
                return refuse
            return getattr(real, name)

    monkeypatch.setattr(accounts, "_cognito", Throttled)
    with pytest.raises(ServiceUnavailable):
        users.update_user(principal=ADMIN, user_id=user.id, expected_version=1, changes=UserUpdate(role=Role.ADMIN))
    assert _account(pool, user.id)[1] == ["practitioner"]
    monkeypatch.setattr(accounts, "_cognito", lambda: real)
    # The record took the change; sending it again (with the new ETag) brings the account along.
    again = users.update_user(principal=ADMIN, user_id=user.id, expected_version=2, changes=UserUpdate(role=Role.ADMIN))
    assert _account(pool, user.id)[1] == ["admin"] and again.role == Role.ADMIN

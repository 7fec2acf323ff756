"""A token is only as good as its user: a deleted or deactivated user is refused (401) and a
changed role takes effect, at once in the container that made the change and within 60 seconds
in any other (each container keeps a user's standing for at most a minute)."""
from __future__ import annotations

import time

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from chalicelib.observability import current_meter
from tests.conftest import PRACTICE_A, USERS

EXPORT = "/v1/practice/export"  # admins only: what a demoted admin must lose
NEW_ADMIN = {"email": "second.admin@a.example", "first_name": "Second", "last_name": "Admin", "role": "admin"}


def _as(user_id: str, role: str) -> dict[str, str]:
    from chalicelib.auth import issue_local_token

    return {"Authorization": f"Bearer {issue_local_token(practice_id=PRACTICE_A, user_id=user_id, role=role)}"}


def _elsewhere(user_id: str, **values) -> None:
    """Change a user record as another container would: straight in the table, so this
    container's cache is not told."""
    from chalicelib.store import items
    from chalicelib.store.repository import USERS as USER_RECORDS

    current = USER_RECORDS.get(PRACTICE_A, user_id)
    items.update(*USER_RECORDS.key(PRACTICE_A, user_id), values, expected_version=current["version"],
                 resource="User", resource_id=user_id)


@pytest.fixture
def second_admin(api):
    created = api.post("/v1/users", NEW_ADMIN)
    assert created.status == 201
    token = _as(created.body["id"], "admin")
    assert api.get(EXPORT, role=None, headers=token).status == 200
    return created, token


@pytest.fixture
def clock(monkeypatch):
    """The standing cache's clock, moved by hand."""
    from chalicelib import auth

    now = [time.monotonic()]
    monkeypatch.setattr(auth, "_clock", lambda: now[0])
    return now


def test_demoted_admin_loses_admin_routes_at_once_with_the_old_token(api, second_admin):
    created, token = second_admin
    assert api.patch(created.headers["location"], {"role": "practitioner"}, if_match=created.etag).status == 200
    refused = api.get(EXPORT, role=None, headers=token)
    assert refused.status == 403
    assert api.get("/v1/users/me", role=None, headers=token).body["role"] == "practitioner"


def test_deactivated_user_is_refused_at_once_with_the_old_token(api, second_admin):
    created, token = second_admin
    assert api.patch(created.headers["location"], {"active": False}, if_match=created.etag).status == 200
    reply = api.get("/v1/locations", role=None, headers=token)
    assert reply.status == 401 and reply.headers["content-type"] == "application/problem+json"


def test_deleted_user_is_refused_at_once_with_the_old_token(api, second_admin):
    created, token = second_admin
    assert api.delete(created.headers["location"], if_match=created.etag).status == 204
    assert api.get("/v1/locations", role=None, headers=token).status == 401


def test_token_of_a_user_who_never_existed_is_refused(api):
    assert api.get("/v1/locations", role=None, headers=_as("usr_nobody", "admin")).status == 401


def test_promoted_user_gets_the_new_role_with_the_old_token(api):
    practitioner = USERS[PRACTICE_A]["practitioner"]
    token = _as(practitioner, "practitioner")
    assert api.get(EXPORT, role=None, headers=token).status == 403
    me = api.get(f"/v1/users/{practitioner}")
    assert api.patch(f"/v1/users/{practitioner}", {"role": "admin"}, if_match=me.etag).status == 200
    assert api.get(EXPORT, role=None, headers=token).status == 200


def test_change_made_in_another_container_takes_effect_within_a_minute(api, second_admin, clock):
    created, token = second_admin
    _elsewhere(created.body["id"], role="billing")
    clock[0] += 59
    assert api.get(EXPORT, role=None, headers=token).status == 200  # still the standing read a moment ago
    clock[0] += 2
    assert api.get(EXPORT, role=None, headers=token).status == 403
    _elsewhere(created.body["id"], active=False)
    clock[0] += 61
    assert api.get("/v1/locations", role=None, headers=token).status == 401


def test_standing_costs_one_get_item_per_user_per_minute(api, clock):
    assert api.get("/v1/locations", role="billing").status == 200
    assert current_meter().calls == ["GetItem", "Query"]  # the user's standing, then the list
    assert api.get("/v1/locations", role="billing").status == 200
    assert current_meter().calls == ["Query"]
    clock[0] += 61
    assert api.get("/v1/locations", role="billing").status == 200
    assert current_meter().calls == ["GetItem", "Query"]


def test_refused_user_costs_no_more_reads_within_the_minute(api, clock):
    headers = _as("usr_nobody", "admin")
    assert api.get("/v1/locations", role=None, headers=headers).status == 401
    assert current_meter().calls == ["GetItem"]
    assert api.get("/v1/locations", role=None, headers=headers).status == 401
    assert current_meter().calls == []


def test_stored_role_wins_over_the_cognito_group_in_the_token(api, monkeypatch):
    from chalicelib import auth
    from chalicelib.config import reset_settings

    monkeypatch.setenv("CASELOAD_AUTH_MODE", "cognito")
    monkeypatch.setenv("CASELOAD_COGNITO_USER_POOL_ID", "us-east-1_TEST")
    monkeypatch.setenv("CASELOAD_COGNITO_CLIENT_ID", "client-123")
    monkeypatch.delenv("CASELOAD_DYNAMODB_ENDPOINT", raising=False)
    reset_settings()
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    key = type("Key", (), {"key": private.public_key()})()
    jwks = type("Jwks", (), {"get_signing_key_from_jwt": lambda s, t: key})
    monkeypatch.setattr(auth, "_jwks_client", lambda: jwks())

    def token(sub: str, group: str) -> dict[str, str]:
        claims = {"sub": sub, "aud": "client-123", "token_use": "id", "custom:practice_id": PRACTICE_A,
                  "iss": "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_TEST",
                  "cognito:groups": [group], "exp": int(time.time()) + 300}
        return {"Authorization": f"Bearer {jwt.encode(claims, private, algorithm='RS256')}"}

    # The token still says admin (the group changes only at the next sign-in); the record says practitioner.
    assert api.get(EXPORT, role=None, headers=token(USERS[PRACTICE_A]["practitioner"], "admin")).status == 403
    assert api.get(EXPORT, role=None, headers=token(USERS[PRACTICE_A]["admin"], "admin")).status == 200
    assert api.get(EXPORT, role=None, headers=token("sub-deleted-from-caseload", "admin")).status == 401
    reset_settings()

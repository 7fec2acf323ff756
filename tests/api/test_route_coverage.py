"""Auth, role and tenancy tests generated from the route table: every route added later is
covered without anyone remembering to write these."""
from __future__ import annotations

import time

import jwt
import pytest

from app import app  # noqa: F401 - registers every route
from chalicelib.http import OPERATIONS, Operation
from tests.conftest import PRACTICE_A, PRACTICE_B, ROLES, USERS

# A resource that exists in practice A only, per path parameter (and path prefix where one
# parameter name serves two collections).
A_ONLY = {
    "location_id": f"loc_{PRACTICE_A}_main",
    "room_id": f"room_{PRACTICE_A}_1",
    "user_id": USERS[PRACTICE_A]["practitioner"],
    ("/v1/billing-codes", "code"): "AONLY1",
    ("/v1/diagnosis-codes", "code"): "F41.1",
}


def _path_for(op: Operation) -> str:
    path = op.path
    for name in op.path_params:
        prefix = "/" + "/".join(op.path.split("/")[1:3])
        value = A_ONLY.get(name) or A_ONLY[(prefix, name)]
        path = path.replace("{" + name + "}", value)
    return path


def _id(op: Operation) -> str:
    return f"{op.method} {op.path}"


@pytest.fixture
def a_only(api):
    """Resources that exist in practice A and not in B."""
    assert api.post("/v1/billing-codes", {"code": "AONLY1", "description": "A only", "default_minutes": 50,
                                          "default_charge": "10.00"}).status == 201
    assert api.post("/v1/diagnosis-codes", {"code": "F41.1"}).status == 201
    return api


def test_route_table_is_not_empty():
    assert len(OPERATIONS) >= 25


@pytest.mark.parametrize("op", OPERATIONS, ids=_id)
def test_request_without_token_is_401(api, op):
    reply = api.call(op.method, _path_for(op), {}, role=None)
    assert reply.status == 401
    assert reply.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize("op", OPERATIONS, ids=_id)
def test_request_with_bad_tokens_is_401(api, op):
    from chalicelib.config import get_settings

    settings = get_settings()
    now = int(time.time())
    claims = {"sub": "usr_x", "practice_id": PRACTICE_A, "role": "admin", "iss": settings.local_jwt_issuer}
    expired = jwt.encode({**claims, "iat": now - 7200, "exp": now - 3600},
                         settings.local_jwt_secret.get_secret_value(), algorithm="HS256")
    forged = jwt.encode({**claims, "exp": now + 3600}, "a-different-secret-of-at-least-32-bytes", algorithm="HS256")
    unsigned = jwt.encode({**claims, "exp": now + 3600}, None, algorithm="none")
    for header in (f"Bearer {expired}", f"Bearer {forged}", f"Bearer {unsigned}", "Bearer garbage",
                   "Basic dXNlcjpwYXNz", "Bearer"):
        reply = api.call(op.method, _path_for(op), {}, headers={"Authorization": header})
        assert reply.status == 401, header


@pytest.mark.parametrize("op", [op for op in OPERATIONS if len(op.roles) < len(ROLES)], ids=_id)
def test_request_with_a_role_not_allowed_is_403(a_only, op):
    for role in sorted(set(ROLES) - {r.value for r in op.roles}):
        reply = a_only.call(op.method, _path_for(op), {}, role=role, headers={"If-Match": '"1"'})
        assert reply.status == 403, role
        assert reply.body["title"] == "Forbidden"


@pytest.mark.parametrize("op", [op for op in OPERATIONS if op.path_params], ids=_id)
def test_request_for_another_practices_resource_is_404(a_only, op):
    role = "admin" if any(r.value == "admin" for r in op.roles) else sorted(r.value for r in op.roles)[0]
    path = _path_for(op)
    before = a_only.get(path, role="admin")
    assert before.status == 200
    reply = a_only.call(op.method, path, {}, role=role, practice=PRACTICE_B, headers={"If-Match": before.etag})
    assert reply.status == 404
    after = a_only.get(path, role="admin")
    assert after.body == before.body  # nothing of A's was changed by B

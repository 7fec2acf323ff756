"""Deployed, API Gateway's Cognito authorizer verifies the ID token and hands its claims on
(`requestContext.authorizer.claims`, every value a string); the Lambda takes them only when the
deployment says a gateway stands in front (`trust_gateway_claims`), and then checks what the
authorizer does not: our app client, an ID token, exactly one Caseload role group."""
from __future__ import annotations

import pytest

from chalicelib import auth
from chalicelib.auth import Role, authenticate
from chalicelib.config import reset_settings
from chalicelib.errors import Unauthorized

ISSUER = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_TEST"
# An ID token's claims as API Gateway passes them on (a REST API's Cognito authorizer).
CLAIMS = {"sub": "cognito-sub-1", "aud": "client-123", "token_use": "id", "iss": ISSUER,
          "custom:practice_id": "prc_9", "cognito:groups": "billing", "email": "x@example.com",
          "exp": "Sat Nov 28 03:00:00 UTC 2026", "auth_time": "1795830000"}
# Whatever the header holds: the gateway checked it; the Lambda does not read it again.
HEADER = "Bearer opaque.to.the.lambda"


@pytest.fixture
def deployed(monkeypatch):
    for name, value in {"CASELOAD_AUTH_MODE": "cognito", "CASELOAD_COGNITO_USER_POOL_ID": "us-east-1_TEST",
                        "CASELOAD_COGNITO_CLIENT_ID": "client-123", "CASELOAD_TRUST_GATEWAY_CLAIMS": "true"}.items():
        monkeypatch.setenv(name, value)
    reset_settings()
    yield
    reset_settings()


@pytest.mark.parametrize("groups", ["billing", "[billing]", "[billing, reports-viewer]", "reports-viewer,billing",
                                    ["billing"]])
def test_gateway_claims_when_trusted_give_the_practice_and_role(deployed, groups):
    principal = authenticate(HEADER, {**CLAIMS, "cognito:groups": groups})
    assert (principal.user_id, principal.practice_id, principal.role) == ("cognito-sub-1", "prc_9", Role.BILLING)


def test_gateway_claims_when_trusted_never_load_pyjwt(deployed, monkeypatch):
    def refuse() -> None:
        raise AssertionError("the gateway verified the token; the Lambda must not verify it again")

    monkeypatch.setattr(auth, "_verify_cognito", lambda token: refuse())
    monkeypatch.setattr(auth, "_jwks_client", refuse)
    assert authenticate(HEADER, CLAIMS).role is Role.BILLING


@pytest.mark.parametrize("claims", [
    None, {}, "sub=cognito-sub-1",
    {**CLAIMS, "aud": "another-app-client-of-the-pool"},
    {**CLAIMS, "iss": "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_OTHER"},
    {**CLAIMS, "token_use": "access"},
    {**CLAIMS, "cognito:groups": ""},
    {**CLAIMS, "cognito:groups": "[admin, billing]"},
    {**CLAIMS, "cognito:groups": "owners"},
    {k: v for k, v in CLAIMS.items() if k != "custom:practice_id"},
    {k: v for k, v in CLAIMS.items() if k != "sub"},
])
def test_gateway_claims_when_missing_or_not_ours_are_unauthorized(deployed, claims):
    with pytest.raises(Unauthorized):
        authenticate(HEADER, claims)


def test_gateway_claims_when_no_header_is_sent_are_unauthorized(deployed):
    with pytest.raises(Unauthorized):
        authenticate(None, CLAIMS)


@pytest.mark.parametrize("mode", ["local", "cognito"])
def test_gateway_claims_when_not_trusted_are_ignored(monkeypatch, mode):
    # `chalice local` (and anything without a gateway) can hand on claims nobody verified.
    monkeypatch.setenv("CASELOAD_AUTH_MODE", mode)
    monkeypatch.setenv("CASELOAD_COGNITO_USER_POOL_ID", "us-east-1_TEST")
    monkeypatch.setenv("CASELOAD_COGNITO_CLIENT_ID", "client-123")
    monkeypatch.delenv("CASELOAD_TRUST_GATEWAY_CLAIMS", raising=False)
    reset_settings()
    auth._jwks_client.cache_clear()
    monkeypatch.setattr(auth, "_jwks_client", lambda: (_ for _ in ()).throw(ValueError("no keys here")))
    try:
        with pytest.raises((Unauthorized, ValueError)):
            authenticate(HEADER, CLAIMS)
    finally:
        reset_settings()


def test_gateway_claims_when_trusted_reach_a_route_with_the_stored_role(moto_backend, monkeypatch):
    from app import app
    from bench.lambda_event import api_event
    from tests.conftest import PRACTICE_A, USERS

    for name, value in {"CASELOAD_AUTH_MODE": "cognito", "CASELOAD_COGNITO_USER_POOL_ID": "us-east-1_TEST",
                        "CASELOAD_COGNITO_CLIENT_ID": "client-123", "CASELOAD_TRUST_GATEWAY_CLAIMS": "true"}.items():
        monkeypatch.setenv(name, value)
    reset_settings()

    def as_user(role: str, group: str, method: str = "GET", path: str = "/v1/practice/export") -> int:
        claims = {**CLAIMS, "sub": USERS[PRACTICE_A][role], "custom:practice_id": PRACTICE_A, "cognito:groups": group}
        return app(api_event(method, path, path, token="from-the-gateway", claims=claims), None)["statusCode"]

    try:
        assert as_user("admin", "admin") == 200
        # The token's group says admin; the user record says practitioner, and wins.
        assert as_user("practitioner", "admin") == 403
        assert app(api_event("GET", "/v1/practice", "/v1/practice", token="from-the-gateway"), None)[
            "statusCode"] == 401
    finally:
        reset_settings()

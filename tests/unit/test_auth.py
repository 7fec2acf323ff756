"""Token verification and roles, without AWS."""
from __future__ import annotations

import time

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from chalicelib import auth
from chalicelib.auth import Role, authenticate, issue_local_token
from chalicelib.config import reset_settings
from chalicelib.errors import Unauthorized


@pytest.fixture(autouse=True)
def _fresh_settings():
    reset_settings()
    auth._jwks_client.cache_clear()
    yield
    reset_settings()
    auth._jwks_client.cache_clear()


def test_local_token_round_trips_to_principal():
    token = issue_local_token(practice_id="prc_1", user_id="usr_1", role="billing")
    principal = authenticate(f"Bearer {token}")
    assert (principal.practice_id, principal.user_id, principal.role) == ("prc_1", "usr_1", Role.BILLING)


@pytest.mark.parametrize("header", [None, "", "Bearer", "Bearer    ", "Token abc", "Bearer a.b.c"])
def test_missing_or_malformed_header_is_unauthorized(header):
    with pytest.raises(Unauthorized):
        authenticate(header)


def test_unknown_role_is_unauthorized():
    from chalicelib.config import get_settings

    s = get_settings()
    token = jwt.encode({"sub": "u", "practice_id": "p", "role": "owner", "iss": s.local_jwt_issuer,
                        "exp": int(time.time()) + 60}, s.local_jwt_secret.get_secret_value(), algorithm="HS256")
    with pytest.raises(Unauthorized, match="role"):
        authenticate(f"Bearer {token}")


def test_expired_local_token_says_expired():
    token = issue_local_token(practice_id="p", user_id="u", role="admin", ttl_seconds=-10)
    with pytest.raises(Unauthorized, match="expired"):
        authenticate(f"Bearer {token}")


def test_roles_are_the_four_staff_roles():
    assert {r.value for r in Role} == {"admin", "practitioner", "front_desk", "billing"}


class _FakeJwks:
    """Stands in for PyJWKClient: hands out the test key pair's public key."""

    def __init__(self, public_key):
        self.public_key = public_key

    def get_signing_key_from_jwt(self, token):
        return type("Key", (), {"key": self.public_key})()


@pytest.fixture
def cognito(monkeypatch):
    monkeypatch.setenv("CASELOAD_AUTH_MODE", "cognito")
    monkeypatch.setenv("CASELOAD_COGNITO_USER_POOL_ID", "us-east-1_TEST")
    monkeypatch.setenv("CASELOAD_COGNITO_CLIENT_ID", "client-123")
    reset_settings()
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    monkeypatch.setattr(auth, "_jwks_client", lambda: _FakeJwks(private.public_key()))

    def sign(**overrides):
        claims = {"sub": "cognito-sub-1", "aud": "client-123", "token_use": "id",
                  "iss": "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_TEST",
                  "custom:practice_id": "prc_9", "cognito:groups": ["practitioner"],
                  "exp": int(time.time()) + 300, **overrides}
        return jwt.encode({k: v for k, v in claims.items() if v is not None}, private, algorithm="RS256")

    return sign


def test_cognito_id_token_maps_practice_attribute_and_group(cognito):
    principal = authenticate(f"Bearer {cognito()}")
    assert (principal.practice_id, principal.role, principal.user_id) == ("prc_9", Role.PRACTITIONER,
                                                                          "cognito-sub-1")


@pytest.mark.parametrize("overrides", [
    {"aud": "another-client"},
    {"iss": "https://cognito-idp.us-east-1.amazonaws.com/other"},
    {"token_use": "access"},
    {"cognito:groups": ["admin", "billing"]},
    {"cognito:groups": []},
    {"custom:practice_id": None},
    {"exp": int(time.time()) - 10},
])
def test_cognito_token_with_wrong_claims_is_unauthorized(cognito, overrides):
    with pytest.raises(Unauthorized):
        authenticate(f"Bearer {cognito(**overrides)}")


def test_local_token_is_refused_in_cognito_mode(cognito):
    reset_settings()
    token = issue_local_token(practice_id="prc_9", user_id="u", role="admin")
    with pytest.raises(Unauthorized):
        authenticate(f"Bearer {token}")


def _resign(token_parts, secret):
    import base64
    import hashlib
    import hmac

    signing_input = ".".join(token_parts[:2])
    sig = hmac.new(secret.encode(), signing_input.encode(), hashlib.sha256).digest()
    return signing_input + "." + base64.urlsafe_b64encode(sig).rstrip(b"=").decode()


def _b64json(value):
    import base64
    import json

    return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()


def test_local_token_with_edited_claims_is_refused():
    token = issue_local_token(practice_id="prc_1", user_id="usr_1", role="billing")
    header, _, signature = token.split(".")
    forged = ".".join([header, _b64json({"sub": "usr_1", "practice_id": "prc_2", "role": "admin",
                                         "iss": "caseload-local", "exp": int(time.time()) + 60}), signature])
    with pytest.raises(Unauthorized):
        authenticate(f"Bearer {forged}")


@pytest.mark.parametrize("header, claims_patch", [
    ({"alg": "none", "typ": "JWT"}, {}),
    ({"alg": "HS512", "typ": "JWT"}, {}),
    ({"alg": "HS256", "typ": "JWT"}, {"iss": "someone-else"}),
    ({"alg": "HS256", "typ": "JWT"}, {"exp": "tomorrow"}),
])
def test_local_token_must_be_hs256_from_our_issuer_with_numeric_expiry(header, claims_patch):
    from chalicelib.config import get_settings

    claims = {"sub": "u", "practice_id": "p", "role": "admin", "iss": "caseload-local",
              "exp": int(time.time()) + 60, **claims_patch}
    token = _resign([_b64json(header), _b64json(claims)], get_settings().local_jwt_secret.get_secret_value())
    with pytest.raises(Unauthorized):
        authenticate(f"Bearer {token}")


def test_local_tokens_are_standard_jwts():
    from chalicelib.config import get_settings

    s = get_settings()
    token = issue_local_token(practice_id="prc_1", user_id="usr_1", role="admin")
    claims = jwt.decode(token, s.local_jwt_secret.get_secret_value(), algorithms=["HS256"], issuer=s.local_jwt_issuer)
    assert claims["practice_id"] == "prc_1" and claims["role"] == "admin"


# ---- algorithm confusion: locally only HS256 with the local secret is ever accepted ----------

def _local_claims(**overrides):
    from chalicelib.config import get_settings

    return {"sub": "u", "practice_id": "p", "role": "admin", "iss": get_settings().local_jwt_issuer,
            "exp": int(time.time()) + 60, **overrides}


def _local_secret():
    from chalicelib.config import get_settings

    return get_settings().local_jwt_secret.get_secret_value()


@pytest.mark.parametrize("alg", ["HS384", "HS512"])
def test_local_token_signed_with_the_secret_under_another_hmac_is_refused(alg):
    import warnings

    with warnings.catch_warnings():  # the local secret is shorter than HS384/HS512 want
        warnings.simplefilter("ignore")
        token = jwt.encode(_local_claims(), _local_secret(), algorithm=alg)
    with pytest.raises(Unauthorized, match="not valid"):
        authenticate(f"Bearer {token}")


@pytest.mark.parametrize("alg", ["none", "None", "NONE", "hs256"])
def test_local_token_unsigned_or_with_a_misspelt_alg_is_refused(alg):
    header = _b64json({"alg": alg, "typ": "JWT"})
    body = _b64json(_local_claims())
    for token in (f"{header}.{body}.", _resign([header, body], _local_secret())):
        with pytest.raises(Unauthorized, match="not valid"):
            authenticate(f"Bearer {token}")


@pytest.mark.parametrize("alg", ["RS256", "PS256"])
def test_local_token_signed_with_a_callers_own_key_is_refused(alg):
    import json

    from cryptography.hazmat.primitives import serialization

    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    public_pem = private.public_key().public_bytes(serialization.Encoding.PEM,
                                                   serialization.PublicFormat.SubjectPublicKeyInfo)
    # The key travels in the header, as an attacker would offer it.
    token = jwt.encode(_local_claims(), private, algorithm=alg,
                       headers={"jwk": json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(private.public_key()))})
    with pytest.raises(Unauthorized, match="not valid"):
        authenticate(f"Bearer {token}")
    # Nor HS256 keyed with that public key (the classic RS256/HS256 confusion).
    forged = _resign([_b64json({"alg": "HS256", "typ": "JWT"}), _b64json(_local_claims())], public_pem.decode())
    with pytest.raises(Unauthorized, match="not valid"):
        authenticate(f"Bearer {forged}")


def test_local_token_signed_with_another_secret_is_refused():
    token = jwt.encode(_local_claims(), "not-the-local-secret-but-long-enough-for-hs256", algorithm="HS256")
    with pytest.raises(Unauthorized, match="not valid"):
        authenticate(f"Bearer {token}")


@pytest.mark.parametrize("claims", [
    {"exp": None}, {"exp": 4102444800.5}, {"exp": True}, {"iss": None}, {"iss": "caseload-prod"},
])
def test_local_token_without_an_integer_expiry_or_our_issuer_is_refused(claims):
    values = {k: v for k, v in _local_claims(**claims).items() if v is not None}
    token = jwt.encode(values, _local_secret(), algorithm="HS256")
    with pytest.raises(Unauthorized):
        authenticate(f"Bearer {token}")


def test_local_token_with_a_broken_segment_is_refused():
    token = issue_local_token(practice_id="p", user_id="u", role="admin")
    header, body, signature = token.split(".")
    for broken in (f"{header}.{body}", f"{header}.{body}.{signature}.x", f"{header}.!!.{signature}",
                   f"{_b64json([1])}.{body}.{signature}", f"{header}.{_b64json([1])}.{signature}"):
        with pytest.raises(Unauthorized):
            authenticate(f"Bearer {broken}")

"""Bearer-token verification: the practice and the role come from the token, nowhere else.

One verification point for every stage: chalicelib.http calls `authenticate` before any
route runs. Locally tokens are HS256 signed with a local secret; deployed they are Cognito
ID tokens (RS256, keys from the pool's JWKS), with the practice in `custom:practice_id` and
the role from `cognito:groups`. Running the same code in tests, `chalice local` and Lambda
means the code path that guards production is the one the suite exercises.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from dataclasses import dataclass
from enum import Enum
from functools import lru_cache
from typing import Any

from chalicelib.config import get_settings
from chalicelib.errors import Unauthorized


class Role(str, Enum):
    ADMIN = "admin"
    PRACTITIONER = "practitioner"
    FRONT_DESK = "front_desk"
    BILLING = "billing"


ALL_ROLES: frozenset[Role] = frozenset(Role)


@dataclass(frozen=True)
class Principal:
    """Who is calling: user, practice and role, all taken from a verified token."""

    user_id: str
    practice_id: str
    role: Role


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _hs256(signing_input: str) -> bytes:
    return hmac.new(get_settings().local_jwt_secret.get_secret_value().encode(), signing_input.encode(),
                    hashlib.sha256).digest()


def issue_local_token(*, practice_id: str, user_id: str, role: str, ttl_seconds: int = 8 * 3600) -> str:
    """An HS256 JWT for local use (make run, make token, tests)."""
    now = int(time.time())
    claims = {"sub": user_id, "practice_id": practice_id, "role": Role(role).value,
              "iss": get_settings().local_jwt_issuer, "iat": now, "exp": now + ttl_seconds}
    signing_input = ".".join(_b64(json.dumps(part, separators=(",", ":")).encode())
                             for part in ({"alg": "HS256", "typ": "JWT"}, claims))
    return f"{signing_input}.{_b64(_hs256(signing_input))}"


def authenticate(authorization: str | None) -> Principal:
    """Verify an `Authorization: Bearer` header and return the caller, or raise Unauthorized."""
    if not authorization:
        raise Unauthorized("Missing bearer token")
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("Authorization header must be 'Bearer <token>'")
    if get_settings().auth_mode == "cognito":
        return _principal_from_cognito(_verify_cognito(token.strip()))
    return _principal_from_local(_verify_local(token.strip()))


def _verify_local(token: str) -> dict[str, Any]:
    """HS256 with the local secret, by the standard library: the local stage never loads a
    JWT library or cryptography, which keeps them off its cold start. Only HS256 is accepted,
    whatever the header claims, so no algorithm can be substituted."""
    try:
        header_b64, payload_b64, signature_b64 = token.split(".")
        header = json.loads(_unb64(header_b64))
        valid = header.get("alg") == "HS256" and hmac.compare_digest(
            _unb64(signature_b64), _hs256(f"{header_b64}.{payload_b64}"))
        claims = json.loads(_unb64(payload_b64)) if valid else None
    except (ValueError, AttributeError, UnicodeDecodeError) as err:
        raise Unauthorized("Token is not valid") from err
    if not isinstance(claims, dict) or claims.get("iss") != get_settings().local_jwt_issuer:
        raise Unauthorized("Token is not valid")
    if not isinstance(claims.get("exp"), int) or claims["exp"] <= time.time():
        raise Unauthorized("Token has expired")
    return claims


def _principal_from_local(claims: dict[str, Any]) -> Principal:
    return _principal(claims.get("sub"), claims.get("practice_id"), claims.get("role"))


def _cognito_issuer() -> str:
    settings = get_settings()
    return f"https://cognito-idp.{settings.region}.amazonaws.com/{settings.cognito_user_pool_id}"


@lru_cache(maxsize=1)
def _jwks_client() -> Any:
    # Built on first use and kept for the container's life: the JWKS is fetched once and
    # cached, so a warm request verifies without a network call.
    import jwt

    return jwt.PyJWKClient(f"{_cognito_issuer()}/.well-known/jwks.json", cache_keys=True)


def _verify_cognito(token: str) -> dict[str, Any]:
    """RS256 Cognito ID token, checked with PyJWT against the pool's published keys."""
    import jwt  # the Cognito stage only: it brings cryptography with it

    settings = get_settings()
    try:
        key = _jwks_client().get_signing_key_from_jwt(token)
        claims = jwt.decode(token, key.key, algorithms=["RS256"], audience=settings.cognito_client_id,
                            issuer=_cognito_issuer(), options={"require": ["exp", "sub", "iss", "aud"]})
    except jwt.ExpiredSignatureError as err:
        raise Unauthorized("Token has expired") from err
    except jwt.PyJWTError as err:
        raise Unauthorized("Token is not valid") from err
    # Only ID tokens carry the custom practice attribute; refuse access tokens outright.
    if claims.get("token_use") != "id":
        raise Unauthorized("Token is not an ID token")
    return claims


def _principal_from_cognito(claims: dict[str, Any]) -> Principal:
    roles = [g for g in claims.get("cognito:groups", []) if g in Role._value2member_map_]
    if len(roles) != 1:
        raise Unauthorized("Token must carry exactly one Caseload role group")
    return _principal(claims.get("sub"), claims.get("custom:practice_id"), roles[0])


def _principal(user_id: Any, practice_id: Any, role: Any) -> Principal:
    if not isinstance(user_id, str) or not user_id:
        raise Unauthorized("Token has no subject")
    if not isinstance(practice_id, str) or not practice_id:
        raise Unauthorized("Token has no practice")
    try:
        return Principal(user_id=user_id, practice_id=practice_id, role=Role(role))
    except ValueError as err:
        raise Unauthorized("Token has no valid role") from err


# The name the deployment template knows the API's Cognito authorizer by (infra/ fills in the
# user pool's ARN, which exists only once the stack does).
GATEWAY_AUTHORIZER_NAME = "CaseloadUserPool"


def gateway_authorizer() -> Any:
    """Deployed (auth_mode cognito), API Gateway checks the Cognito ID token before the Lambda
    runs, so unauthenticated traffic never reaches it; the Lambda still verifies the token
    itself (`authenticate`) because that is where the claims become a Principal. Locally and in
    tests there is no gateway authorizer: `authenticate` is the only check."""
    settings = get_settings()
    if settings.auth_mode != "cognito":
        return None
    from chalice import CognitoUserPoolAuthorizer

    return CognitoUserPoolAuthorizer(GATEWAY_AUTHORIZER_NAME, provider_arns=[settings.cognito_user_pool_arn or ""])

"""Bearer-token verification: the practice and the role come from the token, nowhere else.

One verification point for every stage: chalicelib.http calls `authenticate` before any
route runs. Locally tokens are HS256 signed with a local secret; deployed they are Cognito
ID tokens (RS256, keys from the pool's JWKS), with the practice in `custom:practice_id` and
the role from `cognito:groups`. Running the same code in tests, `chalice local` and Lambda
means the code path that guards production is the one the suite exercises.
"""
from __future__ import annotations

import threading
import time
from dataclasses import dataclass, replace
from enum import StrEnum
from functools import lru_cache
from typing import Any

from chalicelib.config import get_settings
from chalicelib.errors import Unauthorized


class Role(StrEnum):
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


# The one algorithm a local token may use: PyJWT is told so on every decode, so a header that
# names another (none, HS512, RS256 with a key of the caller's choosing) is refused.
LOCAL_ALGORITHM = "HS256"


def issue_local_token(*, practice_id: str, user_id: str, role: str, ttl_seconds: int = 8 * 3600) -> str:
    """An HS256 JWT for local use (make run, make token, tests)."""
    import jwt

    now = int(time.time())
    claims = {"sub": user_id, "practice_id": practice_id, "role": Role(role).value,
              "iss": get_settings().local_jwt_issuer, "iat": now, "exp": now + ttl_seconds}
    return jwt.encode(claims, get_settings().local_jwt_secret.get_secret_value(), algorithm=LOCAL_ALGORITHM)


def authenticate(authorization: str | None, gateway_claims: Any = None) -> Principal:
    """Verify an `Authorization: Bearer` header and return the caller, or raise Unauthorized.

    `gateway_claims` are the claims API Gateway's Cognito authorizer passed on
    (`requestContext.authorizer.claims`); they are read only when the deployment says a gateway
    verified them (`trust_gateway_claims`), and then they are the only way in."""
    if not authorization:
        raise Unauthorized("Missing bearer token")
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("Authorization header must be 'Bearer <token>'")
    settings = get_settings()
    if settings.auth_mode == "cognito":
        if settings.trust_gateway_claims:
            return _principal_from_cognito(_gateway_verified(gateway_claims))
        return _principal_from_cognito(_verify_cognito(token.strip()))
    return _principal_from_local(_verify_local(token.strip()))


# A user's standing (role, or None when deleted or inactive) as read at most a minute ago in
# this container, keyed by practice and user: a change made here is seen at once (the user
# service forgets the entry), one made in another container within a minute. A miss costs one
# strongly consistent GetItem of the user record.
STANDING_SECONDS = 60.0
_clock = time.monotonic
_standing: dict[tuple[str, str], tuple[float, str | None]] = {}
_changes: dict[tuple[str, str], int] = {}  # forgets per user: a read that raced a change is not kept
_standing_lock = threading.Lock()
_MAX_STANDING = 10_000


def admit(principal: Principal) -> Principal:
    """The caller as their user record has it now: 401 if the user was deleted or deactivated;
    the stored role wins over the token's, which lasts until the token expires."""
    key = (principal.practice_id, principal.user_id)
    cached = _standing.get(key)
    if cached is None or _clock() - cached[0] > STANDING_SECONDS:
        cached = _read_standing(key)
    role = cached[1]
    if role is None:
        raise Unauthorized("This user no longer has access")
    if role == principal.role.value:
        return principal
    try:
        return replace(principal, role=Role(role))
    except ValueError as err:
        raise Unauthorized("This user has no valid role") from err


def _read_standing(key: tuple[str, str]) -> tuple[float, str | None]:
    from chalicelib.store import users  # the store is loaded by the first request anyway

    changes, read_at = _changes.get(key, 0), _clock()
    standing = (read_at, users.standing(*key))
    with _standing_lock:
        if _changes.get(key, 0) == changes:  # else a change landed while reading: ask again next time
            if len(_standing) >= _MAX_STANDING:  # a bound on memory; entries are cheap to read again
                _standing.clear()
            _standing[key] = standing
    return standing


def forget_standing(practice_id: str, user_id: str) -> None:
    """A user's role or active flag changed, or the user was created or deleted: this
    container reads their record again on their next request."""
    key = (practice_id, user_id)
    with _standing_lock:
        _changes[key] = _changes.get(key, 0) + 1
        _standing.pop(key, None)


def forget_standings() -> None:
    """Drop every cached standing (tests switch databases)."""
    with _standing_lock:
        _standing.clear()
        _changes.clear()


def _verify_local(token: str) -> dict[str, Any]:
    """HS256 with the local secret, checked by PyJWT: the signature, our issuer, and an
    integer expiry in the future. Only HS256 is accepted, whatever the header claims."""
    import jwt  # loaded by the first request, as the Cognito stage loads it

    settings = get_settings()
    try:
        claims = jwt.decode(token, settings.local_jwt_secret.get_secret_value(), algorithms=[LOCAL_ALGORITHM],
                            issuer=settings.local_jwt_issuer, options={"require": ["exp", "iss"]})
    except jwt.ExpiredSignatureError as err:
        raise Unauthorized("Token has expired") from err
    except jwt.PyJWTError as err:
        raise Unauthorized("Token is not valid") from err
    # PyJWT takes a float or a numeric string as exp; the local tokens carry whole seconds.
    if type(claims.get("exp")) is not int:
        raise Unauthorized("Token is not valid")
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


def _gateway_verified(claims: Any) -> dict[str, Any]:
    """The claims of an ID token API Gateway's authorizer checked (signature, expiry, that our
    pool issued it). The authorizer takes an ID token of any app client of the pool, so the
    client and the token use are checked here, as `_verify_cognito` checks them."""
    if not isinstance(claims, dict) or not claims:
        raise Unauthorized("The request carries no verified token claims")
    if claims.get("iss") != _cognito_issuer() or claims.get("aud") != get_settings().cognito_client_id:
        raise Unauthorized("Token is not valid")
    if claims.get("token_use") != "id":
        raise Unauthorized("Token is not an ID token")
    return {**claims, "cognito:groups": _groups(claims.get("cognito:groups"))}


def _groups(value: Any) -> list[str]:
    """`cognito:groups` as a list. In a verified token it is a JSON list; API Gateway hands every
    claim on as a string: "admin" for one group, "[admin, billing]" or "admin,billing" for more."""
    if isinstance(value, list):
        return [g for g in value if isinstance(g, str)]
    if not isinstance(value, str):
        return []
    return [g for g in value.strip().removeprefix("[").removesuffix("]").replace(",", " ").split() if g]


def _principal_from_cognito(claims: dict[str, Any]) -> Principal:
    roles = [g for g in _groups(claims.get("cognito:groups")) if g in Role._value2member_map_]
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
    runs, so unauthenticated traffic never reaches it, and hands the verified claims on; with
    `trust_gateway_claims` (set by the template) `authenticate` takes them, so a cold container
    neither loads PyJWT and cryptography nor fetches the pool's keys. Locally and in tests there
    is no gateway authorizer: `authenticate` verifies the token itself."""
    settings = get_settings()
    if settings.auth_mode != "cognito":
        return None
    from chalice import CognitoUserPoolAuthorizer

    return CognitoUserPoolAuthorizer(GATEWAY_AUTHORIZER_NAME, provider_arns=[settings.cognito_user_pool_arn or ""])

"""Settings, read from the environment once and only when first asked for."""
from __future__ import annotations

import os
from dataclasses import dataclass, fields
from functools import lru_cache
from typing import Any, Literal, get_args

ENV_PREFIX = "CASELOAD_"


AuthMode = Literal["local", "cognito"]
Mailer = Literal["file", "ses"]


class Secret:
    """A secret setting: it never shows itself in a repr, a log line, an f-string or an error."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def get_secret_value(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "Secret('**********')"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)


# The local stage's keys (deployed, the template sets real ones from Secrets Manager).
LOCAL_JWT_SECRET = Secret("caseload-local-development-secret-change-me")
LOCAL_CURSOR_SECRET = Secret("caseload-local-cursor-secret-change-me")


class SettingError(ValueError):
    """An environment variable holds a value the service cannot run with."""


@dataclass(frozen=True)
class Settings:
    """Every knob the service reads; env vars are CASELOAD_<NAME> (e.g. CASELOAD_TABLE_NAME).

    A dataclass, not a pydantic model: every request reads settings, and a first request that
    needs no model (a read) then never loads pydantic (about 85 ms of a cold start).
    """

    stage: str = "local"
    region: str = "us-east-1"
    table_name: str = "caseload"
    idempotency_table_name: str = "caseload-idempotency"
    # Set for DynamoDB Local; unset in AWS so boto3 uses the regional endpoint.
    dynamodb_endpoint: str | None = None

    auth_mode: AuthMode = "local"
    # Local HS256 signing secret. Never used when auth_mode is cognito.
    local_jwt_secret: Secret = LOCAL_JWT_SECRET
    local_jwt_issuer: str = "caseload-local"
    cognito_user_pool_id: str | None = None
    # Only read when packaging: the deployment template replaces it with the pool it creates.
    cognito_user_pool_arn: str | None = None
    cognito_client_id: str | None = None
    # Deployed only (infra/stack.yaml sets it): API Gateway's Cognito authorizer has verified the
    # ID token, so the Lambda takes the claims it passes on instead of verifying the token again.
    # Never set it where no gateway stands in front (`chalice local` hands on unverified claims).
    trust_gateway_claims: bool = False

    # Key for signing pagination cursors (tamper evidence).
    cursor_secret: Secret = LOCAL_CURSOR_SECRET
    idempotency_ttl_seconds: int = 24 * 3600
    # Staff email: "file" writes .eml files under outbox_dir (local), "ses" sends through SES.
    mailer: Mailer = "file"
    mail_from: str = "Caseload <notifications@caseload.local>"
    ses_configuration_set: str | None = None
    outbox_dir: str = ".data/outbox"
    # The staff console's address: each digest row links to <console_url>/clients/<client_id>.
    console_url: str = "http://127.0.0.1:8080"
    # The console's origin (scheme://host[:port]), the one origin CORS lets read the API's answers
    # (chalicelib/cors.py); deployed, the CloudFront URL.
    console_origin: str = "http://127.0.0.1:8080"

    # Group members' attendance transactions run side by side on this many threads. 1 runs
    # them one after another (moto, the in-memory mock, is not safe for concurrent writes).
    attendance_workers: int = 8

    def __post_init__(self) -> None:
        if not 1 <= self.attendance_workers <= 32:
            raise SettingError(f"{ENV_PREFIX}ATTENDANCE_WORKERS must be 1 to 32")


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read from the environment on first use."""
    given = {f.name: _parsed(f.name, f.type, os.environ[ENV_PREFIX + f.name.upper()]) for f in fields(Settings)
             if ENV_PREFIX + f.name.upper() in os.environ}
    return Settings(**given)


_CHOICES = {"auth_mode": get_args(AuthMode), "mailer": get_args(Mailer)}


def _parsed(name: str, kind: object, text: str) -> Any:
    """One variable's text as its field's type (`kind` is the annotation's text: `from __future__`)."""
    kind = str(kind)
    if kind == "bool":
        if text.strip().lower() not in {"true", "1", "yes", "on", "false", "0", "no", "off"}:
            raise SettingError(f"{ENV_PREFIX}{name.upper()} must be true or false")
        return text.strip().lower() in {"true", "1", "yes", "on"}
    if kind == "int":
        try:
            return int(text)
        except ValueError as err:
            raise SettingError(f"{ENV_PREFIX}{name.upper()} must be a whole number") from err
    if kind == "Secret":
        return Secret(text)
    if name in _CHOICES and text not in _CHOICES[name]:
        raise SettingError(f"{ENV_PREFIX}{name.upper()} must be one of {', '.join(_CHOICES[name])}")
    return text


def reset_settings() -> None:
    """Forget cached settings (tests change the environment)."""
    get_settings.cache_clear()

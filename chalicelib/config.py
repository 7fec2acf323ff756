"""Settings, read from the environment once and only when first asked for."""
from __future__ import annotations

import os
from functools import lru_cache
from typing import Literal

from pydantic import BaseModel, Field, SecretStr

ENV_PREFIX = "CASELOAD_"


class Settings(BaseModel):
    """Every knob the service reads; env vars are CASELOAD_<NAME> (e.g. CASELOAD_TABLE_NAME).

    Plain pydantic rather than pydantic-settings: the latter adds ~65 ms to a cold start.
    """

    stage: str = "local"
    region: str = "us-east-1"
    table_name: str = "caseload"
    idempotency_table_name: str = "caseload-idempotency"
    # Set for DynamoDB Local; unset in AWS so boto3 uses the regional endpoint.
    dynamodb_endpoint: str | None = None

    auth_mode: Literal["local", "cognito"] = "local"
    # Local HS256 signing secret. Never used when auth_mode is cognito.
    local_jwt_secret: SecretStr = SecretStr("caseload-local-development-secret-change-me")
    local_jwt_issuer: str = "caseload-local"
    cognito_user_pool_id: str | None = None
    # Only read when packaging: the deployment template replaces it with the pool it creates.
    cognito_user_pool_arn: str | None = None
    cognito_client_id: str | None = None

    # Key for signing pagination cursors (tamper evidence).
    cursor_secret: SecretStr = SecretStr("caseload-local-cursor-secret-change-me")
    idempotency_ttl_seconds: int = 24 * 3600
    # Staff email: "file" writes .eml files under outbox_dir (local), "ses" sends through SES.
    mailer: Literal["file", "ses"] = "file"
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
    attendance_workers: int = Field(8, ge=1, le=32)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read from the environment on first use."""
    return Settings.model_validate({name: os.environ[ENV_PREFIX + name.upper()] for name in Settings.model_fields
                                    if ENV_PREFIX + name.upper() in os.environ})


def reset_settings() -> None:
    """Forget cached settings (tests change the environment)."""
    get_settings.cache_clear()

"""Fixtures shared by the whole suite: fake AWS credentials, a moto-backed app with two
practices, and an HTTP-ish client that signs requests as a given role and practice."""
from __future__ import annotations

import copy
import dataclasses
import json
import os
from dataclasses import dataclass
from typing import Any

import pytest

# Set before anything builds a boto3 client: tests never reach real AWS.
for _name, _value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                      "AWS_SESSION_TOKEN": "testing", "AWS_DEFAULT_REGION": "us-east-1",
                      "POWERTOOLS_METRICS_NAMESPACE": "CaseloadTest"}.items():
    os.environ.setdefault(_name, _value)

PRACTICE_A, PRACTICE_B = "prc_a", "prc_b"
ROLES = ("admin", "practitioner", "front_desk", "billing")
USERS = {p: {role: f"usr_{p}_{role}" for role in ROLES} for p in (PRACTICE_A, PRACTICE_B)}


def reset_caches() -> None:
    """Forget settings, clients and cached practices from another test's database."""
    from chalicelib.auth import forget_standings
    from chalicelib.config import reset_settings
    from chalicelib.services.practice import forget_cached_practices
    from chalicelib.store.dynamo import reset_clients

    reset_settings()
    reset_clients()
    forget_cached_practices()
    forget_standings()


# Seeded moto tables per settings (table names and friends), copied into each test's fresh mock.
_SEEDED_TABLES: dict[Any, Any] = {}


@pytest.fixture
def moto_backend(monkeypatch: pytest.MonkeyPatch):
    """In-process moto DynamoDB with the real table schema and two seeded practices."""
    from moto import mock_aws
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.dynamodb.models import dynamodb_backends

    from chalicelib.config import get_settings
    from chalicelib.store import dynamo
    from devtools.seed import seed_practice
    from devtools.tables import create_tables

    monkeypatch.delenv("CASELOAD_DYNAMODB_ENDPOINT", raising=False)
    monkeypatch.setenv("CASELOAD_AUTH_MODE", "local")
    # moto's transactions deep-copy the table and break under concurrent writers: group
    # attendance runs its members one by one here (side by side on DynamoDB Local).
    monkeypatch.setenv("CASELOAD_ATTENDANCE_WORKERS", "1")
    with mock_aws():
        reset_caches()
        settings = get_settings()
        backend = dynamodb_backends[DEFAULT_ACCOUNT_ID][settings.region]
        key = json.dumps(dataclasses.asdict(settings), default=str, sort_keys=True)
        if key in _SEEDED_TABLES:
            # Seeding takes a second or two per test; a copy of the seeded tables takes milliseconds.
            backend.tables = copy.deepcopy(_SEEDED_TABLES[key])
        else:
            create_tables(dynamo.client(), settings)
            for practice_id in (PRACTICE_A, PRACTICE_B):
                seed_practice(practice_id, f"Practice {practice_id}", user_ids=USERS[practice_id])
            _SEEDED_TABLES[key] = copy.deepcopy(backend.tables)
        yield
    reset_caches()


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: Any

    @property
    def etag(self) -> str:
        return self.headers["etag"]


class Api:
    """Calls the app in process through chalice.test.Client with a local bearer token."""

    def __init__(self, client: Any) -> None:
        self.client = client

    def token(self, role: str = "admin", practice: str = PRACTICE_A) -> str:
        from chalicelib.auth import issue_local_token

        return issue_local_token(practice_id=practice, user_id=USERS[practice][role], role=role)

    def call(self, method: str, path: str, body: Any = None, *, role: str | None = "admin",
             practice: str = PRACTICE_A, headers: dict[str, str] | None = None, raw: str | None = None) -> Reply:
        sent = {"Content-Type": "application/json", **(headers or {})}
        if role is not None and "Authorization" not in sent:
            sent["Authorization"] = f"Bearer {self.token(role, practice)}"
        payload = raw if raw is not None else (json.dumps(body) if body is not None else "")
        response = getattr(self.client.http, method.lower())(path, headers=sent, body=payload)
        text = response.body.decode() if response.body else ""
        return Reply(response.status_code, {k.lower(): v for k, v in response.headers.items()},
                     json.loads(text) if text else None)

    def get(self, path: str, **kw: Any) -> Reply:
        return self.call("GET", path, **kw)

    def post(self, path: str, body: Any = None, **kw: Any) -> Reply:
        return self.call("POST", path, body, **kw)

    def patch(self, path: str, body: Any = None, *, if_match: str | None = None, **kw: Any) -> Reply:
        headers = {**kw.pop("headers", {}), **({"If-Match": if_match} if if_match else {})}
        return self.call("PATCH", path, body, headers=headers, **kw)

    def delete(self, path: str, *, if_match: str | None = None, **kw: Any) -> Reply:
        headers = {**kw.pop("headers", {}), **({"If-Match": if_match} if if_match else {})}
        return self.call("DELETE", path, headers=headers, **kw)


@pytest.fixture
def api(moto_backend) -> Api:
    """The app over moto, called in process."""
    from chalice.test import Client

    from app import app

    with Client(app) as client:
        yield Api(client)

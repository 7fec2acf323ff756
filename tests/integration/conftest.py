"""DynamoDB Local for tests that need a real database engine (races, persistence)."""
from __future__ import annotations

import uuid

import pytest

from devtools.ddb_local import DynamoDBLocal, free_port
from tests.conftest import reset_caches


@pytest.fixture(scope="session")
def ddb_local(tmp_path_factory):
    """One DynamoDB Local for the session, on a free port with a temporary data directory."""
    with DynamoDBLocal(port=free_port(), db_path=tmp_path_factory.mktemp("dynamodb")) as ddb:
        yield ddb


@pytest.fixture
def local_settings(ddb_local, monkeypatch):
    """Settings pointing at DynamoDB Local, with tables of their own for this test."""
    from chalicelib.config import get_settings
    from chalicelib.store import dynamo
    from devtools.tables import create_tables

    suffix = uuid.uuid4().hex[:8]
    monkeypatch.setenv("CASELOAD_DYNAMODB_ENDPOINT", ddb_local.endpoint)
    monkeypatch.setenv("CASELOAD_TABLE_NAME", f"caseload-{suffix}")
    monkeypatch.setenv("CASELOAD_IDEMPOTENCY_TABLE_NAME", f"caseload-idem-{suffix}")
    monkeypatch.setenv("CASELOAD_AUTH_MODE", "local")
    reset_caches()
    create_tables(dynamo.client(), get_settings())
    yield get_settings()
    reset_caches()


@pytest.fixture
def ddb_client(local_settings):
    """The app's DynamoDB client, pointed at DynamoDB Local."""
    from chalicelib.store import dynamo

    return dynamo.client()


@pytest.fixture
def seeded(local_settings):
    """Two practices seeded in DynamoDB Local."""
    from devtools.seed import seed_practice
    from tests.conftest import PRACTICE_A, PRACTICE_B, USERS

    for practice_id in (PRACTICE_A, PRACTICE_B):
        seed_practice(practice_id, f"Practice {practice_id}", user_ids=USERS[practice_id])
    return local_settings

"""A known path asked with a method it does not have: the app's own answer (Chalice's method
check, before any route runs) is a 405 problem+json naming the methods the path takes, with
Allow, the gateway's request id and the console's CORS headers; deployed and local alike."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from chalicelib.config import get_settings, reset_settings

ROOT = Path(__file__).resolve().parents[2]


def _event(method: str, path: str, resource: str, query: dict[str, list[str]] | None = None,
           origin: str | None = None) -> dict:
    """What API Gateway hands the Lambda function (a REST API proxy event)."""
    headers = {"accept": "application/json", **({"origin": origin} if origin else {})}
    return {
        "resource": resource, "path": path, "httpMethod": method, "headers": headers,
        "multiValueHeaders": {k: [v] for k, v in headers.items()},
        "queryStringParameters": {k: v[-1] for k, v in query.items()} if query else None,
        "multiValueQueryStringParameters": query, "pathParameters": None, "stageVariables": None,
        "requestContext": {"resourcePath": resource, "httpMethod": method, "path": f"/api{path}",
                           "requestId": "req-405-example", "stage": "api", "identity": {"sourceIp": "192.0.2.1"}},
        "body": None, "isBase64Encoded": False,
    }


@pytest.fixture
def app(monkeypatch):
    monkeypatch.setenv("CASELOAD_AUTH_MODE", "local")
    reset_settings()
    from app import app as chalice_app

    yield chalice_app
    reset_settings()


def _headers(answer: dict) -> dict[str, str]:
    return {k.lower(): v for k, v in answer["headers"].items()}


@pytest.mark.parametrize(("method", "path", "resource", "allowed"), [
    ("DELETE", "/v1/practice", "/v1/practice", "GET, OPTIONS, PATCH"),
    ("PUT", "/v1/clients", "/v1/clients", "GET, OPTIONS, POST"),
    ("PUT", "/v1/clients/cli_1", "/v1/clients/{client_id}", "DELETE, GET, OPTIONS, PATCH"),
])
def test_request_when_the_path_lacks_the_method_is_405_problem_naming_the_allowed_methods(
        app, method, path, resource, allowed):
    answer = app(_event(method, path, resource), None)
    headers = _headers(answer)
    assert answer["statusCode"] == 405
    assert headers["content-type"] == "application/problem+json"
    assert headers["allow"] == allowed
    body = json.loads(answer["body"])
    assert body["type"] == "https://caseload.dev/problems/405"
    assert (body["title"], body["status"]) == ("Method not allowed", 405)
    assert method in body["detail"] and resource in body["detail"] and allowed in body["detail"]
    assert body["correlation_id"] == headers["x-request-id"] == "req-405-example"


def test_405_when_a_query_was_sent_does_not_echo_it(app):
    answer = app(_event("PUT", "/v1/clients", "/v1/clients", query={"q": ["Jane Secretname"]}), None)
    assert answer["statusCode"] == 405
    assert "Secretname" not in answer["body"] and "q=" not in answer["body"]


def test_405_when_asked_from_the_console_carries_its_cors_headers(app):
    origin = get_settings().console_origin
    answer = app(_event("DELETE", "/v1/practice", "/v1/practice", origin=origin), None)
    headers = _headers(answer)
    assert answer["statusCode"] == 405
    assert headers["access-control-allow-origin"] == origin
    assert "X-Request-Id" in headers["access-control-expose-headers"]
    assert "Origin" in headers["vary"]


def test_405_when_answered_in_a_fresh_process_loads_no_pydantic():
    # A cold start's first request may be a mistyped method: it must not pay for the models.
    code = ("import sys, json; sys.path.insert(0, '.'); from tests.unit.test_method_not_allowed import _event;"
            "import app; answer = app.app(_event('DELETE', '/v1/practice', '/v1/practice'), None);"
            "assert answer['statusCode'] == 405, answer;"
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('pydantic', 'pydantic_core')"
            " or m.startswith('chalicelib.models')))")
    loaded = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert loaded.returncode == 0, loaded.stderr
    assert loaded.stdout.strip() == "[]"

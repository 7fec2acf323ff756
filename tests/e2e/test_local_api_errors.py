"""`make run`'s API server (devtools/local_api.py) over real HTTP: a mistyped URL gets a 404
problem+json (no such route) and a known path with a method it lacks gets a 405 with Allow,
both with the request id and the console's CORS headers, never echoing the query string.

No DynamoDB is started: neither answer reaches the store."""
from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from devtools.ddb_local import free_port

ROOT = Path(__file__).resolve().parents[2]
CONSOLE = "http://127.0.0.1:8080"
SECRET_QUERY = "q=Jane%20Secretname&limit=5"


@pytest.fixture(scope="module")
def api_url() -> Iterator[str]:
    port = free_port()
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("CASELOAD_")},
           "CASELOAD_CONSOLE_ORIGIN": CONSOLE, "CASELOAD_DYNAMODB_ENDPOINT": "http://127.0.0.1:9",
           "AWS_DEFAULT_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": "local", "AWS_SECRET_ACCESS_KEY": "local"}
    server = subprocess.Popen([sys.executable, "-m", "devtools.local_api", "--port", str(port)], cwd=ROOT, env=env,
                              stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert server.poll() is None, server.stderr.read()
            try:
                requests.get(f"{url}/v1/openapi.json", timeout=5)
                break
            except requests.ConnectionError:
                assert time.monotonic() < deadline, "the local API did not answer in 60 s"
                time.sleep(0.1)
        yield url
    finally:
        server.terminate()
        server.wait(10)
        server.stderr.close()


def _problem(answer: requests.Response, status: int) -> dict:
    assert answer.status_code == status, answer.text
    assert answer.headers["Content-Type"] == "application/problem+json"
    body = answer.json()
    assert body["type"] == f"https://caseload.dev/problems/{status}" and body["status"] == status
    assert body["correlation_id"] == answer.headers["X-Request-Id"]
    assert answer.headers["Access-Control-Allow-Origin"] == CONSOLE
    assert "X-Request-Id" in answer.headers["Access-Control-Expose-Headers"]
    assert "Origin" in answer.headers["Vary"]
    return body


@pytest.mark.parametrize(("method", "path"), [
    ("GET", "/v1/nope"), ("GET", "/v1/clients/abc/nonsense"), ("GET", "/v1/client"), ("POST", "/v1/client"),
    ("DELETE", "/nope"), ("GET", "/")])
def test_request_when_no_route_matches_is_404_problem(api_url, method, path):
    answer = requests.request(method, f"{api_url}{path}?{SECRET_QUERY}", headers={"Origin": CONSOLE}, timeout=10)
    body = _problem(answer, 404)
    assert body["title"] == "Not found"
    assert f"{method} {path}" in body["detail"] and "/v1/openapi.json" in body["detail"]
    assert "Secretname" not in answer.text and "limit=5" not in answer.text


def test_request_when_no_route_matches_with_a_token_is_the_same_404(api_url):
    # chalice.local answered this one with a 403 that quoted the Authorization header back.
    answer = requests.get(f"{api_url}/v1/nope", timeout=10,
                          headers={"Origin": CONSOLE, "Authorization": "Bearer secret-token-value"})
    _problem(answer, 404)
    assert "secret-token-value" not in answer.text


@pytest.mark.parametrize(("method", "path", "template", "allowed"), [
    ("DELETE", "/v1/practice", "/v1/practice", "GET, OPTIONS, PATCH"),
    ("PUT", "/v1/clients", "/v1/clients", "GET, OPTIONS, POST"),
    ("PUT", "/v1/clients/cli_1", "/v1/clients/{client_id}", "DELETE, GET, OPTIONS, PATCH")])
def test_request_when_the_path_lacks_the_method_is_405_problem_with_allow(api_url, method, path, template, allowed):
    answer = requests.request(method, f"{api_url}{path}?{SECRET_QUERY}", headers={"Origin": CONSOLE}, timeout=10)
    body = _problem(answer, 405)
    assert answer.headers["Allow"] == allowed
    assert body["title"] == "Method not allowed"
    assert method in body["detail"] and template in body["detail"] and allowed in body["detail"]
    assert "Secretname" not in answer.text and "limit=5" not in answer.text


def test_request_from_another_origin_gets_no_cors_grant_on_a_404(api_url):
    answer = requests.get(f"{api_url}/v1/nope", headers={"Origin": "https://evil.example"}, timeout=10)
    assert answer.status_code == 404 and "Access-Control-Allow-Origin" not in answer.headers


def test_known_route_is_still_served(api_url):
    answer = requests.get(f"{api_url}/v1/openapi.json", timeout=10)
    assert answer.status_code == 200 and "/v1/practice" in answer.json()["paths"]

"""CORS: the staff console, on its own origin, may call every route; no other origin may read
an answer. The allowed origin is exactly the `console_origin` setting (CASELOAD_CONSOLE_ORIGIN)."""
from __future__ import annotations

import re

import pytest

from chalicelib.http import OPERATIONS

CONSOLE = "http://127.0.0.1:8080"  # the local default
PREFLIGHT_HEADERS = {"authorization", "content-type", "if-match", "idempotency-key"}


def _preflight(api, path: str, origin: str, method: str = "POST"):
    return api.call("OPTIONS", path, role=None, headers={
        "Origin": origin, "Access-Control-Request-Method": method,
        "Access-Control-Request-Headers": "authorization,content-type,if-match,idempotency-key"})


def _listed(value: str | None) -> set[str]:
    return {part.strip().lower() for part in (value or "").split(",") if part.strip()}


@pytest.fixture
def deployed_origin(monkeypatch):
    from chalicelib.config import reset_settings

    monkeypatch.setenv("CASELOAD_CONSOLE_ORIGIN", "https://d111abcdef8.cloudfront.net")
    reset_settings()
    yield "https://d111abcdef8.cloudfront.net"
    monkeypatch.undo()
    reset_settings()


def test_preflight_from_the_console_allows_its_origin_methods_and_headers(api):
    reply = _preflight(api, "/v1/clients", CONSOLE)
    assert reply.status == 204
    assert reply.headers["access-control-allow-origin"] == CONSOLE
    assert _listed(reply.headers["access-control-allow-methods"]) == {"get", "post", "options"}
    assert _listed(reply.headers["access-control-allow-headers"]) >= PREFLIGHT_HEADERS
    assert "origin" in _listed(reply.headers["vary"])
    assert int(reply.headers["access-control-max-age"]) > 0


def test_preflight_needs_no_token_on_a_route_that_does(api):
    assert api.get("/v1/clients", role=None).status == 401
    reply = _preflight(api, "/v1/clients/cli_x/packs/pk_y", CONSOLE, method="PATCH")
    assert reply.status == 204 and reply.headers["access-control-allow-origin"] == CONSOLE
    assert "patch" in _listed(reply.headers["access-control-allow-methods"])


def test_every_route_answers_a_preflight_naming_its_methods(api):
    methods: dict[str, set[str]] = {}
    for op in OPERATIONS:
        methods.setdefault(op.path, set()).add(op.method.lower())
    for path, expected in methods.items():
        concrete = re.sub(r"{(\w+)}", r"x_\1", path)
        reply = _preflight(api, concrete, CONSOLE, method=sorted(expected)[0].upper())
        assert reply.status == 204, path
        assert reply.headers.get("access-control-allow-origin") == CONSOLE, path
        assert _listed(reply.headers["access-control-allow-methods"]) == expected | {"options"}, path


@pytest.mark.parametrize("origin", [
    "http://127.0.0.1:9999", "http://127.0.0.1:80800", "http://127.0.0.1:8080.evil.example",
    "https://127.0.0.1:8080", "http://localhost:8080", "null", ""])
def test_preflight_from_another_origin_allows_nothing(api, origin):
    reply = _preflight(api, "/v1/clients", origin)
    assert "access-control-allow-origin" not in reply.headers
    assert "access-control-allow-headers" not in reply.headers
    assert "origin" in _listed(reply.headers.get("vary"))


def test_answer_to_the_console_carries_its_origin_and_exposes_etag_and_location(api):
    reply = api.get("/v1/practice", headers={"Origin": CONSOLE})
    assert reply.status == 200 and reply.etag
    assert reply.headers["access-control-allow-origin"] == CONSOLE
    assert {"etag", "location"} <= _listed(reply.headers["access-control-expose-headers"])
    assert "origin" in _listed(reply.headers["vary"])
    created = api.post("/v1/locations", {"name": "Annex"}, headers={"Origin": CONSOLE})
    assert created.status == 201 and created.headers["access-control-allow-origin"] == CONSOLE


def test_problem_answer_to_the_console_carries_its_origin(api):
    refused = api.get("/v1/practice", role=None, headers={"Origin": CONSOLE})
    invalid = api.post("/v1/locations", {"name": ""}, headers={"Origin": CONSOLE})
    assert (refused.status, invalid.status) == (401, 422)
    assert refused.headers["access-control-allow-origin"] == CONSOLE  # so the console can read why
    assert invalid.headers["access-control-allow-origin"] == CONSOLE


def test_answer_to_another_origin_or_none_carries_no_allow_origin(api):
    other = api.get("/v1/practice", headers={"Origin": "https://evil.example"})
    plain = api.get("/v1/practice")
    assert other.status == plain.status == 200
    assert "access-control-allow-origin" not in other.headers
    assert "access-control-allow-origin" not in plain.headers
    assert "origin" in _listed(other.headers.get("vary"))


def test_public_description_carries_the_console_origin(api):
    reply = api.get("/v1/openapi.json", role=None, headers={"Origin": CONSOLE})
    assert reply.status == 200 and reply.headers["access-control-allow-origin"] == CONSOLE


def test_console_origin_comes_from_the_environment(api, deployed_origin):
    deployed = _preflight(api, "/v1/clients", deployed_origin)
    local = _preflight(api, "/v1/clients", CONSOLE)
    assert deployed.headers["access-control-allow-origin"] == deployed_origin
    assert "access-control-allow-origin" not in local.headers
    answer = api.get("/v1/practice", headers={"Origin": deployed_origin})
    assert answer.headers["access-control-allow-origin"] == deployed_origin

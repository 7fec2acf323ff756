"""The console's local server (`make run`, the browser tests) sends the security headers the
deployed console gets from CloudFront (infra/stack.yaml, ConsoleHeaders), so a page that breaks
the Content-Security-Policy breaks here first. The policies agree on every directive except
connect-src: locally the console talks to the local API, deployed to API Gateway and the
hosted UI of the stack's region."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
import yaml

from devtools import console_server
from devtools.ddb_local import free_port

ROOT = Path(__file__).resolve().parents[2]
API_URL = "http://127.0.0.1:8000"


def _template_headers() -> dict[str, Any]:
    template = yaml.safe_load((ROOT / "infra" / "stack.yaml").read_text())
    config = template["Resources"]["ConsoleHeaders"]["Properties"]["ResponseHeadersPolicyConfig"]
    return config["SecurityHeadersConfig"]


def _directives(policy: str) -> dict[str, list[str]]:
    parsed: dict[str, list[str]] = {}
    for directive in filter(None, (d.strip() for d in policy.split(";"))):
        name, *sources = directive.split()
        assert name not in parsed, f"{name} twice"
        parsed[name] = sources
    return parsed


def _template_policy() -> dict[str, list[str]]:
    return _directives(_template_headers()["ContentSecurityPolicy"]["ContentSecurityPolicy"]["Fn::Sub"])


@pytest.fixture
def served(tmp_path: Path) -> Iterator[str]:
    dist = tmp_path / "dist"
    (dist / "assets").mkdir(parents=True)
    (dist / "index.html").write_text("<!doctype html><title>Caseload</title><div id=root></div>")
    (dist / "assets" / "index-B4x9Qk2a.js").write_text("console.log('app')")
    server = console_server.make_server(port=free_port(), api_url=API_URL + "/", dist=dist, users=list,
                                        token=lambda user_id: None)
    console_server.start(server)
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def _answers(served: str) -> dict[str, requests.Response]:
    return {"index": requests.get(f"{served}/", timeout=10),
            "client-side route": requests.get(f"{served}/clients/cli_1", timeout=10),
            "asset": requests.get(f"{served}/assets/index-B4x9Qk2a.js", timeout=10),
            "missing asset": requests.get(f"{served}/assets/gone-Zz9Zz9Zz.js", timeout=10),
            "config": requests.get(f"{served}/config.json", timeout=10),
            "sign-in list": requests.get(f"{served}/local/users", timeout=10),
            "sign-in refused": requests.post(f"{served}/local/token", json={"user_id": "usr_x"}, timeout=10)}


def test_console_server_sends_the_security_headers_on_every_answer(served):
    for what, answer in _answers(served).items():
        assert "Content-Security-Policy" in answer.headers, what
        assert answer.headers["X-Content-Type-Options"] == "nosniff", what
        assert answer.headers["X-Frame-Options"] == "DENY", what
        assert answer.headers["Referrer-Policy"] == "no-referrer", what
        # Plain HTTP on 127.0.0.1: HSTS would mean nothing here (browsers ignore it over HTTP).
        assert "Strict-Transport-Security" not in answer.headers, what


def test_console_server_policy_agrees_with_the_templates_except_where_the_api_is(served):
    local = _directives(requests.get(f"{served}/", timeout=10).headers["Content-Security-Policy"])
    deployed = _template_policy()
    assert set(local) == set(deployed)
    for name in set(deployed) - {"connect-src"}:
        assert local[name] == deployed[name], name
    # The console calls its own origin and the API, nothing else.
    assert local["connect-src"] == ["'self'", API_URL]
    assert deployed["connect-src"][0] == "'self'"


def test_console_server_policy_allows_no_inline_script_and_no_framing(served):
    policy = _directives(requests.get(f"{served}/", timeout=10).headers["Content-Security-Policy"])
    assert policy["script-src"] == ["'self'"] and policy["frame-ancestors"] == ["'none'"]
    assert policy["object-src"] == ["'none'"] and policy["default-src"] == ["'self'"]


def test_console_server_other_headers_are_the_templates(served):
    template = _template_headers()
    answer = requests.get(f"{served}/", timeout=10)
    assert answer.headers["X-Frame-Options"] == template["FrameOptions"]["FrameOption"]
    assert answer.headers["Referrer-Policy"] == template["ReferrerPolicy"]["ReferrerPolicy"]
    assert template["ContentTypeOptions"]["Override"] is True  # CloudFront's is always nosniff
    assert answer.headers["X-Content-Type-Options"] == "nosniff"

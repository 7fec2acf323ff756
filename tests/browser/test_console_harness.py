"""The harness itself: the console server, the local stack it starts, CORS from the console's
origin (over HTTP and from a real browser), and the axe and screenshot helpers."""
from __future__ import annotations

import http.client
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from devtools import console_server
from devtools.ddb_local import free_port
from tests.browser.conftest import DEMO_USERS, ConsoleStack, axe_check, config_of, screenshot

OTHER_ORIGIN = "http://127.0.0.1:9"


# --- the console server on its own, over a small build of our own -------------------------------

@pytest.fixture
def served(tmp_path: Path) -> Iterator[str]:
    dist = tmp_path / "dist"
    (dist / "assets").mkdir(parents=True)
    (dist / "index.html").write_text("<!doctype html><title>Caseload</title><div id=root></div>")
    (dist / "assets" / "index-B4x9Qk2a.js").write_text("console.log('app')")
    (dist / "favicon.svg").write_text("<svg xmlns='http://www.w3.org/2000/svg'/>")
    (tmp_path / "secret.txt").write_text("outside the build")
    users = [{"id": "usr_demo_admin", "name": "Ada Admin", "role": "admin"}]
    server = console_server.make_server(
        port=free_port(), api_url="http://127.0.0.1:8000/", dist=dist, users=lambda: users,
        token=lambda user_id: f"token-for-{user_id}" if user_id == "usr_demo_admin" else None)
    console_server.start(server)
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_console_server_answers_index_for_a_client_side_route(served):
    answer = requests.get(f"{served}/clients/cli_123/packs", timeout=10)
    assert answer.status_code == 200 and "<div id=root>" in answer.text
    assert answer.headers["Content-Type"].startswith("text/html")
    assert answer.headers["Cache-Control"] == "no-cache"


def test_console_server_caches_hashed_assets_forever_and_index_never(served):
    asset = requests.get(f"{served}/assets/index-B4x9Qk2a.js", timeout=10)
    assert asset.status_code == 200 and asset.text == "console.log('app')"
    assert asset.headers["Content-Type"].startswith("text/javascript")
    assert asset.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert requests.get(f"{served}/", timeout=10).headers["Cache-Control"] == "no-cache"
    assert requests.get(f"{served}/favicon.svg", timeout=10).headers["Cache-Control"] == "no-cache"


def test_console_server_answers_404_for_a_missing_asset(served):
    answer = requests.get(f"{served}/assets/index-Gone1234.js", timeout=10)
    assert answer.status_code == 404 and "<div" not in answer.text


def test_console_server_refuses_a_path_outside_the_build(served):
    host, port = served.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=10)
    connection.request("GET", "/../secret.txt")  # sent as is (requests would normalise the dots)
    answer = connection.getresponse()
    body = answer.read().decode()
    connection.close()
    assert "outside the build" not in body and answer.status == 404


def test_console_server_config_names_the_api_and_local_auth(served):
    answer = requests.get(f"{served}/config.json", timeout=10)
    assert answer.json() == {"apiUrl": "http://127.0.0.1:8000", "auth": "local"}
    assert answer.headers["Cache-Control"] == "no-store"


def test_local_token_issues_a_token_for_a_listed_user(served):
    assert requests.get(f"{served}/local/users", timeout=10).json() == [
        {"id": "usr_demo_admin", "name": "Ada Admin", "role": "admin"}]
    answer = requests.post(f"{served}/local/token", json={"user_id": "usr_demo_admin"}, timeout=10)
    assert answer.status_code == 200 and answer.json() == {"token": "token-for-usr_demo_admin"}


@pytest.mark.parametrize(("body", "status"), [
    ({"user_id": "usr_nobody"}, 404), ({}, 422), ({"user_id": 7}, 422), (["usr_demo_admin"], 422)])
def test_local_token_refuses_an_unknown_or_missing_user(served, body, status):
    answer = requests.post(f"{served}/local/token", json=body, timeout=10)
    assert answer.status_code == status and "token" not in answer.json()


def test_local_token_refuses_a_malformed_body(served):
    answer = requests.post(f"{served}/local/token", data=b"{not json", timeout=10,
                           headers={"Content-Type": "application/json"})
    assert answer.status_code == 422 and answer.json()["field"] == "user_id"


# --- the local stack ------------------------------------------------------------------------------

def test_console_stack_serves_the_console_and_its_config(console_stack: ConsoleStack):
    index = requests.get(console_stack.console_url, timeout=10)
    assert index.status_code == 200 and "<html" in index.text.lower()
    assert config_of(console_stack) == {"apiUrl": console_stack.api_url, "auth": "local"}


def test_console_stack_lists_the_demo_users_by_role(console_stack: ConsoleStack):
    users = requests.get(f"{console_stack.console_origin}/local/users", timeout=10).json()
    assert {u["role"]: u["id"] for u in users if u["id"] in DEMO_USERS.values()} == DEMO_USERS
    assert all(set(u) == {"id", "name", "role"} and u["name"].strip() for u in users)


@pytest.mark.parametrize("role", sorted(DEMO_USERS))
def test_console_stack_token_signs_in_as_that_role(console_stack: ConsoleStack, role):
    me = console_stack.call("GET", "/v1/users/me", role=role)
    assert me.status_code == 200
    assert (me.json()["id"], me.json()["role"]) == (DEMO_USERS[role], role)


def test_api_preflight_from_the_console_origin_allows_exactly_that_origin(console_stack: ConsoleStack):
    answer = requests.options(f"{console_stack.api_url}/v1/clients", timeout=10, headers={
        "Origin": console_stack.console_origin, "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization,content-type,idempotency-key"})
    assert answer.status_code in (200, 204)
    assert answer.headers.get("Access-Control-Allow-Origin") == console_stack.console_origin
    allowed = {h.strip().lower() for h in answer.headers["Access-Control-Allow-Headers"].split(",")}
    assert {"authorization", "content-type", "idempotency-key", "if-match"} <= allowed
    assert "POST" in answer.headers["Access-Control-Allow-Methods"]


def test_api_get_from_the_console_origin_carries_that_origin(console_stack: ConsoleStack):
    answer = console_stack.call("GET", "/v1/practice", headers={"Origin": console_stack.console_origin})
    assert answer.status_code == 200
    assert answer.headers.get("Access-Control-Allow-Origin") == console_stack.console_origin
    assert "ETag" in answer.headers.get("Access-Control-Expose-Headers", "")


def test_api_answers_another_origin_without_allowing_it(console_stack: ConsoleStack):
    preflight = requests.options(f"{console_stack.api_url}/v1/clients", timeout=10, headers={
        "Origin": OTHER_ORIGIN, "Access-Control-Request-Method": "GET"})
    plain = console_stack.call("GET", "/v1/practice", headers={"Origin": OTHER_ORIGIN})
    assert plain.status_code == 200
    assert "Access-Control-Allow-Origin" not in preflight.headers
    assert "Access-Control-Allow-Origin" not in plain.headers


def _browser_fetch(page: Any, url: str, token: str) -> Any:
    return page.evaluate("""async ([url, token]) => {
        try {
            const answer = await fetch(url, {headers: {Authorization: `Bearer ${token}`}});
            return {status: answer.status, etag: answer.headers.get('ETag'), body: await answer.json()};
        } catch (error) { return {error: String(error)}; }
    }""", [url, token])


def test_browser_on_the_console_origin_reads_the_api(console_stack: ConsoleStack, browser):
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(console_stack.console_url)
        answer = _browser_fetch(page, f"{console_stack.api_url}/v1/practice", console_stack.token("admin"))
    finally:
        context.close()
    assert answer.get("status") == 200, answer
    assert answer["body"]["id"] == "prc_demo" and answer["etag"]  # ETag exposed to the script


def test_browser_on_another_origin_is_refused_by_cors(console_stack: ConsoleStack, browser, tmp_path):
    other = console_server.make_server(port=free_port(), api_url=console_stack.api_url, dist=tmp_path,
                                       users=list, token=lambda user_id: None)
    console_server.start(other)
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(f"http://127.0.0.1:{other.server_address[1]}/config.json")
        answer = _browser_fetch(page, f"{console_stack.api_url}/v1/practice", console_stack.token("admin"))
    finally:
        context.close()
        other.shutdown()
        other.server_close()
    assert "error" in answer, answer  # the browser withholds the answer: TypeError "Failed to fetch"


def test_page_as_opens_the_console_signed_in(page_as, console_stack: ConsoleStack):
    page = page_as("front_desk")
    assert page.url.rstrip("/") == console_stack.console_origin
    assert page.get_by_test_id(f"sign-in-{DEMO_USERS['front_desk']}").count() == 0


# --- the helpers ----------------------------------------------------------------------------------

@pytest.fixture
def blank_page(browser) -> Iterator[Any]:
    context = browser.new_context()
    try:
        yield context.new_page()
    finally:
        context.close()


def test_axe_check_reports_a_critical_violation(blank_page):
    blank_page.set_content("<!doctype html><html lang=en><title>t</title><main><img src='x.png'></main></html>")
    violations = axe_check(blank_page)
    assert [v["id"] for v in violations] == ["image-alt"] and violations[0]["targets"] == [["img"]]


def test_axe_check_passes_a_clean_page(blank_page):
    blank_page.set_content("<!doctype html><html lang=en><title>t</title><main><h1>Clients</h1>"
                           "<img src='x.png' alt='Logo'></main></html>")
    assert axe_check(blank_page) == []


def test_screenshot_writes_a_png_under_build_screenshots(blank_page):
    blank_page.set_content("<h1>Harness</h1>")
    path = screenshot(blank_page, "harness/self test")
    assert path.name == "harness-self-test.png" and path.parent.name == "screenshots"
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    path.unlink()


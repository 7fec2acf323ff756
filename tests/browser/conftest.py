"""The browser test harness: the local stack `make run` starts, the built console, and headless
Chromium (Debian's /usr/bin/chromium) driven by Playwright.

Fixtures
    console_stack   (session) DynamoDB Local + tables + the demo practice + `chalice local` + the
                    console server, on free ports, through `python -m devtools.run_local`. Has
                    `api_url`, `console_url`, `token(role)`, and `call(method, path, role=..., ...)`
                    to prepare data through the API (a requests.Response).
    browser         (session) headless Chromium.
    page_as         page_as(role, width=1440, height=900) -> a Playwright Page already signed in
                    as that demo role (admin, practitioner, front_desk, billing) at the console root.
Helpers (import them: `from tests.browser.conftest import axe_check, screenshot`)
    axe_check(page)        the serious and critical axe-core violations on the page ([] when clean)
    screenshot(page, name) a full-page PNG at build/screenshots/<name>.png

The sign-in page_as does is the console's own local sign-in: it opens the console root, which
(config.json "auth": "local") lists GET /local/users, and clicks the element whose
data-testid is `sign-in-<user id>`; it then waits for that list to go away. Tokens live in the
console (session storage), so page.goto to a deep link stays signed in.

Every test in a worker shares one stack and the one demo practice: create what a test needs
(with names of its own) instead of relying on what other tests left.

The console must be built (console/dist; `make test` builds it). CASELOAD_TEST_CONSOLE_DIST
points the harness at another build.
"""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import requests

from devtools.ddb_local import free_port

ROOT = Path(__file__).resolve().parents[2]
CONSOLE = ROOT / "console"
SCREENSHOTS = ROOT / "build" / "screenshots"
CHROMIUM = os.environ.get("CASELOAD_TEST_CHROMIUM", "/usr/bin/chromium")
# The demo practice's users (devtools/seed.py), one per role.
DEMO_USERS = {"admin": "usr_demo_admin", "practitioner": "usr_demo_practitioner",
              "front_desk": "usr_demo_front_desk", "billing": "usr_demo_billing"}
AXE_SCRIPTS = (CONSOLE / "node_modules" / "axe-core" / "axe.min.js", ROOT / "node_modules" / "axe-core" / "axe.min.js")
BLOCKING_IMPACTS = ("serious", "critical")
_STARTUP_SECONDS = 120.0


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """With `pytest -n 2 --dist loadgroup` (make test) every browser test runs on one worker:
    one local stack and one Chromium instead of one per worker."""
    here = Path(__file__).parent
    for item in items:
        if item.path.is_relative_to(here):
            item.add_marker(pytest.mark.xdist_group("browser"))


def console_dist() -> Path:
    """The built console, or a failure saying how to build it."""
    override = os.environ.get("CASELOAD_TEST_CONSOLE_DIST")
    if override:
        dist = Path(override)
    elif not (CONSOLE / "package.json").is_file():
        pytest.fail("console/ does not exist yet: the browser tests drive the staff console "
                    "(console/package.json, built into console/dist)", pytrace=False)
    else:
        dist = CONSOLE / "dist"
    if not (dist / "index.html").is_file():
        pytest.fail(f"the console is not built ({dist / 'index.html'} is missing): run "
                    "`npm --prefix console ci && npm --prefix console run build` (make test does)", pytrace=False)
    return dist


@dataclass
class ConsoleStack:
    api_url: str
    console_url: str
    log_path: Path
    _tokens: dict[str, str] = field(default_factory=dict)

    @property
    def console_origin(self) -> str:
        return self.console_url.rstrip("/")

    def token(self, role: str) -> str:
        """A bearer token for the demo user of `role`, from the console server's local sign-in."""
        if role not in self._tokens:
            answer = requests.post(f"{self.console_origin}/local/token", json={"user_id": DEMO_USERS[role]},
                                   timeout=30)
            answer.raise_for_status()
            self._tokens[role] = answer.json()["token"]
        return self._tokens[role]

    def call(self, method: str, path: str, *, role: str = "admin", headers: dict[str, str] | None = None,
             **kwargs: Any) -> requests.Response:
        """One API request as the demo user of `role` (to prepare data a browser test needs)."""
        return requests.request(method, self.api_url + path, timeout=30, **kwargs,
                                headers={"Authorization": f"Bearer {self.token(role)}", **(headers or {})})


def _wait_until_up(process: subprocess.Popen, urls: list[str], log_path: Path) -> None:
    deadline = time.monotonic() + _STARTUP_SECONDS
    pending = list(urls)
    while pending:
        if process.poll() is not None:
            raise RuntimeError(f"the local stack exited with {process.returncode}:\n{_tail(log_path)}")
        if time.monotonic() > deadline:
            raise RuntimeError(f"the local stack did not answer {pending[0]} within {_STARTUP_SECONDS:.0f}s:\n"
                               f"{_tail(log_path)}")
        try:
            if requests.get(pending[0], timeout=2).status_code == 200:
                pending.pop(0)
                continue
        except requests.RequestException:
            pass
        time.sleep(0.2)


def _tail(path: Path) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-30:])
    except OSError:
        return "(no log)"


@pytest.fixture(scope="session")
def console_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ConsoleStack]:
    dist = console_dist()
    data_dir = tmp_path_factory.mktemp("console-stack")
    api_port, ddb_port, console_port = free_port(), free_port(), free_port()
    log_path = data_dir / "stack.log"
    # The stack's own settings only: a test's CASELOAD_* (moto tables, other secrets) must not leak in.
    env = {k: v for k, v in os.environ.items() if not k.startswith("CASELOAD_")}
    with log_path.open("wb") as log:  # a file, not a pipe: nobody drains a pipe while tests run
        process = subprocess.Popen(
            [sys.executable, "-m", "devtools.run_local", "--api-port", str(api_port), "--ddb-port", str(ddb_port),
             "--console-port", str(console_port), "--console-dist", str(dist), "--data-dir", str(data_dir)],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    stack = ConsoleStack(api_url=f"http://127.0.0.1:{api_port}", console_url=f"http://127.0.0.1:{console_port}/",
                         log_path=log_path)
    try:
        _wait_until_up(process, [f"{stack.api_url}/v1/openapi.json", f"{stack.console_origin}/config.json"], log_path)
        yield stack
    finally:
        process.terminate()  # run_local stops the console, the API and DynamoDB Local in order
        try:
            process.wait(60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).is_file():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install chromium (make test does)", pytrace=False)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page_as(console_stack: ConsoleStack, browser: Any) -> Iterator[Callable[..., Any]]:
    """page_as(role, width=1440, height=900): a Page signed in as the demo user of `role`."""
    contexts: list[Any] = []

    def open_page(role: str, *, width: int = 1440, height: int = 900) -> Any:
        if role not in DEMO_USERS:
            raise ValueError(f"no demo user for role {role!r}; one of {sorted(DEMO_USERS)}")
        context = browser.new_context(base_url=console_stack.console_url, viewport={"width": width, "height": height})
        context.set_default_timeout(15_000)
        contexts.append(context)
        page = context.new_page()
        page.goto("/")
        choice = page.get_by_test_id(f"sign-in-{DEMO_USERS[role]}")
        choice.click()
        choice.wait_for(state="detached")
        return page

    yield open_page
    for context in contexts:
        context.close()


def axe_check(page: Any) -> list[dict[str, Any]]:
    """Run axe-core on the page as it is now; the serious and critical violations, each with the
    rule, its help text and the CSS targets of the offending nodes."""
    script = next((path for path in AXE_SCRIPTS if path.is_file()), None)
    if script is None:
        pytest.fail("axe-core is not installed: run `npm ci` (it is a devDependency of package.json)", pytrace=False)
    if not page.evaluate("() => typeof window.axe === 'object'"):
        # Evaluated, not added as a <script>: the console's CSP (script-src 'self') refuses inline scripts.
        page.evaluate(script.read_text())
    result = page.evaluate("async () => await window.axe.run(document, {resultTypes: ['violations']})")
    return [{"id": v["id"], "impact": v["impact"], "help": v["help"],
             "targets": [node["target"] for node in v["nodes"]]}
            for v in result["violations"] if v["impact"] in BLOCKING_IMPACTS]


def screenshot(page: Any, name: str) -> Path:
    """Save a full-page PNG of the page as build/screenshots/<name>.png (a test artefact)."""
    safe = re.sub(r"[^A-Za-z0-9_.-]+", "-", name).strip("-") or "screen"
    path = SCREENSHOTS / f"{safe}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path), full_page=True)
    return path


def check_screen(page: Any, path: str, name: str, width: int) -> None:
    """A main screen at `width`: it loads without an error, is saved as a screenshot, never
    scrolls sideways, and axe-core finds no serious or critical violation."""
    from playwright.sync_api import expect

    page.goto(path)
    page.get_by_role("heading", level=1).wait_for()
    page.wait_for_load_state("networkidle")
    expect(page.get_by_role("status").filter(has_text=re.compile(r"^Loading"))).to_have_count(0)
    assert page.get_by_role("alert").count() == 0, page.get_by_role("alert").first.inner_text()
    screenshot(page, f"{name}-{width}")
    assert page.evaluate("() => document.documentElement.scrollWidth") <= width + 1
    assert axe_check(page) == []


def config_of(stack: ConsoleStack) -> dict[str, Any]:
    """The console's config.json as the browser reads it."""
    return json.loads(requests.get(f"{stack.console_origin}/config.json", timeout=10).text)

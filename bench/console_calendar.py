"""How long the console's week calendar takes to show 200 appointments, in headless Chromium
against the local stack (`devtools.run_local` on free ports, its own data directory).

Books 200 appointments for the demo practitioner in one week (20 clients, 15-minute slots),
signs in as the front desk, then prints:
  - load: opening /calendar for that week until all 200 appointments are on screen (a full page
    load: the app's JavaScript, /v1/users/me, the reference lists, the week's appointments);
  - names: the same load until every card shows its client's name (each name is read apart);
  - switch: from the next (empty) week back to that week with the "Previous week" button (the
    client-side render: the appointments' requests, then React draws them);
  - render: the part of the switch after the last appointments answer arrived (drawing alone).
Each is the median of --repeat runs. Issue 14's bar is under 1 s; this prints, it does not assert.
--trace also prints the last load's timeline: when each request started and ended (`fetch()` rows
include the CORS preflight and the body), to see where the time goes.

    .venv/bin/python -m bench.console_calendar [--repeat 5] [--dist console/dist] [--trace]
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

import requests

from devtools.ddb_local import free_port

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = os.environ.get("CASELOAD_TEST_CHROMIUM", "/usr/bin/chromium")
PRACTITIONER = "usr_demo_practitioner"
LOCATION = "loc_prc_demo_main"
APPOINTMENTS = 200


# Every card shows its client's name (a card shows "…" until the name has been read).
NAMED = "() => ![...document.querySelectorAll('main a.appt')].some((a) => a.textContent.includes('…'))"
# Every resource the page fetched, in order: its address without the host, start and end (ms).
_TIMELINE = """() => [['(document)', 0, performance.getEntriesByType('navigation')[0].responseEnd],
    ...performance.getEntriesByType('resource').map((e) => [e.name.replace(/^https?:\\/\\/[^/]+/, '').slice(0, 90),
        e.startTime, e.responseEnd]),
    ...(window.__fetches || []).map(([name, start, end]) => ['fetch() ' + name.replace(/^https?:\\/\\/[^/]+/, '')
        .slice(0, 82), start, end])].sort((a, b) => a[1] - b[1])"""
# When the page called fetch() and when the answer's body was read (includes any CORS preflight).
_FETCH_CLOCK = """(() => {
    const original = window.fetch; window.__fetches = [];
    window.fetch = async (input, init) => {
        const name = typeof input === 'string' ? input : input.url, start = performance.now();
        const answer = await original(input, init);
        const row = [name, start, NaN]; window.__fetches.push(row);
        answer.clone().arrayBuffer().then(() => { row[2] = performance.now(); });
        return answer;
    };
})()"""


def _wait(url: str, process: subprocess.Popen, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"the local stack exited with {process.returncode}")
        try:
            if requests.get(url, timeout=2).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.2)
    raise SystemExit(f"{url} did not answer within {seconds:.0f}s")


def _book_week(api_url: str, token: str, monday: date) -> None:
    headers = {"Authorization": f"Bearer {token}"}
    clients = []
    for n in range(20):
        answer = requests.post(f"{api_url}/v1/clients", headers=headers, timeout=30,
                               json={"first_name": "Bench", "last_name": f"Calendar{n:02d}"})
        answer.raise_for_status()
        clients.append(answer.json()["id"])
    per_day = -(-APPOINTMENTS // 7)
    booked = 0
    for day in range(7):
        for slot in range(per_day):
            if booked == APPOINTMENTS:
                return
            start = timedelta(hours=7, minutes=15 * slot)
            on = (monday + timedelta(days=day)).isoformat()
            begin = f"{on}T{start.seconds // 3600:02d}:{start.seconds // 60 % 60:02d}:00"
            end_at = start + timedelta(minutes=15)
            end = f"{on}T{end_at.seconds // 3600:02d}:{end_at.seconds // 60 % 60:02d}:00"
            answer = requests.post(f"{api_url}/v1/appointments", headers=headers, timeout=30, json={
                "client_id": clients[booked % len(clients)], "practitioner_id": PRACTITIONER,
                "location_id": LOCATION, "start": begin, "end": end, "billing_code": "90834"})
            answer.raise_for_status()
            booked += 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--dist", type=Path, default=ROOT / "console" / "dist")
    parser.add_argument("--trace", action="store_true",
                        help="also print the last full load's timeline (each request's start and end)")
    args = parser.parse_args()
    if not (args.dist / "index.html").is_file():
        raise SystemExit(f"{args.dist} has no build: run `npm --prefix console run build`")
    from playwright.sync_api import sync_playwright

    api_port, ddb_port, console_port = free_port(), free_port(), free_port()
    with tempfile.TemporaryDirectory() as data_dir:
        env = {k: v for k, v in os.environ.items() if not k.startswith("CASELOAD_")}
        log = open(Path(data_dir) / "stack.log", "wb")  # noqa: SIM115 (closed after the stack stops)
        process = subprocess.Popen(
            [sys.executable, "-m", "devtools.run_local", "--api-port", str(api_port), "--ddb-port", str(ddb_port),
             "--console-port", str(console_port), "--console-dist", str(args.dist), "--data-dir", data_dir],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        api_url, console_url = f"http://127.0.0.1:{api_port}", f"http://127.0.0.1:{console_port}"
        try:
            _wait(f"{api_url}/v1/openapi.json", process)
            _wait(f"{console_url}/config.json", process)
            token = requests.post(f"{console_url}/local/token", json={"user_id": "usr_demo_front_desk"},
                                  timeout=30).json()["token"]
            monday = date.today() + timedelta(days=(7 - date.today().weekday()) + 35)
            started = time.perf_counter()
            _book_week(api_url, token, monday)
            print(f"booked {APPOINTMENTS} appointments in {time.perf_counter() - started:.1f}s (setup, not measured)")
            week = f"/calendar?view=week&date={monday.isoformat()}&by=practitioner&id={PRACTITIONER}"
            loads, named, switches, renders = [], [], [], []
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True)
                context = browser.new_context(base_url=console_url, viewport={"width": 1440, "height": 900})
                if args.trace:
                    context.add_init_script(_FETCH_CLOCK)
                page = context.new_page()
                page.goto("/")
                page.get_by_test_id("sign-in-usr_demo_front_desk").click()
                page.get_by_role("navigation", name="Main").wait_for()
                all_shown = f"() => document.querySelectorAll('main a.appt').length === {APPOINTMENTS}"
                for _ in range(args.repeat):
                    page.goto(week)
                    page.wait_for_function(all_shown, polling="raf", timeout=30_000)
                    # Milliseconds since this navigation started (the page's own clock).
                    loads.append(page.evaluate("() => performance.now()"))
                    timeline = page.evaluate(_TIMELINE)
                    page.wait_for_function(NAMED, polling="raf", timeout=30_000)
                    named.append(page.evaluate("() => performance.now()"))
                    page.get_by_role("button", name="Next week").click()
                    page.wait_for_function("() => document.querySelectorAll('main a.appt').length === 0")
                    page.wait_for_load_state("networkidle")
                    begin = page.evaluate("() => performance.now()")
                    page.get_by_role("button", name="Previous week").click()
                    page.wait_for_function(all_shown, polling="raf", timeout=30_000)
                    switches.append(page.evaluate("() => performance.now()") - begin)
                    # Drawing alone: from the last appointments answer's arrival to all 200 shown.
                    renders.append(page.evaluate("""() => performance.now() - Math.max(...performance
                        .getEntriesByType('resource').filter((e) => e.name.includes('/v1/appointments'))
                        .map((e) => e.responseEnd))"""))
                browser.close()
        finally:
            process.terminate()
            try:
                process.wait(60)
            except subprocess.TimeoutExpired:
                process.kill()
            log.close()
    if args.trace:
        print(f"the last load's timeline (ms since navigation start; all {APPOINTMENTS} shown at {loads[-1]:.0f}):")
        for name, start, end in timeline:
            print(f"  {start:6.0f} → {end:6.0f}  ({end - start:4.0f})  {name}")
    print(f"week calendar with {APPOINTMENTS} appointments, median of {args.repeat}:")
    print(f"  load (full page, sign-in kept): {statistics.median(loads):7.0f} ms   "
          f"(runs: {', '.join(f'{v:.0f}' for v in loads)})")
    print(f"  names (load until each card names its client): {statistics.median(named):7.0f} ms   "
          f"(runs: {', '.join(f'{v:.0f}' for v in named)})")
    print(f"  render after the data arrived:  {statistics.median(renders):7.0f} ms   "
          f"(runs: {', '.join(f'{v:.0f}' for v in renders)})")
    print(f"  switch back to the week:        {statistics.median(switches):7.0f} ms   "
          f"(runs: {', '.join(f'{v:.0f}' for v in switches)})")


if __name__ == "__main__":
    main()

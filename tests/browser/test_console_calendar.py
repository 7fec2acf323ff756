"""The front desk's week calendar in headless Chromium against the local stack: each appointment
under its own day, and a week read without a waterfall (every day's request sent before any
answer came back, and before the reference lists the pickers need)."""
from __future__ import annotations

import random
import re
import uuid
from datetime import date, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

from playwright.sync_api import expect

from tests.browser.conftest import ConsoleStack

LOCATION = "loc_prc_demo_main"
PRACTITIONER = "usr_demo_practitioner"
# Other browser tests book the demo practitioner 30 to 360 days ahead: these weeks are further out.
_WEEKS = random.Random(uuid.uuid4().int).sample(range(60, 100), 4)

# Every fetch() the page makes, in order: ["call", url] when it is made, ["answer", url] when it resolves.
_FETCH_LOG = """(() => {
    const original = window.fetch;
    window.__fetchLog = [];
    window.fetch = async (input, init) => {
        const url = typeof input === 'string' ? input : input.url;
        window.__fetchLog.push(['call', url]);
        const answer = await original(input, init);
        window.__fetchLog.push(['answer', url]);
        return answer;
    };
})()"""
DASH = "\N{EN DASH}"  # between a card's start and end times
_REFERENCE_LISTS = ("/v1/users?", "/v1/locations?", "/v1/rooms?", "/v1/billing-codes?")


def _monday() -> date:
    today = date.today()
    return today - timedelta(days=today.weekday()) + timedelta(weeks=_WEEKS.pop())


def _book(stack: ConsoleStack, last_name: str, start: str, end: str) -> dict[str, Any]:
    client = stack.call("POST", "/v1/clients", json={"first_name": "Cal", "last_name": last_name})
    assert client.status_code == 201, client.text
    booking = stack.call("POST", "/v1/appointments", role="front_desk", json={
        "client_id": client.json()["id"], "practitioner_id": PRACTITIONER, "location_id": LOCATION,
        "start": start, "end": end, "billing_code": "90834"})
    assert booking.status_code == 201, booking.text
    return booking.json()["appointments"][0]


def _week_path(monday: date) -> str:
    return f"/calendar?view=week&date={monday.isoformat()}&by=practitioner&id={PRACTITIONER}"


def test_week_calendar_shows_each_appointment_under_its_own_day(console_stack: ConsoleStack, page_as):
    monday = _monday()
    sunday = monday + timedelta(days=6)
    tag = uuid.uuid4().hex[:6]
    _book(console_stack, f"Monday{tag}", f"{monday}T07:00:00", f"{monday}T07:50:00")
    _book(console_stack, f"Sunday{tag}", f"{sunday}T22:00:00", f"{sunday}T22:45:00")
    # Just outside the week on either side: never shown in it.
    before, after = monday - timedelta(days=1), sunday + timedelta(days=1)
    _book(console_stack, f"Before{tag}", f"{before}T23:00:00", f"{before}T23:30:00")
    _book(console_stack, f"After{tag}", f"{after}T00:00:00", f"{after}T00:30:00")

    page = page_as("front_desk")
    page.goto(_week_path(monday))
    week = page.get_by_role("region", name="Appointments this week")
    first_day = week.get_by_role("list", name=re.compile(r"^Appointments on Monday"))
    last_day = week.get_by_role("list", name=re.compile(r"^Appointments on Sunday"))
    expect(first_day.get_by_role("link")).to_have_text([re.compile(rf"^07:00{DASH}07:50Cal Monday{tag} · 90834")])
    expect(last_day.get_by_role("link")).to_have_text([re.compile(rf"^22:00{DASH}22:45Cal Sunday{tag} · 90834")])
    expect(week.get_by_role("link")).to_have_count(2)

    # Away to the next (empty) week and back: the same two, drawn again.
    page.get_by_role("button", name="Next week").click()
    expect(page.get_by_role("region", name="Appointments this week").get_by_role("link")).to_have_count(0)
    page.get_by_role("button", name="Previous week").click()
    expect(first_day.get_by_role("link")).to_have_text([re.compile(rf"^07:00{DASH}07:50Cal Monday{tag}")])
    expect(week.get_by_role("link")).to_have_count(2)


def test_week_calendar_requests_every_day_before_any_answer_and_before_the_reference_lists(
        console_stack: ConsoleStack, page_as):
    monday = _monday()
    tag = uuid.uuid4().hex[:6]
    for day in range(0, 7, 2):
        on = monday + timedelta(days=day)
        _book(console_stack, f"Day{day}{tag}", f"{on}T09:00:00", f"{on}T09:50:00")

    page = page_as("front_desk")
    page.context.add_init_script(_FETCH_LOG)
    page.goto(_week_path(monday))
    expect(page.get_by_role("region", name="Appointments this week").get_by_role("link")).to_have_count(4)
    page.wait_for_load_state("networkidle")
    log: list[list[str]] = page.evaluate("() => window.__fetchLog")

    week = [(i, kind, url) for i, (kind, url) in enumerate(log) if "/v1/appointments?" in url]
    calls = [i for i, kind, _ in week if kind == "call"]
    answers = [i for i, kind, _ in week if kind == "answer"]
    assert calls and answers, log
    # No waterfall: the whole week is asked for before the first part of it answers.
    assert max(calls) < min(answers), log
    # Each day of the week asked for exactly once.
    asked = []
    for _, kind, url in week:
        if kind == "call":
            first, last = (date.fromisoformat(parse_qs(urlsplit(url).query)[k][0]) for k in ("from", "to"))
            asked += [first + timedelta(days=d) for d in range((last - first).days + 1)]
    assert sorted(asked) == [monday + timedelta(days=d) for d in range(7)], log
    # The appointments go first; the pickers' reference lists after them.
    reference_calls = [i for i, (kind, url) in enumerate(log)
                       if kind == "call" and any(part in url for part in _REFERENCE_LISTS)]
    assert reference_calls and max(calls) < min(reference_calls), log

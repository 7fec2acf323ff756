"""Booking a group session series from the group page, in headless Chromium against the local
stack: the preview of every occurrence (a member short of authorization, a taken room) before
anything is written, the explicit room-clash override, and the booked sessions listed with
links to their attendance grid; axe-checked and usable at 375 px as at 1440 px."""
from __future__ import annotations

import random
import re
import uuid
from datetime import date, timedelta
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import DEMO_USERS, ConsoleStack, axe_check, screenshot

pytestmark = pytest.mark.timeout(300)

LOCATION = "loc_prc_demo_main"
ROOM = "room_prc_demo_1"
PRACTITIONER = DEMO_USERS["practitioner"]
TIMES = "18:00\u201319:30"  # how the console writes a session's times (an en dash)
# Tests share one stack: each books on days of its own far ahead so no other test's booking clashes.
_DAYS = random.Random(uuid.uuid4().int).sample(range(40, 300, 3), 6)


def _ok(answer: Any, status: int = 201) -> dict[str, Any]:
    assert answer.status_code == status, answer.text
    return answer.json() if answer.content else {}


def _group_with_members(stack: ConsoleStack) -> dict[str, Any]:
    """A group run by the demo practitioner with two members; the first has an authorization for
    a single session, so every session after the first leaves them short."""
    tag = uuid.uuid4().hex[:6]
    clients = [_ok(stack.call("POST", "/v1/clients", json={
        "first_name": first, "last_name": f"Series{tag}", "practitioner_id": PRACTITIONER}))
        for first in ("Ada", "Ben")]
    _ok(stack.call("POST", f"/v1/clients/{clients[0]['id']}/authorizations", role="front_desk", json={
        "payer": "Aetna", "measure": "sessions", "begin_on": date.today().isoformat(),
        "end_on": (date.today() + timedelta(days=400)).isoformat(), "allowed": "1", "number": f"PA-{tag}"}))
    group = _ok(stack.call("POST", "/v1/groups", json={"name": f"Series group {tag}", "initials": f"SG{tag[:2]}",
                                                      "practitioner_id": PRACTITIONER}))
    for client in clients:
        _ok(stack.call("POST", f"/v1/groups/{group['id']}/members", json={"client_id": client["id"]}))
    return {"group": group, "clients": clients, "tag": tag}


def _no_sideways_scroll(page: Any, width: int) -> None:
    """The page fits `width`; otherwise name the elements reaching past it."""
    wider = page.evaluate("""(width) => Array.from(document.querySelectorAll('body *'))
        .filter((e) => e.getBoundingClientRect().right > width + 1).slice(0, 5)
        .map((e) => `${e.tagName}.${e.className} ${(e.textContent || '').slice(0, 40)}`)""", width)
    assert page.evaluate("() => document.documentElement.scrollWidth") <= width + 1, wider


def _group_sessions(stack: ConsoleStack, group_id: str, first: str, last: str) -> list[dict[str, Any]]:
    return _ok(stack.call("GET", f"/v1/groups/{group_id}/appointments?from={first}&to={last}"), 200)["items"]


@pytest.mark.parametrize("width", [1440, 375])
def test_front_desk_books_weekly_group_series_after_preview_and_room_override(console_stack: ConsoleStack,
                                                                             page_as, width):
    data = _group_with_members(console_stack)
    group, (short, covered) = data["group"], data["clients"]
    day = (date.today() + timedelta(days=_DAYS.pop())).isoformat()
    second = (date.fromisoformat(day) + timedelta(days=7)).isoformat()
    third = (date.fromisoformat(day) + timedelta(days=14)).isoformat()
    # Someone else holds the room at the second session's time (the demo has one practitioner: theirs too).
    holder = _ok(console_stack.call("POST", "/v1/clients",
                                    json={"first_name": "Room", "last_name": f"Holder{data['tag']}"}))
    _ok(console_stack.call("POST", "/v1/appointments", role="front_desk", json={
        "client_id": holder["id"], "practitioner_id": PRACTITIONER, "location_id": LOCATION,
        "room_id": ROOM, "start": f"{second}T18:30:00", "end": f"{second}T19:20:00", "billing_code": "90834"}))

    page = page_as("front_desk", width=width)
    page.goto(f"/groups/{group['id']}")
    form = page.get_by_role("form", name="Book a group session")
    form.get_by_label("Location").select_option(LOCATION)  # other tests add locations to the shared practice
    form.get_by_label("Room").select_option(ROOM)
    form.get_by_label("Date", exact=True).fill(day)
    form.get_by_label("Start time").fill("18:00")
    form.get_by_label("End time").fill("19:30")
    form.get_by_label("Repeats").select_option("weekly")
    form.get_by_label("Number of sessions").fill("3")
    assert axe_check(page) == []
    form.get_by_role("button", name="Preview", exact=True).click()

    preview = page.get_by_role("region", name=re.compile(r"^Preview: 3 sessions"))
    preview.wait_for()
    rows = preview.get_by_role("table").get_by_role("row")
    expect(rows).to_have_count(4)  # a header and one row per occurrence
    assert "No warnings" in rows.nth(1).inner_text()
    assert "Room taken" in rows.nth(2).inner_text() and "Authorization (1 member)" in rows.nth(2).inner_text()
    assert "Practitioner busy" in rows.nth(2).inner_text()  # the holder's appointment is with the same practitioner
    assert "Room taken" not in rows.nth(3).inner_text() and "Authorization (1 member)" in rows.nth(3).inner_text()
    by_occurrence = preview.get_by_role("list", name="Warnings by occurrence")
    # member names arrive a moment after the warnings (one read per client)
    expect(by_occurrence).to_contain_text(f"Authorization ({short['first_name']} {short['last_name']})")
    warnings = by_occurrence.inner_text()
    assert "Occurrence 1" not in warnings, warnings
    assert "Occurrence 2" in warnings and "Room: room is booked" in warnings, warnings
    assert covered["last_name"] not in warnings.replace(short["last_name"], ""), warnings
    assert axe_check(page) == []
    _no_sideways_scroll(page, width)
    screenshot(page, f"group-booking-preview-{width}")
    # The preview writes nothing.
    assert _group_sessions(console_stack, group["id"], day, third) == []

    preview.get_by_role("button", name="Book 3 sessions").click()
    clash = page.get_by_role("dialog", name="The room is taken")
    clash.wait_for()
    assert "Occurrence 2" in clash.inner_text() and "Room: room is booked" in clash.inner_text()
    assert axe_check(page) == []
    assert _group_sessions(console_stack, group["id"], day, third) == []  # nothing until the override
    clash.get_by_role("button", name=re.compile("Book anyway")).click()

    page.get_by_role("status").filter(has_text="Booked 3 sessions.").wait_for()
    booked = page.get_by_role("region", name="Booked 3 sessions.")
    links = booked.get_by_role("link", name=re.compile(rf"^\w+ \d+ \w+ \d{{4}}, {TIMES}$"))
    expect(links).to_have_count(3)
    stored = sorted(_group_sessions(console_stack, group["id"], day, third), key=lambda a: a["start"])
    assert [a["start"][:10] for a in stored] == [day, second, third]
    assert {a["room_id"] for a in stored} == {ROOM} and stored[0]["series_id"] == stored[2]["series_id"]
    assert links.first.get_attribute("href") == f"/groups/{group['id']}/sessions/{stored[0]['id']}"
    # The group's session list widens to show every session just booked, far ahead as they are.
    listed = page.get_by_role("region", name="Sessions", exact=True).get_by_role("link", name=re.compile(TIMES))
    expect(listed).to_have_count(3)
    _no_sideways_scroll(page, width)
    screenshot(page, f"group-booking-booked-{width}")

    links.nth(1).click()
    page.get_by_role("button", name="Mark all attended").wait_for()
    assert page.url.endswith(f"/groups/{group['id']}/sessions/{stored[1]['id']}")


def test_group_booking_with_series_ending_before_it_starts_shows_the_problem_at_repeats(console_stack: ConsoleStack,
                                                                                     page_as):
    data = _group_with_members(console_stack)
    page = page_as("front_desk", width=375)
    page.goto(f"/groups/{data['group']['id']}")
    form = page.get_by_role("form", name="Book a group session")
    form.get_by_label("Location").select_option(LOCATION)
    form.get_by_label("Repeats").select_option("weekly")
    form.get_by_label("Ends").select_option("until")
    form.get_by_label("Date", exact=True).fill((date.today() + timedelta(days=20)).isoformat())
    form.get_by_label("Last date").fill((date.today() + timedelta(days=10)).isoformat())
    form.get_by_role("button", name="Preview", exact=True).click()

    repeats = form.get_by_label("Repeats")
    expect(repeats).to_have_attribute("aria-invalid", "true")
    error = form.locator(f"[id='{(repeats.get_attribute('aria-describedby') or '').split()[-1]}']")
    expect(error).to_contain_text("the recurrence ends before its first occurrence")
    assert page.get_by_role("region", name=re.compile(r"^Preview:")).count() == 0
    assert _group_sessions(console_stack, data["group"]["id"], date.today().isoformat(),
                           (date.today() + timedelta(days=30)).isoformat()) == []

"""The front desk's and the client screens of the staff console, in headless Chromium against the
local stack: booking into a taken room with an explicit override, a pack from a template with a
custom limit counted by attending, and every main screen checked by axe-core and photographed at
1440 px and 375 px wide."""
from __future__ import annotations

import random
import re
import uuid
from datetime import date, timedelta
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import ConsoleStack, axe_check, screenshot

LOCATION = "loc_prc_demo_main"
ROOM = "room_prc_demo_1"
PRACTITIONER = "usr_demo_practitioner"
# Tests share one stack: each books on a day of its own far ahead so no other test's booking clashes.
_DAYS = random.Random(uuid.uuid4().int).sample(range(30, 360), 8)


def _free_day() -> str:
    return (date.today() + timedelta(days=_DAYS.pop())).isoformat()


def _ok(answer: Any, status: int = 201) -> dict[str, Any]:
    assert answer.status_code == status, answer.text
    return answer.json() if answer.content else {}


def _client(stack: ConsoleStack, last: str) -> dict[str, Any]:
    return _ok(stack.call("POST", "/v1/clients",
                          json={"first_name": "Brow", "last_name": f"{last}{uuid.uuid4().hex[:6]}"}))


def _book(stack: ConsoleStack, client_id: str, day: str, start: str, end: str, **extra: Any) -> dict[str, Any]:
    booking = _ok(stack.call("POST", "/v1/appointments", role="front_desk", json={
        "client_id": client_id, "practitioner_id": PRACTITIONER, "location_id": LOCATION,
        "start": f"{day}T{start}:00", "end": f"{day}T{end}:00", "billing_code": "90834", **extra}))
    return booking["appointments"][0]


def test_front_desk_books_into_a_taken_room_only_after_overriding(console_stack: ConsoleStack, page_as):
    day = _free_day()
    holder = _client(console_stack, "Holder")
    _book(console_stack, holder["id"], day, "10:00", "10:50", room_id=ROOM)
    newcomer = _client(console_stack, "Newcomer")
    name = f"Brow {newcomer['last_name']}"

    page = page_as("front_desk")
    page.goto(f"/book?client_id={newcomer['id']}&client_name={name}&date={day}")
    form = page.get_by_role("form", name="Booking")
    form.get_by_label("Location").select_option(LOCATION)  # other tests add locations to the shared practice
    form.get_by_label("Room").select_option(ROOM)
    form.get_by_label("Start time").fill("10:00")
    form.get_by_label("End time").fill("10:50")
    form.get_by_label("Billing code").select_option("90834")
    form.get_by_role("button", name="Book", exact=True).click()

    clash = page.get_by_role("dialog", name="The room is taken")
    clash.wait_for()
    assert "room is booked" in clash.inner_text()
    assert axe_check(page) == []
    screenshot(page, "frontdesk-room-clash-1440")
    # Nothing is booked until the override is explicit.
    listed = _ok(console_stack.call("GET", f"/v1/appointments?room_id={ROOM}&from={day}&to={day}"), 200)["items"]
    assert [a["client_id"] for a in listed] == [holder["id"]]

    text = clash.inner_text()
    assert "Occurrence 1" in text and "10:00" in text and "Room: room is booked" in text, text

    clash.get_by_role("button", name=re.compile("Book anyway")).click()
    page.get_by_role("heading", name=f"Appointment: {name}").wait_for()
    page.get_by_text("Booked 1 appointment.").wait_for()

    listed = _ok(console_stack.call("GET", f"/v1/appointments?room_id={ROOM}&from={day}&to={day}"), 200)["items"]
    assert sorted(a["client_id"] for a in listed) == sorted([holder["id"], newcomer["id"]])


def test_front_desk_sees_a_series_authorization_warning_per_occurrence_before_booking(console_stack: ConsoleStack,
                                                                                       page_as):
    day = _free_day()
    client = _client(console_stack, "Authorized")
    _ok(console_stack.call("POST", f"/v1/clients/{client['id']}/authorizations", role="front_desk", json={
        "payer": "Aetna", "measure": "sessions", "begin_on": date.today().isoformat(),
        "end_on": (date.today() + timedelta(days=400)).isoformat(), "allowed": "1", "number": "PA-1"}))
    name = f"Brow {client['last_name']}"

    page = page_as("front_desk")
    page.goto(f"/book?client_id={client['id']}&client_name={name}&date={day}")
    form = page.get_by_role("form", name="Booking")
    form.get_by_label("Location").select_option(LOCATION)
    form.get_by_label("Start time").fill("14:00")
    form.get_by_label("End time").fill("14:50")
    form.get_by_label("Billing code").select_option("90834")
    form.get_by_label("Repeats").select_option("weekly")
    form.get_by_label("Number of sessions").fill("2")
    form.get_by_role("button", name="Book", exact=True).click()

    confirm = page.get_by_role("dialog", name="Confirm the booking")
    confirm.wait_for()
    warnings = confirm.get_by_role("list", name="Warnings by occurrence")
    text = warnings.inner_text()
    second = (date.fromisoformat(day) + timedelta(days=7)).strftime("%d %b").lstrip("0")
    assert "Occurrence 2" in text and "14:00" in text and "Authorization" in text and second in text, text
    assert "Occurrence 1" not in text, text
    assert axe_check(page) == []
    screenshot(page, "frontdesk-booking-confirm-1440")
    # The warning comes before the booking: nothing is written yet.
    until = (date.fromisoformat(day) + timedelta(days=7)).isoformat()
    listed = _ok(console_stack.call("GET", f"/v1/appointments?client_id={client['id']}&from={day}&to={until}"), 200)
    assert listed["items"] == []

    confirm.get_by_role("button", name="Book", exact=True).click()
    page.get_by_text("Booked 2 appointments.").wait_for()
    listed = _ok(console_stack.call("GET", f"/v1/appointments?client_id={client['id']}&from={day}&to={until}"), 200)
    assert sorted(a["start"][:10] for a in listed["items"]) == [day, until]


def test_pack_from_template_with_limit_6_shows_0_of_6_and_attending_makes_1_of_6(console_stack: ConsoleStack, page_as):
    template = _ok(console_stack.call("POST", "/v1/pack-templates", json={
        "name": f"Referral 10 {uuid.uuid4().hex[:6]}", "measure": "sessions", "quantity": "10", "price": "1500.00",
        "codes": {"mode": "all_except", "codes": []}}))
    client = _client(console_stack, "Packer")
    yesterday = (date.today() - timedelta(days=1)).isoformat()
    appointment = _book(console_stack, client["id"], yesterday, "09:00", "09:50")

    page = page_as("front_desk")
    page.goto(f"/clients/{client['id']}/packs/new")
    form = page.get_by_role("form", name="New pack")
    form.get_by_label("Template").select_option(template["id"])
    assert form.get_by_label("Limit").input_value() == "10"
    form.get_by_label("Limit").fill("6")
    form.get_by_role("button", name="Create pack").click()

    packs = page.get_by_role("list", name="Packs")
    packs.get_by_text(re.compile(r"used 0 of 6")).wait_for()
    bar = packs.get_by_role("progressbar")
    assert bar.get_attribute("aria-valuenow") == "0" and bar.get_attribute("aria-valuemax") == "6"

    page.goto(f"/appointments/{appointment['id']}")
    page.get_by_role("group", name="Attendance").get_by_role("button", name="Attended").click()
    page.get_by_text("Marked attended.").wait_for()
    assert re.search(r"1 of 6", page.get_by_role("list", name="What was charged").inner_text())

    page.goto(f"/clients/{client['id']}")
    page.get_by_role("list", name="Packs").get_by_text(re.compile(r"used 1 of 6")).wait_for()
    assert page.get_by_role("list", name="Packs").get_by_role("progressbar").get_attribute("aria-valuenow") == "1"


def _main_screens(stack: ConsoleStack) -> list[tuple[str, str, str]]:
    """(name, path, a heading that shows the screen is ready) for each of the front desk's screens."""
    day = _free_day()
    client = _client(stack, "Screens")
    template = _ok(stack.call("POST", "/v1/pack-templates", json={
        "name": f"Screens 6 {uuid.uuid4().hex[:6]}", "measure": "sessions", "quantity": "6", "price": "600.00"}))
    _ok(stack.call("POST", f"/v1/clients/{client['id']}/packs", role="front_desk",
                   json={"template_id": template["id"]}))
    _ok(stack.call("POST", f"/v1/clients/{client['id']}/authorizations", role="front_desk", json={
        "payer": "Aetna", "measure": "sessions", "begin_on": date.today().isoformat(),
        "end_on": (date.today() + timedelta(days=180)).isoformat(), "allowed": "12", "number": "PA-1"}))
    appointment = _book(stack, client["id"], day, "11:00", "11:50", room_id=ROOM)
    session = _ok(stack.call("POST", f"/v1/clients/{client['id']}/sessions", role="billing", json={
        "date_of_service": date.today().isoformat(), "billing_code": "90834", "primary_diagnosis": "F41.1"}))
    name = f"Brow {client['last_name']}"
    return [
        ("calendar-week", f"/calendar?view=week&date={day}&by=practitioner&id={PRACTITIONER}", "Calendar"),
        ("calendar-day-room", f"/calendar?view=day&date={day}&by=room&id={ROOM}", "Calendar"),
        ("book", f"/book?date={day}", "Book appointment"),
        ("appointment", f"/appointments/{appointment['id']}", f"Appointment: {name}"),
        ("clients", f"/clients?q={client['last_name']}", "Clients"),
        ("client-profile", f"/clients/{client['id']}", name),
        ("new-pack", f"/clients/{client['id']}/packs/new", "New pack"),
        ("new-authorization", f"/clients/{client['id']}/authorizations/new", "New authorization"),
        ("client-session", f"/clients/{client['id']}/sessions/{session['session']['id']}", "Client session"),
    ]


@pytest.mark.parametrize("width", [1440, 375])
def test_front_desk_screens_have_no_serious_axe_violations_at_width(console_stack: ConsoleStack, page_as, width):
    screens = _main_screens(console_stack)
    page = page_as("admin", width=width, height=900)
    found: dict[str, Any] = {}
    for name, path, heading in screens:
        page.goto(path)
        expect(page.get_by_role("heading", level=1)).to_have_text(heading)
        page.wait_for_load_state("networkidle")
        expect(page.get_by_role("status").filter(has_text="Loading")).to_have_count(0)
        # Nothing wider than the window: the screen works at this width without sideways scrolling.
        overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 1, f"{name} is {overflow}px wider than {width}px"
        screenshot(page, f"frontdesk-{name}-{width}")
        violations = axe_check(page)
        if violations:
            found[name] = violations
    assert found == {}

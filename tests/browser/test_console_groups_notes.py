"""The console's groups and chart-notes screens in a real browser: the attendance grid with
"mark all attended" and one no-show, a group note with a per-member part signed and then
read-only, a front-desk user kept away from note content, and each screen's screenshot and
axe check at 1440 and 375 px."""
from __future__ import annotations

import datetime as dt
import re
import uuid
from typing import Any

import pytest

from tests.browser.conftest import DEMO_USERS, check_screen, screenshot

pytestmark = pytest.mark.timeout(300)

PRACTITIONER = DEMO_USERS["practitioner"]


def _ok(answer, status: int = 201) -> dict[str, Any]:
    assert answer.status_code == status, answer.text
    return answer.json()


def _location(stack) -> str:
    locations = _ok(stack.call("GET", "/v1/locations"), 200)["items"]
    return next(loc["id"] for loc in locations if loc["active"] and not loc["telehealth"])


def make_group_session(stack, members: int = 3, *, mark_all: bool = False) -> dict[str, Any]:
    """A group run by the demo practitioner with `members` new clients and one session held
    two days ago (optionally with everyone marked attended)."""
    tag = uuid.uuid4().hex[:6]
    clients = []
    for i in range(members):
        clients.append(_ok(stack.call("POST", "/v1/clients", json={
            "first_name": f"Member{i}", "last_name": f"Grp{tag}", "practitioner_id": PRACTITIONER})))
    group = _ok(stack.call("POST", "/v1/groups", json={"name": f"Anxiety group {tag}", "initials": f"AG{tag[:2]}",
                                                      "practitioner_id": PRACTITIONER}))
    for client in clients:
        _ok(stack.call("POST", f"/v1/groups/{group['id']}/members",
                       json={"client_id": client["id"], "since": "2019-01-01T00:00:00Z"}))
    day = (dt.date.today() - dt.timedelta(days=2)).isoformat()
    booking = _ok(stack.call("POST", f"/v1/groups/{group['id']}/appointments", role="front_desk", json={
        "location_id": _location(stack), "start": f"{day}T18:00:00", "end": f"{day}T19:30:00",
        "override_room_conflict": True}))
    appointment = booking["appointments"][0]
    if mark_all:
        _ok(stack.call("POST", f"/v1/appointments/{appointment['id']}/attendance", role="practitioner",
                       json={"all_attended": True}), 200)
    return {"group": group, "appointment": appointment, "clients": clients, "tag": tag}


def _name(client: dict) -> str:
    return f"{client['first_name']} {client['last_name']}"


def test_mark_all_attended_then_one_no_show_shows_each_member_state(console_stack, page_as):
    data = make_group_session(console_stack)
    group, appointment, clients = data["group"], data["appointment"], data["clients"]
    page = page_as("front_desk")
    page.goto(f"/groups/{group['id']}/sessions/{appointment['id']}")
    page.get_by_role("button", name="Mark all attended").click()
    page.get_by_role("status").filter(has_text="Everyone is marked attended").wait_for()
    for client in clients:
        assert page.get_by_test_id(f"member-{client['id']}-status").inner_text() == "Attended"
        assert "90853" in page.get_by_test_id(f"member-{client['id']}-summary").inner_text()

    absent = clients[1]
    page.get_by_label(f"Status of {_name(absent)}").select_option("no_show")
    page.get_by_role("button", name=re.compile(r"^Save changes \(1\)")).click()
    page.get_by_role("status").filter(has_text="Saved 1 change").wait_for()

    assert page.get_by_test_id(f"member-{absent['id']}-status").inner_text() == "No show"
    assert page.get_by_test_id(f"member-{clients[0]['id']}-status").inner_text() == "Attended"
    marks = _ok(console_stack.call("GET", f"/v1/appointments/{appointment['id']}/attendance"), 200)
    assert {m["client_id"]: m["status"] for m in marks["members"]} == {
        c["id"]: ("no_show" if c is absent else "attended") for c in clients}
    # who was not charged and why (these clients have no pack or authorization), as the API says
    reasons = {n["client_id"]: n["reason"] for n in marks["not_charged"]}
    assert absent["id"] in reasons
    not_charged = page.get_by_test_id("not-charged").inner_text()
    for client in clients:
        if client["id"] in reasons:
            assert f"{_name(client)}: {reasons[client['id']]}" in not_charged
    summaries = {m["client_id"]: m["summary"] for m in marks["members"]}
    for client in clients:
        assert page.get_by_test_id(f"member-{client['id']}-summary").inner_text() == summaries[client["id"]]


def test_group_note_with_member_part_signed_is_read_only(console_stack, page_as):
    data = make_group_session(console_stack, members=2, mark_all=True)
    group, appointment, clients = data["group"], data["appointment"], data["clients"]
    shared, own = f"Worked on breathing {data['tag']}", f"Led the exercise {data['tag']}"
    page = page_as("practitioner")
    page.goto(f"/groups/{group['id']}/sessions/{appointment['id']}/note")
    page.get_by_role("textbox", name="Shared part (copied to every member who attended)").fill(shared)
    page.get_by_role("textbox", name=f"Part for {_name(clients[0])}").fill(own)
    page.get_by_role("button", name="Sign and lock").click()
    page.get_by_role("status").filter(has_text="Signed").wait_for()

    # read-only: no editor, no save or sign, the text shown, only an addendum can be added
    assert page.get_by_role("textbox", name=re.compile("Shared part")).count() == 0
    assert page.get_by_role("button", name="Sign and lock").count() == 0
    assert page.get_by_role("button", name="Save draft").count() == 0
    assert shared in page.get_by_test_id("note-body").inner_text()
    assert own in page.get_by_role("article", name="Note").inner_text()
    assert page.get_by_label("Add a dated addendum").is_visible()
    screenshot(page, "group-note-signed-1440")

    notes = _ok(console_stack.call("GET", f"/v1/notes?group_id={group['id']}", role="practitioner"), 200)["items"]
    note = next(n for n in notes if n["type"] == "group" and n["appointment_id"] == appointment["id"])
    assert note["signed_at"] and shared in note["body"] and own in note["member_parts"][clients[0]["id"]]
    copy = _ok(console_stack.call("GET", f"/v1/notes/{note['member_note_ids'][clients[0]['id']]}",
                                  role="practitioner"), 200)
    assert copy["signed_at"] and own in (copy["member_part"] or "")

    page.get_by_label("Add a dated addendum").fill("Late entry: one member left early.")
    page.get_by_role("button", name="Add addendum").click()
    page.get_by_role("region", name="Addenda").get_by_role("listitem").filter(
        has_text="Late entry: one member left early.").wait_for()
    again = _ok(console_stack.call("GET", f"/v1/notes/{note['id']}", role="practitioner"), 200)
    assert again["body"] == note["body"] and len(again["addenda"]) == 1, again


def test_front_desk_opening_a_note_sees_the_problem_not_the_content(console_stack, page_as):
    tag = uuid.uuid4().hex[:8]
    client = _ok(console_stack.call("POST", "/v1/clients", json={"first_name": "Private", "last_name": f"Chart{tag}",
                                                                  "practitioner_id": PRACTITIONER}))
    secret = f"Disclosed history {tag}"
    note = _ok(console_stack.call("POST", "/v1/notes", role="practitioner",
                                  json={"client_id": client["id"], "body": f"<p>{secret}</p>"}))
    page = page_as("front_desk")
    page.goto(f"/notes/{note['id']}")
    alert = page.get_by_role("alert")
    alert.wait_for()
    assert re.search(r"\(40[34]\)", alert.inner_text())
    assert secret not in page.content()
    # nor through the client's chart
    page.goto(f"/clients/{client['id']}/notes")
    page.get_by_text("Your role cannot open this screen.").wait_for()
    assert secret not in page.content()


@pytest.fixture(scope="module")
def screens_data(console_stack) -> dict[str, Any]:
    return make_group_session(console_stack, members=3, mark_all=True)


SCREENS = [
    ("groups", "front_desk", lambda d: "/groups"),
    ("group", "practitioner", lambda d: f"/groups/{d['group']['id']}"),
    ("attendance", "front_desk", lambda d: f"/groups/{d['group']['id']}/sessions/{d['appointment']['id']}"),
    ("group-note", "practitioner", lambda d: f"/groups/{d['group']['id']}/sessions/{d['appointment']['id']}/note"),
    ("client-notes", "practitioner", lambda d: f"/clients/{d['clients'][0]['id']}/notes"),
]


@pytest.mark.parametrize("width", [1440, 375])
@pytest.mark.parametrize(("name", "role", "path"), SCREENS, ids=[s[0] for s in SCREENS])
def test_groups_and_notes_screens_pass_axe_at_width(console_stack, page_as, screens_data, name, role, path, width):
    check_screen(page_as(role, width=width, height=900), path(screens_data), name, width)

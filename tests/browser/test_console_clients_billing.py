"""The client profile's authorization editor, a pack set up without a template, and the invoices
list naming each client, in headless Chromium against the local stack."""
from __future__ import annotations

import re
import uuid
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import ConsoleStack, axe_check, screenshot

pytestmark = pytest.mark.timeout(300)


def _ok(answer: Any, status: int = 201) -> dict[str, Any]:
    assert answer.status_code == status, answer.text
    return answer.json() if answer.content else {}


def _client(stack: ConsoleStack, last: str) -> dict[str, Any]:
    name = {"first_name": "Cbill", "last_name": f"{last}{uuid.uuid4().hex[:6]}"}
    return _ok(stack.call("POST", "/v1/clients", json=name))


def _authorization(stack: ConsoleStack, client_id: str, payer: str, allowed: str) -> dict[str, Any]:
    return _ok(stack.call("POST", f"/v1/clients/{client_id}/authorizations", role="front_desk", json={
        "payer": payer, "measure": "sessions", "begin_on": (date.today() - timedelta(days=30)).isoformat(),
        "end_on": (date.today() + timedelta(days=150)).isoformat(), "allowed": allowed, "number": "PA-OLD"}))


def _session(stack: ConsoleStack, client_id: str) -> dict[str, Any]:
    """A client session today (it counts against the client's authorization)."""
    return _ok(stack.call("POST", f"/v1/clients/{client_id}/sessions", role="billing", json={
        "date_of_service": date.today().isoformat(), "billing_code": "90834", "primary_diagnosis": "F41.1"}))


def _open_authorization_editor(page: Any, payer: str) -> Any:
    page.get_by_role("list", name="Authorizations").get_by_role(
        "button", name=f"Edit the authorization from {payer}").click()
    dialog = page.get_by_role("dialog", name=f"Edit the authorization from {payer}")
    expect(dialog.get_by_label(re.compile(r"^Allowed"))).to_be_visible()
    return dialog


def test_front_desk_edits_an_authorizations_allowed_count_and_sees_the_figures_change(console_stack: ConsoleStack,
                                                                                       page_as):
    client = _client(console_stack, "Letter")
    payer = f"Aetna {uuid.uuid4().hex[:4]}"
    auth = _authorization(console_stack, client["id"], payer, "12")
    _session(console_stack, client["id"])
    new_end = (date.today() + timedelta(days=200)).isoformat()

    page = page_as("front_desk")
    page.goto(f"/clients/{client['id']}")
    auths = page.get_by_role("list", name="Authorizations")
    auths.get_by_text(re.compile(r"used 1 of 12")).wait_for()

    dialog = _open_authorization_editor(page, payer)
    expect(dialog.get_by_label(re.compile(r"^Allowed"))).to_have_value("12")
    expect(dialog.get_by_label("Authorization number")).to_have_value("PA-OLD")
    assert axe_check(page) == []
    screenshot(page, "client-edit-authorization-1440")
    dialog.get_by_label(re.compile(r"^Allowed")).fill("8")
    dialog.get_by_label("Ends on").fill(new_end)
    dialog.get_by_label("Authorization number").fill("PA-NEW")
    dialog.get_by_role("group", name="Billing codes").get_by_label(re.compile(r"^90837")).check()
    dialog.get_by_role("button", name="Save authorization").click()

    expect(dialog).to_have_count(0)
    auths.get_by_text(re.compile(r"used 1 of 8")).wait_for()
    bar = auths.get_by_role("progressbar")
    assert bar.get_attribute("aria-valuenow") == "1" and bar.get_attribute("aria-valuemax") == "8"
    expect(auths).to_contain_text(f"Ends {new_end}")
    expect(page.get_by_role("status").filter(has_text="saved")).to_contain_text("used 1 of 8")
    stored = _ok(console_stack.call("GET", f"/v1/clients/{client['id']}/authorizations/{auth['id']}"), 200)
    assert (stored["allowed"], stored["remaining"], stored["end_on"], stored["number"]) == ("8", "7", new_end, "PA-NEW")
    assert stored["codes"] == {"mode": "all_except", "codes": ["90837"]}
    assert (stored["payer"], stored["begin_on"]) == (auth["payer"], auth["begin_on"])  # unchanged fields not sent


def test_authorization_edit_below_what_is_used_shows_the_reason_next_to_allowed(console_stack: ConsoleStack,
                                                                                 page_as):
    client = _client(console_stack, "Below")
    payer = f"Cigna {uuid.uuid4().hex[:4]}"
    auth = _authorization(console_stack, client["id"], payer, "5")
    _session(console_stack, client["id"])
    _session(console_stack, client["id"])

    page = page_as("admin", width=375, height=800)
    page.goto(f"/clients/{client['id']}")
    page.get_by_role("list", name="Authorizations").get_by_text(re.compile(r"used 2 of 5")).wait_for()
    dialog = _open_authorization_editor(page, payer)
    allowed = dialog.get_by_label(re.compile(r"^Allowed"))
    allowed.fill("1")
    dialog.get_by_role("button", name="Save authorization").click()

    expect(allowed).to_have_attribute("aria-invalid", "true")
    error_id = allowed.get_attribute("aria-describedby").split()[-1]
    expect(page.locator(f"[id='{error_id}']")).to_contain_text("2 is already used")
    assert axe_check(page) == []
    screenshot(page, "client-edit-authorization-error-375")
    stored = _ok(console_stack.call("GET", f"/v1/clients/{client['id']}/authorizations/{auth['id']}"), 200)
    assert (stored["allowed"], stored["version"]) == ("5", auth["version"])

    dialog.get_by_role("button", name="Cancel").click()
    page.get_by_role("list", name="Authorizations").get_by_text(re.compile(r"used 2 of 5")).wait_for()


def test_billing_sees_each_clients_name_in_the_invoices_list(console_stack: ConsoleStack, page_as):
    client = _client(console_stack, "Invoiced")
    name = f"Cbill {client['last_name']}"
    session = _session(console_stack, client["id"])["session"]
    invoice = _ok(console_stack.call("POST", f"/v1/clients/{client['id']}/invoices", role="billing",
                                     json={"session_id": session["id"]}))

    page = page_as("billing")
    page.goto(f"/billing/invoices?from={invoice['issued_on']}&to={invoice['issued_on']}")
    table = page.get_by_role("table", name="Invoices")
    link = table.get_by_role("link", name=name)
    expect(link).to_have_count(1)
    assert link.get_attribute("href").endswith(f"/clients/{client['id']}")
    expect(table).not_to_contain_text(client["id"])
    assert axe_check(page) == []
    screenshot(page, "billing-invoices-names-1440")


@pytest.mark.parametrize("width", [1440, 375])
def test_front_desk_creates_a_pack_without_a_template_and_sees_its_budget(console_stack: ConsoleStack, page_as,
                                                                          width):
    client = _client(console_stack, "Funded")
    pack_name = f"Funder budget {uuid.uuid4().hex[:4]}"

    page = page_as("front_desk", width=width, height=900)
    page.goto(f"/clients/{client['id']}/packs/new")
    form = page.get_by_role("form", name="New pack")
    form.get_by_label("Template").select_option(label="No template: set the pack up here")
    form.get_by_label("Name").fill(pack_name)
    form.get_by_label("Counts").select_option("money")
    form.get_by_label("Limit").fill("3000.00")
    form.get_by_label("Price").fill("3000.00")
    form.get_by_label("Valid for").fill("6")
    form.get_by_label("Sales category").fill("Psychology")
    assert page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth") <= 1
    assert axe_check(page) == []
    screenshot(page, f"client-new-pack-custom-{width}")
    form.get_by_role("button", name="Create pack").click()

    packs = page.get_by_role("list", name="Packs")
    packs.get_by_text(re.compile(r"used \$0\.00 of \$3,000\.00")).wait_for()
    listed = _ok(console_stack.call("GET", f"/v1/clients/{client['id']}/packs"), 200)["items"]
    assert [(p["name"], p["template_id"], p["measure"], Decimal(p["limit"]), p["price"]) for p in listed] == [
        (pack_name, None, "money", Decimal("3000"), "3000.00")]
    assert listed[0]["validity"] == {"amount": 6, "unit": "months", "starts": "purchase"}
    assert [(c["name"], Decimal(c["percent"])) for c in listed[0]["categories"]] == [("Psychology", Decimal(100))]


def test_pack_without_a_template_names_each_missing_field_next_to_it(console_stack: ConsoleStack, page_as):
    client = _client(console_stack, "Missing")

    page = page_as("front_desk")
    page.goto(f"/clients/{client['id']}/packs/new")
    form = page.get_by_role("form", name="New pack")
    form.get_by_label("Template").select_option(label="No template: set the pack up here")
    form.get_by_label("Limit").fill("10")
    form.get_by_label("Price").fill("900.00")
    form.get_by_role("button", name="Create pack").click()

    expect(form.get_by_label("Name")).to_have_attribute("aria-invalid", "true")
    expect(form).to_contain_text("without template_id, give name")
    assert _ok(console_stack.call("GET", f"/v1/clients/{client['id']}/packs"), 200)["items"] == []

"""/v1/clients/{id}/invoices: invoices, payments, packs applied and removed, retroactive packs."""
from __future__ import annotations

from tests.api.entitlement_helpers import make_client, make_pack, make_template


def _session(api, client_id, **fields):
    reply = api.post(f"/v1/clients/{client_id}/sessions", {"date_of_service": "2026-11-20", "billing_code": "90837",
                                                          **fields})
    assert reply.status == 201, reply.body
    return reply.body["session"]


def _invoices(client_id):
    return f"/v1/clients/{client_id}/invoices"


def test_session_invoice_with_add_on_and_payment_at_session(api):
    client = make_client(api)
    session = _session(api, client["id"], add_on_codes=["90785"], paid_at_session={"amount": "50", "method": "card"})
    reply = api.post(_invoices(client["id"]), {"session_id": session["id"]}, role="billing")
    assert reply.status == 201, reply.body
    invoice = reply.body
    assert [line["amount"] for line in invoice["lines"]] == ["180.00", "20.00"]
    assert (invoice["total"], invoice["paid"], invoice["balance_due"], invoice["status"]) == (
        "200.00", "50.00", "150.00", "part_paid")
    assert api.post(_invoices(client["id"]), {"session_id": session["id"]}).status == 409  # one per session


def test_payments_settle_the_invoice_and_overpayment_is_refused(api):
    client = make_client(api)
    session = _session(api, client["id"])
    invoice = api.post(_invoices(client["id"]), {"session_id": session["id"]}).body
    path = f"{_invoices(client['id'])}/{invoice['id']}/payments"
    assert api.post(path, {"amount": "200.00", "method": "cash"}).status == 409
    first = api.post(path, {"amount": "100", "method": "cash", "on": "2026-11-21"})
    assert first.status == 201 and first.body["invoice"]["balance_due"] == "80.00"
    second = api.post(path, {"amount": "80", "method": "card"})
    assert second.body["invoice"]["status"] == "paid" and second.body["invoice"]["balance_due"] == "0.00"
    assert api.post(path, {"amount": "0", "method": "card"}).status == 422


def test_session_paid_by_a_pack_owes_nothing_until_the_pack_is_removed(api):
    client = make_client(api)
    pack = make_pack(api, client["id"], name="Prepaid", measure="sessions", limit="5", price="800")
    session = _session(api, client["id"])
    invoice = api.post(_invoices(client["id"]), {"session_id": session["id"]}).body
    assert (invoice["applied_pack_id"], invoice["covered_by_pack"], invoice["balance_due"]) == (
        pack["id"], "180.00", "0.00")
    removed = api.post(f"{_invoices(client['id'])}/{invoice['id']}/remove-pack", headers={"If-Match": '"1"'})
    assert removed.status == 200, removed.body
    assert removed.body["invoice"]["balance_due"] == "180.00" and removed.body["invoice"]["applied_pack_id"] is None
    assert api.get(f"/v1/clients/{client['id']}/packs/{pack['id']}").body["used"] == "0"
    applied = api.post(f"{_invoices(client['id'])}/{invoice['id']}/apply-pack", {"pack_id": pack["id"]},
                       headers={"If-Match": removed.etag})
    assert applied.status == 200 and applied.body["invoice"]["balance_due"] == "0.00"
    assert api.get(f"/v1/clients/{client['id']}/packs/{pack['id']}").body["used"] == "1"


def test_applying_the_right_pack_moves_the_session_to_it(api):
    client = make_client(api)
    wrong = make_pack(api, client["id"], name="Wrong", measure="sessions", limit="5", price="1",
                      validity={"amount": 30, "unit": "days"}, purchased_on="2026-11-01")
    right = make_pack(api, client["id"], name="Right", measure="sessions", limit="5", price="1")
    session = _session(api, client["id"])
    invoice = api.post(_invoices(client["id"]), {"session_id": session["id"]}).body
    assert invoice["applied_pack_id"] == wrong["id"]
    moved = api.post(f"{_invoices(client['id'])}/{invoice['id']}/apply-pack", {"pack_id": right["id"]},
                     headers={"If-Match": '"1"'}).body
    assert moved["invoice"]["applied_pack_id"] == right["id"] and moved["charge"]["pack"]["id"] == right["id"]
    used = {p["id"]: p["used"] for p in api.get(f"/v1/clients/{client['id']}/packs").body["items"]}
    assert used == {wrong["id"]: "0", right["id"]: "1"}


def test_applying_a_pack_that_cannot_take_the_session_changes_nothing(api):
    client = make_client(api)
    intake_only = make_pack(api, client["id"], name="Intake", measure="sessions", limit="1", price="1",
                            codes={"mode": "only", "codes": ["90791"]})
    session = _session(api, client["id"])
    invoice = api.post(_invoices(client["id"]), {"session_id": session["id"]}).body
    reply = api.post(f"{_invoices(client['id'])}/{invoice['id']}/apply-pack", {"pack_id": intake_only["id"]},
                     headers={"If-Match": '"1"'})
    assert reply.status == 409 and "cannot take this session" in reply.body["detail"]
    assert api.get(f"{_invoices(client['id'])}/{invoice['id']}").body == invoice


def test_pack_sale_invoice(api):
    client = make_client(api)
    pack = make_pack(api, client["id"], name="Ten", measure="sessions", limit="10", price="1500")
    invoice = api.post(_invoices(client["id"]), {"pack_id": pack["id"]}).body
    assert (invoice["subject"], invoice["total"], invoice["balance_due"]) == ("pack_sale", "1500.00", "1500.00")
    listed = api.get(_invoices(client["id"])).body["items"]
    assert [i["id"] for i in listed] == [invoice["id"]]


def test_new_pack_can_pay_for_sessions_already_delivered(api):
    client = make_client(api)
    delivered = [_session(api, client["id"], date_of_service=f"2026-11-{d}") for d in (10, 17)]
    template = make_template(api)
    pack = make_pack(api, client["id"], template_id=template["id"], session_ids=[s["id"] for s in delivered])
    assert (pack["used"], pack["remaining"]) == ("2", "8")
    invoice = api.post(_invoices(client["id"]), {"session_id": delivered[0]["id"]}).body
    assert invoice["applied_pack_id"] == pack["id"] and invoice["balance_due"] == "0.00"


def test_front_desk_and_billing_see_invoices_but_practitioners_do_not(api):
    client = make_client(api)
    assert api.get(_invoices(client["id"]), role="practitioner").status == 403
    assert api.get(_invoices(client["id"]), role="front_desk").status == 200

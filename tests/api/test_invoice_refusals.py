"""A refused payment writes nothing; a payment taken at a session a pack paid for shows as credit."""
from __future__ import annotations

from tests.api.entitlement_helpers import make_client, make_pack
from tests.api.group_helpers import add_members, book_session, make_group, mark


def test_refused_member_payment_creates_no_invoice(api):
    group = make_group(api)
    [member] = add_members(api, group["id"], 1)
    session = book_session(api, group["id"])
    mark(api, session["id"], {"all_attended": True})
    path = f"/v1/appointments/{session['id']}/attendance/{member['id']}/payments"
    refused = api.post(path, {"amount": "5000.00", "method": "card"})
    assert refused.status == 409 and "exceed what is due" in refused.body["detail"]
    assert api.get(f"/v1/clients/{member['id']}/invoices").body["items"] == []
    # The first accepted payment still creates the invoice with it.
    paid = api.post(path, {"amount": "10.00", "method": "card"})
    assert paid.status == 201, paid.body
    assert paid.body["invoice"]["paid"] == "10.00"
    assert len(api.get(f"/v1/clients/{member['id']}/invoices").body["items"]) == 1


def test_invoice_of_session_paid_at_session_and_by_pack_shows_the_credit(api):
    client = make_client(api)
    make_pack(api, client["id"], name="Five", measure="sessions", limit="5", price="500")
    reply = api.post(f"/v1/clients/{client['id']}/sessions", {
        "date_of_service": "2026-11-20", "billing_code": "90837",
        "paid_at_session": {"amount": "30.00", "method": "card"}})
    assert reply.status == 201, reply.body
    session = reply.body["session"]
    created = api.post(f"/v1/clients/{client['id']}/invoices", {"session_id": session["id"]})
    assert created.status == 201, created.body
    invoice = created.body
    assert (invoice["total"], invoice["covered_by_pack"], invoice["paid"], invoice["balance_due"],
            invoice["credit"], invoice["status"]) == ("180.00", "180.00", "30.00", "0.00", "30.00", "paid")
    # A later payment is still held to what is due.
    more = api.post(f"/v1/clients/{client['id']}/invoices/{invoice['id']}/payments", {"amount": "1", "method": "cash"})
    assert more.status == 409 and more.body["field"] == "body.amount"
    assert "exceed what is due by 1.00" in more.body["detail"]

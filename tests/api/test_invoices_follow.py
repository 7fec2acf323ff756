"""An invoice follows its session (or its pack) as it is now: a pack deleted or consolidated, a
session's code, fee or add-ons changed, the session deleted or its appointment cancelled. Payments
are never lost: past what is now due they are credit; a session or pack gone voids the invoice."""
from __future__ import annotations

from tests.api.entitlement_helpers import make_client, make_pack
from tests.conftest import PRACTICE_A, USERS

PRACTITIONER = USERS[PRACTICE_A]["practitioner"]
LOCATION = f"loc_{PRACTICE_A}_main"


def _session(api, client_id, **fields):
    reply = api.post(f"/v1/clients/{client_id}/sessions", {"date_of_service": "2026-11-20", "billing_code": "90834",
                                                          **fields})
    assert reply.status == 201, reply.body
    return reply.body["session"]


def _invoice(api, client_id, **body):
    reply = api.post(f"/v1/clients/{client_id}/invoices", body)
    assert reply.status == 201, reply.body
    return reply.body


def _read(api, client_id, invoice_id):
    reply = api.get(f"/v1/clients/{client_id}/invoices/{invoice_id}")
    assert reply.status == 200, reply.body
    return reply.body


def _pay(api, client_id, invoice_id, amount):
    return api.post(f"/v1/clients/{client_id}/invoices/{invoice_id}/payments", {"amount": amount, "method": "cash"})


def _figures(invoice):
    return (invoice["total"], invoice["covered_by_pack"], invoice["paid"], invoice["balance_due"], invoice["credit"],
            invoice["status"])


def _attended(api, client_id, day="2026-12-01"):
    booked = api.post("/v1/appointments", {
        "client_id": client_id, "practitioner_id": PRACTITIONER, "location_id": LOCATION,
        "start": f"{day}T10:00:00", "end": f"{day}T10:45:00", "billing_code": "90834"}, role="front_desk")
    assert booked.status == 201, booked.body
    appointment = booked.body["appointments"][0]
    _status(api, appointment["id"], "attended")
    return appointment


def _status(api, appointment_id, status):
    current = api.get(f"/v1/appointments/{appointment_id}")
    body = {"status": status, **({"reason": "client unwell"} if status == "cancelled" else {})}
    reply = api.post(f"/v1/appointments/{appointment_id}/status", body, headers={"If-Match": current.etag})
    assert reply.status == 200, reply.body
    return reply.body


def _delete_pack(api, client_id, pack_id):
    current = api.get(f"/v1/clients/{client_id}/packs/{pack_id}")
    assert api.delete(f"/v1/clients/{client_id}/packs/{pack_id}", if_match=current.etag).status == 204


def _edit_session(api, client_id, session_id, changes):
    current = api.get(f"/v1/clients/{client_id}/sessions/{session_id}")
    reply = api.patch(f"/v1/clients/{client_id}/sessions/{session_id}", changes, if_match=current.etag)
    assert reply.status == 200, reply.body
    return reply.body


def _listed(api, status):
    reply = api.get(f"/v1/invoices?status={status}")
    assert reply.status == 200, reply.body
    return [i["id"] for i in reply.body["items"]]


def test_delete_pack_when_its_sessions_are_invoiced_bills_them_to_the_client(api):
    client = make_client(api)
    pack = make_pack(api, client["id"], name="A", measure="sessions", limit="5", price="500")
    make_pack(api, client["id"], name="B", measure="sessions", limit="3", price="300",
              purchased_on="2026-12-31")  # bought after the sessions: never charged
    sessions = [_session(api, client["id"]) for _ in range(3)]
    invoices = [_invoice(api, client["id"], session_id=s["id"]) for s in sessions[:2]]
    assert all(i["applied_pack_id"] == pack["id"] and _figures(i) == ("140.00", "140.00", "0.00", "0.00", "0.00",
                                                                      "paid") for i in invoices)
    _delete_pack(api, client["id"], pack["id"])
    for invoice in invoices:
        now = _read(api, client["id"], invoice["id"])
        assert now["applied_pack_id"] is None
        assert _figures(now) == ("140.00", "0.00", "0.00", "140.00", "0.00", "unpaid")
    paid = _pay(api, client["id"], invoices[0]["id"], "10.00")
    assert paid.status == 201, paid.body
    assert _figures(paid.body["invoice"]) == ("140.00", "0.00", "10.00", "130.00", "0.00", "part_paid")


def test_delete_pack_when_invoiced_moves_the_invoice_between_status_lists(api):
    client = make_client(api)
    pack = make_pack(api, client["id"], name="A", measure="sessions", limit="5", price="500")
    invoice = _invoice(api, client["id"], session_id=_session(api, client["id"])["id"])
    assert invoice["id"] in _listed(api, "paid") and invoice["id"] not in _listed(api, "unpaid")
    _delete_pack(api, client["id"], pack["id"])
    assert invoice["id"] in _listed(api, "unpaid") and invoice["id"] not in _listed(api, "paid")


def test_cancel_appointment_when_invoiced_voids_the_invoice_and_keeps_payments_as_credit(api):
    client = make_client(api)
    appointment = _attended(api, client["id"])
    invoice = _invoice(api, client["id"], session_id=appointment["id"])
    assert _pay(api, client["id"], invoice["id"], "40.00").status == 201
    _status(api, appointment["id"], "cancelled")
    now = _read(api, client["id"], invoice["id"])
    assert (now["status"], now["void_reason"]) == ("void", "session_removed")
    assert _figures(now) == ("0.00", "0.00", "40.00", "0.00", "40.00", "void")
    assert [p["amount"] for p in now["payments"]] == ["40.00"]
    assert [line["code"] for line in now["lines"]] == ["90834"]  # the record of what was invoiced
    refused = _pay(api, client["id"], invoice["id"], "1.00")
    assert refused.status == 409 and refused.body["field"] == "body.amount" and "void" in refused.body["detail"]
    assert invoice["id"] in _listed(api, "void") and invoice["id"] not in _listed(api, "part_paid")


def test_reattend_when_invoice_is_void_brings_it_back(api):
    client = make_client(api)
    appointment = _attended(api, client["id"])
    invoice = _invoice(api, client["id"], session_id=appointment["id"])
    _status(api, appointment["id"], "no_show")  # no session recorded for a no-show
    assert _read(api, client["id"], invoice["id"])["status"] == "void"
    _status(api, appointment["id"], "attended")
    now = _read(api, client["id"], invoice["id"])
    assert now["void_reason"] is None
    assert _figures(now) == ("140.00", "0.00", "0.00", "140.00", "0.00", "unpaid")
    assert invoice["id"] in _listed(api, "unpaid") and invoice["id"] not in _listed(api, "void")


def test_change_session_code_when_invoiced_follows_the_new_code_and_fee(api):
    client = make_client(api)
    session = _session(api, client["id"])
    invoice = _invoice(api, client["id"], session_id=session["id"])
    _edit_session(api, client["id"], session["id"], {"billing_code": "90837"})
    now = _read(api, client["id"], invoice["id"])
    assert [(line["code"], line["amount"]) for line in now["lines"]] == [("90837", "180.00")]
    assert _figures(now) == ("180.00", "0.00", "0.00", "180.00", "0.00", "unpaid")
    assert now["version"] == invoice["version"] + 1


def test_fee_cut_after_payment_leaves_the_excess_as_credit(api):
    client = make_client(api)
    session = _session(api, client["id"])
    invoice = _invoice(api, client["id"], session_id=session["id"])
    assert _pay(api, client["id"], invoice["id"], "100.00").status == 201
    _edit_session(api, client["id"], session["id"], {"fee": "10.00"})
    now = _read(api, client["id"], invoice["id"])
    assert _figures(now) == ("10.00", "0.00", "100.00", "0.00", "90.00", "paid")
    assert [p["amount"] for p in now["payments"]] == ["100.00"]
    refused = _pay(api, client["id"], invoice["id"], "0.01")
    assert refused.status == 409 and refused.body["field"] == "body.amount"


def test_fee_cut_when_a_pack_pays_covers_the_new_fee(api):
    client = make_client(api)
    pack = make_pack(api, client["id"], name="A", measure="sessions", limit="5", price="500")
    session = _session(api, client["id"])
    invoice = _invoice(api, client["id"], session_id=session["id"])
    _edit_session(api, client["id"], session["id"], {"fee": "10.00"})
    now = _read(api, client["id"], invoice["id"])
    assert now["applied_pack_id"] == pack["id"]
    assert _figures(now) == ("10.00", "10.00", "0.00", "0.00", "0.00", "paid")


def test_payment_after_a_fee_rise_is_held_to_the_new_balance(api):
    client = make_client(api)
    session = _session(api, client["id"])
    invoice = _invoice(api, client["id"], session_id=session["id"])
    _edit_session(api, client["id"], session["id"], {"fee": "200.00"})
    paid = _pay(api, client["id"], invoice["id"], "200.00")
    assert paid.status == 201, paid.body
    assert _figures(paid.body["invoice"]) == ("200.00", "0.00", "200.00", "0.00", "0.00", "paid")


def test_delete_session_when_invoiced_voids_the_invoice(api):
    client = make_client(api)
    session = _session(api, client["id"], paid_at_session={"amount": "25.00", "method": "card"})
    invoice = _invoice(api, client["id"], session_id=session["id"])
    current = api.get(f"/v1/clients/{client['id']}/sessions/{session['id']}")
    assert api.delete(f"/v1/clients/{client['id']}/sessions/{session['id']}", if_match=current.etag).status == 204
    now = _read(api, client["id"], invoice["id"])
    assert _figures(now) == ("0.00", "0.00", "25.00", "0.00", "25.00", "void")
    assert now["payments"][0]["at_session"] is True
    assert invoice["id"] in _listed(api, "void")


def test_consolidate_when_invoice_names_the_source_names_the_target(api):
    client = make_client(api)
    source = make_pack(api, client["id"], name="B", measure="sessions", limit="3", price="300")
    invoice = _invoice(api, client["id"], session_id=_session(api, client["id"])["id"])
    assert invoice["applied_pack_id"] == source["id"]
    target = make_pack(api, client["id"], name="A", measure="sessions", limit="5", price="500")
    merged = api.post(f"/v1/clients/{client['id']}/packs/{target['id']}/consolidate",
                      {"source_pack_id": source["id"]}, headers={"If-Match": f'"{target["version"]}"'})
    assert merged.status == 200, merged.body
    now = _read(api, client["id"], invoice["id"])
    assert now["applied_pack_id"] == target["id"]
    assert _figures(now) == ("140.00", "140.00", "0.00", "0.00", "0.00", "paid")


def test_remove_then_apply_pack_after_a_fee_change_bills_the_fee_now(api):
    client = make_client(api)
    pack = make_pack(api, client["id"], name="A", measure="sessions", limit="5", price="500")
    session = _session(api, client["id"])
    invoice = _invoice(api, client["id"], session_id=session["id"])
    _edit_session(api, client["id"], session["id"], {"fee": "150.00"})
    current = api.get(f"/v1/clients/{client['id']}/invoices/{invoice['id']}")
    removed = api.post(f"/v1/clients/{client['id']}/invoices/{invoice['id']}/remove-pack",
                       headers={"If-Match": current.etag})
    assert removed.status == 200, removed.body
    assert _figures(removed.body["invoice"]) == ("150.00", "0.00", "0.00", "150.00", "0.00", "unpaid")
    assert _pay(api, client["id"], invoice["id"], "150.00").status == 201
    current = api.get(f"/v1/clients/{client['id']}/invoices/{invoice['id']}")
    applied = api.post(f"/v1/clients/{client['id']}/invoices/{invoice['id']}/apply-pack", {"pack_id": pack["id"]},
                       headers={"If-Match": current.etag})
    assert applied.status == 200, applied.body
    assert applied.body["invoice"]["applied_pack_id"] == pack["id"]
    assert _figures(applied.body["invoice"]) == ("150.00", "150.00", "150.00", "0.00", "150.00", "paid")
    assert _read(api, client["id"], invoice["id"]) == applied.body["invoice"]


def test_apply_pack_when_session_is_gone_is_409_and_changes_nothing(api):
    client = make_client(api)
    pack = make_pack(api, client["id"], name="A", measure="sessions", limit="5", price="500")
    session = _session(api, client["id"])
    invoice = _invoice(api, client["id"], session_id=session["id"])
    current = api.get(f"/v1/clients/{client['id']}/sessions/{session['id']}")
    assert api.delete(f"/v1/clients/{client['id']}/sessions/{session['id']}", if_match=current.etag).status == 204
    void = api.get(f"/v1/clients/{client['id']}/invoices/{invoice['id']}")
    reply = api.post(f"/v1/clients/{client['id']}/invoices/{invoice['id']}/apply-pack", {"pack_id": pack["id"]},
                     headers={"If-Match": void.etag})
    assert reply.status == 409 and "void" in reply.body["detail"]
    assert _read(api, client["id"], invoice["id"]) == void.body


def test_add_on_added_after_invoicing_adds_its_line(api):
    client = make_client(api)
    session = _session(api, client["id"])
    invoice = _invoice(api, client["id"], session_id=session["id"])
    _edit_session(api, client["id"], session["id"], {"add_on_codes": ["90785"]})
    now = _read(api, client["id"], invoice["id"])
    assert [line["code"] for line in now["lines"]] == ["90834", "90785"]
    assert _figures(now) == ("160.00", "0.00", "0.00", "160.00", "0.00", "unpaid")


def test_pack_sale_invoice_when_pack_deleted_is_void_with_its_payment_as_credit(api):
    client = make_client(api)
    pack = make_pack(api, client["id"], name="Ten", measure="sessions", limit="10", price="1500")
    invoice = _invoice(api, client["id"], pack_id=pack["id"])
    assert _pay(api, client["id"], invoice["id"], "500.00").status == 201
    _delete_pack(api, client["id"], pack["id"])
    now = _read(api, client["id"], invoice["id"])
    assert (now["status"], now["void_reason"]) == ("void", "pack_deleted")
    assert _figures(now) == ("0.00", "0.00", "500.00", "0.00", "500.00", "void")


def test_pack_renamed_when_sold_on_an_invoice_renames_its_line(api):
    client = make_client(api)
    pack = make_pack(api, client["id"], name="Ten", measure="sessions", limit="10", price="1500")
    invoice = _invoice(api, client["id"], pack_id=pack["id"])
    reply = api.patch(f"/v1/clients/{client['id']}/packs/{pack['id']}", {"name": "Ten (spring)"},
                      if_match=f'"{pack["version"]}"')
    assert reply.status == 200, reply.body
    now = _read(api, client["id"], invoice["id"])
    assert [line["description"] for line in now["lines"]] == ["Pack: Ten (spring)"]
    assert _figures(now) == _figures(invoice)


def test_unchanged_session_edit_when_invoiced_writes_no_new_invoice_version(api):
    client = make_client(api)
    session = _session(api, client["id"])
    invoice = _invoice(api, client["id"], session_id=session["id"])
    _edit_session(api, client["id"], session["id"], {"minutes": 50})  # re-charged, billed the same
    assert _read(api, client["id"], invoice["id"])["version"] == invoice["version"]

"""Random sequences of session edits, payments, packs applied, removed and deleted, and the
session's appointment re-marked, over the API: after every step the invoice adds up, owes
nothing negative, never loses a payment, and says what its session is now."""
from __future__ import annotations

from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.api.entitlement_helpers import make_client, make_pack
from tests.api.test_invoices_follow import _attended, _status

steps = st.lists(st.one_of(
    st.tuples(st.just("fee"), st.sampled_from(["0.00", "10.00", "95.50", "140.00", "300.00"])),
    st.tuples(st.just("code"), st.sampled_from(["90834", "90837"])),
    st.tuples(st.just("add_ons"), st.sampled_from([[], ["90785"]])),
    st.tuples(st.just("pay"), st.sampled_from(["0.01", "20.00", "140.00"])),
    st.tuples(st.just("pack"), st.sampled_from(["apply", "remove", "delete"])),
    st.tuples(st.just("mark"), st.sampled_from(["attended", "no_show"])),
), min_size=1, max_size=8)


def _check(api, client_id, invoice_id, payments_made):
    invoice = api.get(f"/v1/clients/{client_id}/invoices/{invoice_id}").body
    session = api.get(f"/v1/clients/{client_id}/sessions/{invoice['session_id']}")
    money = {k: Decimal(invoice[k]) for k in ("total", "covered_by_pack", "paid", "balance_due", "credit")}
    assert [p["id"] for p in invoice["payments"]] == payments_made  # never lost, never changed
    assert money["paid"] == sum((Decimal(p["amount"]) for p in invoice["payments"]), Decimal(0))
    assert money["balance_due"] >= 0 and money["credit"] >= 0
    if session.status == 404:
        assert (invoice["status"], money["total"], money["balance_due"]) == ("void", 0, 0)
        assert money["credit"] == money["paid"]
        return invoice
    assert invoice["status"] != "void" and invoice["void_reason"] is None
    assert money["total"] == sum((Decimal(line["amount"]) for line in invoice["lines"]), Decimal(0))
    assert money["balance_due"] - money["credit"] == money["total"] - money["covered_by_pack"] - money["paid"]
    body = session.body
    assert (invoice["lines"][0]["code"], invoice["lines"][0]["amount"]) == (body["billing_code"], body["fee"])
    assert [line["code"] for line in invoice["lines"][1:]] == body["add_on_codes"]
    charges = api.get(f"/v1/clients/{client_id}/charges/{body['id']}")
    on_pack = [u["entitlement_id"] for u in charges.body["usages"] if u["kind"] == "pack"] \
        if charges.status == 200 else []
    assert invoice["applied_pack_id"] == (on_pack[0] if on_pack else None)
    return invoice


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=steps)
def test_invoice_when_its_session_and_pack_change_at_random_adds_up_and_follows(api, steps):
    client = make_client(api)
    pack = make_pack(api, client["id"], name="Five", measure="sessions", limit="5", price="500")
    appointment = _attended(api, client["id"])
    cid, sid = client["id"], appointment["id"]
    invoice = api.post(f"/v1/clients/{cid}/invoices", {"session_id": sid}).body
    path = f"/v1/clients/{cid}/invoices/{invoice['id']}"
    payments: list[str] = []
    pack_alive = True
    for kind, value in steps:
        session = api.get(f"/v1/clients/{cid}/sessions/{sid}")
        if kind in ("fee", "code", "add_ons") and session.status == 200:
            field = {"fee": "fee", "code": "billing_code", "add_ons": "add_on_codes"}[kind]
            reply = api.patch(f"/v1/clients/{cid}/sessions/{sid}", {field: value}, if_match=session.etag)
            assert reply.status == 200, reply.body
        elif kind == "pay":
            before = api.get(path).body
            reply = api.post(f"{path}/payments", {"amount": value, "method": "cash"})
            fits = before["status"] != "void" and Decimal(value) <= Decimal(before["balance_due"])
            assert reply.status == (201 if fits else 409), (before, reply.body)
            if fits:
                payments.append(reply.body["invoice"]["payments"][-1]["id"])
        elif kind == "pack" and value == "delete" and pack_alive:
            current = api.get(f"/v1/clients/{cid}/packs/{pack['id']}")
            assert api.delete(f"/v1/clients/{cid}/packs/{pack['id']}", if_match=current.etag).status == 204
            pack_alive = False
        elif kind == "pack" and value in ("apply", "remove") and session.status == 200:
            current = api.get(path)
            body = {"pack_id": pack["id"]} if value == "apply" else None
            reply = api.post(f"{path}/{value}-pack", body, headers={"If-Match": current.etag})
            assert reply.status in ((200, 409) if value == "apply" else (200,)), reply.body
        elif kind == "mark":
            status = api.get(f"/v1/appointments/{sid}").body["status"]
            if status != value:
                _status(api, sid, value)
        _check(api, cid, invoice["id"], payments)

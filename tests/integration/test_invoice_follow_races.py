"""A session's change racing a payment onto its invoice, on DynamoDB Local: whichever lands
first, the payment is kept (or refused as a whole when it no longer fits), and the invoice ends
as its session is now: lines, pack, totals, due and credit agree with one another."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from chalicelib.errors import Conflict
from chalicelib.models.entitlements import PackCreate
from chalicelib.models.invoices import InvoiceCreate, PaymentCreate
from chalicelib.models.sessions import SessionCreate, SessionUpdate
from chalicelib.services import entitlements, invoice_follow, invoices, sessions
from chalicelib.store import invoices as invoice_store
from tests.conftest import PRACTICE_A
from tests.integration.test_limit_alert_races import ADMIN, PAIRS, _after, _client, _race


def _invoiced_session(client_id: str) -> tuple[str, str]:
    session = sessions.create_session(principal=ADMIN, client_id=client_id, data=SessionCreate(
        date_of_service=date(2026, 11, 20), billing_code="90834")).session
    invoice = invoices.create_invoice(principal=ADMIN, client_id=client_id,
                                      data=InvoiceCreate(session_id=session.id))
    return session.id, invoice.id


def _pay(client_id: str, invoice_id: str, amount: str) -> str:
    try:
        invoices.add_payment(principal=ADMIN, client_id=client_id, invoice_id=invoice_id,
                             data=PaymentCreate(amount=Decimal(amount), method="cash"))
        return "paid"
    except Conflict:
        return "refused"


def _consistent(client_id: str, invoice_id: str) -> object:
    """The invoice as stored, checked to need no further following and to add up."""
    stored = invoice_store.get(PRACTICE_A, client_id, invoice_id)
    assert invoice_follow.as_now(PRACTICE_A, stored) == stored  # nothing left to follow
    assert stored.total == sum(line.amount for line in stored.lines)
    assert stored.paid == sum(p.amount for p in stored.payments)
    assert stored.balance_due >= 0 and stored.credit >= 0
    assert stored.balance_due - stored.credit == stored.total - stored.covered_by_pack - stored.paid
    return stored


def test_fee_cut_racing_a_payment_keeps_the_payment_or_refuses_it_whole(seeded):
    cases = []
    for i in range(PAIRS):
        client_id = _client(i)
        cases.append((client_id, *_invoiced_session(client_id)))
    jobs = []
    for i, (client_id, session_id, invoice_id) in enumerate(cases):
        jobs.append(lambda c=client_id, s=session_id, i=i: _after(i, lambda: sessions.update_session(
            principal=ADMIN, client_id=c, session_id=s, changes=SessionUpdate(fee=Decimal(10)), expected_version=1)))
        jobs.append(lambda c=client_id, v=invoice_id: _pay(c, v, "50.00"))
    outcomes = _race(jobs)[1::2]
    for (client_id, _, invoice_id), outcome in zip(cases, outcomes, strict=True):
        stored = _consistent(client_id, invoice_id)
        assert stored.total == Decimal("10.00")
        if outcome == "paid":  # paid before the cut: the excess is credit
            assert (stored.paid, stored.balance_due, stored.credit, stored.status) == (50, 0, 40, "paid")
        else:  # the cut first: 50 no longer fits a balance of 10
            assert (stored.paid, stored.balance_due, stored.credit, stored.status) == (0, 10, 0, "unpaid")


def test_pack_deleted_racing_a_payment_bills_the_session_and_keeps_the_payment(seeded):
    cases = []
    for i in range(PAIRS):
        client_id = _client(100 + i)
        pack = entitlements.create_pack(principal=ADMIN, client_id=client_id, data=PackCreate(
            name="Five", measure="sessions", limit=Decimal(5), price=Decimal(500)))
        _, invoice_id = _invoiced_session(client_id)
        cases.append((client_id, pack.id, invoice_id))
    jobs = []
    for i, (client_id, pack_id, invoice_id) in enumerate(cases):
        jobs.append(lambda c=client_id, p=pack_id, i=i: _after(i, lambda: entitlements.delete_entitlement(
            principal=ADMIN, client_id=c, kind="PACK", entitlement_id=p, expected_version=1)))
        jobs.append(lambda c=client_id, v=invoice_id: _pay(c, v, "0.01"))
    outcomes = _race(jobs)[1::2]
    for (client_id, _, invoice_id), outcome in zip(cases, outcomes, strict=True):
        stored = _consistent(client_id, invoice_id)
        assert (stored.applied_pack_id, stored.covered_by_pack, stored.total) == (None, 0, Decimal("140.00"))
        # Before the delete nothing was due (the pack paid), so a penny is refused; after, it is taken.
        expected_paid = Decimal("0.01") if outcome == "paid" else 0
        assert (stored.paid, stored.balance_due) == (expected_paid, Decimal("140.00") - expected_paid)

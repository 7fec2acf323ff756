"""domain/invoices.py: an invoice's figures from its lines, cover and payments, and the lines a
session's invoice bills (pure, hypothesis)."""
from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from chalicelib.domain.invoices import Line, SessionBill, payment_refusal, session_lines, settle, void

money = st.decimals(min_value=0, max_value=5000, places=2)
lines = st.lists(st.builds(Line, st.just("x"), st.none(), money), min_size=1, max_size=5)
payments = st.lists(money.filter(lambda m: m > 0), max_size=5)


@given(lines=lines, covered=money, paid=payments)
def test_settle_when_any_figures_adds_up_and_never_goes_negative(lines, covered, paid):
    figures = settle(lines, covered, paid)
    assert figures.total == sum(line.amount for line in lines)
    assert figures.paid == sum(paid, Decimal(0))
    assert Decimal(0) <= figures.covered <= figures.total
    assert figures.due >= 0 and figures.credit >= 0 and min(figures.due, figures.credit) == 0
    assert figures.due - figures.credit == figures.total - figures.covered - figures.paid
    assert figures.status == ("paid" if figures.due == 0 else "part_paid" if figures.paid else "unpaid")


@given(lines=lines, covered=money, paid=payments, amount=money.filter(lambda m: m > 0))
def test_payment_refusal_when_settled_takes_exactly_what_fits_the_balance(lines, covered, paid, amount):
    figures = settle(lines, covered, paid)
    refused = payment_refusal(figures.status, figures.due, amount) is not None
    assert refused == (amount > figures.due)
    if not refused:
        assert settle(lines, covered, [*paid, amount]).credit == figures.credit == 0


@given(paid=payments)
def test_void_when_paid_owes_nothing_and_credits_every_payment(paid):
    figures = void(paid)
    assert (figures.total, figures.due, figures.status) == (0, 0, "void")
    assert figures.credit == figures.paid == sum(paid, Decimal(0))
    assert payment_refusal(figures.status, figures.due, Decimal("0.01")) is not None


def _bill(codes: tuple[str, ...], priced: tuple[Line, ...], fee: str = "140.00") -> SessionBill:
    return SessionBill(session_id="ses_1", date_of_service="2026-11-20", billing_code="90834", fee=Decimal(fee),
                       minutes=45, bill_to="automatic", add_on_codes=codes, priced=priced, pack_id=None)


def test_session_lines_when_add_on_was_invoiced_keep_its_invoiced_price():
    invoiced = [Line("Session 2026-11-20", "90834", Decimal("140.00")), Line("Interactive", "90785", Decimal("20"))]
    today = (Line("Interactive complexity", "90785", Decimal("35")), Line("Crisis", "90840", Decimal("75")))
    got = session_lines(_bill(("90785", "90840"), today, fee="180.00"), invoiced)
    assert got == [Line("Session 2026-11-20", "90834", Decimal("180.00")), invoiced[1], today[1]]


def test_session_lines_when_add_on_removed_or_gone_from_catalogue_bill_what_the_session_has():
    invoiced = [Line("Session", "90834", Decimal("140")), Line("Interactive", "90785", Decimal("20"))]
    assert session_lines(_bill((), ()), invoiced) == [Line("Session 2026-11-20", "90834", Decimal("140.00"))]
    assert session_lines(_bill(("90785", "99999"), ()), invoiced)[1:] == [invoiced[1]]

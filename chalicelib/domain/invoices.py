"""What an invoice says, from what it bills now: its lines, the pack that pays, and the figures
its payments leave. Pure rules (no store): services/invoices.py reads the session or pack as it
is now and writes what these rules give."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

ZERO = Decimal("0.00")
CENT = Decimal("0.01")


@dataclass(frozen=True)
class Line:
    description: str
    code: str | None
    amount: Decimal


@dataclass(frozen=True)
class SessionBill:
    """A client session as its invoice bills it now."""

    session_id: str
    date_of_service: str
    billing_code: str
    fee: Decimal
    minutes: int
    bill_to: str
    add_on_codes: tuple[str, ...]  # in the session's order
    priced: tuple[Line, ...]  # those add-ons still in the catalogue, at today's price
    pack_id: str | None  # the pack its active usage is on now (None: the client pays)
    paid_at_session: tuple[Decimal, str] | None = None  # amount and method taken at the session


@dataclass(frozen=True)
class PackSale:
    """A pack as its sale's invoice bills it now."""

    pack_id: str
    name: str
    price: Decimal


@dataclass(frozen=True)
class Figures:
    """An invoice's totals. Outside a void: due - credit = total - covered - paid, and at most
    one of due and credit is more than zero."""

    total: Decimal
    covered: Decimal
    paid: Decimal
    due: Decimal
    credit: Decimal
    status: str


def session_lines(bill: SessionBill, invoiced: Sequence[Line] = ()) -> list[Line]:
    """The session's line (its code and fee now), then one per add-on it has now. An add-on
    already on the invoice keeps its line as invoiced: a later catalogue change does not
    re-price an issued invoice; a new add-on is priced from the catalogue (skipped if the
    catalogue no longer has it)."""
    kept = {line.code: line for line in invoiced[1:] if line.code}
    priced = {line.code: line for line in bill.priced}
    lines = [Line(f"Session {bill.date_of_service}", bill.billing_code, bill.fee)]
    for code in bill.add_on_codes:
        line = kept.get(code) or priced.get(code)
        if line is not None:
            lines.append(line)
    return lines


def sale_lines(sale: PackSale) -> list[Line]:
    return [Line(f"Pack: {sale.name}", None, sale.price)]


def settle(lines: Sequence[Line], covered: Decimal, payments: Sequence[Decimal]) -> Figures:
    """The figures of a live invoice. What the payments pay beyond what is due (a fee cut, a
    pack applied after payment, money taken at the session for a session a pack also paid) is
    credit, never a negative balance: payments already taken are never refused."""
    total = sum((line.amount for line in lines), ZERO)
    covered = min(covered, total)
    paid = sum(payments, ZERO)
    left = total - covered - paid
    due, credit = max(left, ZERO), max(-left, ZERO)
    return Figures(_cents(total), _cents(covered), _cents(paid), _cents(due), _cents(credit), status(paid, due))


def void(payments: Sequence[Decimal]) -> Figures:
    """The figures of an invoice whose session or pack no longer exists: nothing is billed,
    nothing is due, and every payment is credit (refund it or keep it on account)."""
    paid = _cents(sum(payments, ZERO))
    return Figures(ZERO, ZERO, paid, ZERO, paid, "void")


def status(paid: Decimal, due: Decimal) -> str:
    """unpaid: nothing paid and something due; part_paid: some paid, some due; paid: nothing due."""
    if due == 0:
        return "paid"
    return "part_paid" if paid > 0 else "unpaid"


def payment_refusal(status: str, due: Decimal, amount: Decimal) -> str | None:
    """Why a new payment onto an invoice with this status and balance due cannot be taken
    (None: it can): only money that fits what is due now."""
    if status == "void":
        return "The invoice is void (its session or pack no longer exists): nothing is due"
    if amount > due:
        return f"Payments would exceed what is due by {amount - due:.2f}"
    return None


def _cents(value: Decimal) -> Decimal:
    return value.quantize(CENT)

"""An invoice follows what it bills as it is now: `follow` (and `follow_pack`) recompute it from
the session (its code, fee and add-ons, and the pack its usage is on) or the sold pack, and are
called after every change to those (charging's charge, re-charge and give-back; a session's
add-ons; a pack deleted or consolidated). Payments are never changed: what they pay beyond what
is due now is credit. An invoice whose session or pack is gone is void, and comes back to life
with a session re-created under the same id.

Below charging and sessions in the services' import order (it reads the session and its usage
through the store), so both call it at the top of their modules; services/invoices.py builds
the invoice use cases on it."""
from __future__ import annotations

import logging
from decimal import Decimal

from chalicelib import clock
from chalicelib.domain import invoices as rules
from chalicelib.domain.invoices import Line, SessionBill
from chalicelib.errors import PreconditionFailed, RetryLater
from chalicelib.models.invoices import Invoice, InvoiceLine
from chalicelib.store import invoices as store
from chalicelib.store import retry

log = logging.getLogger(__name__)

SESSION_REMOVED, PACK_DELETED = "session_removed", "pack_deleted"


def invoice_id_of(subject_id: str) -> str:
    """A session's or a pack sale's invoice id: one invoice each, found without a lookup."""
    return f"inv_{subject_id}"


# ---- what an invoice says now ---------------------------------------------------------------

def billed(invoice: Invoice, lines: list[Line], *, pack_id: str | None = None, covered: Decimal = rules.ZERO,
            void_reason: str | None = None) -> Invoice:
    """The invoice with these lines and this pack cover, its figures settled from its payments."""
    amounts = [p.amount for p in invoice.payments]
    figures = rules.void(amounts) if void_reason else rules.settle(lines, covered, amounts)
    return invoice.model_copy(update={
        "lines": [InvoiceLine(description=ln.description, code=ln.code, amount=ln.amount) for ln in lines],
        "applied_pack_id": pack_id, "total": figures.total, "covered_by_pack": figures.covered,
        "paid": figures.paid, "balance_due": figures.due, "credit": figures.credit, "status": figures.status,
        "void_reason": void_reason})


def lines_of(invoice: Invoice) -> list[Line]:
    return [Line(ln.description, ln.code, ln.amount) for ln in invoice.lines]


def session_billed(invoice: Invoice, bill: SessionBill, pack_id: str | None) -> Invoice:
    # A pack pays the session's fee; add-ons stay the client's to pay.
    return billed(invoice, rules.session_lines(bill, lines_of(invoice)), pack_id=pack_id,
                   covered=bill.fee if pack_id else rules.ZERO)


def as_now(practice_id: str, invoice: Invoice) -> Invoice:
    """The invoice as its session or pack is now (void, with its lines kept as the record of
    what was invoiced, when that is gone)."""
    if invoice.subject == "session":
        bill = store.session_bill(practice_id, invoice.client_id, invoice.session_id or "")
        if bill is None:
            return billed(invoice, lines_of(invoice), void_reason=SESSION_REMOVED)
        return session_billed(invoice, bill, bill.pack_id)
    sale = store.pack_sale(practice_id, invoice.client_id, invoice.pack_id or "")
    if sale is None:
        return billed(invoice, lines_of(invoice), void_reason=PACK_DELETED)
    return billed(invoice, rules.sale_lines(sale))


def stamped(invoice: Invoice, version: int) -> Invoice:
    """The invoice as written over `version`: the next version, updated now."""
    return invoice.model_copy(update={"version": version + 1, "updated_at": clock.now()})


def follow(practice_id: str, client_id: str, session_id: str) -> None:
    """Bring a session's invoice (if it has one) up to date with the session, its charge and
    the pack behind it; nothing is written when nothing changed."""
    _follow(practice_id, client_id, invoice_id_of(session_id))


def follow_pack(practice_id: str, client_id: str, pack_id: str) -> None:
    """Bring a pack sale's invoice (if it has one) up to date with the pack (void once deleted)."""
    _follow(practice_id, client_id, invoice_id_of(pack_id))


def _follow(practice_id: str, client_id: str, invoice_id: str) -> None:
    def attempt(_: retry.Attempt) -> None:
        # The invoice is read BEFORE what it follows, and written only at the version read: a
        # change landing after our read of the session is followed by its own call, which
        # reads the invoice after ours and so either writes after us or finds us stale.
        current = store.find(practice_id, client_id, invoice_id)
        if current is None:
            return
        updated = as_now(practice_id, current)
        if updated == current:
            return
        try:
            store.save(practice_id, stamped(updated, current.version), expected_version=current.version)
        except PreconditionFailed as err:
            raise retry.Again("the invoice changed between the read and the write") from err

    try:
        retry.optimistic(attempt, what="bring the invoice up to date")
    except RetryLater:
        # The change it follows is written; the invoice catches up on its next payment or
        # change (a payment always settles against the invoice as it is now).
        log.warning("invoice %s could not follow its session or pack in time", invoice_id)

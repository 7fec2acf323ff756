"""Invoices for a client session or a pack sale, payments, and applying or removing the pack
that pays for a session (which re-charges the session in the same transaction). How an invoice
follows what it bills is services/invoice_follow.py."""
from __future__ import annotations

from typing import Any

from chalicelib.auth import Principal
from chalicelib.domain import invoices as rules
from chalicelib.domain.ids import new_id
from chalicelib.errors import AlreadyExists, Conflict, NotFound, PreconditionFailed
from chalicelib.models.invoices import (
    ApplyPack,
    Invoice,
    InvoiceChange,
    InvoiceCreate,
    InvoiceListQuery,
    Payment,
    PaymentCreate,
)
from chalicelib.services import charging, sessions
from chalicelib.services.invoice_follow import as_now, billed, invoice_id_of, lines_of, session_billed, stamped
from chalicelib.services.practice import practice_calendar
from chalicelib.store import clients as client_store
from chalicelib.store import invoices as store
from chalicelib.store import retry


def create_invoice(*, principal: Principal, client_id: str, data: InvoiceCreate) -> Invoice:
    """One invoice per session or pack sale (a second one is refused with 409)."""
    invoice = _new_invoice(principal.practice_id, client_id, data)
    store.create(principal.practice_id, invoice)
    return invoice


def _new_invoice(pid: str, client_id: str, data: InvoiceCreate, *, payment: Payment | None = None) -> Invoice:
    """The invoice as it is about to be written: the session's paid-at-session money is its
    first payment and never refused; `payment` (the first payment onto it) must fit what is due."""
    issued_on = (data.issued_on or practice_calendar(pid).today).isoformat()
    if data.session_id:
        bill = store.session_bill(pid, client_id, data.session_id)
        if bill is None:
            raise NotFound("Client session", data.session_id)
        paid = bill.paid_at_session
        payments = [{"id": new_id("pay"), "amount": paid[0], "method": paid[1], "on": bill.date_of_service,
                     "at_session": True}] if paid else []
        blank = _blank(invoice_id_of(bill.session_id), client_id, issued_on, payments, subject="session",
                       session_id=bill.session_id)
        invoice = session_billed(blank, bill, bill.pack_id)
    else:
        sale = store.pack_sale(pid, client_id, data.pack_id or "")
        if sale is None:
            raise NotFound("Pack", data.pack_id or "")
        blank = _blank(invoice_id_of(sale.pack_id), client_id, issued_on, [], subject="pack_sale",
                       pack_id=sale.pack_id)
        invoice = billed(blank, rules.sale_lines(sale))
    return _with_payment(invoice, payment) if payment else invoice


def _blank(invoice_id: str, client_id: str, issued_on: str, payments: list[dict[str, Any]],
           **subject: Any) -> Invoice:
    """A new invoice with no lines yet (its figures are settled by billed)."""
    return store.new({"id": invoice_id, "client_id": client_id, "issued_on": issued_on, "lines": [],
                      "payments": payments, "total": "0", "covered_by_pack": "0", "paid": "0",
                      "balance_due": "0", "credit": "0", "status": "paid", **subject})


def _with_payment(invoice: Invoice, payment: Payment) -> Invoice:
    """The invoice (as it is now) with a new payment, refused (409, body.amount) past what is due."""
    refusal = rules.payment_refusal(invoice.status, invoice.balance_due, payment.amount)
    if refusal:
        raise Conflict(refusal, field="body.amount")
    paying = invoice.model_copy(update={"payments": [*invoice.payments, payment]})
    return billed(paying, lines_of(paying), pack_id=paying.applied_pack_id, covered=paying.covered_by_pack)


def pay_session(*, principal: Principal, client_id: str, session_id: str, data: PaymentCreate) -> InvoiceChange:
    """A payment onto a session's invoice, creating the invoice with it on the first payment:
    one write either way, so a refused payment leaves no invoice behind."""
    pid = principal.practice_id
    invoice_id = invoice_id_of(session_id)
    if store.find(pid, client_id, invoice_id) is None:
        invoice = _new_invoice(pid, client_id, InvoiceCreate(session_id=session_id),
                               payment=_payment(pid, data))
        try:
            store.create(pid, invoice)
            return InvoiceChange(invoice=invoice, version=invoice.version)
        except AlreadyExists:
            pass  # created meanwhile by another request: pay onto it
    return add_payment(principal=principal, client_id=client_id, invoice_id=invoice_id, data=data)


def get_invoice(*, principal: Principal, client_id: str, invoice_id: str) -> Invoice:
    return store.get(principal.practice_id, client_id, invoice_id)


def list_invoices(*, principal: Principal, client_id: str, limit: int,
                  start_key: dict | None) -> tuple[list[Invoice], dict | None]:
    client_store.ensure_exists(principal.practice_id, client_id)
    return store.client_page(principal.practice_id, client_id, limit=limit, start_key=start_key)


def list_practice_invoices(*, principal: Principal, query: InvoiceListQuery,
                           start_key: dict | None) -> tuple[list[Invoice], dict | None]:
    """The practice's invoices by invoice date, filtered by status, client and date range; one
    index Query per page (an unknown client has none)."""
    return store.list_page(principal.practice_id, status=query.status, client_id=query.client_id,
                           first_day=query.start, last_day=query.end, limit=query.limit, start_key=start_key)


def add_payment(*, principal: Principal, client_id: str, invoice_id: str, data: PaymentCreate) -> InvoiceChange:
    """Record a payment, held to what is due NOW (the invoice is brought up to date with its
    session or pack in the same write). Conditioned on the version read: a payment racing
    another or a change reads again, so two payments cannot both pass the check."""
    pid = principal.practice_id
    payment = _payment(pid, data)

    def attempt(_: retry.Attempt) -> InvoiceChange:
        current = store.get(pid, client_id, invoice_id)
        updated = stamped(_with_payment(as_now(pid, current), payment), current.version)
        try:
            store.save(pid, updated, expected_version=current.version)
        except PreconditionFailed as err:
            raise retry.Again("the invoice changed between the read and the write") from err
        return InvoiceChange(invoice=updated, version=updated.version)

    return retry.optimistic(attempt, what="record this payment")


def _payment(practice_id: str, data: PaymentCreate) -> Payment:
    on = data.on or practice_calendar(practice_id).today
    return Payment(id=new_id("pay"), amount=data.amount, method=data.method, on=on)


# ---- the pack that pays ------------------------------------------------------------------------

def set_pack(*, principal: Principal, client_id: str, invoice_id: str, pack_id: str | None,
             expected_version: int) -> InvoiceChange:
    """Apply `pack_id` to a session's invoice (the session then counts against that pack), or
    remove the pack (None: the session is billed on the invoice). The session is re-charged
    and the invoice updated in one transaction."""
    pid = principal.practice_id
    current = store.get(pid, client_id, invoice_id)
    if current.version != expected_version:
        raise store.stale(current, expected_version)
    if current.subject != "session":
        raise Conflict("Only a session's invoice has a pack to apply or remove")
    bill = store.session_bill(pid, client_id, current.session_id or "")
    if bill is None:
        raise Conflict(f"Invoice {invoice_id} is void: its session no longer exists")
    code, _ = sessions.check_codes(principal, bill.billing_code, [])
    request = sessions.charge_request(bill.session_id, {
        "date_of_service": bill.date_of_service, "billing_code": bill.billing_code, "minutes": bill.minutes,
        "fee": str(bill.fee), "bill_to": bill.bill_to})
    written: dict[str, Invoice] = {}

    def write(plan: charging.ChargeDecision | None) -> list[dict[str, Any]]:
        chosen = plan.pack_id if plan else None
        if pack_id and chosen != pack_id:
            raise Conflict(f"Pack {pack_id} cannot take this session: {plan.pack_reason if plan else None}")
        written["invoice"] = stamped(session_billed(current, bill, chosen), expected_version)
        return [store.put_action(pid, written["invoice"], expected_version=expected_version)]

    charge = charging.recharge_session(
        principal=principal, client_id=client_id, request=request, code=code,
        pack_choice=pack_id or charging.NO_PACK,
        companion=charging.Companion(actions=write, refused=lambda err, i: store.refusal(
            err, i, invoice_id, expected_version=expected_version)))
    return InvoiceChange(invoice=written["invoice"], charge=charge, version=expected_version + 1)


def apply_pack(*, principal: Principal, client_id: str, invoice_id: str, data: ApplyPack,
               expected_version: int) -> InvoiceChange:
    return set_pack(principal=principal, client_id=client_id, invoice_id=invoice_id, pack_id=data.pack_id,
                    expected_version=expected_version)


def remove_pack(*, principal: Principal, client_id: str, invoice_id: str, expected_version: int) -> InvoiceChange:
    return set_pack(principal=principal, client_id=client_id, invoice_id=invoice_id, pack_id=None,
                    expected_version=expected_version)

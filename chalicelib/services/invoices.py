"""Invoices for a client session or a pack sale, payments, and applying or removing the pack
that pays for a session (which re-charges the session in the same transaction)."""
from __future__ import annotations

from decimal import Decimal
from typing import Any

from chalicelib.auth import Principal
from chalicelib.domain.ids import new_id
from chalicelib.errors import AlreadyExists, Conflict
from chalicelib.models.invoices import (
    ApplyPack,
    Invoice,
    InvoiceChange,
    InvoiceCreate,
    InvoiceListQuery,
    InvoiceStatus,
    PaymentCreate,
)
from chalicelib.services import charging, sessions
from chalicelib.services.practice import practice_calendar
from chalicelib.store import entitlements as entitlement_store
from chalicelib.store import invoices as invoice_store
from chalicelib.store import items
from chalicelib.store import sessions as session_store
from chalicelib.store.repository import BILLING_CODES, CLIENTS

ZERO = Decimal("0.00")


def _view(item: dict[str, Any]) -> Invoice:
    # Status and date from the figures: items written before the practice-wide list stored
    # "open" and no invoice date.
    return Invoice.model_validate({**items.public(item), "issued_on": _issued_on(item),
                                   "status": _status(Decimal(item["paid"]), Decimal(item["balance_due"]))})


def _status(paid: Decimal, due: Decimal) -> InvoiceStatus:
    if due == 0:
        return "paid"
    return "part_paid" if paid > 0 else "unpaid"


def _issued_on(item: dict[str, Any]) -> str:
    return item.get("issued_on") or item["created_at"][:10]


def _get(practice_id: str, client_id: str, invoice_id: str) -> dict[str, Any]:
    return invoice_store.get(practice_id, client_id, invoice_id)


def _settle(item: dict[str, Any], *, refused_field: str | None = None) -> dict[str, Any]:
    """Totals from the lines, the pack cover and the payments, and the status and date that
    list the invoice (one rule, used on every write, so the lists follow each write).
    Money taken at the session is never refused: what it pays beyond what is due (the session
    also counted against a pack) is the invoice's credit. Any other excess is refused (409,
    naming `refused_field` when the request has one)."""
    total = sum((Decimal(line["amount"]) for line in item["lines"]), ZERO)
    paid = sum((Decimal(p["amount"]) for p in item["payments"]), ZERO)
    at_session = sum((Decimal(p["amount"]) for p in item["payments"] if p.get("at_session")), ZERO)
    covered = min(Decimal(item.get("covered_by_pack") or 0), total)
    # The session's own payment first: its excess is credit; later payments fit what is left.
    left = total - covered - at_session
    credit = max(-left, ZERO)
    due = max(left, ZERO) - (paid - at_session)
    if due < 0:
        raise Conflict(f"Payments would exceed what is due by {-due:.2f}",
                       **({"field": refused_field} if refused_field else {}))
    return {**item, "total": str(total), "paid": str(paid), "covered_by_pack": str(covered),
            "balance_due": str(due), "credit": str(credit), "status": _status(paid, due),
            "issued_on": _issued_on(item)}


def _pack_cover(practice_id: str, client_id: str, session: dict[str, Any]) -> tuple[str | None, Decimal]:
    """The pack a session counts against, and how much of its fee that pack pays."""
    usage = next((u for u in entitlement_store.read_usages(practice_id, client_id, session["id"])
                  if u["kind"] == "PACK" and u["state"] == "active"), None)
    return (usage["entitlement_id"], Decimal(session["fee"])) if usage else (None, ZERO)


def create_invoice(*, principal: Principal, client_id: str, data: InvoiceCreate) -> Invoice:
    """One invoice per session or pack sale (a second one is refused with 409)."""
    return _view(_create(principal.practice_id, _new_invoice(principal.practice_id, client_id, data)))


def _new_invoice(pid: str, client_id: str, data: InvoiceCreate) -> dict[str, Any]:
    """The invoice item, not yet written nor settled."""
    if data.session_id:
        session = session_store.get(pid, client_id, data.session_id)
        add_ons = BILLING_CODES.get_many(pid, session.get("add_on_codes") or [])
        lines = [{"description": f"Session {session['date_of_service']}", "code": session["billing_code"],
                  "amount": session["fee"]}]
        lines += [{"description": a["description"], "code": a["code"], "amount": str(a["default_charge"])}
                  for a in add_ons if a]
        applied, covered = _pack_cover(pid, client_id, session)
        paid = session.get("paid_at_session")
        payments = [{"id": new_id("pay"), "amount": paid["amount"], "method": paid["method"],
                     "on": session["date_of_service"], "at_session": True}] if paid else []
        values = {"subject": "session", "session_id": session["id"], "lines": lines, "payments": payments,
                  "applied_pack_id": applied, "covered_by_pack": str(covered)}
        invoice_id = f"inv_{session['id']}"
    else:
        pack = entitlement_store.get_entitlement(pid, client_id, "PACK", data.pack_id or "")
        values = {"subject": "pack_sale", "pack_id": pack["id"], "payments": [], "covered_by_pack": "0.00",
                  "lines": [{"description": f"Pack: {pack['name']}", "code": None, "amount": f"{pack['price']:.2f}"}]}
        invoice_id = f"inv_{pack['id']}"
    issued_on = (data.issued_on or practice_calendar(pid).today).isoformat()
    return {**values, "id": invoice_id, "client_id": client_id, "issued_on": issued_on}


def _create(pid: str, invoice: dict[str, Any], *, refused_field: str | None = None) -> dict[str, Any]:
    return invoice_store.create(pid, _settle(invoice, refused_field=refused_field))


def pay_session(*, principal: Principal, client_id: str, session_id: str, data: PaymentCreate) -> InvoiceChange:
    """A payment onto a session's invoice, creating the invoice with it on the first payment:
    one write either way, so a refused payment leaves no invoice behind."""
    pid = principal.practice_id
    invoice_id = f"inv_{session_id}"
    if invoice_store.find(pid, client_id, invoice_id) is None:
        invoice = _new_invoice(pid, client_id, InvoiceCreate(session_id=session_id))
        invoice["payments"] = [*invoice["payments"], _payment(pid, data)]
        try:
            created = _create(pid, invoice, refused_field="body.amount")
            return InvoiceChange(invoice=_view(created), version=created["version"])
        except AlreadyExists:
            pass  # created meanwhile by another request: pay onto it
    return add_payment(principal=principal, client_id=client_id, invoice_id=invoice_id, data=data)


def get_invoice(*, principal: Principal, client_id: str, invoice_id: str) -> Invoice:
    return _view(_get(principal.practice_id, client_id, invoice_id))


def list_invoices(*, principal: Principal, client_id: str, limit: int,
                  start_key: dict | None) -> tuple[list[Invoice], dict | None]:
    CLIENTS.get(principal.practice_id, client_id)
    found, last_key = invoice_store.client_page(principal.practice_id, client_id, limit=limit, start_key=start_key)
    return [_view(i) for i in found], last_key


def list_practice_invoices(*, principal: Principal, query: InvoiceListQuery,
                           start_key: dict | None) -> tuple[list[Invoice], dict | None]:
    """The practice's invoices by invoice date, filtered by status, client and date range; one
    index Query per page (an unknown client has none)."""
    page = invoice_store.list_page(principal.practice_id, status=query.status, client_id=query.client_id,
                                   first_day=query.start, last_day=query.end, limit=query.limit,
                                   start_key=start_key)
    return [_view(i) for i in page.items], page.last_key


def add_payment(*, principal: Principal, client_id: str, invoice_id: str, data: PaymentCreate) -> InvoiceChange:
    """Record a payment; refused if it is more than the balance due. Conditioned on the version
    read, so two payments at once cannot both pass the check."""
    current = _get(principal.practice_id, client_id, invoice_id)
    updated = _settle({**current, "payments": [*current["payments"], _payment(principal.practice_id, data)]},
                      refused_field="body.amount")
    return _save(principal.practice_id, current, updated)


def _payment(practice_id: str, data: PaymentCreate) -> dict[str, Any]:
    on = data.on or practice_calendar(practice_id).today
    return {"id": new_id("pay"), "amount": f"{data.amount:.2f}", "method": data.method, "on": on.isoformat()}


def _save(practice_id: str, current: dict[str, Any], updated: dict[str, Any]) -> InvoiceChange:
    version = current["version"]
    updated = {**updated, "version": version + 1, "updated_at": items.now()}
    invoice_store.save(practice_id, updated, expected_version=version)
    return InvoiceChange(invoice=_view(updated), version=updated["version"])


def _session_of(principal: Principal, client_id: str, invoice: dict[str, Any]) -> dict[str, Any]:
    if invoice["subject"] != "session":
        raise Conflict("Only a session's invoice has a pack to apply or remove")
    return session_store.get(principal.practice_id, client_id, invoice["session_id"])


def set_pack(*, principal: Principal, client_id: str, invoice_id: str, pack_id: str | None,
             expected_version: int) -> InvoiceChange:
    """Apply `pack_id` to a session's invoice (the session then counts against that pack), or
    remove the pack (None: the session is billed on the invoice). The session is re-charged
    and the invoice updated in one transaction."""
    current = _get(principal.practice_id, client_id, invoice_id)
    if current["version"] != expected_version:
        raise items.stale("Invoice", invoice_id, current["version"], expected_version)
    session = _session_of(principal, client_id, current)
    code, _ = sessions.check_codes(principal, session["billing_code"], [])
    request = sessions.charge_request(session["id"], session)
    written: dict[str, Any] = {}

    def write(plan: Any) -> list[dict[str, Any]]:
        if pack_id and (plan.pack is None or plan.pack["id"] != pack_id):
            raise Conflict(f"Pack {pack_id} cannot take this session: {plan.pack_reason}")
        cover = Decimal(session["fee"]) if plan.pack else ZERO
        written["item"] = _settle({
            **current, "applied_pack_id": pack_id, "covered_by_pack": str(cover),
            "version": expected_version + 1, "updated_at": items.now()})
        return [invoice_store.put_action(principal.practice_id, written["item"], expected_version=expected_version)]

    charge = charging.recharge_session(
        principal=principal, client_id=client_id, request=request, code=code,
        pack_choice=pack_id or charging.NO_PACK,
        companion=charging.Companion(actions=write, refused=lambda err, i: items.write_error(
            err, i, expected_version=expected_version, resource="Invoice", resource_id=invoice_id)))
    return InvoiceChange(invoice=_view(written["item"]), charge=charge, version=expected_version + 1)


def apply_pack(*, principal: Principal, client_id: str, invoice_id: str, data: ApplyPack,
               expected_version: int) -> InvoiceChange:
    return set_pack(principal=principal, client_id=client_id, invoice_id=invoice_id, pack_id=data.pack_id,
                    expected_version=expected_version)


def remove_pack(*, principal: Principal, client_id: str, invoice_id: str, expected_version: int) -> InvoiceChange:
    return set_pack(principal=principal, client_id=client_id, invoice_id=invoice_id, pack_id=None,
                    expected_version=expected_version)

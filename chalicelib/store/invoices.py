"""Invoices: one per session or pack sale, in the client's partition (`INVOICE#<id>`), and the
practice-wide invoice list.

Invoices go in and out as the Invoice model; the key and the index entries follow from the
invoice's client, id, status and date on every write, so the lists follow each write. What an
invoice follows (its session, with the pack its usage is on and its add-ons' prices, or the pack
it sold) is read here too, as the pure records of domain/invoices.py. Every invoice
write carries three index entries, all sorted by `<issued_on>#<invoice id>`: GSI1 per practice,
GSI2 per practice and status, GSI3 per client. A list page is then one Query on the one
partition its filters name, and a date range is a BETWEEN on the sort key. Only the
client+status combination filters, and then inside that one client's invoices.
"""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from chalicelib.domain.invoices import Line, PackSale, SessionBill
from chalicelib.domain.invoices import status as status_of
from chalicelib.errors import BadRequest, PreconditionFailed
from chalicelib.models.invoices import Invoice
from chalicelib.store import codes, items
from chalicelib.store import entitlements as entitlement_store
from chalicelib.store import sessions as session_store
from chalicelib.store.keys import (
    INVOICE,
    PK,
    SK,
    client_invoices_pk,
    client_pk,
    invoice_date_sk,
    invoice_status_pk,
    practice_invoices_pk,
)

RESOURCE = "Invoice"

BY_PRACTICE, BY_STATUS, BY_CLIENT = "GSI1", "GSI2", "GSI3"


def index_keys(practice_id: str, invoice: dict[str, Any]) -> dict[str, str]:
    """The index attributes of an invoice as it is about to be written (status and date settled)."""
    sk = invoice_date_sk(invoice["issued_on"], invoice["id"])
    return {f"{BY_PRACTICE}PK": practice_invoices_pk(practice_id), f"{BY_PRACTICE}SK": sk,
            f"{BY_STATUS}PK": invoice_status_pk(practice_id, invoice["status"]), f"{BY_STATUS}SK": sk,
            f"{BY_CLIENT}PK": client_invoices_pk(practice_id, invoice["client_id"]), f"{BY_CLIENT}SK": sk}


def _key(practice_id: str, client_id: str, invoice_id: str) -> tuple[str, str]:
    return client_pk(practice_id, client_id), INVOICE + invoice_id


def _item(practice_id: str, invoice: dict[str, Any]) -> dict[str, Any]:
    """The invoice as stored: its key and its three index entries."""
    pk, sk = _key(practice_id, invoice["client_id"], invoice["id"])
    return {**invoice, PK: pk, SK: sk, **index_keys(practice_id, invoice)}


def _public(item: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in item.items() if k not in (PK, SK) and not k.startswith("GSI")}


def _invoice(item: dict[str, Any]) -> Invoice:
    # Items written before the practice-wide list stored status "open" and no invoice date.
    fields = _public(item)
    if fields.get("status") not in ("unpaid", "part_paid", "paid", "void"):
        fields["status"] = status_of(Decimal(fields["paid"]), Decimal(fields["balance_due"]))
    return Invoice.model_validate({**fields, "issued_on": fields.get("issued_on") or fields["created_at"][:10]})


def _stored(invoice: Invoice) -> dict[str, Any]:
    return invoice.model_dump(mode="json", exclude_none=True)


def find(practice_id: str, client_id: str, invoice_id: str) -> Invoice | None:
    """An invoice (strongly consistent), or None."""
    item = items.get(*_key(practice_id, client_id, invoice_id))
    return _invoice(item) if item else None


def get(practice_id: str, client_id: str, invoice_id: str) -> Invoice:
    """An invoice, or NotFound."""
    return _invoice(items.get_existing(*_key(practice_id, client_id, invoice_id), resource=RESOURCE,
                                       resource_id=invoice_id))


def new(fields: dict[str, Any]) -> Invoice:
    """An invoice as first written: version 1, created and updated now (not yet written)."""
    return Invoice.model_validate(items.new_item(fields))


def create(practice_id: str, invoice: Invoice) -> None:
    """Write a new invoice; AlreadyExists if the session or sale has one (the id is theirs)."""
    items.transact_entity([items.put_action(_item(practice_id, _stored(invoice)))], expected_version=None,
                          resource=RESOURCE, resource_id=invoice.id)


def put_action(practice_id: str, invoice: Invoice, *, expected_version: int) -> dict[str, Any]:
    """A transaction action replacing the invoice at `expected_version` (its next version given)."""
    return items.put_action(_item(practice_id, _stored(invoice)), expected_version=expected_version)


def save(practice_id: str, invoice: Invoice, *, expected_version: int) -> None:
    """Replace the invoice if it is still at `expected_version` (NotFound, or 412 if stale)."""
    items.transact_entity([put_action(practice_id, invoice, expected_version=expected_version)],
                          expected_version=expected_version, resource=RESOURCE, resource_id=invoice.id)


def stale(invoice: Invoice, expected_version: int) -> PreconditionFailed:
    """The 412 for a write sent with an If-Match older than the invoice as read."""
    return items.stale(RESOURCE, invoice.id, invoice.version, expected_version)


def refusal(err: items.TransactionCancelled, index: int, invoice_id: str, *,
            expected_version: int) -> Exception | None:
    """Why the invoice's write at `index` of a transaction was refused (404, 412), or None."""
    return items.write_error(err, index, expected_version=expected_version, resource=RESOURCE,
                             resource_id=invoice_id)


def session_bill(practice_id: str, client_id: str, session_id: str) -> SessionBill | None:
    """A client session as its invoice bills it now (None: the session does not exist): its
    code and fee, its add-ons at today's catalogue price, and the pack its active usage is on."""
    session = items.get(*session_store.session_key(practice_id, client_id, session_id))
    if session is None:
        return None
    usages = entitlement_store.active_usages(practice_id, client_id, session_id)
    add_on_codes = list(session.get("add_on_codes") or [])
    found = codes.billing_codes(practice_id, add_on_codes) if add_on_codes else []
    paid = session.get("paid_at_session")
    return SessionBill(
        session_id=session_id, date_of_service=str(session["date_of_service"]),
        billing_code=session["billing_code"], fee=Decimal(str(session["fee"])), minutes=int(session["minutes"]),
        bill_to=session.get("bill_to") or "automatic", add_on_codes=tuple(add_on_codes),
        priced=tuple(Line(c.description, c.code, c.default_charge) for c in found if c is not None),
        pack_id=next((u.entitlement_id for u in usages if u.kind == "PACK"), None),
        paid_at_session=(Decimal(str(paid["amount"])), paid["method"]) if paid else None)


def pack_sale(practice_id: str, client_id: str, pack_id: str) -> PackSale | None:
    """A pack as its sale's invoice bills it now (None: never sold, or deleted)."""
    pack = entitlement_store.read_entitlement(practice_id, client_id, "PACK", pack_id)
    if pack is None or pack.state == "deleted":
        return None
    return PackSale(pack_id=pack_id, name=pack.name, price=pack.price)


def client_page(practice_id: str, client_id: str, *, limit: int,
                start_key: dict[str, Any] | None) -> tuple[list[Invoice], dict[str, Any] | None]:
    """One page of a client's invoices in id order (one Query of its partition)."""
    page = items.query_page(client_pk(practice_id, client_id), INVOICE, limit=limit, start_key=start_key)
    return [_invoice(i) for i in page.items], page.last_key


def list_page(practice_id: str, *, status: str | None, client_id: str | None, first_day: date | None,
              last_day: date | None, limit: int,
              start_key: dict[str, Any] | None) -> tuple[list[Invoice], dict[str, Any] | None]:
    """One page of a practice's invoices by invoice date (one Query)."""
    if client_id:
        index, pk = BY_CLIENT, client_invoices_pk(practice_id, client_id)
    elif status:
        index, pk = BY_STATUS, invoice_status_pk(practice_id, status)
    else:
        index, pk = BY_PRACTICE, practice_invoices_pk(practice_id)
    between = None
    if first_day or last_day:
        # '~' sorts after every id character, so the last day's invoices are all inside.
        between = ((first_day or date.min).isoformat(), f"{(last_day or date.max).isoformat()}#~")
    _check_cursor(start_key, index, pk, between)
    by_status = bool(client_id and status)
    page = items.query_page(pk, limit=limit, start_key=start_key, index=index, between=between,
                            filter="#status = :status" if by_status else None,
                            filter_names={"#status": "status"} if by_status else None,
                            filter_values={":status": status} if by_status else None)
    return [_invoice(i) for i in page.items], page.last_key


def _check_cursor(start_key: dict[str, Any] | None, index: str, pk: str, between: tuple[str, str] | None) -> None:
    """A cursor signed for this list but issued under other filters would steer the Query to a
    start outside the partition or range it reads (DynamoDB refuses that): refuse it as a 400."""
    if not start_key:
        return
    sk = start_key.get(f"{index}SK")
    if start_key.get(f"{index}PK") != pk or not isinstance(sk, str) or (
            between is not None and not between[0] <= sk <= between[1]):
        raise BadRequest("cursor is not valid for these filters; start again without it", field="query.cursor")

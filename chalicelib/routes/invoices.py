"""/v1/clients/{id}/invoices: invoices for sessions and pack sales, payments, packs applied;
/v1/invoices: every invoice of the practice, by status, client and invoice date."""
from __future__ import annotations

from typing import TYPE_CHECKING

from chalice import Blueprint

from chalicelib.auth import Role
from chalicelib.http import Call, Listing, operation
from chalicelib.lazy import lazy, models_of

bp = Blueprint(__name__)
if TYPE_CHECKING:  # what mypy and an IDE follow; at run time each is imported on first use
    from chalicelib.models import invoices as models
    from chalicelib.services import invoices as service
else:
    models = models_of("chalicelib.models.invoices")
    service = lazy("chalicelib.services.invoices")
TAG = "Invoices"
INVOICES = "/v1/clients/{client_id}/invoices"
BILLERS = {Role.ADMIN, Role.FRONT_DESK, Role.BILLING}


@operation(bp, "POST", INVOICES, roles=BILLERS, summary="Invoice a client session or a pack sale", tag=TAG,
           body=models.InvoiceCreate, response=models.Invoice, location="/v1/clients/{client_id}/invoices/{id}")
def create_invoice(call: Call) -> models.Invoice:
    return service.create_invoice(principal=call.principal, client_id=call.params["client_id"], data=call.body)


@operation(bp, "GET", INVOICES, roles=BILLERS, summary="A client's invoices", tag=TAG, response=models.Invoice,
           paginated=True)
def list_invoices(call: Call) -> Listing:
    return Listing(*service.list_invoices(principal=call.principal, client_id=call.params["client_id"],
                                          limit=call.query.limit, start_key=call.start_key))


@operation(bp, "GET", "/v1/invoices", roles=BILLERS, summary="The practice's invoices by invoice date", tag=TAG,
           query=models.InvoiceListQuery, response=models.Invoice, paginated=True)
def list_practice_invoices(call: Call) -> Listing:
    return Listing(*service.list_practice_invoices(principal=call.principal, query=call.query,
                                                   start_key=call.start_key))


@operation(bp, "GET", INVOICES + "/{invoice_id}", roles=BILLERS, summary="Read an invoice", tag=TAG,
           response=models.Invoice)
def get_invoice(call: Call) -> models.Invoice:
    return service.get_invoice(principal=call.principal, client_id=call.params["client_id"],
                               invoice_id=call.params["invoice_id"])


@operation(bp, "POST", INVOICES + "/{invoice_id}/payments", roles=BILLERS, summary="Record a payment", tag=TAG,
           body=models.PaymentCreate, response=models.InvoiceChange,
           location="/v1/clients/{invoice[client_id]}/invoices/{invoice[id]}")
def add_payment(call: Call) -> models.InvoiceChange:
    return service.add_payment(principal=call.principal, client_id=call.params["client_id"],
                               invoice_id=call.params["invoice_id"], data=call.body)


@operation(bp, "POST", INVOICES + "/{invoice_id}/apply-pack", roles=BILLERS,
           summary="Pay a session's invoice from a pack (re-charges the session)", tag=TAG, body=models.ApplyPack,
           response=models.InvoiceChange, status=200, conditional=True)
def apply_pack_to_invoice(call: Call) -> models.InvoiceChange:
    return service.apply_pack(principal=call.principal, client_id=call.params["client_id"],
                              invoice_id=call.params["invoice_id"], data=call.body, expected_version=call.version)


@operation(bp, "POST", INVOICES + "/{invoice_id}/remove-pack", roles=BILLERS,
           summary="Bill a session on its invoice instead of its pack (gives the pack back)", tag=TAG,
           response=models.InvoiceChange, status=200, conditional=True)
def remove_pack_from_invoice(call: Call) -> models.InvoiceChange:
    return service.remove_pack(principal=call.principal, client_id=call.params["client_id"],
                               invoice_id=call.params["invoice_id"], expected_version=call.version)

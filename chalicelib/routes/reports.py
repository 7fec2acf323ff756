"""/v1/reports: pack expiry, authorizations, pack sales by category."""
from __future__ import annotations

from typing import TYPE_CHECKING

from chalice import Blueprint

from chalicelib.auth import Role
from chalicelib.http import Call, Listing, operation
from chalicelib.lazy import lazy, models_of

bp = Blueprint(__name__)
if TYPE_CHECKING:  # what mypy and an IDE follow; at run time each is imported on first use
    from chalicelib.models import reports as models
    from chalicelib.services import reports as service
else:
    models = models_of("chalicelib.models.reports")
    service = lazy("chalicelib.services.reports")
TAG = "Reports"
SALES_READERS = {Role.ADMIN, Role.BILLING}


@operation(bp, "GET", "/v1/reports/pack-expiry", summary="Packs by expiry: active, expiring soon, expired", tag=TAG,
           query=models.PackExpiryQuery, response=models.PackExpiryRow, paginated=True)
def pack_expiry_report(call: Call) -> Listing:
    q = call.query
    return Listing(*service.pack_expiry(principal=call.principal, status=q.status, practitioner_id=q.practitioner_id,
                                        category=q.category, limit=q.limit, start_key=call.start_key))


@operation(bp, "GET", "/v1/reports/authorizations", summary="Authorized sessions for all clients", tag=TAG,
           query=models.AuthorizationReportQuery, response=models.AuthorizationReportRow, paginated=True)
def authorizations_report(call: Call) -> Listing:
    q = call.query
    return Listing(*service.authorizations(principal=call.principal, include_expired=q.include_expired,
                                           practitioner_id=q.practitioner_id, limit=q.limit, start_key=call.start_key))


@operation(bp, "GET", "/v1/reports/pack-sales", roles=SALES_READERS, summary="Pack sales by category", tag=TAG,
           query=models.PackSalesQuery, response=models.PackSalesReport)
def pack_sales_report(call: Call) -> models.PackSalesReport:
    return service.pack_sales(principal=call.principal, start=call.query.start, end=call.query.end)

"""/v1/claims: insurance claims from client sessions, their scrub, 837P exports and outcomes."""
from __future__ import annotations

from typing import TYPE_CHECKING

from chalice import Blueprint

from chalicelib.auth import Role
from chalicelib.http import Call, Listing, Reply, operation
from chalicelib.lazy import lazy, models_of

bp = Blueprint(__name__)
if TYPE_CHECKING:  # what mypy and an IDE follow; at run time each is imported on first use
    from chalicelib.models import claims as models
    from chalicelib.services import claims as service
else:
    models = models_of("chalicelib.models.claims")
    service = lazy("chalicelib.services.claims")
BILLERS = {Role.ADMIN, Role.BILLING}
READERS = {Role.ADMIN, Role.BILLING, Role.PRACTITIONER}
TAG = "Claims"


@operation(bp, "POST", "/v1/claims", roles=BILLERS, summary="Create claims from client sessions", tag=TAG,
           body=models.ClaimCreate, response=models.ClaimsCreated, location="/v1/claims/{id}")
def create_claims(call: Call) -> Reply:
    result, created = service.create_claims(principal=call.principal, data=call.body)
    return Reply(result, status=201 if created else 200)


@operation(bp, "GET", "/v1/claims", roles=READERS, summary="List claims", tag=TAG, query=models.ClaimQuery,
           response=models.Claim, paginated=True)
def list_claims(call: Call) -> Listing:
    return Listing(*service.list_claims(principal=call.principal, query=call.query, start_key=call.start_key))


@operation(bp, "POST", "/v1/claims/exports", roles=BILLERS, summary="Export a payer's ready claims as an 837P file",
           tag=TAG, body=models.ExportCreate, response=models.ClaimExport, location="/v1/claims/exports/{id}")
def export_claims(call: Call) -> models.ClaimExport:
    return service.export_claims(principal=call.principal, data=call.body)


@operation(bp, "GET", "/v1/claims/exports", roles=BILLERS, summary="List 837P exports, newest first", tag=TAG,
           query=models.ExportQuery, response=models.ExportSummary, paginated=True)
def list_claim_exports(call: Call) -> Listing:
    return Listing(*service.exports_page(principal=call.principal, query=call.query, start_key=call.start_key))


@operation(bp, "GET", "/v1/claims/exports/{export_id}", roles=BILLERS, summary="Download an 837P export again",
           tag=TAG, response=models.ClaimExport)
def get_claim_export(call: Call) -> models.ClaimExport:
    return service.get_export(principal=call.principal, export_id=call.params["export_id"])


@operation(bp, "GET", "/v1/claims/{claim_id}", roles=READERS, summary="Read a claim", tag=TAG,
           response=models.Claim)
def get_claim(call: Call) -> models.Claim:
    return service.get_claim(principal=call.principal, claim_id=call.params["claim_id"])


@operation(bp, "POST", "/v1/claims/{claim_id}/check", roles=BILLERS, summary="Check a claim again", tag=TAG,
           response=models.Claim)
def check_claim(call: Call) -> models.Claim:
    return service.check_claim(principal=call.principal, claim_id=call.params["claim_id"])


@operation(bp, "POST", "/v1/claims/{claim_id}/status", roles=BILLERS, summary="Record a payer's answer to a claim",
           tag=TAG, body=models.ClaimOutcome, response=models.Claim, conditional=True)
def record_claim_outcome(call: Call) -> models.Claim:
    return service.record_outcome(principal=call.principal, claim_id=call.params["claim_id"], data=call.body,
                                  expected_version=call.version)


@operation(bp, "DELETE", "/v1/claims/{claim_id}", roles=BILLERS, summary="Delete a claim not yet sent", tag=TAG)
def delete_claim(call: Call) -> None:
    service.delete_claim(principal=call.principal, claim_id=call.params["claim_id"], expected_version=call.version)

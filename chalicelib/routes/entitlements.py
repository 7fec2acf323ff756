"""/v1/pack-templates, /v1/clients/{id}/packs and /v1/clients/{id}/authorizations."""
from __future__ import annotations

from typing import TYPE_CHECKING

from chalice import Blueprint

from chalicelib.auth import Role
from chalicelib.http import Call, Listing, operation
from chalicelib.lazy import lazy, models_of

bp = Blueprint(__name__)
if TYPE_CHECKING:  # what mypy and an IDE follow; at run time each is imported on first use
    from chalicelib.models import entitlements as models
    from chalicelib.services import entitlements as service
else:
    models = models_of("chalicelib.models.entitlements")
    service = lazy("chalicelib.services.entitlements")
CATALOGUE = {Role.ADMIN, Role.BILLING}
SALES = {Role.ADMIN, Role.FRONT_DESK, Role.BILLING}
PACKS = "/v1/clients/{client_id}/packs"
AUTHS = "/v1/clients/{client_id}/authorizations"


@operation(bp, "POST", "/v1/pack-templates", roles=CATALOGUE, summary="Create a pack template", tag="Pack templates",
           body=models.PackTemplateCreate, response=models.PackTemplate, location="/v1/pack-templates/{id}")
def create_pack_template(call: Call) -> models.PackTemplate:
    return service.create_template(principal=call.principal, data=call.body)


@operation(bp, "GET", "/v1/pack-templates", summary="List pack templates", tag="Pack templates",
           response=models.PackTemplate, paginated=True)
def list_pack_templates(call: Call) -> Listing:
    return Listing(*service.list_templates(principal=call.principal, limit=call.query.limit, start_key=call.start_key))


@operation(bp, "GET", "/v1/pack-templates/{template_id}", summary="Read a pack template", tag="Pack templates",
           response=models.PackTemplate)
def get_pack_template(call: Call) -> models.PackTemplate:
    return service.get_template(principal=call.principal, template_id=call.params["template_id"])


@operation(bp, "PATCH", "/v1/pack-templates/{template_id}", roles=CATALOGUE,
           summary="Update, activate or deactivate a pack template", tag="Pack templates",
           body=models.PackTemplateUpdate, response=models.PackTemplate)
def update_pack_template(call: Call) -> models.PackTemplate:
    return service.update_template(principal=call.principal, template_id=call.params["template_id"],
                                   changes=call.body, expected_version=call.version)


@operation(bp, "POST", PACKS, roles=SALES, summary="Sell or open a pack for a client", tag="Packs",
           body=models.PackCreate, response=models.Pack, location="/v1/clients/{client_id}/packs/{id}")
def create_pack(call: Call) -> models.Pack:
    return service.create_pack(principal=call.principal, client_id=call.params["client_id"], data=call.body)


@operation(bp, "GET", PACKS, summary="List a client's packs", tag="Packs", query=models.EntitlementListQuery,
           response=models.Pack, paginated=True)
def list_packs(call: Call) -> Listing:
    return Listing(*service.list_packs(principal=call.principal, client_id=call.params["client_id"],
                                       include_closed=call.query.include_closed, limit=call.query.limit,
                                       start_key=call.start_key))


@operation(bp, "GET", PACKS + "/{pack_id}", summary="Read a pack", tag="Packs", response=models.Pack)
def get_pack(call: Call) -> models.Pack:
    return service.get_pack(principal=call.principal, client_id=call.params["client_id"],
                            pack_id=call.params["pack_id"])


@operation(bp, "PATCH", PACKS + "/{pack_id}", roles=SALES, summary="Edit a pack (limit, expiry, close, options)",
           tag="Packs", body=models.PackUpdate, response=models.Pack)
def update_pack(call: Call) -> models.Pack:
    return service.update_pack(principal=call.principal, client_id=call.params["client_id"],
                               pack_id=call.params["pack_id"], changes=call.body, expected_version=call.version)


@operation(bp, "DELETE", PACKS + "/{pack_id}", roles=SALES, summary="Delete a pack, giving back its sessions",
           tag="Packs")
def delete_pack(call: Call) -> None:
    service.delete_entitlement(principal=call.principal, client_id=call.params["client_id"], kind="PACK",
                               entitlement_id=call.params["pack_id"], expected_version=call.version)


@operation(bp, "POST", PACKS + "/{pack_id}/consolidate", roles=SALES,
           summary="Merge another pack of the same client into this one", tag="Packs", body=models.ConsolidateRequest,
           response=models.Pack, conditional=True)
def consolidate_pack(call: Call) -> models.Pack:
    return service.consolidate_packs(principal=call.principal, client_id=call.params["client_id"],
                                     pack_id=call.params["pack_id"], source_pack_id=call.body.source_pack_id,
                                     expected_version=call.version)


@operation(bp, "GET", PACKS + "/{pack_id}/ledger", summary="A pack's ledger", tag="Packs", response=models.LedgerEntry,
           paginated=True)
def pack_ledger(call: Call) -> Listing:
    return Listing(*service.ledger(principal=call.principal, client_id=call.params["client_id"], kind="PACK",
                                   entitlement_id=call.params["pack_id"], limit=call.query.limit,
                                   start_key=call.start_key))


@operation(bp, "POST", AUTHS, roles=SALES, summary="Record an insurance authorization", tag="Authorizations",
           body=models.AuthorizationCreate, response=models.Authorization,
           location="/v1/clients/{client_id}/authorizations/{id}")
def create_authorization(call: Call) -> models.Authorization:
    return service.create_authorization(principal=call.principal, client_id=call.params["client_id"], data=call.body)


@operation(bp, "GET", AUTHS, summary="List a client's authorizations", tag="Authorizations",
           query=models.EntitlementListQuery, response=models.Authorization, paginated=True)
def list_authorizations(call: Call) -> Listing:
    return Listing(*service.list_authorizations(principal=call.principal, client_id=call.params["client_id"],
                                                include_closed=call.query.include_closed, limit=call.query.limit,
                                                start_key=call.start_key))


@operation(bp, "GET", AUTHS + "/{authorization_id}", summary="Read an authorization", tag="Authorizations",
           response=models.Authorization)
def get_authorization(call: Call) -> models.Authorization:
    return service.get_authorization(principal=call.principal, client_id=call.params["client_id"],
                                     authorization_id=call.params["authorization_id"])


@operation(bp, "PATCH", AUTHS + "/{authorization_id}", roles=SALES, summary="Edit an authorization",
           tag="Authorizations", body=models.AuthorizationUpdate, response=models.Authorization)
def update_authorization(call: Call) -> models.Authorization:
    return service.update_authorization(principal=call.principal, client_id=call.params["client_id"],
                                        authorization_id=call.params["authorization_id"], changes=call.body,
                                        expected_version=call.version)


@operation(bp, "DELETE", AUTHS + "/{authorization_id}", roles=SALES,
           summary="Delete an authorization, giving back its sessions", tag="Authorizations")
def delete_authorization(call: Call) -> None:
    service.delete_entitlement(principal=call.principal, client_id=call.params["client_id"], kind="AUTH",
                               entitlement_id=call.params["authorization_id"], expected_version=call.version)


@operation(bp, "GET", AUTHS + "/{authorization_id}/ledger", summary="An authorization's ledger",
           tag="Authorizations", response=models.LedgerEntry, paginated=True)
def authorization_ledger(call: Call) -> Listing:
    return Listing(*service.ledger(principal=call.principal, client_id=call.params["client_id"], kind="AUTH",
                                   entitlement_id=call.params["authorization_id"], limit=call.query.limit,
                                   start_key=call.start_key))


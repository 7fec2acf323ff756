"""Use cases for clients: create, read with entitlements, search by name, update, archive."""
from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from chalicelib.auth import Principal
from chalicelib.domain.clients import display_name
from chalicelib.domain.ids import new_id
from chalicelib.domain.scheduling import iso
from chalicelib.errors import ValidationFailed
from chalicelib.models.clients import (
    Client,
    ClientCreate,
    ClientProfile,
    ClientUpdate,
    EntitlementSummary,
    GroupMembership,
)
from chalicelib.services import appointments, entitlements, groups
from chalicelib.services.common import changes_of
from chalicelib.services.practice import cached_practice
from chalicelib.store import clients as store
from chalicelib.store import codes, payers, templates, users

_REQUIRED = ("first_name", "last_name", "archived")


def clients_with_email(practice_id: str, email: str) -> list[str]:
    """Ids of the clients with this email (one Query): calendar import matches attendees by it."""
    return store.with_email(practice_id, email)


def _check_default_service(principal: Principal, client_id: str | None, service: dict[str, Any] | None) -> None:
    """The default service must name something the practice (or this client) has."""
    if not service:
        return
    from chalicelib.store import entitlements

    found: object | None
    if service.get("billing_code"):
        found = codes.billing_codes(principal.practice_id, [service["billing_code"]])[0]
        what = f"billing code {service['billing_code']}"
    elif service.get("pack_template_id"):
        found = templates.find_pack_template(principal.practice_id, service["pack_template_id"])
        what = f"pack template {service['pack_template_id']}"
    else:
        pack = (entitlements.read_entitlement(principal.practice_id, client_id, "PACK", service["pack_id"])
                if client_id else None)
        found = None if pack is None or pack.state == "deleted" else pack
        what = f"pack {service['pack_id']} of this client"
    if found is None:
        raise ValidationFailed.field("body.default_service", f"{what} does not exist")


def _check_payers(principal: Principal, values: dict[str, Any]) -> None:
    """An insurance's payer_id names a payer of the practice's catalogue: claims are filed and
    exported under it (an insurance with only a payer name is fine)."""
    errors = [{"field": f"body.{name}.payer_id", "reason": "no such payer in the catalogue (/v1/payers)"}
              for name in ("primary_insurance", "secondary_insurance")
              if (payer_id := (values.get(name) or {}).get("payer_id"))
              and payers.find_payer(principal.practice_id, payer_id) is None]
    if errors:
        raise ValidationFailed(errors)


def check_practitioner(principal: Principal, practitioner_id: str | None, field: str = "body.practitioner_id") -> None:
    """A named practitioner must be one of the practice's users with the practitioner role (one read)."""
    if not practitioner_id:
        return
    user = users.find_user(principal.practice_id, practitioner_id)
    if user is None:
        raise ValidationFailed.field(field, "does not exist in this practice")
    if user.role != "practitioner":
        raise ValidationFailed.field(field, "is not a practitioner")


def create_client(*, principal: Principal, data: ClientCreate) -> Client:
    """A new client, indexed for name search."""
    values = data.model_dump(mode="json")
    check_practitioner(principal, data.practitioner_id)
    _check_payers(principal, values)
    # A new client has no packs yet, so only a code or a template can be its default.
    _check_default_service(principal, None, values.get("default_service"))
    return store.create(principal.practice_id, new_id("cli"), data)


# The profile shows the next few booked appointments; the Query reads a few more than that
# so that cancelled or attended ones filtered out still leave enough.
UPCOMING_SHOWN = 10
_UPCOMING_READ = 50


def get_client(*, principal: Principal, client_id: str) -> ClientProfile:
    """A client with the 'used X of Y, Z left' of every open pack and authorization, its next
    booked appointments and its current groups. Calls: the client (1), its entitlements (1
    Query), its schedule from now (1 Query), its memberships (1 Query, plus 1 read of
    the client) and their groups (1 batch read, only if it has any): 5 or 6."""
    client = store.get_client(principal.practice_id, client_id)
    packs, auths = _summaries(principal, client_id)
    return ClientProfile.model_validate({**dict(client), "packs": packs, "authorizations": auths,
                                         "upcoming_appointments": _upcoming(principal, client_id),
                                         "groups": _current_groups(principal, client_id)})


def _summaries(principal: Principal, client_id: str) -> tuple[list[EntitlementSummary], list[EntitlementSummary]]:
    return entitlements.summaries(principal, client_id)


def _upcoming(principal: Principal, client_id: str) -> list[Any]:
    """The client's next booked appointments: one Query of its schedule (as the client
    view of services/appointments lists it) from now on, without the group sessions the
    caller may not see."""
    now = iso(datetime.now(UTC))
    booked = store.booked_from(principal.practice_id, client_id, now, limit=_UPCOMING_READ)
    found = appointments.visible_only(principal, booked)[:UPCOMING_SHOWN]
    zone = cached_practice(principal.practice_id).time_zone
    return [appointments.appointment_view(i, zone) for i in found]


def _current_groups(principal: Principal, client_id: str) -> list[GroupMembership]:
    """The groups the client belongs to now, as GET /v1/clients/{id}/groups lists them (only
    those the caller may see); a client is in a handful of groups, so one page holds them."""
    listed, _ = groups.client_groups(principal=principal, client_id=client_id, limit=100, start_key=None)
    return [GroupMembership(group_id=g.group_id, name=g.name, initials=g.initials, practitioner_id=g.practitioner_id,
                            joined_at=g.periods[-1].joined_at)
            for g in listed if g.active_member]


def list_clients(*, principal: Principal, limit: int, start_key: dict | None, q: str | None,
                 include_archived: bool) -> tuple[list[Client], dict | None]:
    """Clients in name order (a name prefix searches); one Query on the name index."""
    return store.by_name(principal.practice_id, q, include_archived=include_archived, limit=limit,
                         start_key=start_key)


def update_client(*, principal: Principal, client_id: str, changes: ClientUpdate, expected_version: int) -> Client:
    """Change a client; a name change re-indexes the client and renames it on its entitlements."""
    values = changes_of(changes, required=_REQUIRED)
    if values.get("secondary_insurance") and values.get("primary_insurance", True) is None:
        raise ValidationFailed.field("body.primary_insurance", "cannot be cleared while a secondary insurance is set")
    _check_default_service(principal, client_id, values.get("default_service"))
    check_practitioner(principal, values.get("practitioner_id"))
    _check_payers(principal, values)
    if "first_name" in values or "last_name" in values:
        current = store.get_client(principal.practice_id, client_id)
        first = values.get("first_name", current.first_name)
        last = values.get("last_name", current.last_name)
        updated = store.update(principal.practice_id, client_id, values, expected_version=expected_version,
                               name=(first, last))
        # Reports show the client's name from the entitlement item itself, so a rename is copied there.
        store.rename_on_entitlements(principal.practice_id, client_id, display_name(first, last))
        return updated
    return store.update(principal.practice_id, client_id, values, expected_version=expected_version)


def delete_client(*, principal: Principal, client_id: str, expected_version: int) -> None:
    """Delete a client entered by mistake. A client with any pack, authorization or session
    has a history that is kept: archive it instead."""
    store.delete_if_no_history(principal.practice_id, client_id, expected_version=expected_version,
                               reason="The client has packs, authorizations or sessions, whose history is kept; "
                                      "archive the client instead")

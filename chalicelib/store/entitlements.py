"""Storage of a client's entitlements (packs, authorizations), their usages and ledgers.

Balances live on the entitlement item as `used` and `remaining` (plus `limit` or `allowed`).
DynamoDB conditions cannot do arithmetic, so `remaining` is stored rather than derived, and
every change moves `used` and `remaining` together in one update. A charge is conditioned on
`remaining >= cost`, which is what makes overdrawing impossible under any concurrency.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from chalicelib.domain.charging import Usage
from chalicelib.domain.clients import display_name
from chalicelib.domain.entitlements import NO_EXPIRY, CodeRule, Entitlement, Validity, expiry_date, format_amount
from chalicelib.domain.ids import new_id
from chalicelib.domain.notifications import pack_due_on
from chalicelib.errors import Conflict, NotFound, PreconditionFailed
from chalicelib.store import dynamo, items
from chalicelib.store.history import has_history, history_marker
from chalicelib.store.keys import (
    AUTH_SK,
    ENT,
    LEDGER,
    PACK_SK,
    USAGE,
    authorization_end_pk,
    client_pk,
    due_keys,
    pack_expiry_pk,
    pack_sale_pk,
    usage_sk,
)
from chalicelib.store.repository import CLIENTS

if TYPE_CHECKING:
    from chalicelib.models.entitlements import LedgerEntry

OUT_OF_INDEXES = {"GSI1PK": None, "GSI1SK": None, "DUEPK": None, "DUESK": None}
KINDS = {"PACK": ("Pack", PACK_SK, "limit"), "AUTH": ("Authorization", AUTH_SK, "allowed")}
# A refused transaction (items.TransactionCancelled), for the service's answers.
TransactionCancelled = items.TransactionCancelled
Page = tuple[list[Entitlement], dict[str, Any] | None]  # one page, and the key to continue from


@dataclass(frozen=True)
class Holder:
    """The client a new pack or authorization is for, as the sale needs it."""

    name: str  # its display name: the entitlement carries it for reports and emails
    practitioner_id: str | None
    has_history: bool


def holder(practice_id: str, client_id: str) -> Holder:
    """The client a pack or authorization is opened for, or NotFound."""
    client = CLIENTS.get(practice_id, client_id)
    return Holder(display_name(client["first_name"], client["last_name"]), client.get("practitioner_id"),
                  has_history(client))


@dataclass(frozen=True)
class NewEntitlement:
    """A pack or authorization built, not yet written: what it is, and the item `create` puts."""

    entitlement: Entitlement
    item: dict[str, Any]


def stale(entitlement: Entitlement, expected_version: int) -> PreconditionFailed:
    """The 412 for a change sent with an If-Match other than the version read."""
    return items.stale(KINDS[entitlement.kind][0], entitlement.id, entitlement.version, expected_version)


def entitlement_key(practice_id: str, client_id: str, kind: str, entitlement_id: str) -> tuple[str, str]:
    return client_pk(practice_id, client_id), KINDS[kind][1] + entitlement_id


def pack_index(practice_id: str, client_id: str, pack_id: str, expires_on: str | None, state: str, *,
               soon_days: int, today: date) -> dict[str, Any]:
    """A pack's place in the expiry index and the sweep's DUE index (the day it starts
    expiring soon). Only open packs sit in them: both stay sparse, so reports and sweeps read
    what can still expire, not every pack ever sold."""
    if state != "open":
        return dict(OUT_OF_INDEXES)
    due = pack_due_on(expires_on, soon_days, today)
    return {"GSI1PK": pack_expiry_pk(practice_id), "GSI1SK": f"{expires_on or NO_EXPIRY}#{client_id}#{pack_id}",
            **due_keys(*entitlement_key(practice_id, client_id, "PACK", pack_id), due.isoformat() if due else None)}


def authorization_index(practice_id: str, client_id: str, auth_id: str, end_on: str, state: str, *,
                        due_on: date) -> dict[str, Any]:
    """An open authorization's place in the end-date index and the DUE index (`due_on`)."""
    if state != "open":
        return dict(OUT_OF_INDEXES)
    return {"GSI1PK": authorization_end_pk(practice_id), "GSI1SK": f"{end_on}#{client_id}#{auth_id}",
            **due_keys(*entitlement_key(practice_id, client_id, "AUTH", auth_id), due_on.isoformat())}


def new_pack(practice_id: str, client_id: str, client_name: str, terms: dict[str, Any], *,
             purchased_on: date, flags: dict[str, Any], soon_days: int, today: date) -> NewEntitlement:
    """A new pack from sale terms (template or custom), ready to create."""
    item = new_pack_item(practice_id, client_id, client_name, terms, purchased_on=purchased_on, flags=flags,
                         soon_days=soon_days, today=today)
    return NewEntitlement(entitlement_of(item), item)


def new_pack_item(practice_id: str, client_id: str, client_name: str, terms: dict[str, Any], *,
                  purchased_on: date, flags: dict[str, Any], soon_days: int, today: date) -> dict[str, Any]:
    """A whole pack item, ready to Put, from sale terms (template or custom)."""
    pack_id = new_id("pack")
    validity = terms.get("validity")
    expires_on = (expiry_date(purchased_on, validity["amount"], validity["unit"]).isoformat()
                  if validity and validity["starts"] == "purchase" else None)
    limit = Decimal(terms["limit"])
    key = entitlement_key(practice_id, client_id, "PACK", pack_id)
    return items.new_item({
        "PK": key[0], "SK": key[1], "kind": "PACK", "id": pack_id, "client_id": client_id, "client_name": client_name,
        "template_id": terms.get("template_id"), "name": terms["name"], "measure": terms["measure"],
        "limit": limit, "used": Decimal(0), "remaining": limit, "price": Decimal(terms["price"]),
        "purchased_on": purchased_on.isoformat(), "validity": validity, "expires_on": expires_on,
        "codes": terms.get("codes") or {"mode": "all_except", "codes": []},
        "categories": terms.get("categories") or [],
        "category_names": [c["name"] for c in terms.get("categories") or []] or None,
        "state": "open", **flags,
        # Auto-renew opens the next pack from these terms inside the charge that uses this one
        # up, so it needs no read of the template there.
        "renew_terms": renew_terms(terms) if flags.get("auto_renew") else None,
        **pack_index(practice_id, client_id, pack_id, expires_on, "open", soon_days=soon_days, today=today),
        "GSI2PK": pack_sale_pk(practice_id), "GSI2SK": f"{purchased_on.isoformat()}#{pack_id}",
    })


def renew_terms(terms: dict[str, Any]) -> dict[str, Any]:
    """The terms a pack's renewal opens with: its sale terms at the template's quantity."""
    return {**terms, "limit": terms["quantity"]}


def entitlement_of(item: dict[str, Any]) -> Entitlement:
    """A stored pack or authorization, typed."""
    rule = item.get("codes") or {"mode": "all_except", "codes": []}
    validity = item.get("validity")
    pack = item["kind"] == "PACK"
    return Entitlement(
        id=item["id"], kind=item["kind"], client_id=item.get("client_id", ""), measure=item["measure"],
        capacity=item["limit"] if pack else item["allowed"], used=item["used"], remaining=item["remaining"],
        state=item["state"], codes=CodeRule(rule["mode"], tuple(rule["codes"])),
        client_name=item.get("client_name") or "", practitioner_id=item.get("practitioner_id"),
        created_by=item.get("created_by"), payer=item.get("payer") or "", number=item.get("number"),
        begin_on=item.get("begin_on") or "0000-01-01", end_on=item.get("end_on") or NO_EXPIRY,
        name=item.get("name") or "", expires_on=item.get("expires_on"),
        validity=Validity(validity["starts"], int(validity["amount"]), validity["unit"]) if validity else None,
        charge_no_shows=bool(item.get("charge_no_shows")), charge_late_cancels=bool(item.get("charge_late_cancels")),
        auto_renew=bool(item.get("auto_renew")), renew_terms=item.get("renew_terms"),
        renewed_pack_id=item.get("renewed_pack_id"), template_id=item.get("template_id"),
        price=item.get("price") or Decimal(0), purchased_on=item.get("purchased_on"),
        categories=tuple((c["name"], Decimal(str(c["percent"]))) for c in item.get("categories") or []),
        consolidated_into=item.get("consolidated_into"), version=int(item.get("version", 0)),
        created_at=item.get("created_at", ""), updated_at=item.get("updated_at", ""))


# Stored attributes a PATCH may set that the typed entitlement carries under the same name.
_EDITABLE = frozenset({"state", "name", "payer", "number", "begin_on", "end_on", "expires_on", "practitioner_id",
                       "charge_no_shows", "charge_late_cancels", "auto_renew", "renew_terms"})


def edited(entitlement: Entitlement, values: dict[str, Any]) -> Entitlement:
    """The entitlement as a PATCH of these stored values leaves it (the capacity aside)."""
    changes: dict[str, Any] = {k: v for k, v in values.items() if k in _EDITABLE}
    if rule := values.get("codes"):
        changes["codes"] = CodeRule(rule["mode"], tuple(rule["codes"]))
    return replace(entitlement, **changes)


def renewal_item(practice_id: str, client_id: str, pack: Entitlement, *, purchased_on: date, soon_days: int,
                 today: date) -> dict[str, Any]:
    """The next pack a used-up auto-renew pack opens (a charge or a cut used it up): its
    renew_terms (the template's quantity and terms as sold) with the pack's own flags."""
    return new_pack_item(practice_id, client_id, pack.client_name, dict(pack.renew_terms or {}),
                         purchased_on=purchased_on, soon_days=soon_days, today=today,
                         flags={"charge_no_shows": pack.charge_no_shows,
                                "charge_late_cancels": pack.charge_late_cancels, "auto_renew": pack.auto_renew,
                                "practitioner_id": pack.practitioner_id, "created_by": pack.created_by})


def usage_of(item: dict[str, Any]) -> Usage:
    return Usage(kind=item["kind"], entitlement_id=item["entitlement_id"], amount=item["amount"], on=item.get("on"),
                 billing_code=item.get("billing_code"), authorization_number=item.get("authorization_number"),
                 state=item.get("state", "active"))


def client_entitlements(practice_id: str, client_id: str) -> list[Entitlement]:
    """Every pack and authorization of a client, typed: one strongly consistent Query."""
    return [entitlement_of(i) for i in _read_entitlements(practice_id, client_id)]


def active_usages(practice_id: str, client_id: str, session_ref: str) -> list[Usage]:
    """What a session currently counts against (its usages not reversed)."""
    return [u for u in map(usage_of, _read_usages(practice_id, client_id, session_ref)) if u.state == "active"]


def _read_entitlements(practice_id: str, client_id: str) -> list[dict[str, Any]]:
    return items.query_all(client_pk(practice_id, client_id), ENT)


def entitlement_page(practice_id: str, client_id: str, kind: str, *, include_closed: bool, limit: int,
                     start_key: dict[str, Any] | None) -> Page:
    """One page of a client's packs or authorizations, oldest first, in one Query: the open
    ones, or (include_closed) every one not deleted. The state is a filter, so a page may hold
    fewer than `limit` items and still have a next one."""
    state = ("#state <> :deleted", {":deleted": "deleted"}) if include_closed else ("#state = :open", {":open": "open"})
    page = items.query_page(client_pk(practice_id, client_id), KINDS[kind][1], limit=limit, start_key=start_key,
                            filter=state[0], filter_values=state[1], filter_names={"#state": "state"},
                            consistent=True)
    return [entitlement_of(i) for i in page.items], page.last_key


def get_entitlement(practice_id: str, client_id: str, kind: str, entitlement_id: str) -> Entitlement:
    """One pack or authorization that is not deleted, or NotFound."""
    found = read_entitlement(practice_id, client_id, kind, entitlement_id)
    if found is None or found.state == "deleted":
        raise NotFound(KINDS[kind][0], entitlement_id)
    return found


def _read_usages(practice_id: str, client_id: str, session_ref: str) -> list[dict[str, Any]]:
    """The usages one session made (at most a pack and an authorization)."""
    return items.query_all(client_pk(practice_id, client_id), f"{USAGE}{session_ref}#")


def ledger_page(practice_id: str, client_id: str, entitlement_id: str, *, limit: int,
                start_key: dict[str, Any] | None) -> tuple[list[LedgerEntry], dict[str, Any] | None]:
    """One page of an entitlement's ledger, oldest first."""
    # Imported here, not at the top: the sweep and the charge read entitlements without pydantic.
    from chalicelib.models.entitlements import LedgerEntry

    page = items.query_page(client_pk(practice_id, client_id), f"{LEDGER}{entitlement_id}#", limit=limit,
                            start_key=start_key)
    return [LedgerEntry.model_validate(i) for i in page.items], page.last_key


def ledger_entries(practice_id: str, client_id: str, entitlement_id: str) -> list[LedgerEntry]:
    """An entitlement's whole ledger (all pages)."""
    out: list[LedgerEntry] = []
    start = None
    while True:
        entries, start = ledger_page(practice_id, client_id, entitlement_id, limit=500, start_key=start)
        out += entries
        if not start:
            return out


def ledger_put(practice_id: str, client_id: str, entitlement_id: str, *, kind: str, amount: Decimal,
               session_ref: str | None = None, on: str | None = None, billing_code: str | None = None,
               note: str | None = None) -> dict[str, Any]:
    """Append one ledger entry (entries are never changed afterwards)."""
    # Microseconds in the sort key keep a session's charge before its reversal.
    stamp = datetime.now(UTC).isoformat(timespec="microseconds")
    entry_id = f"{stamp}#{os.urandom(4).hex()}"
    item = {"PK": client_pk(practice_id, client_id), "SK": f"{LEDGER}{entitlement_id}#{entry_id}",
            "kind": kind, "id": entry_id, "entitlement_id": entitlement_id, "session_ref": session_ref,
            "amount": amount, "on": on, "billing_code": billing_code, "note": note, "created_at": stamp}
    return {"Put": {"TableName": items.table(), "Item": dynamo.to_item(item),
                    "ConditionExpression": "attribute_not_exists(PK)"}}


def consume(key: tuple[str, str], cost: Decimal, *, on: str, window: tuple[str, str] | None = None,
            until_expiry: bool = False, first_use: dict[str, Any] | None = None,
            band: tuple[Decimal | None, Decimal | None] = (None, None),
            renewed_to: str | None = None) -> dict[str, Any]:
    """Take `cost` from an open entitlement that still has at least that much left (and,
    with a `band` (lo, hi], whose balance is still in it: see domain.notifications.ChargeOutcome).

    `window`: the (begin, end) attributes `on` must lie between (an authorization).
    `until_expiry`: `on` must not be after the item's `expires_on`, if it has one (a pack).
    `first_use`: the attributes that start a pack's validity (`expires_on` and its index
    keys), written only while the pack has no expiry, so exactly one first use sets it.
    `renewed_to`: the pack this charge's renewal opens, marked on the used-up pack once.
    """
    marked = {"renewed_pack_id": renewed_to} if renewed_to else {}
    expression, names, values = items.update_clause({**(first_use or {}), **marked}, prefix="x",
                                                    also_set=["used = used + :n", "remaining = remaining - :n"])
    values.update({":n": cost, ":open": "open"})
    condition = "remaining >= :n AND #state = :open"
    if band[0] is not None:
        condition += " AND remaining > :lo"
        values[":lo"] = band[0]
    if band[1] is not None:
        condition += " AND remaining <= :hi"
        values[":hi"] = band[1]
    if window:
        condition += f" AND {window[0]} <= :on AND {window[1]} >= :on"
    if first_use:
        condition += " AND attribute_not_exists(expires_on)"
    elif until_expiry:
        condition += " AND (attribute_not_exists(expires_on) OR expires_on >= :on)"
    if renewed_to:
        condition += " AND attribute_not_exists(renewed_pack_id)"
    # DynamoDB refuses a request that defines a value no expression uses.
    if ":on" in condition:
        values[":on"] = on
    names["#state"] = "state"
    return {"Update": {"TableName": items.table(), "Key": items.key_of(*key), "UpdateExpression": expression,
                       "ConditionExpression": condition, "ExpressionAttributeNames": names,
                       "ExpressionAttributeValues": dynamo.to_item(values)}}


def exists_check(key: tuple[str, str]) -> dict[str, Any]:
    """A transaction action that only checks an item (e.g. a session charged) still exists."""
    return {"ConditionCheck": {"TableName": items.table(), "Key": items.key_of(*key),
                               "ConditionExpression": "attribute_exists(PK)"}}


def give_back(key: tuple[str, str], amount: Decimal, *, restart: dict[str, Any] | None = None) -> dict[str, Any]:
    """Return `amount` to an entitlement (a reversal). `restart`: attributes to write (None:
    remove) when this give-back leaves nothing used, such as a first-use pack's expiry; then
    the write is conditioned on exactly `amount` being used, so a concurrent charge cancels it
    (and the caller re-reads) instead of being counted under a clock that was unset."""
    expression, names, values = items.update_clause(restart or {}, prefix="r",
                                                    also_set=["used = used - :n", "remaining = remaining + :n"])
    values[":n"] = amount
    condition = "attribute_exists(PK) AND used = :n" if restart else "attribute_exists(PK) AND used >= :n"
    action = {"TableName": items.table(), "Key": items.key_of(*key), "UpdateExpression": expression,
              "ConditionExpression": condition, "ExpressionAttributeValues": dynamo.to_item(values)}
    return {"Update": {**action, "ExpressionAttributeNames": names} if names else action}


def usage_put(practice_id: str, client_id: str, session_ref: str, kind: str, values: dict[str, Any], *,
              replacing: dict[str, Any] | None = None) -> dict[str, Any]:
    """Record that a session uses an entitlement; refused if the session already has an
    active usage of this kind (a session is charged once) unless it is `replacing` that very
    usage (a correction: the old one is given back in the same transaction)."""
    item = {"PK": client_pk(practice_id, client_id), "SK": usage_sk(session_ref, kind), "session_ref": session_ref,
            "kind": kind, "state": "active", "created_at": items.now(), **values}
    if replacing:
        condition = "#state = :active AND entitlement_id = :old AND amount = :amount"
        names_values = {":active": "active", ":old": replacing["entitlement_id"], ":amount": replacing["amount"]}
    else:
        condition, names_values = "attribute_not_exists(PK) OR #state = :reversed", {":reversed": "reversed"}
    return {"Put": {"TableName": items.table(), "Item": dynamo.to_item(item), "ConditionExpression": condition,
                    "ExpressionAttributeNames": {"#state": "state"},
                    "ExpressionAttributeValues": dynamo.to_item(names_values)}}


def usage_update(practice_id: str, client_id: str, session_ref: str, kind: str, *, entitlement_id: str,
                 state: str = "reversed", new_entitlement_id: str | None = None) -> dict[str, Any]:
    """Mark an active usage reversed, or repoint it to another entitlement (consolidation)."""
    expression, names, values = items.update_clause({
        "state": state, "entitlement_id": new_entitlement_id or entitlement_id, "updated_at": items.now()})
    return {"Update": {"TableName": items.table(), "Key": items.key_of(client_pk(practice_id, client_id),
                                                                    usage_sk(session_ref, kind)),
                       "UpdateExpression": expression, "ConditionExpression": "#a0 = :active AND #a1 = :old",
                       "ExpressionAttributeNames": names,
                       "ExpressionAttributeValues": dynamo.to_item({**values, ":active": "active",
                                                                    ":old": entitlement_id})}}


class UsedMoved(Exception):
    """A charge or give-back changed `used` after the caller read it: read again and decide
    again (what a new limit raises depends on it)."""


def change_capacity(key: tuple[str, str], capacity_attr: str, new_capacity: Decimal, *, expected_version: int,
                    resource: str, resource_id: str, extra: dict[str, Any] | None = None,
                    expected_used: Decimal | None = None, also: list[dict[str, Any]] | None = None,
                    renewal: dict[str, Any] | None = None) -> Entitlement:
    """Set a new limit/allowed and recompute `remaining`; refused below what is already used.

    `expected_used`: the write also requires `used` to be what the caller read (charges move
    it without a new version), else UsedMoved. `also`: actions that must land with the change
    (the events it raises; unconditional): then it is one TransactWriteItems and the item is
    read back, else a single UpdateItem. `renewal`: the next pack a cut that uses a pack up
    opens (renewal_item), put in the same transaction and marked on the pack, once."""
    marked = {"renewed_pack_id": renewal["id"]} if renewal else {}
    also = [*(also or []), *([items.put_action(renewal)] if renewal else [])]
    expression, names, values = items.update_clause({**(extra or {}), **marked}, prefix="e", also_set=[
        "#cap = :cap", "remaining = :cap - used", "#version = #version + :one", "#updated = :now"])
    values.update({":cap": new_capacity, ":expected": expected_version, ":one": 1, ":open": "open",
                   ":now": items.now()})
    names.update({"#cap": capacity_attr, "#version": "version", "#state": "state", "#updated": "updated_at"})
    condition = "attribute_exists(PK) AND #version = :expected AND used <= :cap AND #state = :open"
    if expected_used is not None:
        condition += " AND used = :used"
        values[":used"] = expected_used
    if renewal:
        condition += " AND attribute_not_exists(renewed_pack_id)"
    update = {"TableName": items.table(), "Key": items.key_of(*key), "UpdateExpression": expression,
              "ConditionExpression": condition, "ExpressionAttributeNames": names,
              "ExpressionAttributeValues": dynamo.to_item(values), "ReturnValuesOnConditionCheckFailure": "ALL_OLD"}
    if also:
        try:
            items.transact([{"Update": update}, *also])
        except items.TransactionCancelled as err:
            if 0 not in err.failed():
                raise
            raise capacity_refusal(err.items[0], capacity_attr, new_capacity, expected_version=expected_version,
                                   resource=resource, resource_id=resource_id) from err
        written = items.get(*key)
        if written is None:  # just written, and entitlements are only ever marked deleted
            raise NotFound(resource, resource_id)
        return entitlement_of(written)
    try:
        response = dynamo.client().update_item(**update, ReturnValues="ALL_NEW")
    except ClientError as err:
        if items.error_code(err) != "ConditionalCheckFailedException":
            raise
        old = dynamo.from_item(err.response["Item"]) if err.response.get("Item") else None
        raise capacity_refusal(old, capacity_attr, new_capacity, expected_version=expected_version,
                               resource=resource, resource_id=resource_id) from err
    return entitlement_of(dynamo.from_item(response["Attributes"]))


def capacity_refusal(old: dict[str, Any] | None, capacity_attr: str, new_capacity: Decimal, *,
                     expected_version: int, resource: str, resource_id: str) -> Exception:
    """Why a new limit was refused, given the entitlement as it was: 404, 412, 409 (not
    open, or below what is used), else UsedMoved (only `used` differed from what was read)."""
    if old is None or old.get("state") == "deleted":
        return NotFound(resource, resource_id)
    if old["version"] != expected_version:
        return items.stale(resource, resource_id, old["version"], expected_version)
    if old.get("state") != "open":
        return Conflict(f"{resource} {resource_id} is {old['state']}; reopen it first")
    if old["used"] > new_capacity:
        used = format_amount(old["used"])
        return Conflict(f"{used} is already used; the new {capacity_attr} cannot be lower",
                        used=used, field=f"body.{capacity_attr}")
    return UsedMoved(f"{resource} {resource_id}: used moved to {old['used']}")


def authorizations(practice_id: str, wanted: list[tuple[str, str]]) -> dict[tuple[str, str], Entitlement]:
    """Authorizations by (client id, authorization id), in one read (none: no call);
    one never written is left out."""
    if not wanted:
        return {}
    keys = [entitlement_key(practice_id, client_id, "AUTH", auth_id) for client_id, auth_id in wanted]
    found = [items.get(*keys[0])] if len(keys) == 1 else items.get_many(keys)  # one: a GetItem
    return {ref: entitlement_of(item) for ref, item in zip(wanted, found, strict=True) if item}


def read_entitlement(practice_id: str, client_id: str, kind: str, entitlement_id: str) -> Entitlement | None:
    """A pack or authorization, whatever its state (None: never existed)."""
    item = items.get(*entitlement_key(practice_id, client_id, kind, entitlement_id))
    return None if item is None else entitlement_of(item)


def new_authorization(practice_id: str, client_id: str, auth_id: str, values: dict[str, Any], *,
                      due_on: date) -> NewEntitlement:
    """A new authorization, indexed by its end date, ready to create."""
    key = entitlement_key(practice_id, client_id, "AUTH", auth_id)
    item = items.new_item({**values, "PK": key[0], "SK": key[1], "kind": "AUTH", "id": auth_id, "client_id": client_id,
                           **authorization_index(practice_id, client_id, auth_id, values["end_on"], "open",
                                                 due_on=due_on)})
    return NewEntitlement(entitlement_of(item), item)


def update_entitlement(practice_id: str, client_id: str, kind: str, entitlement_id: str, values: dict[str, Any], *,
                       expected_version: int, expected_used: Decimal | None = None) -> Entitlement:
    """Apply changes to a pack or authorization that is not deleted, at the version read
    (`expected_used`: and with `used` as read; charges move it without a new version)."""
    resource = KINDS[kind][0]
    condition, reason = "#state <> :deleted", ""
    condition_values: dict[str, Any] = {":deleted": "deleted"}
    if expected_used is not None:
        condition += " AND used = :used"
        condition_values[":used"] = expected_used
        reason = f"A session was counted or given back while this {resource.lower()}'s terms changed; try again"
    return entitlement_of(items.update(
        *entitlement_key(practice_id, client_id, kind, entitlement_id), values, expected_version=expected_version,
        resource=resource, resource_id=entitlement_id, condition=condition, condition_values=condition_values,
        condition_names={"#state": "state"}, condition_reason=reason))


def mark_deleted(practice_id: str, client_id: str, kind: str, entitlement_id: str, *, expected_version: int) -> None:
    """Mark an entitlement with nothing used deleted and take it out of every index (the item
    stays for the audit trail)."""
    items.update(*entitlement_key(practice_id, client_id, kind, entitlement_id),
                 {"state": "deleted", **OUT_OF_INDEXES, "GSI2PK": None, "GSI2SK": None},
                 expected_version=expected_version, resource=KINDS[kind][0], resource_id=entitlement_id,
                 condition="used = :zero", condition_values={":zero": 0},
                 condition_reason="A session was counted while deleting; try again")


# ---- consolidation: usage moves from one pack to another -------------------------------------

def shift_action(key: tuple[str, str], limit_delta: Decimal, used_delta: Decimal) -> dict[str, Any]:
    """Move usage with its share of the limit, so `remaining` does not change (open packs only)."""
    return {"Update": {"TableName": items.table(), "Key": items.key_of(*key),
                       "UpdateExpression": "SET #limit = #limit + :dl, used = used + :du",
                       "ConditionExpression": "#state = :open",
                       "ExpressionAttributeNames": {"#limit": "limit", "#state": "state"},
                       "ExpressionAttributeValues": dynamo.to_item({":dl": limit_delta, ":du": used_delta,
                                                                   ":open": "open"})}}


def close_consolidated_action(key: tuple[str, str], rest: Decimal, target_id: str, version: int) -> dict[str, Any]:
    """Close a source pack whose sessions moved: its unused `rest` leaves with it, and it
    leaves the indexes; conditioned on the version and the balance read."""
    return {"Update": {"TableName": items.table(), "Key": items.key_of(*key),
                       "UpdateExpression": "SET #limit = #limit - :rest, remaining = remaining - :rest, "
                                           "#state = :consolidated, consolidated_into = :target, "
                                           "#version = #version + :one, updated_at = :now "
                                           "REMOVE GSI1PK, GSI1SK, DUEPK, DUESK",
                       "ConditionExpression": "#version = :v AND #state = :open AND remaining = :rest",
                       "ExpressionAttributeNames": {"#limit": "limit", "#state": "state", "#version": "version"},
                       "ExpressionAttributeValues": dynamo.to_item({
                           ":rest": rest, ":consolidated": "consolidated", ":target": target_id, ":one": 1,
                           ":now": items.now(), ":v": version, ":open": "open"})}}


def absorb_action(key: tuple[str, str], rest: Decimal, expected_version: int) -> dict[str, Any]:
    """The target pack takes a consolidated source's unused `rest` into its limit and balance
    (If-Match: the version the caller read)."""
    return {"Update": {"TableName": items.table(), "Key": items.key_of(*key),
                       "UpdateExpression": "SET #limit = #limit + :rest, remaining = remaining + :rest, "
                                           "#version = #version + :one, updated_at = :now",
                       "ConditionExpression": "#version = :expected AND #state = :open",
                       "ExpressionAttributeNames": {"#limit": "limit", "#version": "version", "#state": "state"},
                       "ExpressionAttributeValues": dynamo.to_item({":rest": rest, ":one": 1, ":now": items.now(),
                                                                   ":expected": expected_version, ":open": "open"})}}


def create(practice_id: str, new: NewEntitlement, client: Holder) -> None:
    """Write a new pack or authorization with the client's history marker, if it has none
    yet, in one transaction."""
    items.transact([items.put_action(new.item),
                    *history_marker(practice_id, new.entitlement.client_id, client.has_history)])


def write_balances(actions: list[dict[str, Any]]) -> None:
    """One transaction of balance, usage and ledger changes (each keeps every balance
    consistent); items.TransactionCancelled if any condition was refused."""
    items.transact(actions)

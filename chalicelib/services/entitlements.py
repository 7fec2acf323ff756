"""Use cases for pack templates, client packs and authorizations: create, read, edit the
limit, consolidate, delete, and the ledger."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from chalicelib.auth import Principal
from chalicelib.domain.charging import CapacityChange, ChargeDecision, Policy, plan_capacity_change
from chalicelib.domain.entitlements import (
    CodeRule,
    Counted,
    Entitlement,
    authorization_status,
    left_out,
    left_out_reason,
    pack_status,
    usage_phrase,
)
from chalicelib.domain.ids import new_id
from chalicelib.domain.notifications import authorization_due_on
from chalicelib.errors import Conflict, ValidationFailed
from chalicelib.models.clients import EntitlementSummary
from chalicelib.models.codes import BillingCode
from chalicelib.models.entitlements import (
    Authorization,
    AuthorizationCreate,
    AuthorizationUpdate,
    ChargeRequest,
    LedgerEntry,
    Pack,
    PackCreate,
    PackTemplate,
    PackTemplateCreate,
    PackTemplateUpdate,
    PackUpdate,
)
from chalicelib.models.sessions import ClientSession
from chalicelib.services import charging, invoice_follow, sessions
from chalicelib.services.common import changes_of, sent_fields
from chalicelib.services.practice import cached_practice, due_floor, practice_calendar
from chalicelib.store import clients as client_store
from chalicelib.store import codes as code_store
from chalicelib.store import entitlements as store
from chalicelib.store import retry, templates
from chalicelib.store import sessions as session_store
from chalicelib.store.events import raise_event

# A transaction holds at most 100 actions. Giving a usage back takes 2 (usage, ledger entry)
# plus 1 for the balance; moving one takes 3 (usage, two ledger entries) plus 2.
_REVERSALS_PER_TRANSACTION = 45
_MOVES_PER_TRANSACTION = 30
_COUNTED_MEANWHILE = "A session was counted or given back while the authorization's terms changed; try again"


# ---- code rules -------------------------------------------------------------------------

def check_code_rule(principal: Principal, rule: dict[str, Any] | None, *, units: bool = False,
                    field: str = "body.codes") -> None:
    """Every code a rule lists is one of the practice's billing codes (one batch read); a units
    authorization counting `only` some codes needs each to have a unit length."""
    listed = (rule or {}).get("codes") or []
    if not listed:
        return
    found = code_store.billing_codes(principal.practice_id, listed)
    errors = []
    for i, (code, billing) in enumerate(zip(listed, found, strict=True)):
        if billing is None:
            errors.append({"field": f"{field}.codes.{i}", "reason": f"{code} is not a billing code of this practice"})
        elif units and (rule or {}).get("mode") == "only" and not billing.unit_minutes:
            # Excluding such a code (all_except) is fine: it never counts anyway.
            errors.append({"field": f"{field}.codes.{i}",
                           "reason": f"{code} has no unit length (unit_minutes), so a units authorization "
                                     "cannot count it"})
    if errors:
        raise ValidationFailed(errors)


# ---- pack templates -------------------------------------------------------------------

def create_template(*, principal: Principal, data: PackTemplateCreate) -> PackTemplate:
    values = {**data.model_dump(mode="json"), "quantity": data.quantity, "price": data.price}
    check_code_rule(principal, values["codes"])
    return templates.create_pack_template(principal.practice_id, new_id("tpl"), values)


def get_template(*, principal: Principal, template_id: str) -> PackTemplate:
    return templates.get_pack_template(principal.practice_id, template_id)


def list_templates(*, principal: Principal, limit: int,
                   start_key: dict | None) -> tuple[list[PackTemplate], dict | None]:
    return templates.list_pack_templates(principal.practice_id, limit=limit, start_key=start_key)


def update_template(*, principal: Principal, template_id: str, changes: PackTemplateUpdate,
                    expected_version: int) -> PackTemplate:
    """Change a template; packs already sold keep the terms they were sold with."""
    values = changes_of(changes, required=("name", "price", "codes", "categories", "active"))
    check_code_rule(principal, values.get("codes"))
    if changes.price is not None:
        values["price"] = changes.price
    return templates.update_pack_template(principal.practice_id, template_id, values,
                                          expected_version=expected_version)


# ---- packs ----------------------------------------------------------------------------

def pack_view(pack: Entitlement, *, today: date, soon_days: int) -> Pack:
    """A pack as the API shows it, with its status for today."""
    status = "consolidated" if pack.state == "consolidated" else pack_status(
        closed=pack.state != "open", remaining=pack.remaining, expires_on=pack.expires_on, today=today,
        soon_days=soon_days)
    validity = pack.validity
    return Pack.model_validate({
        "id": pack.id, "client_id": pack.client_id, "template_id": pack.template_id, "name": pack.name,
        "measure": pack.measure, "limit": pack.capacity, "used": pack.used, "remaining": pack.remaining,
        "price": pack.price, "purchased_on": pack.purchased_on, "expires_on": pack.expires_on,
        "validity": {"amount": validity.amount, "unit": validity.unit, "starts": validity.starts} if validity else None,
        "codes": _rule_view(pack.codes), "categories": [{"name": n, "percent": p} for n, p in pack.categories],
        "charge_no_shows": pack.charge_no_shows, "charge_late_cancels": pack.charge_late_cancels,
        "auto_renew": pack.auto_renew, "practitioner_id": pack.practitioner_id, "status": status,
        "consolidated_into": pack.consolidated_into, "renewed_pack_id": pack.renewed_pack_id,
        "version": pack.version, "created_at": pack.created_at, "updated_at": pack.updated_at})


def _rule_view(rule: CodeRule) -> dict[str, Any]:
    return {"mode": rule.mode, "codes": list(rule.codes)}


def _pack_index(practice_id: str, client_id: str, pack_id: str, expires_on: str | None, state: str) -> dict[str, Any]:
    calendar = practice_calendar(practice_id)
    return store.pack_index(practice_id, client_id, pack_id, expires_on, state, soon_days=calendar.soon_days,
                            today=due_floor(calendar))


def _new_pack(practice_id: str, client_id: str, client_name: str, terms: dict[str, Any], *,
              purchased_on: date, flags: dict[str, Any]) -> store.NewEntitlement:
    """A new pack, ready to create, from sale terms (template or custom)."""
    calendar = practice_calendar(practice_id)
    return store.new_pack(practice_id, client_id, client_name, terms, purchased_on=purchased_on, flags=flags,
                          soon_days=calendar.soon_days, today=due_floor(calendar))


def create_pack(*, principal: Principal, client_id: str, data: PackCreate) -> Pack:
    """Sell (or open) a pack for a client, from a template or from scratch."""
    calendar = practice_calendar(principal.practice_id)
    if data.codes is not None:
        check_code_rule(principal, data.codes.model_dump(mode="json"))
    client = store.holder(principal.practice_id, client_id)
    terms: dict[str, Any] = {}
    if data.template_id:
        template = templates.get_pack_template(principal.practice_id, data.template_id)
        if not template.active:
            raise ValidationFailed.field("body.template_id", "the template is inactive")
        terms = _template_terms(template)
        if data.measure and data.measure != template.measure:
            raise ValidationFailed.field("body.measure", f"the template measures {template.measure}")
    given = {k: v for k, v in sent_fields(data).items() if v is not None and k not in {
        "template_id", "purchased_on", "charge_no_shows", "charge_late_cancels", "auto_renew", "practitioner_id",
        "session_ids"}}
    terms.update(given)
    terms.setdefault("quantity", terms["limit"])
    whole = terms["measure"] in ("sessions", "minutes")
    if data.limit is not None and whole and data.limit != data.limit.to_integral_value():
        raise ValidationFailed.field("body.limit", f"must be a whole number of {terms['measure']}")
    flags = {"charge_no_shows": data.charge_no_shows, "charge_late_cancels": data.charge_late_cancels,
             "auto_renew": data.auto_renew, "practitioner_id": data.practitioner_id or client.practitioner_id,
             "created_by": principal.user_id}  # who hears of it when nobody else would
    new = _new_pack(principal.practice_id, client_id, client.name, terms,
                    purchased_on=data.purchased_on or calendar.today, flags=flags)
    pack = new.entitlement
    # Every session is checked before anything is written: a refused sale writes nothing.
    delivered = _sessions_the_pack_pays(principal, client_id, pack, data.session_ids) if data.session_ids else []
    store.create(principal.practice_id, new, client)
    if delivered:
        _attach_sessions(principal, client_id, pack, delivered)
        pack = store.read_entitlement(principal.practice_id, client_id, "PACK", pack.id) or pack
    return pack_view(pack, today=calendar.today, soon_days=calendar.soon_days)


def _template_terms(template: PackTemplate) -> dict[str, Any]:
    """What a pack sold from a template is sold with (a sale's defaults, a renewal's terms)."""
    return {"template_id": template.id, "name": template.name, "measure": template.measure,
            "quantity": template.quantity, "limit": template.quantity, "price": template.price,
            **template.model_dump(include={"validity", "codes", "categories"})}


@dataclass(frozen=True)
class _Delivered:
    """A session a new pack pays for, and the pack (if any) that paid for it before."""

    index: int  # its place in session_ids, to name the field
    session: ClientSession
    code: BillingCode
    previous_pack_id: str | None


def _sessions_the_pack_pays(principal: Principal, client_id: str, pack: Entitlement,
                            session_ids: list[str]) -> list[_Delivered]:
    """The sessions a new pack is sold for, each checked to exist and to fit the pack, with the
    same choice rules the charge will apply, one after another on the pack's running balance;
    ValidationFailed naming every session that does not."""
    practice_id = principal.practice_id
    wanted = list(dict.fromkeys(session_ids))  # the same session twice is paid once
    found = session_store.get_many(practice_id, client_id, wanted)
    errors = [{"field": f"body.session_ids.{session_ids.index(s)}", "reason": f"session {s} does not exist"}
              for s, item in zip(wanted, found, strict=True) if item is None]
    if errors:
        raise ValidationFailed(errors)
    codes: dict[str, BillingCode] = {}
    state = {e.id: e for e in store.client_entitlements(practice_id, client_id)}
    state[pack.id] = pack
    delivered = []
    for session_id, session in zip(wanted, found, strict=True):
        if session is None:  # refused above
            continue
        index = session_ids.index(session_id)
        code = codes.get(session.billing_code) or sessions.check_codes(principal, session.billing_code, [])[0]
        codes[code.code] = code
        replacing = {u.kind: u for u in store.active_usages(practice_id, client_id, session_id)}
        decision = charging.plan_charge(session=charging.session_of(_charge_request(session), code),
                                        entitlements=list(state.values()), replacing=replacing, pack_choice=pack.id)
        if decision.pack is None:
            errors.append({"field": f"body.session_ids.{index}",
                           "reason": f"the pack cannot pay for session {session_id}: {decision.pack_reason}"})
            continue
        previous = replacing.get("PACK")
        state[pack.id] = decision.pack.entitlement.moved(decision.pack.cost)
        if previous and previous.entitlement_id in state:
            state[previous.entitlement_id] = state[previous.entitlement_id].moved(-previous.amount)
        delivered.append(_Delivered(index, session, code, previous.entitlement_id if previous else None))
    if errors:
        raise ValidationFailed(errors)
    return delivered


def _charge_request(session: ClientSession) -> ChargeRequest:
    return sessions.charge_request(session.id, session_store.fields_of(session))


def _attach_sessions(principal: Principal, client_id: str, pack: Entitlement, delivered: list[_Delivered]) -> None:
    """Re-charge each session against the new pack (one transaction each, conditioned on the
    session still existing). Should one be refused after all (a concurrent charge took the
    pack's room, or the session was deleted), the sale is undone and the error raised."""
    done: list[_Delivered] = []
    for one in delivered:
        session_id = one.session.id

        def still_fits(decision: ChargeDecision | None, session_id: str = session_id) -> list[dict[str, Any]]:
            if decision is None or decision.pack_id != pack.id:
                reason = decision.pack_reason if decision else None
                raise Conflict(f"The pack can no longer pay for session {session_id} ({reason}); "
                               "nothing was sold, try again")
            return [store.exists_check(sessions.session_key(principal.practice_id, client_id, session_id))]

        def gone(err: store.TransactionCancelled, index: int, session_id: str = session_id) -> Exception:
            return Conflict(f"Session {session_id} was deleted while the pack was sold; nothing was sold",
                            field="body.session_ids")

        try:
            charging.recharge_session(
                principal=principal, client_id=client_id, code=one.code, pack_choice=pack.id,
                request=_charge_request(one.session),
                companion=charging.Companion(actions=still_fits, refused=gone))
        except Exception:
            _undo_sale(principal, client_id, pack, done)
            raise
        done.append(one)


def _undo_sale(principal: Principal, client_id: str, pack: Entitlement, done: list[_Delivered]) -> None:
    """Put each session already moved back on the pack it had (or none), then delete the pack."""
    for one in done:
        charging.recharge_session(principal=principal, client_id=client_id, code=one.code,
                                  request=_charge_request(one.session),
                                  pack_choice=one.previous_pack_id or charging.NO_PACK)
    current = store.read_entitlement(principal.practice_id, client_id, "PACK", pack.id)
    if current is not None:
        delete_entitlement(principal=principal, client_id=client_id, kind="PACK", entitlement_id=pack.id,
                           expected_version=current.version)


def get_pack(*, principal: Principal, client_id: str, pack_id: str) -> Pack:
    calendar = practice_calendar(principal.practice_id)
    pack = store.get_entitlement(principal.practice_id, client_id, "PACK", pack_id)
    return pack_view(pack, today=calendar.today, soon_days=calendar.soon_days)


def _page(principal: Principal, client_id: str, kind: str, include_closed: bool, limit: int,
          start_key: dict | None) -> store.Page:
    found, last_key = store.entitlement_page(principal.practice_id, client_id, kind, include_closed=include_closed,
                                             limit=limit, start_key=start_key)
    if not found and start_key is None:
        client_store.ensure_exists(principal.practice_id, client_id)  # 404 for an unknown client, not []
    return found, last_key


def list_packs(*, principal: Principal, client_id: str, include_closed: bool, limit: int,
               start_key: dict | None) -> tuple[list[Pack], dict | None]:
    """One page of a client's packs, oldest first (one Query)."""
    calendar = practice_calendar(principal.practice_id)
    packs, last_key = _page(principal, client_id, "PACK", include_closed, limit, start_key)
    return [pack_view(p, today=calendar.today, soon_days=calendar.soon_days) for p in packs], last_key


def update_pack(*, principal: Principal, client_id: str, pack_id: str, changes: PackUpdate,
                expected_version: int) -> Pack:
    """Edit a pack. A new limit recalculates every figure and is refused below what is used."""
    calendar = practice_calendar(principal.practice_id)
    values = changes_of(changes, required=("name", "limit", "charge_no_shows", "charge_late_cancels",
                                           "auto_renew", "closed"))
    if values.get("auto_renew"):
        values.update(_renewal_terms(principal, client_id, pack_id))

    def index(current: Entitlement, state: str) -> dict[str, Any]:
        expires_on = values.get("expires_on", current.expires_on)
        return _pack_index(principal.practice_id, client_id, pack_id, expires_on, state)

    pack = _update_entitlement(principal, client_id, "PACK", pack_id, values, expected_version,
                               reindex_on={"expires_on"}, index=index)
    if "name" in values:
        invoice_follow.follow_pack(principal.practice_id, client_id, pack_id)  # its sale's line names it
    return pack_view(pack, today=calendar.today, soon_days=calendar.soon_days)


def _renewal_terms(principal: Principal, client_id: str, pack_id: str) -> dict[str, Any]:
    """Auto-renew turned on after the sale: the terms the next pack opens with, from the
    pack's template as it is now (a pack sold with auto-renew keeps the terms it was sold
    with). Refused, as at the sale, for a pack without a template or whose template is
    inactive: the flag would promise a renewal no charge could make."""
    current = store.get_entitlement(principal.practice_id, client_id, "PACK", pack_id)
    if current.renew_terms:
        return {}
    if not current.template_id:
        raise ValidationFailed.field("body.auto_renew", "auto_renew needs a pack sold from a template")
    template = templates.get_pack_template(principal.practice_id, current.template_id)
    if not template.active:
        raise ValidationFailed.field("body.auto_renew", "the pack's template is inactive")
    return {"renew_terms": store.renew_terms(_template_terms(template))}


def _update_entitlement(principal: Principal, client_id: str, kind: str, entitlement_id: str,
                        values: dict[str, Any], expected_version: int, *, reindex_on: set[str],
                        index: Callable[[Entitlement, str], dict[str, Any]],
                        expected_used: Decimal | None = None) -> Entitlement:
    """Apply a PATCH to a pack or authorization: closing/reopening or changing the indexed
    date moves it in (or out of) the date index; a new capacity goes through the
    `used <= new` check and raises the alerts it causes; everything is conditioned on the
    version the caller read (and, `expected_used`, on the balance a check read)."""
    resource, _, capacity = store.KINDS[kind]
    closed = values.pop("closed", None)
    if closed is not None or reindex_on & values.keys():
        current = store.get_entitlement(principal.practice_id, client_id, kind, entitlement_id)
        if current.state not in ("open", "closed"):
            raise Conflict(f"{resource} {entitlement_id} is {current.state} and cannot change")
        state = current.state if closed is None else ("closed" if closed else "open")
        values.update({"state": state, **index(current, state)})
    if capacity in values:
        return _change_capacity(principal, client_id, kind, entitlement_id, Decimal(values.pop(capacity)), values,
                                expected_version, expected_used=expected_used)
    return store.update_entitlement(principal.practice_id, client_id, kind, entitlement_id, values,
                                    expected_version=expected_version, expected_used=expected_used)


def _change_capacity(principal: Principal, client_id: str, kind: str, entitlement_id: str, new_capacity: Decimal,
                     values: dict[str, Any], expected_version: int,
                     expected_used: Decimal | None = None) -> Entitlement:
    """A new limit/allowed, with what it causes written in the same transaction, as a charge's
    are: the events it raises and, for an auto-renew pack it uses up, the next pack. Read the
    entitlement, decide, and write conditioned on `used` as read, so a charge landing in
    between makes us read and decide again, never lose, double or skip an event or a renewal."""
    resource, _, capacity = store.KINDS[kind]
    key = store.entitlement_key(principal.practice_id, client_id, kind, entitlement_id)

    def attempt(_: retry.Attempt) -> Entitlement:
        current = store.get_entitlement(principal.practice_id, client_id, kind, entitlement_id)
        if expected_used is not None and current.used != expected_used:
            raise Conflict(_COUNTED_MEANWHILE)
        measure = current.measure
        if new_capacity != new_capacity.to_integral_value() and measure in ("sessions", "minutes", "units"):
            raise ValidationFailed.field(f"body.{capacity}", f"must be a whole number of {measure}")
        change = _capacity_change(principal.practice_id, kind, current, new_capacity, values, expected_version)
        raised_on = datetime.now(UTC).date().isoformat()  # the sweep's bucket, as a charge's events
        raised = [raise_event(principal.practice_id, event, on=raised_on) for event in change.events]
        renewal = None
        if change.renews is not None:
            calendar = practice_calendar(principal.practice_id)
            renewal = store.renewal_item(principal.practice_id, client_id, change.renews, purchased_on=calendar.today,
                                         soon_days=calendar.soon_days, today=due_floor(calendar))
        try:
            return store.change_capacity(key, capacity, new_capacity, expected_version=expected_version,
                                         resource=resource, resource_id=entitlement_id, extra=values,
                                         expected_used=current.used, also=raised, renewal=renewal)
        except store.UsedMoved as err:
            raise retry.Again("a charge moved the balance between the read and the write") from err

    return retry.optimistic(attempt, what=f"change this {resource.lower()}'s {capacity}")


def _capacity_change(practice_id: str, kind: str, current: Entitlement, new_capacity: Decimal,
                     values: dict[str, Any], expected_version: int) -> CapacityChange:
    """What a new capacity does to `current` as the same PATCH leaves it (closed, auto-renew
    off, a new expiry or end date): nothing when the write will be refused as stale (or as
    below what is used, or not open: the domain says so); else the rule a charge follows
    (domain/charging.plan_capacity_change). An event's marker is the new limit, so a later
    limit used up is news again."""
    edited = store.edited(current, values)
    if current.version != expected_version or current.state != "open":
        return CapacityChange(edited)
    policy = Policy()
    if kind == "AUTH" and new_capacity < current.capacity:
        # The practice's line matters only to an authorization cut (the container's cache).
        practice = cached_practice(practice_id)
        policy = Policy(practice.authorization_low_remaining, practice.authorization_low_percent, practice.currency)
    return plan_capacity_change(edited, new_capacity, today=practice_calendar(practice_id).today, policy=policy)


def _active_usages(practice_id: str, client_id: str, entitlement_id: str) -> list[tuple[str, Decimal, str | None]]:
    """(session_ref, amount, date) of each session still counted against an entitlement,
    from its ledger: charges and moves in, less reversals and moves out."""
    net: dict[str, tuple[Decimal, str | None]] = {}
    for entry in store.ledger_entries(practice_id, client_id, entitlement_id):
        ref = entry.session_ref
        if not ref:
            continue
        amount, on = net.get(ref, (Decimal(0), None))
        net[ref] = (amount + entry.amount, entry.on.isoformat() if entry.on else on)
    return [(ref, amount, on) for ref, (amount, on) in net.items() if amount > 0]


def consolidate_packs(*, principal: Principal, client_id: str, pack_id: str, source_pack_id: str,
                      expected_version: int) -> Pack:
    """Merge `source_pack_id` into `pack_id`: limits and usage add up, the source's sessions
    now count against the target, and the source is closed as consolidated."""
    calendar = practice_calendar(principal.practice_id)
    if source_pack_id == pack_id:
        raise ValidationFailed.field("body.source_pack_id", "a pack cannot be consolidated into itself")
    practice_id = principal.practice_id
    target = store.get_entitlement(practice_id, client_id, "PACK", pack_id)
    source = store.get_entitlement(practice_id, client_id, "PACK", source_pack_id)
    if target.version != expected_version:
        raise store.stale(target, expected_version)
    if source.measure != target.measure:
        raise ValidationFailed.field("body.source_pack_id", f"the source pack measures {source.measure}, "
                                     f"this pack measures {target.measure}")
    for pack in (target, source):
        if pack.state != "open":
            raise Conflict(f"Pack {pack.id} is {pack.state}; only open packs can be consolidated")
    target_key = store.entitlement_key(practice_id, client_id, "PACK", pack_id)
    source_key = store.entitlement_key(practice_id, client_id, "PACK", source_pack_id)
    usages = _active_usages(practice_id, client_id, source_pack_id)
    # Chunks keep `remaining = limit - used` true on both packs after every transaction.
    chunks = [usages[i:i + _MOVES_PER_TRANSACTION] for i in range(0, len(usages), _MOVES_PER_TRANSACTION)]
    for chunk in chunks:
        moved = sum((amount for _, amount, _ in chunk), Decimal(0))
        actions = [store.usage_update(practice_id, client_id, ref, "PACK", entitlement_id=source_pack_id,
                                      state="active", new_entitlement_id=pack_id) for ref, _, _ in chunk]
        actions += [store.shift_action(source_key, -moved, -moved), store.shift_action(target_key, moved, moved)]
        actions += [store.ledger_put(practice_id, client_id, source_pack_id, kind="moved_out", amount=-amount,
                                     session_ref=ref, on=on, note=f"moved to {pack_id}") for ref, amount, on in chunk]
        actions += [store.ledger_put(practice_id, client_id, pack_id, kind="moved_in", amount=amount,
                                     session_ref=ref, on=on, note=f"moved from {source_pack_id}")
                    for ref, amount, on in chunk]
        _transact_step(actions)
    fresh = store.read_entitlement(practice_id, client_id, "PACK", source_pack_id) or source
    rest = fresh.remaining
    store.write_balances([store.close_consolidated_action(source_key, rest, pack_id, fresh.version),
                          store.absorb_action(target_key, rest, expected_version)])
    for ref, _, _ in usages:
        invoice_follow.follow(practice_id, client_id, ref)  # the target pack pays for them now
    target = store.read_entitlement(practice_id, client_id, "PACK", pack_id) or target
    return pack_view(target, today=calendar.today, soon_days=calendar.soon_days)


def _transact_step(actions: list[dict[str, Any]]) -> None:
    """One transaction of a change that takes several (each keeps the balances consistent)."""
    try:
        store.write_balances(actions)
    except store.TransactionCancelled as err:
        raise Conflict("The pack changed while it was being consolidated or deleted; try again") from err


def delete_entitlement(*, principal: Principal, client_id: str, kind: str, entitlement_id: str,
                       expected_version: int) -> None:
    """Delete a pack or authorization: every session it counted is given back (reversed in the
    ledger), then it is marked deleted. The item stays for the audit trail."""
    practice_id = principal.practice_id
    resource = store.KINDS[kind][0]
    current = store.get_entitlement(practice_id, client_id, kind, entitlement_id)
    if current.version != expected_version:
        raise store.stale(current, expected_version)
    key = store.entitlement_key(practice_id, client_id, kind, entitlement_id)
    usages = _active_usages(practice_id, client_id, entitlement_id)
    for start in range(0, len(usages), _REVERSALS_PER_TRANSACTION):
        chunk = usages[start:start + _REVERSALS_PER_TRANSACTION]
        given = sum((amount for _, amount, _ in chunk), Decimal(0))
        actions = [store.usage_update(practice_id, client_id, ref, kind, entitlement_id=entitlement_id)
                   for ref, _, _ in chunk]
        actions += [store.ledger_put(practice_id, client_id, entitlement_id, kind="reversal", amount=-amount,
                                     session_ref=ref, on=on, note=f"{resource.lower()} deleted")
                    for ref, amount, on in chunk]
        actions.append(store.give_back(key, given))
        _transact_step(actions)
    fresh = store.read_entitlement(practice_id, client_id, kind, entitlement_id) or current
    store.mark_deleted(practice_id, client_id, kind, entitlement_id, expected_version=fresh.version)
    if kind == "PACK":
        # The sessions it paid for are billed on their invoices now; its sale's invoice is void.
        for ref, _, _ in usages:
            invoice_follow.follow(practice_id, client_id, ref)
        invoice_follow.follow_pack(practice_id, client_id, entitlement_id)


def ledger(*, principal: Principal, client_id: str, entitlement_id: str, kind: str, limit: int,
           start_key: dict | None) -> tuple[list[LedgerEntry], dict | None]:
    """One page of an entitlement's ledger; entries add up to its `used`."""
    store.get_entitlement(principal.practice_id, client_id, kind, entitlement_id)
    return store.ledger_page(principal.practice_id, client_id, entitlement_id, limit=limit, start_key=start_key)


# ---- authorizations -------------------------------------------------------------------

def authorization_view(auth: Entitlement, *, today: date) -> Authorization:
    """An authorization as the API shows it, with its status for today."""
    status = authorization_status(closed=auth.state != "open", remaining=auth.remaining, begin=auth.begin_on,
                                  end=auth.end_on, today=today)
    return Authorization.model_validate({
        "id": auth.id, "client_id": auth.client_id, "payer": auth.payer, "measure": auth.measure,
        "begin_on": auth.begin_on, "end_on": auth.end_on, "allowed": auth.capacity, "used": auth.used,
        "remaining": auth.remaining, "number": auth.number, "codes": _rule_view(auth.codes),
        "practitioner_id": auth.practitioner_id, "status": status, "version": auth.version,
        "created_at": auth.created_at, "updated_at": auth.updated_at})


def _auth_index(practice_id: str, client_id: str, auth_id: str, end_on: str, state: str) -> dict[str, Any]:
    due = authorization_due_on(end_on, cached_practice(practice_id).authorization_ending_days,
                               due_floor(practice_calendar(practice_id)))
    return store.authorization_index(practice_id, client_id, auth_id, end_on, state, due_on=due)


def create_authorization(*, principal: Principal, client_id: str, data: AuthorizationCreate) -> Authorization:
    """Record a funder's approval of N sessions or units between two dates."""
    calendar = practice_calendar(principal.practice_id)
    client = store.holder(principal.practice_id, client_id)
    auth_id = new_id("auth")
    values = data.model_dump(mode="json")
    check_code_rule(principal, values["codes"], units=data.measure == "units")
    due = authorization_due_on(values["end_on"], cached_practice(principal.practice_id).authorization_ending_days,
                               due_floor(calendar))
    new = store.new_authorization(principal.practice_id, client_id, auth_id, {
        **values, "client_name": client.name, "allowed": data.allowed, "used": Decimal(0),
        "remaining": data.allowed, "state": "open", "practitioner_id": data.practitioner_id or client.practitioner_id,
        "created_by": principal.user_id}, due_on=due)
    store.create(principal.practice_id, new, client)
    return authorization_view(new.entitlement, today=calendar.today)


def get_authorization(*, principal: Principal, client_id: str, authorization_id: str) -> Authorization:
    calendar = practice_calendar(principal.practice_id)
    return authorization_view(store.get_entitlement(principal.practice_id, client_id, "AUTH", authorization_id),
                              today=calendar.today)


def list_authorizations(*, principal: Principal, client_id: str, include_closed: bool, limit: int,
                        start_key: dict | None) -> tuple[list[Authorization], dict | None]:
    """One page of a client's authorizations, oldest first (one Query)."""
    calendar = practice_calendar(principal.practice_id)
    auths, last_key = _page(principal, client_id, "AUTH", include_closed, limit, start_key)
    return [authorization_view(a, today=calendar.today) for a in auths], last_key


def update_authorization(*, principal: Principal, client_id: str, authorization_id: str,
                         changes: AuthorizationUpdate, expected_version: int) -> Authorization:
    """Edit an authorization; a new allowed count cannot go below what is used, nor new dates
    or codes leave out a session it already counts."""
    calendar = practice_calendar(principal.practice_id)
    values = changes_of(changes, required=("payer", "begin_on", "end_on", "allowed", "codes", "closed"))
    counted_used = None
    if {"begin_on", "end_on", "codes"} & values.keys():
        current = store.get_entitlement(principal.practice_id, client_id, "AUTH", authorization_id)
        if values.get("codes"):
            # Whether the codes need a unit length depends on the authorization's measure.
            check_code_rule(principal, values["codes"], units=current.measure == "units")
        if current.version == expected_version:  # else the write answers 412
            counted_used = _refuse_leaving_out(principal.practice_id, client_id, current, values)

    def index(current: Entitlement, state: str) -> dict[str, Any]:
        begin, end = values.get("begin_on", current.begin_on), values.get("end_on", current.end_on)
        if end < begin:
            raise ValidationFailed.field("body.end_on", "end_on is before begin_on")
        return _auth_index(principal.practice_id, client_id, authorization_id, end, state)

    auth = _update_entitlement(principal, client_id, "AUTH", authorization_id, values, expected_version,
                               reindex_on={"begin_on", "end_on"}, index=index, expected_used=counted_used)
    return authorization_view(auth, today=calendar.today)


def _refuse_leaving_out(practice_id: str, client_id: str, current: Entitlement,
                        values: dict[str, Any]) -> Decimal:
    """Conflict naming the sessions the authorization counts that its new dates or code rule
    would leave outside it (read from its ledger); else `used` as read, which the write is then
    conditioned on, so a session counted in between is not left out unseen."""
    if not current.used:
        return current.used
    sent = values.get("codes")
    outside = left_out(_counted(practice_id, client_id, current.id),
                       begin_on=values.get("begin_on", current.begin_on), end_on=values.get("end_on", current.end_on),
                       rule=CodeRule(sent["mode"], tuple(sent["codes"])) if sent else current.codes)
    for field, left in outside.items():  # the first field that leaves any out names the refusal
        raise Conflict(left_out_reason(field, left), field=f"body.{field}",
                       session_refs=[s.session_ref for s in left])
    return current.used


def _counted(practice_id: str, client_id: str, entitlement_id: str) -> list[Counted]:
    """Each session an entitlement counts now, with the date and code of its latest charge."""
    net: dict[str, tuple[Decimal, Counted]] = {}
    for entry in store.ledger_entries(practice_id, client_id, entitlement_id):
        ref = entry.session_ref
        if not ref:
            continue
        amount, last = net.get(ref, (Decimal(0), Counted(ref, "", None)))
        if entry.amount > 0:  # a charge or a move in: the session as it counts now
            last = Counted(ref, entry.on.isoformat() if entry.on else last.on, entry.billing_code or last.billing_code)
        net[ref] = (amount + entry.amount, last)
    return [last for amount, last in net.values() if amount > 0]


# ---- the client profile ---------------------------------------------------------------

def summaries(principal: Principal, client_id: str) -> tuple[list[EntitlementSummary], list[EntitlementSummary]]:
    """'used X of Y, Z left' for each open pack and authorization of a client."""
    calendar = practice_calendar(principal.practice_id)
    packs, auths = [], []
    for entitlement in store.client_entitlements(principal.practice_id, client_id):
        if entitlement.state != "open":
            continue
        if entitlement.kind == "PACK":
            view = pack_view(entitlement, today=calendar.today, soon_days=calendar.soon_days)
            packs.append(_summary(view.id, "pack", view.name, view.measure, view.used, view.limit, view.status,
                                  view.expires_on.isoformat() if view.expires_on else None, view.version,
                                  calendar.currency))
        else:
            auth = authorization_view(entitlement, today=calendar.today)
            auths.append(_summary(auth.id, "authorization", auth.payer, auth.measure, auth.used, auth.allowed,
                                  auth.status, auth.end_on.isoformat(), auth.version, calendar.currency))
    return packs, auths


def _summary(entitlement_id: str, kind: str, name: str, measure: str, used: Decimal, capacity: Decimal, status: str,
             ends: str | None, version: int, currency: str) -> EntitlementSummary:
    return EntitlementSummary(id=entitlement_id, kind=kind, name=name, measure=measure, used=_fmt(used, measure),
                              limit=_fmt(capacity, measure), remaining=_fmt(capacity - used, measure), status=status,
                              ends=ends, version=version,
                              counted=usage_phrase(used=used, capacity=capacity, measure=measure, currency=currency))


def _fmt(value: Decimal, measure: str) -> str:
    return f"{value:.2f}" if measure == "money" else str(int(value))

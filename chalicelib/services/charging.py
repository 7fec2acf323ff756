"""The one entry point that counts a client session against its entitlements.

A charge reads the client's entitlements once, chooses the authorization and the pack with
the pure rules in domain/entitlements.py, and writes the usages, ledger entries and balance
changes in ONE transaction conditioned on the balances it takes from. If a concurrent charge
got there first the transaction is cancelled, nothing is written, and the choice is made
again on fresh figures, so a balance is never overdrawn and no usage is lost.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from decimal import Decimal
from typing import Any, Callable

from chalicelib.auth import Principal
from chalicelib.domain.notifications import ChargeOutcome, charge_outcome, event_of
from chalicelib.domain.entitlements import (
    NO_EXPIRY,
    Candidate,
    Choice,
    CodeRule,
    choose,
    count_phrase,
    expiry_date,
    pack_cost,
    pack_phrase,
    units_for,
)
from chalicelib.errors import NotFound
from chalicelib.models.codes import BillingCode
from chalicelib.models.entitlements import (
    AuthorizationCharge,
    ChargeRequest,
    ChargeResult,
    PackCharge,
    ReversalResult,
    SessionCharges,
    UsageView,
)
from chalicelib.services.entitlements import new_pack_item, pack_due_keys
from chalicelib.services.practice import cached_practice, practice_calendar
from chalicelib.store import events
from chalicelib.store import entitlements as store
from chalicelib.store import items, retry
from chalicelib.store.repository import CLIENTS

NO_PACK = "none"  # pack_choice: charge no pack (the session is paid on its invoice)
BILLED_TO_CLIENT = "billed to the client directly, not to insurance"


@dataclass(frozen=True)
class Companion:
    """Writes that must land in the same transaction as a charge or a reversal, such as the
    appointment's new status: either both happen or neither does."""

    # The writes, given the charge's plan (None for a reversal): its authorization_stamp()
    # is the prior authorization number the session gets, or why it gets none.
    actions: Callable[[Any], list[dict[str, Any]]]
    # Given the cancellation and the index of the companion's first action: the companion's
    # own answer when one of its writes was refused for a reason of its own (a stale
    # If-Match: 412, its entity gone: 404, already done), or None when none was (a
    # conflict or a moved balance elsewhere: the charge is tried again).
    refused: Callable[[items.TransactionCancelled, int], Exception | None]


def _companion_answer(err: items.TransactionCancelled, start: int, companion: Companion | None) -> Exception | None:
    """The answer a cancellation gets from the companion, checked per action: only a refused
    condition (ConditionalCheckFailed) on one of the companion's own writes counts; a
    TransactionConflict or throttling reason says nothing about the data. A companion write
    refused for no reason the companion can name, while nothing else failed, is a conflict
    with the current state (409), not something a retry would change."""
    if companion is None or not any(i >= start for i in err.failed()):
        return None
    answer = companion.refused(err, start)
    if answer is not None:
        return answer
    others_moved = any(i < start for i in err.failed()) or err.conflicted()
    return None if others_moved else err


def charge_session(*, principal: Principal, client_id: str, request: ChargeRequest, code: BillingCode,
                   companion: Companion | None = None) -> ChargeResult:
    """Count one session against the right authorization and pack, exactly once."""
    minutes = request.minutes if request.minutes is not None else code.default_minutes
    fee = request.fee if request.fee is not None else code.default_charge
    practice_id = principal.practice_id

    def attempt(_: retry.Attempt) -> ChargeResult:
        entitlements = store.read_entitlements(practice_id, client_id)
        if not entitlements:
            CLIENTS.get(practice_id, client_id)  # 404 for an unknown client
        plan = _Plan(practice_id, client_id, request, code, minutes, fee, entitlements)
        extra = companion.actions(plan) if companion else []
        if not plan.actions and not extra:
            return plan.result("nothing_charged")
        try:
            items.transact(plan.actions + extra)
            return plan.result("charged" if plan.actions else "nothing_charged")
        except items.TransactionCancelled as err:
            answer = _companion_answer(err, len(plan.actions), companion)
            if answer is not None:
                raise answer from err
            if plan.usage_refused(err):
                return _already_charged(practice_id, client_id, request.session_ref)
            # Someone took from the same balance between our read and our write: re-read
            # and choose again (the store's one loop: jittered, inside the request's budget).
            raise retry.Again("a balance moved between the read and the write") from err

    return retry.optimistic(attempt, what="charge this session")


def plan_charge(*, practice_id: str, client_id: str, request: ChargeRequest, code: BillingCode,
                entitlements: list[dict[str, Any]], replacing: dict[str, dict[str, Any]] | None = None,
                pack_choice: str | None = None) -> "_Plan":
    """The choice a charge (or, `replacing` the session's usages, a re-charge) would make on
    these entitlements, without writing anything (booking uses it to warn which occurrences
    would find no balance; a pack sold for past sessions checks each fits before the sale)."""
    minutes = request.minutes if request.minutes is not None else code.default_minutes
    fee = request.fee if request.fee is not None else code.default_charge
    return _Plan(practice_id, client_id, request, code, minutes, fee, entitlements, replacing, pack_choice)


class _Plan:
    """The choice for one session and the transaction that applies it."""

    def __init__(self, practice_id: str, client_id: str, request: ChargeRequest, code: BillingCode, minutes: int,
                 fee: Decimal, entitlements: list[dict[str, Any]],
                 replacing: dict[str, dict[str, Any]] | None = None, pack_choice: str | None = None) -> None:
        self.practice_id, self.client_id, self.request = practice_id, client_id, request
        self.pack_choice = pack_choice
        self.on = request.date.isoformat()
        # A correction replaces the session's current usages (by kind): their amounts count
        # as available again when choosing, and are given back in the same transaction.
        self.replacing = replacing or {}
        self.stored = {e["id"]: e for e in entitlements}  # as read, before any give-back
        entitlements = _with_given_back(entitlements, self.replacing.values())
        self.actions: list[dict[str, Any]] = []
        self.usage_indexes: list[int] = []
        by_id = {e["id"]: e for e in entitlements}
        self.auth, self.auth_cost, self.auth_reason = self._choose_authorization(
            [e for e in entitlements if e["kind"] == "AUTH"], code, minutes)
        self.pack, self.pack_cost, self.pack_reason = self._choose_pack(
            [e for e in entitlements if e["kind"] == "PACK"], code.code, minutes, fee)
        self.renewed: dict[str, Any] | None = None
        self.warnings: list[str] = []
        if self.auth:
            self._charge(self.auth, "AUTH", self.auth_cost, window=("begin_on", "end_on"))
        if self.pack:
            self._charge_pack(by_id[self.pack["id"]])
        for kind, old in self.replacing.items():
            if (kind == "AUTH" and not self.auth) or (kind == "PACK" and not self.pack):
                self._give_back(kind, old)

    def _give_back(self, kind: str, old: dict[str, Any]) -> None:
        key = store.entitlement_key(self.practice_id, self.client_id, kind, old["entitlement_id"])
        self.actions += [store.usage_update(self.practice_id, self.client_id, self.request.session_ref, kind,
                                            entitlement_id=old["entitlement_id"]),
                         _give_back(self.practice_id, key, old["amount"], self.stored.get(old["entitlement_id"])),
                         self._reversal_entry(old)]

    def _reversal_entry(self, old: dict[str, Any]) -> dict[str, Any]:
        return store.ledger_put(self.practice_id, self.client_id, old["entitlement_id"], kind="reversal",
                                amount=-old["amount"], session_ref=self.request.session_ref, on=old.get("on"),
                                billing_code=old.get("billing_code"), note="corrected")

    def _choose_authorization(self, auths: list[dict[str, Any]], code: BillingCode,
                              minutes: int) -> tuple[dict[str, Any] | None, Decimal, str | None]:
        if self.request.bill_to == "client":
            return None, Decimal(0), BILLED_TO_CLIENT
        if self.request.attendance != "attended":
            return None, Decimal(0), "missed sessions are not counted against authorizations"
        if not auths:
            return None, Decimal(0), "the client has no authorization"
        units = Decimal(units_for(minutes, code.unit_minutes)) if code.unit_minutes else None
        usable = [a for a in auths if a["measure"] == "sessions" or units]
        if not usable:
            why = (f"{minutes} minutes is less than half a billing unit" if code.unit_minutes
                   else f"billing code {code.code} has no unit length, so it cannot count in units")
            return None, Decimal(0), why
        lookup = {a["id"]: a for a in usable}

        def cost(candidate: Candidate) -> Decimal:
            return Decimal(1) if lookup[candidate.id]["measure"] == "sessions" else units

        choice = choose([_candidate(a, "authorization") for a in usable], on=self.on, code=code.code, cost=cost,
                        kind="authorization")
        if choice.chosen is None and code.unit_minutes and not units and any(
                a["measure"] == "units" and c.open and c.code_rule.covers(code.code)
                for a in auths for c in [_candidate(a, "authorization")]):
            # A units authorization covers the code; only the rounding kept the session off it.
            return None, Decimal(0), (f"{minutes} minutes is less than half a billing unit (it rounds to 0 units "
                                      f"of {code.unit_minutes} minutes), so no units authorization can count it")
        return _chosen(choice, lookup, cost)

    def _choose_pack(self, packs: list[dict[str, Any]], code: str, minutes: int,
                     fee: Decimal) -> tuple[dict[str, Any] | None, Decimal, str | None]:
        if self.pack_choice == NO_PACK:
            return None, Decimal(0), "no pack: the session is billed on its invoice"
        if self.pack_choice:
            packs = [p for p in packs if p["id"] == self.pack_choice]
            if not packs:
                return None, Decimal(0), f"pack {self.pack_choice} is not one of the client's packs"
        attendance = self.request.attendance
        if attendance != "attended":
            packs = [p for p in packs if p.get("charge_no_shows" if attendance == "no_show" else "charge_late_cancels")]
            if not packs:
                return None, Decimal(0), f"no pack charges for a {attendance.replace('_', ' ')}"
        if not packs:
            return None, Decimal(0), "the client has no pack"
        lookup = {p["id"]: p for p in packs}

        def cost(candidate: Candidate) -> Decimal:
            return pack_cost(lookup[candidate.id]["measure"], minutes=minutes, fee=fee)

        choice = choose([_candidate(p, "pack") for p in packs], on=self.on, code=code, cost=cost, kind="pack")
        return _chosen(choice, lookup, cost)

    def _charge(self, entitlement: dict[str, Any], kind: str, cost: Decimal, *, window: tuple[str, str] | None = None,
                until_expiry: bool = False, first_use: dict[str, Any] | None = None) -> None:
        key = store.entitlement_key(self.practice_id, self.client_id, kind, entitlement["id"])
        old = self.replacing.get(kind)
        outcome = self._outcome(entitlement, kind, cost)
        if old is not None and old["entitlement_id"] == entitlement["id"]:
            # One item, one action per transaction: the correction takes only the difference,
            # and the stored balance still holds the old amount (the band shifts by it).
            shift = old["amount"]
            self.actions.append(store.consume(
                key, cost - shift, on=self.on, window=window, until_expiry=until_expiry, first_use=first_use,
                band=(None if outcome.lo is None else outcome.lo - shift,
                      None if outcome.hi is None else outcome.hi - shift)))
        else:
            self.actions.append(store.consume(key, cost, on=self.on, window=window, until_expiry=until_expiry,
                                              first_use=first_use, band=(outcome.lo, outcome.hi)))
        if old is not None and old["entitlement_id"] != entitlement["id"]:
            self.actions.append(_give_back(self.practice_id, store.entitlement_key(
                self.practice_id, self.client_id, kind, old["entitlement_id"]), old["amount"],
                self.stored.get(old["entitlement_id"])))
        if old is not None:
            self.actions.append(self._reversal_entry(old))
        self.usage_indexes.append(len(self.actions))
        self.actions.append(store.usage_put(self.practice_id, self.client_id, self.request.session_ref, kind, {
            "entitlement_id": entitlement["id"], "amount": cost, "on": self.on,
            "billing_code": self.request.billing_code, "attendance": self.request.attendance,
            "authorization_number": entitlement.get("number") if kind == "AUTH" else None}, replacing=old))
        self.actions.append(store.ledger_put(self.practice_id, self.client_id, entitlement["id"], kind="charge",
                                             amount=cost, session_ref=self.request.session_ref, on=self.on,
                                             billing_code=self.request.billing_code))
        # The outbox: an event this charge raises is written by the charge's own transaction,
        # so it exists exactly when the charge does; the sweep delivers it.
        capacity = entitlement["limit"] if kind == "PACK" else entitlement["allowed"]
        self.actions += [events.raise_event(self.practice_id, event_of(event_type, kind, entitlement,
                                                                        remaining=entitlement["remaining"] - cost,
                                                                        marker=str(capacity)), on=self._raised_on())
                         for event_type in outcome.events]

    def _raised_on(self) -> str:
        # An event is due the day it is raised, not on the session's date: a future date would
        # hide it until then, a past one would file it in a bucket the sweep already read. The
        # practice's today, never ahead of UTC's, as the sweep reads it.
        local = practice_calendar(self.practice_id).today
        return min(local, datetime.now(timezone.utc).date()).isoformat()

    def _outcome(self, entitlement: dict[str, Any], kind: str, cost: Decimal) -> ChargeOutcome:
        practice = cached_practice(self.practice_id)
        return charge_outcome(kind, entitlement["remaining"], cost,
                              entitlement["limit"] if kind == "PACK" else entitlement["allowed"],
                              low_remaining=practice.authorization_low_remaining,
                              low_percent=practice.authorization_low_percent)

    def _charge_pack(self, pack: dict[str, Any]) -> None:
        first_use = None
        validity = pack.get("validity")
        if validity and validity["starts"] == "first_use" and not pack.get("expires_on"):
            # The first session starts the clock. The store writes it only while the pack has
            # no expiry, so one first use sets it; a concurrent one re-reads and sees the date.
            expires = expiry_date(self.request.date, validity["amount"], validity["unit"]).isoformat()
            first_use = {"expires_on": expires, "GSI1SK": f"{expires}#{self.client_id}#{pack['id']}",
                         **pack_due_keys(self.practice_id, self.client_id, pack["id"], expires)}
            pack["expires_on"] = expires
        self._charge(pack, "PACK", self.pack_cost, until_expiry=True, first_use=first_use)
        if pack.get("auto_renew") and pack.get("renew_terms") and pack["remaining"] - self.pack_cost <= 0:
            renewed = new_pack_item(self.practice_id, self.client_id, pack["client_name"], pack["renew_terms"],
                                    purchased_on=self.request.date,
                                    flags={k: pack.get(k) for k in ("charge_no_shows", "charge_late_cancels",
                                                                    "auto_renew", "practitioner_id", "created_by")})
            self.actions.append(items.put_action(renewed))
            self.renewed = renewed

    def authorization_stamp(self) -> tuple[str | None, str | None]:
        """The prior authorization number for the claim, or why there is none."""
        if self.auth:
            return self.auth.get("number"), None if self.auth.get("number") else "the authorization has no number"
        return None, self.auth_reason

    def usage_refused(self, err: items.TransactionCancelled) -> bool:
        """Whether the transaction failed because the session is already charged."""
        return any(i in err.failed() for i in self.usage_indexes)

    def result(self, status: str) -> ChargeResult:
        auth_view = pack_view = None
        if self.auth and status == "charged":
            used = self.auth["used"] + self.auth_cost
            auth_view = AuthorizationCharge(
                id=self.auth["id"], payer=self.auth["payer"], number=self.auth.get("number"),
                measure=self.auth["measure"], charged=self.auth_cost, used=used, allowed=self.auth["allowed"],
                remaining=self.auth["remaining"] - self.auth_cost, end_on=self.auth["end_on"],
                counted=count_phrase(used=used, allowed=self.auth["allowed"], measure=self.auth["measure"],
                                     ends=self.auth["end_on"]))
            if not self.auth.get("number"):
                self.warnings.append("the authorization has no number to put on the claim")
        if self.pack and status == "charged":
            used = self.pack["used"] + self.pack_cost
            pack_view = PackCharge(
                id=self.pack["id"], name=self.pack["name"], measure=self.pack["measure"], charged=self.pack_cost,
                used=used, limit=self.pack["limit"],
                remaining=self.pack["remaining"] - self.pack_cost, expires_on=self.pack.get("expires_on"),
                renewed_pack_id=self.renewed["id"] if self.renewed else None,
                counted=pack_phrase(used=used, limit=self.pack["limit"], measure=self.pack["measure"],
                                    currency=cached_practice(self.practice_id).currency))
        # Billing the client directly needs no number: nothing to warn about.
        if self.auth_reason and self.request.attendance == "attended" and self.request.bill_to != "client":
            self.warnings.append(f"no prior authorization number: {self.auth_reason}")
        return ChargeResult(session_ref=self.request.session_ref, status=status,
                            prior_authorization_number=auth_view.number if auth_view else None,
                            authorization=auth_view, authorization_reason=self.auth_reason,
                            pack=pack_view, pack_reason=self.pack_reason, warnings=self.warnings)


def _with_given_back(entitlements: list[dict[str, Any]], usages: Any) -> list[dict[str, Any]]:
    back: dict[str, Decimal] = {}
    for usage in usages:
        back[usage["entitlement_id"]] = back.get(usage["entitlement_id"], Decimal(0)) + usage["amount"]
    if not back:
        return entitlements
    return [{**e, "remaining": e["remaining"] + back[e["id"]], "used": e["used"] - back[e["id"]]}
            if e["id"] in back else e for e in entitlements]


def recharge_session(*, principal: Principal, client_id: str, request: ChargeRequest, code: BillingCode,
                     companion: Companion | None = None, pack_choice: str | None = None) -> ChargeResult:
    """Correct a charged session (new code, minutes or fee, or a pack applied to or removed
    from its invoice: `pack_choice` is a pack id or NO_PACK): what it took is given back and
    the corrected session charged, in ONE transaction, so no one can take the freed balance
    in between and the session is never half-charged."""
    minutes = request.minutes if request.minutes is not None else code.default_minutes
    fee = request.fee if request.fee is not None else code.default_charge
    practice_id = principal.practice_id

    def attempt(_: retry.Attempt) -> ChargeResult:
        entitlements = store.read_entitlements(practice_id, client_id)
        replacing = {u["kind"]: u for u in store.read_usages(practice_id, client_id, request.session_ref)
                     if u["state"] == "active"}
        plan = _Plan(practice_id, client_id, request, code, minutes, fee, entitlements, replacing, pack_choice)
        extra = companion.actions(plan) if companion else []
        if not plan.actions and not extra:
            return plan.result("nothing_charged")
        try:
            items.transact(plan.actions + extra)
            return plan.result("charged" if plan.auth or plan.pack else "nothing_charged")
        except items.TransactionCancelled as err:
            answer = _companion_answer(err, len(plan.actions), companion)
            if answer is not None:
                raise answer from err
            raise retry.Again("a balance or usage moved between the read and the write") from err

    return retry.optimistic(attempt, what="correct this session's charge")


def _candidate(item: dict[str, Any], label: str) -> Candidate:
    rule = item.get("codes") or {"mode": "all_except", "codes": []}
    if item["kind"] == "AUTH":
        starts, ends = item["begin_on"], item["end_on"]
        name = f"authorization {item.get('number') or item['id']} ({item['payer']})"
    else:
        starts, ends = "0000-01-01", item.get("expires_on") or NO_EXPIRY
        name = f"pack '{item['name']}'"
    return Candidate(id=item["id"], remaining=item["remaining"], code_rule=CodeRule(rule["mode"], frozenset(rule["codes"])),
                     starts=starts, ends=ends, open=item["state"] == "open", label=name)


def _chosen(choice: Choice, lookup: dict[str, dict[str, Any]], cost: Any) -> tuple[dict[str, Any] | None, Decimal, str | None]:
    if choice.chosen is None:
        return None, Decimal(0), choice.reason
    return lookup[choice.chosen.id], cost(choice.chosen), None


def _already_charged(practice_id: str, client_id: str, session_ref: str) -> ChargeResult:
    usages = [u for u in store.read_usages(practice_id, client_id, session_ref) if u["state"] == "active"]
    auth = next((u for u in usages if u["kind"] == "AUTH"), None)
    return ChargeResult(session_ref=session_ref, status="already_charged",
                        prior_authorization_number=auth.get("authorization_number") if auth else None,
                        warnings=["this session is already charged; reverse it first to charge it again"] + [
                            f"counted against {u['kind'].lower()} {u['entitlement_id']} ({u['amount']})" for u in usages])


def reverse_session(*, principal: Principal, client_id: str, session_ref: str,
                    companion: Companion | None = None) -> ReversalResult:
    """Give back what a session took, exactly once (a second reversal gives back nothing)."""
    practice_id = principal.practice_id

    def attempt(state: retry.Attempt) -> ReversalResult:
        usages = [u for u in store.read_usages(practice_id, client_id, session_ref) if u["state"] == "active"]
        extra = companion.actions(None) if companion else []
        if not usages and not extra:
            if state.number == 0:
                CLIENTS.get(practice_id, client_id)
            return ReversalResult(session_ref=session_ref, reversed=[])
        actions = []
        stored = ({e["id"]: e for e in store.read_entitlements(practice_id, client_id)}
                  if any(u["kind"] == "PACK" for u in usages) else {})
        for usage in usages:
            key = store.entitlement_key(practice_id, client_id, usage["kind"], usage["entitlement_id"])
            actions += [store.usage_update(practice_id, client_id, session_ref, usage["kind"],
                                           entitlement_id=usage["entitlement_id"]),
                        _give_back(practice_id, key, usage["amount"], stored.get(usage["entitlement_id"])),
                        store.ledger_put(practice_id, client_id, usage["entitlement_id"], kind="reversal",
                                         amount=-usage["amount"], session_ref=session_ref, on=usage.get("on"),
                                         billing_code=usage.get("billing_code"))]
        try:
            items.transact(actions + extra)
        except items.TransactionCancelled as err:
            answer = _companion_answer(err, len(actions), companion)
            if answer is not None:
                raise answer from err
            raise retry.Again("the session's usage was reversed or moved concurrently: look again") from err
        return ReversalResult(session_ref=session_ref, reversed=[
            {"id": u["entitlement_id"], "kind": "pack" if u["kind"] == "PACK" else "authorization",
             "amount": str(u["amount"])} for u in usages])

    return retry.optimistic(attempt, what="reverse this session's charge")


def _give_back(practice_id: str, key: tuple[str, str], amount: Decimal,
               entitlement: dict[str, Any] | None) -> dict[str, Any]:
    """The give-back action; a first-use pack left with nothing used has its clock unset (its
    next first use sets it again), conditioned on nothing else having been used meanwhile."""
    validity = (entitlement or {}).get("validity")
    if (entitlement is None or entitlement["kind"] != "PACK" or not validity or validity["starts"] != "first_use"
            or not entitlement.get("expires_on") or entitlement["used"] != amount or entitlement["state"] != "open"):
        return store.give_back(key, amount)
    client_id, pack_id = entitlement["client_id"], entitlement["id"]
    return store.give_back(key, amount, restart={"expires_on": None, "GSI1SK": f"{NO_EXPIRY}#{client_id}#{pack_id}",
                                                 **pack_due_keys(practice_id, client_id, pack_id, None)})


def session_usages(*, principal: Principal, client_id: str, session_ref: str) -> SessionCharges:
    """What a session currently counts against."""
    usages = [u for u in store.read_usages(principal.practice_id, client_id, session_ref) if u["state"] == "active"]
    if not usages:
        CLIENTS.get(principal.practice_id, client_id)
        raise NotFound("Charge", session_ref)
    return SessionCharges(session_ref=session_ref, usages=[
        UsageView(kind="pack" if u["kind"] == "PACK" else "authorization", entitlement_id=u["entitlement_id"],
                  amount=u["amount"], on=u["on"], billing_code=u["billing_code"],
                  authorization_number=u.get("authorization_number")) for u in usages])

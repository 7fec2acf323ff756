"""The one entry point that counts a client session against its entitlements.

A charge reads the client's entitlements once (typed, store/entitlements.py), lets the pure
decision in domain/charging.py choose the authorization and the pack, and writes the usages,
ledger entries and balance changes (store/charges.py) in ONE transaction with its companion's
writes, conditioned on the balances it takes from. If a concurrent charge
got there first the transaction is cancelled, nothing is written, and the choice is made
again on fresh figures, so a balance is never overdrawn and no usage is lost.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from chalicelib.auth import Principal
from chalicelib.domain.charging import (
    BILLED_TO_CLIENT,
    NO_PACK,
    ChargeDecision,
    Policy,
    Session,
    Usage,
    decide,
    reversal,
)
from chalicelib.domain.entitlements import Entitlement, Kind
from chalicelib.domain.notifications import pack_due_on
from chalicelib.errors import Conflict, NotFound
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
from chalicelib.services import invoice_follow
from chalicelib.services.practice import cached_practice, due_floor, practice_calendar
from chalicelib.store import charges, retry
from chalicelib.store import clients as client_store
from chalicelib.store import entitlements as store

__all__ = ["BILLED_TO_CLIENT", "NO_PACK", "ChargeDecision", "Companion", "charge_session", "plan_charge",
           "recharge_session", "reverse_session", "session_of", "session_usages"]

Action = dict[str, Any]


@dataclass(frozen=True)
class Companion:
    """Writes that must land in the same transaction as a charge or a reversal, such as the
    appointment's new status: either both happen or neither does."""

    # The writes, given the charge's decision (None for a reversal): its authorization_stamp()
    # is the prior authorization number the session gets, or why it gets none.
    actions: Callable[[ChargeDecision | None], list[Action]]
    # Given the cancellation and the index of the companion's first action: the companion's
    # own answer when one of its writes was refused for a reason of its own (a stale
    # If-Match: 412, its entity gone: 404, already done), or None when none was (a
    # conflict or a moved balance elsewhere: the charge is tried again).
    refused: Callable[[charges.TransactionCancelled, int], Exception | None]


def _companion_answer(err: charges.TransactionCancelled, start: int, companion: Companion | None) -> Exception | None:
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


def session_of(request: ChargeRequest, code: BillingCode) -> Session:
    """The session a charge request describes, its minutes and fee defaulted from the code."""
    return Session(session_ref=request.session_ref, on=request.date, billing_code=request.billing_code,
                   minutes=request.minutes if request.minutes is not None else code.default_minutes,
                   fee=request.fee if request.fee is not None else code.default_charge,
                   unit_minutes=code.unit_minutes, attendance=request.attendance, bill_to=request.bill_to)


def plan_charge(*, session: Session, entitlements: list[Entitlement], replacing: dict[Kind, Usage] | None = None,
                pack_choice: str | None = None) -> ChargeDecision:
    """The choice a charge (or, `replacing` the session's usages, a re-charge) would make on
    these entitlements, without writing anything (a pack sold for past sessions checks each
    fits before the sale)."""
    return decide(session, entitlements, replacing=replacing, pack_choice=pack_choice)


def _decide(practice_id: str, session: Session, entitlements: list[Entitlement],
            replacing: dict[Kind, Usage] | None = None, pack_choice: str | None = None) -> ChargeDecision:
    decision = decide(session, entitlements, replacing=replacing, pack_choice=pack_choice)
    if decision.authorization or decision.pack:
        # The practice's thresholds and currency matter only to what is charged: read (from
        # the container's cache) only then.
        practice = cached_practice(practice_id)
        decision = decide(session, entitlements, replacing=replacing, pack_choice=pack_choice, policy=Policy(
            practice.authorization_low_remaining, practice.authorization_low_percent, practice.currency))
    return decision


def _write_of(practice_id: str, client_id: str, decision: ChargeDecision) -> tuple[charges.ChargeWrite, str | None]:
    """The decision's actions, and the id of the pack its renewal opens."""
    if not decision.writes:
        return charges.ChargeWrite([], ()), None
    raised_on = first_use_due = renewal = None
    takes = [t for t in (decision.authorization, decision.pack) if t is not None]
    if any(t.events for t in takes) or (decision.pack and decision.pack.first_use_expires_on) or decision.renews:
        calendar = practice_calendar(practice_id)
        # An event is due the day it is raised, not on the session's date: a future date would
        # hide it until then, a past one would file it in a bucket the sweep already read. The
        # bucket is UTC's today, the date the sweep reads up to and resumes from: the practice's
        # own date is a day behind it in a western evening (that bucket was already read) and a
        # day ahead in an eastern morning (not read until tomorrow).
        raised_on = datetime.now(UTC).date().isoformat()
        if decision.pack and decision.pack.first_use_expires_on:
            due = pack_due_on(decision.pack.first_use_expires_on, calendar.soon_days, due_floor(calendar))
            first_use_due = due.isoformat() if due else None
        if decision.renews is not None:
            renewal = store.renewal_item(practice_id, client_id, decision.renews, purchased_on=decision.session.on,
                                         soon_days=calendar.soon_days, today=due_floor(calendar))
    write = charges.charge_actions(practice_id, client_id, decision, raised_on=raised_on,
                                   first_use_due=first_use_due, renewal=renewal)
    return write, renewal["id"] if renewal else None


def charge_session(*, principal: Principal, client_id: str, request: ChargeRequest, code: BillingCode,
                   companion: Companion | None = None) -> ChargeResult:
    """Count one session against the right authorization and pack, exactly once."""
    practice_id = principal.practice_id
    session = session_of(request, code)

    def attempt(_: retry.Attempt) -> ChargeResult:
        entitlements = store.client_entitlements(practice_id, client_id)
        if not entitlements:
            client_store.ensure_exists(practice_id, client_id)  # 404 for an unknown client
        decision = _decide(practice_id, session, entitlements)
        write, renewed = _write_of(practice_id, client_id, decision)
        extra = companion.actions(decision) if companion else []
        if not write.actions and not extra:
            return _result(decision, "nothing_charged", None)
        try:
            charges.apply(write.actions + extra)
            return _result(decision, "charged" if write.actions else "nothing_charged", renewed)
        except charges.TransactionCancelled as err:
            answer = _companion_answer(err, len(write.actions), companion)
            if answer is not None:
                raise answer from err
            if write.usage_refused(err):
                return _already_charged(practice_id, client_id, request.session_ref)
            # Someone took from the same balance between our read and our write: re-read
            # and choose again (the store's one loop: jittered, inside the request's budget).
            raise retry.Again("a balance moved between the read and the write") from err

    result = retry.optimistic(attempt, what="charge this session")
    invoice_follow.follow(practice_id, client_id, request.session_ref)
    return result





def _result(decision: ChargeDecision, status: str, renewed_pack_id: str | None) -> ChargeResult:
    # The decision stores dates and measures as the items do (ISO strings); the models parse them.
    auth_view = pack_view = None
    auth, pack = decision.authorization, decision.pack
    if auth and status == "charged":
        entitlement = auth.entitlement
        auth_view = AuthorizationCharge.model_validate({
            "id": entitlement.id, "payer": entitlement.payer, "number": entitlement.number,
            "measure": entitlement.measure, "charged": auth.cost, "used": auth.used_after,
            "allowed": entitlement.capacity, "remaining": auth.remaining_after, "end_on": entitlement.end_on,
            "counted": decision.authorization_line()})
    if pack and status == "charged":
        entitlement = pack.entitlement
        pack_view = PackCharge.model_validate({
            "id": entitlement.id, "name": entitlement.name, "measure": entitlement.measure, "charged": pack.cost,
            "used": pack.used_after, "limit": entitlement.capacity, "remaining": pack.remaining_after,
            "expires_on": entitlement.expires_on, "renewed_pack_id": renewed_pack_id,
            "counted": decision.pack_line()})
    return ChargeResult.model_validate({
        "session_ref": decision.session.session_ref, "status": status,
        "prior_authorization_number": auth_view.number if auth_view else None, "authorization": auth_view,
        "authorization_reason": decision.authorization_reason, "pack": pack_view,
        "pack_reason": decision.pack_reason, "warnings": decision.warnings()})


def recharge_session(*, principal: Principal, client_id: str, request: ChargeRequest, code: BillingCode,
                     companion: Companion | None = None, pack_choice: str | None = None) -> ChargeResult:
    """Correct a charged session (new code, minutes or fee, or a pack applied to or removed
    from its invoice: `pack_choice` is a pack id or NO_PACK): what it took is given back and
    the corrected session charged, in ONE transaction, so no one can take the freed balance
    in between and the session is never half-charged."""
    practice_id = principal.practice_id
    session = session_of(request, code)

    def attempt(_: retry.Attempt) -> ChargeResult:
        entitlements = store.client_entitlements(practice_id, client_id)
        replacing = {u.kind: u for u in store.active_usages(practice_id, client_id, request.session_ref)}
        decision = _decide(practice_id, session, entitlements, replacing, pack_choice)
        write, renewed = _write_of(practice_id, client_id, decision)
        extra = companion.actions(decision) if companion else []
        status = "charged" if decision.authorization or decision.pack else "nothing_charged"
        if not write.actions and not extra:
            return _result(decision, "nothing_charged", None)
        try:
            charges.apply(write.actions + extra)
            return _result(decision, status, renewed)
        except charges.TransactionCancelled as err:
            answer = _companion_answer(err, len(write.actions), companion)
            if answer is not None:
                raise answer from err
            raise retry.Again("a balance or usage moved between the read and the write") from err

    result = retry.optimistic(attempt, what="correct this session's charge")
    invoice_follow.follow(practice_id, client_id, request.session_ref)
    return result


def _already_charged(practice_id: str, client_id: str, session_ref: str) -> ChargeResult:
    usages = store.active_usages(practice_id, client_id, session_ref)
    auth = next((u for u in usages if u.kind == "AUTH"), None)
    return ChargeResult(session_ref=session_ref, status="already_charged",
                        prior_authorization_number=auth.authorization_number if auth else None,
                        warnings=["this session is already charged; reverse it first to charge it again"] + [
                            f"counted against {u.kind.lower()} {u.entitlement_id} ({u.amount})" for u in usages])


def reverse_session(*, principal: Principal, client_id: str, session_ref: str,
                    companion: Companion | None = None) -> ReversalResult:
    """Give back what a session took, exactly once (a second reversal gives back nothing)."""
    practice_id = principal.practice_id

    def attempt(state: retry.Attempt) -> ReversalResult:
        usages = store.active_usages(practice_id, client_id, session_ref)
        extra = companion.actions(None) if companion else []
        if not usages and not extra:
            if state.number == 0:
                client_store.ensure_exists(practice_id, client_id)
            return ReversalResult(session_ref=session_ref, reversed=[])
        # A pack's stored figures say whether giving back restarts its first-use clock.
        stored = ({e.id: e for e in store.client_entitlements(practice_id, client_id)}
                  if any(u.kind == "PACK" for u in usages) else {})
        actions = charges.reversal_actions(practice_id, client_id, session_ref, reversal(usages, stored))
        try:
            charges.apply(actions + extra)
        except charges.TransactionCancelled as err:
            answer = _companion_answer(err, len(actions), companion)
            if answer is not None:
                raise answer from err
            raise retry.Again("the session's usage was reversed or moved concurrently: look again") from err
        return ReversalResult(session_ref=session_ref, reversed=[
            {"id": u.entitlement_id, "kind": "pack" if u.kind == "PACK" else "authorization",
             "amount": str(u.amount)} for u in usages])

    result = retry.optimistic(attempt, what="reverse this session's charge")
    invoice_follow.follow(practice_id, client_id, session_ref)
    return result


def _refuse_if_recorded(practice_id: str, client_id: str, session_ref: str, field: str) -> None:
    """A client session or an appointment is charged and given back through its own record, in
    the record's transaction: charged here, its usage would differ from the record's date and
    code; given back here, the session would keep an authorization number it no longer counts
    against."""
    session, appointment = charges.recorded_as(practice_id, client_id, session_ref)
    if session:
        raise Conflict(f"{session_ref} is a recorded client session: change or delete it through "
                       f"/v1/clients/{client_id}/sessions/{session_ref}, which charges and gives back with it",
                       field=field)
    if appointment:
        raise Conflict(f"{session_ref} is an appointment: its status (/v1/appointments/{session_ref}/status, or "
                       f"the group session's attendance) charges and gives back with it", field=field)


def charge_by_reference(*, principal: Principal, client_id: str, request: ChargeRequest,
                        code: BillingCode) -> ChargeResult:
    """The charges route: count a session recorded elsewhere (not a client session or an
    appointment of this practice, which charge through their own routes)."""
    _refuse_if_recorded(principal.practice_id, client_id, request.session_ref, "body.session_ref")
    return charge_session(principal=principal, client_id=client_id, request=request, code=code)


def reverse_by_reference(*, principal: Principal, client_id: str, session_ref: str) -> ReversalResult:
    """The charges route: give back a session charged by reference (see charge_by_reference)."""
    _refuse_if_recorded(principal.practice_id, client_id, session_ref, "path.session_ref")
    return reverse_session(principal=principal, client_id=client_id, session_ref=session_ref)


def session_usages(*, principal: Principal, client_id: str, session_ref: str) -> SessionCharges:
    """What a session currently counts against."""
    usages = store.active_usages(principal.practice_id, client_id, session_ref)
    if not usages:
        client_store.ensure_exists(principal.practice_id, client_id)
        raise NotFound("Charge", session_ref)
    return SessionCharges(session_ref=session_ref, usages=[
        UsageView.model_validate({"kind": "pack" if u.kind == "PACK" else "authorization",
                                  "entitlement_id": u.entitlement_id, "amount": u.amount, "on": u.on,
                                  "billing_code": u.billing_code, "authorization_number": u.authorization_number})
        for u in usages])

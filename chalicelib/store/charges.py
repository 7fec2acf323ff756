"""A charge decision (domain/charging.py) as the actions of one TransactWriteItems.

Every balance taken from is conditioned on room (`remaining >= cost`), on the session's date
lying in its window and on the band its events hold for; the session's usage is written once
per session and kind. The caller adds its companion writes (an appointment's status, a
session, an invoice) to the same transaction.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from chalicelib.domain.charging import ChargeDecision, GiveBack, Take, Usage
from chalicelib.domain.entitlements import NO_EXPIRY
from chalicelib.store import events, items
from chalicelib.store.appointments import appointment_key
from chalicelib.store.entitlements import consume, entitlement_key, give_back, ledger_put, usage_put, usage_update
from chalicelib.store.keys import due_keys
from chalicelib.store.sessions import session_key

# What a refused charge transaction raises (which action was refused, and why): part of this
# module's contract with the charging service and its companions, not the item layer's alone.
TransactionCancelled = items.TransactionCancelled


@dataclass(frozen=True)
class ChargeWrite:
    """The actions that apply a charge decision, and which of them are the session's usages
    (refused there: the session is already charged)."""

    actions: list[dict[str, Any]]
    usage_indexes: tuple[int, ...]

    def usage_refused(self, err: items.TransactionCancelled) -> bool:
        return any(i in err.failed() for i in self.usage_indexes)


def charge_actions(practice_id: str, client_id: str, decision: ChargeDecision, *, raised_on: str | None = None,
                   first_use_due: str | None = None, renewal: dict[str, Any] | None = None) -> ChargeWrite:
    """One transaction's actions for a decision: per entitlement taken from, the balance
    (conditioned on room, its window and the band its events hold for), what a correction
    gives back, the usage (once per session and kind), the ledger entry and the events it
    raises; then the renewal pack, if any, and the give-backs of kinds charged nothing now.
    `raised_on`: the day events are due; `first_use_due`: the day a pack whose clock this
    charge starts is next due for the sweep."""
    actions: list[dict[str, Any]] = []
    usage_indexes = []
    session = decision.session
    for take in (decision.authorization, decision.pack):
        if take is None:
            continue
        key = entitlement_key(practice_id, client_id, take.kind, take.id)
        first_use = None
        if take.first_use_expires_on:
            first_use = {"expires_on": take.first_use_expires_on,
                         "GSI1SK": f"{take.first_use_expires_on}#{client_id}#{take.id}",
                         **due_keys(*key, first_use_due)}
        renews = renewal if take.kind == "PACK" else None
        actions.append(consume(key, take.taken, on=session.on.isoformat(), band=take.band, first_use=first_use,
                               window=("begin_on", "end_on") if take.kind == "AUTH" else None,
                               until_expiry=take.kind == "PACK", renewed_to=renews["id"] if renews else None))
        if take.gives_back is not None:
            actions.append(_give_back_action(practice_id, client_id, take.gives_back))
        if take.replaces is not None:
            actions.append(_reversal_entry(practice_id, client_id, session.session_ref, take.replaces, "corrected"))
        usage_indexes.append(len(actions))
        actions.append(_usage_of_take(practice_id, client_id, decision, take))
        actions.append(ledger_put(practice_id, client_id, take.id, kind="charge", amount=take.cost,
                                  session_ref=session.session_ref, on=session.on.isoformat(),
                                  billing_code=session.billing_code))
        actions += [events.raise_event(practice_id, event, on=raised_on or session.on.isoformat())
                    for event in take.events]
        if renews:
            actions.append(items.put_action(renews))
    for back in decision.give_backs:
        actions += reversal_actions(practice_id, client_id, session.session_ref, [back], note="corrected")
    return ChargeWrite(actions, tuple(usage_indexes))


def _usage_of_take(practice_id: str, client_id: str, decision: ChargeDecision, take: Take) -> dict[str, Any]:
    session = decision.session
    old = take.replaces
    return usage_put(practice_id, client_id, session.session_ref, take.kind, {
        "entitlement_id": take.id, "amount": take.cost, "on": session.on.isoformat(),
        "billing_code": session.billing_code, "attendance": session.attendance,
        "authorization_number": take.entitlement.number if take.kind == "AUTH" else None},
        replacing={"entitlement_id": old.entitlement_id, "amount": old.amount} if old else None)


def reversal_actions(practice_id: str, client_id: str, session_ref: str, backs: list[GiveBack] | tuple[GiveBack, ...],
                     *, note: str | None = None) -> list[dict[str, Any]]:
    """Give usages back: each usage marked reversed, its amount returned, a reversal entry."""
    actions = []
    for back in backs:
        usage = back.usage
        actions += [usage_update(practice_id, client_id, session_ref, usage.kind, entitlement_id=usage.entitlement_id),
                    _give_back_action(practice_id, client_id, back),
                    _reversal_entry(practice_id, client_id, session_ref, usage, note)]
    return actions


def _reversal_entry(practice_id: str, client_id: str, session_ref: str, usage: Usage,
                    note: str | None) -> dict[str, Any]:
    return ledger_put(practice_id, client_id, usage.entitlement_id, kind="reversal", amount=-usage.amount,
                      session_ref=session_ref, on=usage.on, billing_code=usage.billing_code, note=note)


def _give_back_action(practice_id: str, client_id: str, back: GiveBack) -> dict[str, Any]:
    usage = back.usage
    key = entitlement_key(practice_id, client_id, usage.kind, usage.entitlement_id)
    if not back.restarts_clock:
        return give_back(key, usage.amount)
    return give_back(key, usage.amount, restart={"expires_on": None,
                                                 "GSI1SK": f"{NO_EXPIRY}#{client_id}#{usage.entitlement_id}",
                                                 **due_keys(*key, None)})


def apply(actions: list[dict[str, Any]]) -> None:
    """Write a charge, a reversal or a companion's writes alone: one TransactWriteItems
    (items.TransactionCancelled says which action was refused, and why)."""
    items.transact(actions)


def recorded_as(practice_id: str, client_id: str, session_ref: str) -> tuple[bool, bool]:
    """Whether a session reference names the client's recorded client session, and whether it
    names an appointment of the practice (one BatchGetItem)."""
    session, appointment = items.get_many([session_key(practice_id, client_id, session_ref),
                                           appointment_key(practice_id, session_ref)])
    return session is not None, appointment is not None

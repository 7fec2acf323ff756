"""What a session is charged: a pure decision over a client's typed entitlements.

`decide` chooses the authorization and the pack a session counts against (rules in
domain/entitlements.py), what each costs, the balance band the write must find (so the events
it raises stay true, domain/notifications.ChargeOutcome), what a correction gives back, whether
a first use starts a pack's clock or a used-up pack renews, and the lines the answer reads
("session 4 of 6, 2 left"). No I/O: store/entitlements.py turns a decision into one
TransactWriteItems, services/charging.py reads, decides, writes and retries.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from typing import Any, Literal

from chalicelib.domain.entitlements import (
    Candidate,
    Choice,
    Entitlement,
    Kind,
    choose,
    count_phrase,
    expiry_date,
    measured_amount,
    pack_cost,
    pack_phrase,
    units_for,
)
from chalicelib.domain.entitlements import Validity as Validity  # re-exported: callers build entitlements here
from chalicelib.domain.notifications import capacity_change_events, capacity_marker, charge_outcome, event_of

NO_PACK = "none"  # pack_choice: charge no pack (the session is paid on its invoice)
BILLED_TO_CLIENT = "billed to the client directly, not to insurance"


@dataclass(frozen=True)
class Usage:
    """What one session took from one entitlement (at most one pack and one authorization)."""

    kind: Kind
    entitlement_id: str
    amount: Decimal
    on: str | None = None
    billing_code: str | None = None
    authorization_number: str | None = None
    state: str = "active"


@dataclass(frozen=True)
class Session:
    """The session to charge: `minutes` and `fee` already resolved from the code's defaults."""

    session_ref: str
    on: date
    billing_code: str
    minutes: int
    fee: Decimal
    unit_minutes: int | None = None
    attendance: Literal["attended", "no_show", "late_cancel"] = "attended"
    bill_to: Literal["automatic", "client"] = "automatic"


@dataclass(frozen=True)
class Policy:
    """The practice's settings a charge reads: when an authorization runs low, the currency."""

    low_remaining: int = 0
    low_percent: int = 0
    currency: str = "USD"


@dataclass(frozen=True)
class GiveBack:
    """A usage returned to its entitlement. `restarts_clock`: a first-use pack left with
    nothing used has its expiry unset (its next first use starts it again); the write is then
    conditioned on exactly this amount being used."""

    usage: Usage
    restarts_clock: bool = False


@dataclass(frozen=True)
class Take:
    """What the session takes from one entitlement, and what must hold when it does."""

    entitlement: Entitlement  # as chosen from: a correction's amount given back, a first use's expiry set
    cost: Decimal
    # The stored balance may still hold a correction's old amount on this same entitlement:
    # the write takes only the difference and its band shifts by it.
    shift: Decimal
    band: tuple[Decimal | None, Decimal | None]  # lo < stored remaining <= hi (None: unbounded)
    events: tuple[dict[str, Any], ...]  # the outbox events this charge raises
    first_use_expires_on: str | None = None  # the first session starts the pack's clock
    replaces: Usage | None = None  # a correction's usage of this kind (the usage item is overwritten)
    gives_back: GiveBack | None = None  # ... when it was on another entitlement

    @property
    def kind(self) -> Kind:
        return self.entitlement.kind

    def __getitem__(self, name: str) -> Any:
        """Transitional, for companions written when a plan's pack was the stored item
        (services/invoices.py reads `pack["id"]`): prefer `decision.pack_id`."""
        return getattr(self.entitlement, name)

    @property
    def id(self) -> str:
        return self.entitlement.id

    @property
    def taken(self) -> Decimal:
        """What the write takes from the stored balance."""
        return self.cost - self.shift

    @property
    def used_after(self) -> Decimal:
        return self.entitlement.used + self.cost

    @property
    def remaining_after(self) -> Decimal:
        return self.entitlement.remaining - self.cost


@dataclass(frozen=True)
class ChargeDecision:
    """Everything a charge (or a correction) does to a client's entitlements, without I/O."""

    session: Session
    authorization: Take | None
    authorization_reason: str | None
    pack: Take | None
    pack_reason: str | None
    give_backs: tuple[GiveBack, ...] = ()  # a correction's usages whose kind is charged nothing now
    renews: Entitlement | None = None  # the used-up pack whose renew_terms open the next one
    policy: Policy = field(default_factory=Policy)

    @property
    def writes(self) -> bool:
        """Whether anything is written for the client's entitlements."""
        return bool(self.authorization or self.pack or self.give_backs)

    @property
    def pack_id(self) -> str | None:
        return self.pack.id if self.pack else None

    def authorization_stamp(self) -> tuple[str | None, str | None]:
        """The prior authorization number for the claim, or why there is none."""
        if self.authorization:
            number = self.authorization.entitlement.number
            return number, None if number else "the authorization has no number"
        return None, self.authorization_reason

    @property
    def authorization_id(self) -> str | None:
        """The authorization the session counts against (its number is read from it when shown)."""
        return self.authorization.id if self.authorization else None

    def authorization_line(self) -> str | None:
        """'session 7 of 12 authorized, 5 left, ends 2027-03-31'."""
        take = self.authorization
        if take is None:
            return None
        return count_phrase(used=take.used_after, allowed=take.entitlement.capacity, measure=take.entitlement.measure,
                            ends=take.entitlement.end_on)

    def pack_line(self) -> str | None:
        """'session 4 of 6, 2 left', '90 of 600 minutes, 510 left', '$180.00 of $1,000.00, $820.00 left'."""
        take = self.pack
        if take is None:
            return None
        return pack_phrase(used=take.used_after, limit=take.entitlement.capacity, measure=take.entitlement.measure,
                           currency=self.policy.currency)

    def warnings(self) -> list[str]:
        """What staff should know about a charge that was made."""
        out = []
        if self.authorization and not self.authorization.entitlement.number:
            out.append("the authorization has no number to put on the claim")
        # Billing the client directly needs no number: nothing to warn about.
        if self.authorization_reason and self.session.attendance == "attended" and self.session.bill_to != "client":
            out.append(f"no prior authorization number: {self.authorization_reason}")
        return out

    def member_lines(self) -> list[str]:
        """A group member's charge as their mark shows it: "pack 'Group 10': 3 of 10 sessions"."""
        lines = []
        if self.authorization:
            auth = self.authorization.entitlement
            lines.append(f"authorization {auth.number or auth.id}: {self.authorization_line()}")
        if self.pack:
            pack = self.pack.entitlement
            currency = self.policy.currency
            used, limit = (measured_amount(v, pack.measure, currency) for v in (self.pack.used_after, pack.capacity))
            # A count names its measure ("3 of 10 sessions"); money names itself ("$60.00 of $100.00").
            lines.append(f"pack '{pack.name}': {used} of {limit}" + ("" if pack.measure == "money"
                                                                    else f" {pack.measure}"))
        return lines


AUTHORIZATION_DELETED = "the authorization it counted against was deleted"


def shown_authorization(stored: tuple[str | None, str | None], authorization_id: str | None,
                        current: Entitlement | None) -> tuple[str | None, str | None]:
    """A session's prior authorization number and warning as shown and billed: those of the
    authorization it counts against as it is now (an edited number shows at once, with
    nothing to keep in step); `stored` (number, warning) as its charge wrote them when it
    counts against none (the reason none counted it), or was recorded before sessions named
    their authorization."""
    if authorization_id is None:
        return stored
    if current is None or current.state == "deleted":
        return None, AUTHORIZATION_DELETED
    return current.number, None if current.number else "the authorization has no number"


def given_back(entitlements: Iterable[Entitlement], usages: Iterable[Usage]) -> list[Entitlement]:
    """The entitlements as they would be with these usages returned (a correction chooses as
    if the session's current charge were already undone)."""
    back: dict[str, Decimal] = {}
    for usage in usages:
        back[usage.entitlement_id] = back.get(usage.entitlement_id, Decimal(0)) + usage.amount
    return [e.moved(-back[e.id]) if e.id in back else e for e in entitlements]


def give_back(usage: Usage, stored: Entitlement | None) -> GiveBack:
    """Return a usage; a first-use pack it leaves with nothing used restarts its clock."""
    restarts = (stored is not None and stored.kind == "PACK" and stored.validity is not None
                and stored.validity.starts == "first_use" and bool(stored.expires_on)
                and stored.used == usage.amount and stored.open)
    return GiveBack(usage, restarts)


def reversal(usages: Iterable[Usage], stored: Mapping[str, Entitlement]) -> tuple[GiveBack, ...]:
    """Everything a session took, given back (a deleted session, a status left)."""
    return tuple(give_back(u, stored.get(u.entitlement_id)) for u in usages if u.state == "active")


def decide(session: Session, entitlements: Sequence[Entitlement], *, policy: Policy = Policy(),
           replacing: Mapping[Kind, Usage] | None = None, pack_choice: str | None = None) -> ChargeDecision:
    """What `session` is charged from these entitlements (a correction: `replacing` its
    current usages by kind, which count as available again and are given back with it;
    `pack_choice`: only that pack, or NO_PACK for none)."""
    replacing = dict(replacing or {})
    stored = {e.id: e for e in entitlements}  # as read, before any give-back
    view = given_back(entitlements, replacing.values())
    auth, auth_cost, auth_reason = _choose_authorization(session, [e for e in view if e.kind == "AUTH"])
    pack, cost, pack_reason = _choose_pack(session, [e for e in view if e.kind == "PACK"], pack_choice,
                                           policy.currency)
    auth_take = _take(session, auth, auth_cost, replacing.get("AUTH"), stored, policy) if auth else None
    pack_take = None
    renews = None
    if pack:
        first_use = None
        if pack.validity and pack.validity.starts == "first_use" and not pack.expires_on:
            # The first session starts the clock. The store writes it only while the pack has
            # no expiry, so one first use sets it; a concurrent one re-reads and sees the date.
            first_use = expiry_date(session.on, pack.validity.amount, pack.validity.unit).isoformat()
            pack = replace(pack, expires_on=first_use)
        pack_take = _take(session, pack, cost, replacing.get("PACK"), stored, policy, first_use)
        if renews_when_used_up(pack, pack.remaining - cost):
            renews = pack
    backs = tuple(give_back(old, stored.get(old.entitlement_id)) for kind, old in replacing.items()
                  if (kind == "AUTH" and not auth) or (kind == "PACK" and not pack))
    return ChargeDecision(session=session, authorization=auth_take, authorization_reason=auth_reason,
                          pack=pack_take, pack_reason=pack_reason, give_backs=backs, renews=renews, policy=policy)


def renews_when_used_up(pack: Entitlement, remaining_after: Decimal) -> bool:
    """Whether a change that leaves `pack` with `remaining_after` (a charge, or a cut of its
    limit) opens the next pack from its renew_terms: an open auto-renew pack this change uses
    up, which has not renewed before. Once per pack: a session given back and charged again,
    or a limit raised and cut again, uses it up a second time but sells no second pack."""
    return (pack.kind == "PACK" and pack.open and pack.auto_renew and bool(pack.renew_terms)
            and pack.renewed_pack_id is None and remaining_after <= 0)


@dataclass(frozen=True)
class CapacityChange:
    """What a new limit or allowed count does, as a charge that moved the balance the same
    way would: the events it raises and the used-up pack whose renewal it opens."""

    entitlement: Entitlement  # with the new capacity
    events: tuple[dict[str, Any], ...] = ()
    renews: Entitlement | None = None


def plan_capacity_change(current: Entitlement, new_capacity: Decimal, *, today: date,
                         policy: Policy = Policy()) -> CapacityChange:
    """A new capacity for `current` (as it will be after the same edit's other changes: its
    state, flags and dates). A cut that uses it up raises 'used up' and renews an auto-renew
    pack; an authorization cut into its low line raises 'running low'. Nothing happens to one
    that is not open, would go below what is used (refused), or has lapsed (a pack expired, an
    authorization ended, before today): no charge can use it up any more and the sweep has
    said its last word on it, so the cut is bookkeeping, not news."""
    after = replace(current, capacity=new_capacity, remaining=new_capacity - current.used)
    if not current.open or after.remaining < 0 or current.lapsed(today):
        return CapacityChange(after)
    types = capacity_change_events(current.kind, current.used, current.capacity, new_capacity,
                                   low_remaining=policy.low_remaining, low_percent=policy.low_percent)
    events = tuple(event_of(t, after, remaining=after.remaining, marker=capacity_marker(new_capacity)) for t in types)
    # The renewal rides with the cut that uses the pack up, as it rides with such a charge.
    used_up = new_capacity < current.capacity and after.remaining <= 0
    return CapacityChange(after, events, current if used_up and renews_when_used_up(current, after.remaining) else None)


def _take(session: Session, entitlement: Entitlement, cost: Decimal, old: Usage | None,
          stored: Mapping[str, Entitlement], policy: Policy, first_use: str | None = None) -> Take:
    outcome = charge_outcome(entitlement.kind, entitlement.remaining, cost, entitlement.capacity,
                             low_remaining=policy.low_remaining, low_percent=policy.low_percent)
    same = old is not None and old.entitlement_id == entitlement.id
    shift = old.amount if old is not None and same else Decimal(0)
    band = (None if outcome.lo is None else outcome.lo - shift, None if outcome.hi is None else outcome.hi - shift)
    # The outbox: an event this charge raises is written by the charge's own transaction, so it
    # exists exactly when the charge does; the sweep delivers it.
    events = tuple(event_of(event_type, entitlement, remaining=entitlement.remaining - cost,
                            marker=str(entitlement.capacity))
                   for event_type in outcome.events)
    back = give_back(old, stored.get(old.entitlement_id)) if old is not None and not same else None
    return Take(entitlement=entitlement, cost=cost, shift=shift, band=band, events=events,
                first_use_expires_on=first_use, replaces=old, gives_back=back)


def _choose_authorization(session: Session, auths: list[Entitlement]) -> tuple[Entitlement | None, Decimal, str | None]:
    if session.bill_to == "client":
        return None, Decimal(0), BILLED_TO_CLIENT
    if session.attendance != "attended":
        return None, Decimal(0), "missed sessions are not counted against authorizations"
    if not auths:
        return None, Decimal(0), "the client has no authorization"
    unit_minutes = session.unit_minutes
    units = Decimal(units_for(session.minutes, unit_minutes)) if unit_minutes else None
    usable = [a for a in auths if a.measure == "sessions" or units]
    if not usable:
        why = (f"{session.minutes} minutes is less than half a billing unit" if unit_minutes
               else f"billing code {session.billing_code} has no unit length, so it cannot count in units")
        return None, Decimal(0), why
    lookup = {a.id: a for a in usable}

    def cost(candidate: Candidate) -> Decimal:
        return Decimal(1) if lookup[candidate.id].measure == "sessions" else units or Decimal(0)

    choice = choose([a.candidate() for a in usable], on=session.on.isoformat(), code=session.billing_code, cost=cost,
                    kind="authorization")
    if choice.chosen is None and unit_minutes and not units and any(
            a.measure == "units" and a.open and a.codes.covers(session.billing_code) for a in auths):
        # A units authorization covers the code; only the rounding kept the session off it.
        return None, Decimal(0), (f"{session.minutes} minutes is less than half a billing unit (it rounds to 0 "
                                  f"units of {unit_minutes} minutes), so no units authorization can count it")
    return _chosen(choice, lookup, cost)


def _choose_pack(session: Session, packs: list[Entitlement], pack_choice: str | None,
                 currency: str = "USD") -> tuple[Entitlement | None, Decimal, str | None]:
    if pack_choice == NO_PACK:
        return None, Decimal(0), "no pack: the session is billed on its invoice"
    if pack_choice:
        packs = [p for p in packs if p.id == pack_choice]
        if not packs:
            return None, Decimal(0), f"pack {pack_choice} is not one of the client's packs"
    attendance = session.attendance
    if attendance != "attended":
        packs = [p for p in packs if (p.charge_no_shows if attendance == "no_show" else p.charge_late_cancels)]
        if not packs:
            return None, Decimal(0), f"no pack charges for a {attendance.replace('_', ' ')}"
    if not packs:
        return None, Decimal(0), "the client has no pack"
    lookup = {p.id: p for p in packs}

    def cost(candidate: Candidate) -> Decimal:
        measure = lookup[candidate.id].measure
        return pack_cost(measure, minutes=session.minutes, fee=session.fee)  # type: ignore[arg-type]

    def show(candidate: Candidate, value: Decimal) -> str:
        return measured_amount(value, lookup[candidate.id].measure, currency)

    choice = choose([p.candidate() for p in packs], on=session.on.isoformat(), code=session.billing_code, cost=cost,
                    kind="pack", show=show)
    return _chosen(choice, lookup, cost)


def _chosen(choice: Choice, lookup: Mapping[str, Entitlement],
            cost: Any) -> tuple[Entitlement | None, Decimal, str | None]:
    if choice.chosen is None:
        return None, Decimal(0), choice.reason
    return lookup[choice.chosen.id], cost(choice.chosen), None


@dataclass(frozen=True)
class Forecast:
    """Whether one planned session would find an authorization and a pack."""

    authorization_reason: str | None  # None: one would count it
    pack_reason: str | None


def forecast(sessions: Sequence[Session], entitlements: Sequence[Entitlement]) -> list[Forecast]:
    """Walk the balances forward through sessions (in the order given): each takes what a
    charge would, so a later one sees what the earlier ones left (a series' warnings)."""
    state = {e.id: e for e in entitlements}
    out = []
    for session in sessions:
        decision = decide(session, list(state.values()))
        for take in (decision.authorization, decision.pack):
            if take is not None:
                state[take.id] = take.entitlement.moved(take.cost)
        out.append(Forecast(None if decision.authorization else decision.authorization_reason or "no authorization",
                            None if decision.pack else decision.pack_reason or "no pack"))
    return out

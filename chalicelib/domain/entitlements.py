"""Pure rules for packs and authorizations: what a session costs, which entitlement it counts
against, and what state an entitlement is in. No AWS here; the store applies the result with
conditional writes so that these decisions stay true under concurrency."""
from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Literal

PackMeasure = Literal["sessions", "minutes", "money"]
AuthMeasure = Literal["sessions", "units"]
Attendance = Literal["attended", "no_show", "late_cancel"]
BillTo = Literal["automatic", "client"]  # client: billed directly, bypassing insurance
CodeMode = Literal["only", "all_except"]

NO_EXPIRY = "9999-12-31"  # sort key of packs that cannot expire (yet)
CENT = Decimal("0.01")


@dataclass(frozen=True)
class CodeRule:
    """Which billing codes count: only the listed ones, or all except the listed ones."""

    mode: CodeMode
    codes: tuple[str, ...] | frozenset[str]  # as listed (the API shows them in that order)

    def covers(self, code: str) -> bool:
        # An excluded code never counts under "all_except"; it counts only where a rule
        # lists it explicitly ("only").
        return code in self.codes if self.mode == "only" else code not in self.codes


def units_for(minutes: int, unit_minutes: int) -> int:
    """Billing units for a session length, rounding at the midpoint (52.5 min / 15 → 4)."""
    return int((Decimal(minutes) / Decimal(unit_minutes)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def pack_cost(measure: PackMeasure, *, minutes: int, fee: Decimal) -> Decimal:
    """What one session takes from a pack of this measure."""
    if measure == "sessions":
        return Decimal(1)
    if measure == "minutes":
        return Decimal(minutes)
    return fee.quantize(CENT)


def expiry_date(start: date, amount: int, unit: Literal["days", "months"]) -> date:
    """The last valid day of a validity period that starts on `start`."""
    from dateutil.relativedelta import relativedelta  # only sales need it: kept off the cold start

    amount = int(amount)  # stored numbers come back as Decimal
    end = start + (timedelta(days=amount) if unit == "days" else relativedelta(months=amount))
    return end - timedelta(days=1)


def pack_status(*, closed: bool, remaining: Decimal, expires_on: str | None, today: date,
                soon_days: int) -> str:
    """closed / used_up / expired / expiring_soon / active."""
    if closed:
        return "closed"
    if remaining <= 0:
        return "used_up"
    if expires_on and expires_on != NO_EXPIRY:
        end = date.fromisoformat(expires_on)
        if end < today:
            return "expired"
        if end <= today + timedelta(days=soon_days):
            return "expiring_soon"
    return "active"


def authorization_status(*, closed: bool, remaining: Decimal, begin: str, end: str, today: date) -> str:
    """closed / used_up / ended / not_started / active."""
    if closed:
        return "closed"
    if remaining <= 0:
        return "used_up"
    if end < today.isoformat():
        return "ended"
    if begin > today.isoformat():
        return "not_started"
    return "active"


@dataclass(frozen=True)
class Candidate:
    """An entitlement as the chooser sees it."""

    id: str
    remaining: Decimal
    code_rule: CodeRule
    starts: str  # ISO date; packs: "0000-01-01"
    ends: str  # ISO date; packs without expiry: NO_EXPIRY
    open: bool
    label: str  # how the reason names it, e.g. "authorization A-123"


@dataclass(frozen=True)
class Choice:
    """The entitlement to charge, or why none is charged."""

    chosen: Candidate | None
    reason: str | None


def choose(candidates: Sequence[Candidate], *, on: str, code: str, cost: Callable[[Candidate], Decimal],
           kind: str, show: Callable[[Candidate, Decimal], str] | None = None) -> Choice:
    """The open entitlement covering `code` on date `on` with room for `cost`, ending soonest.

    When none has room, the reason names the best match and why it cannot take the session,
    so staff see "used up" or "ended" rather than a bare "nothing matched". `show` writes an
    amount in the candidate's measure (a money pack's in the practice currency).
    """
    covering = [c for c in candidates if c.open and c.code_rule.covers(code)]
    if not covering:
        return Choice(None, f"no {kind} covers code {code}")
    in_window = [c for c in covering if c.starts <= on <= c.ends]
    if not in_window:
        latest = max(covering, key=lambda c: c.ends)
        if latest.ends < on:
            return Choice(None, f"{latest.label} ended on {latest.ends}")
        return Choice(None, f"{latest.label} starts on {latest.starts}")
    with_room = [c for c in in_window if c.remaining >= cost(c)]
    if not with_room:
        best = min(in_window, key=lambda c: (c.ends, c.id))
        if best.remaining <= 0:
            return Choice(None, f"{best.label} is used up")
        def text(value: Decimal) -> str:
            return show(best, value) if show else format_amount(value)

        return Choice(None, f"{best.label} has {text(best.remaining)} left, the session needs {text(cost(best))}")
    return Choice(min(with_room, key=lambda c: (c.ends, c.id)), None)


def split_by_category(price: Decimal, categories: Iterable[tuple[str, Decimal]]) -> dict[str, Decimal]:
    """A sale split by category percentages; the last category takes the rounding remainder,
    so the parts always add up to the price exactly."""
    parts = list(categories)
    out: dict[str, Decimal] = {}
    allotted = Decimal(0)
    for i, (name, percent) in enumerate(parts):
        share = price - allotted if i == len(parts) - 1 else (price * percent / 100).quantize(CENT, ROUND_HALF_UP)
        out[name] = out.get(name, Decimal(0)) + share
        allotted += share
    return out


def count_phrase(*, used: Decimal, allowed: Decimal, measure: str, ends: str) -> str:
    """"session 7 of 12 authorized, 5 left, ends 2027-03-31" for the session just counted."""
    noun = "session" if measure == "sessions" else "unit"
    left = allowed - used
    return (f"{noun} {format_amount(used)} of {format_amount(allowed)} authorized, "
            f"{format_amount(left)} left, ends {ends}")


_SYMBOLS = {"USD": "$", "CAD": "$", "AUD": "$", "NZD": "$", "EUR": "€", "GBP": "£"}


def format_money(value: Decimal, currency: str) -> str:
    """'$1,000.00' (a known symbol) or '1,000.00 CHF'."""
    text = f"{value.quantize(CENT, ROUND_HALF_UP):,.2f}"
    symbol = _SYMBOLS.get(currency)
    if symbol is None:
        return f"{text} {currency}"
    return f"-{symbol}{text[1:]}" if text.startswith("-") else f"{symbol}{text}"


def measured_amount(value: Decimal, measure: str, currency: str) -> str:
    """An amount in its measure, as every readable line writes it: money in the practice
    currency ('$60.00'), counts as people write them ('60')."""
    return format_money(value, currency) if measure == "money" else format_amount(value)


def pack_phrase(*, used: Decimal, limit: Decimal, measure: str, currency: str) -> str:
    """The line a pack charge answers with, in the pack's measure: "session 4 of 6, 2 left",
    "90 of 600 minutes, 510 left", "$180.00 of $1,000.00, $820.00 left"."""
    left = measured_amount(limit - used, measure, currency)
    if measure == "sessions":
        return f"session {format_amount(used)} of {format_amount(limit)}, {left} left"
    of = f"{measured_amount(used, measure, currency)} of {measured_amount(limit, measure, currency)}"
    return f"{of} minutes, {left} left" if measure == "minutes" else f"{of}, {left} left"


def usage_phrase(*, used: Decimal, capacity: Decimal, measure: str, currency: str) -> str:
    """How much of a pack or authorization is used, as the client profile shows it:
    "used 4 of 6 sessions, 2 left", "used $180.00 of $1,000.00, $820.00 left"."""
    left = measured_amount(capacity - used, measure, currency)
    of = f"used {measured_amount(used, measure, currency)} of {measured_amount(capacity, measure, currency)}"
    noun = "" if measure == "money" else " " + (measure[:-1] if capacity == 1 else measure)
    return f"{of}{noun}, {left} left"


def format_amount(value: Decimal) -> str:
    """An amount as people write it: whole amounts without decimals (7, 540), others as they are."""
    return str(int(value)) if value == value.to_integral_value() else format(value, "f")


@dataclass(frozen=True)
class Counted:
    """A session an authorization counts now: its date and billing code as charged."""

    session_ref: str
    on: str
    billing_code: str | None


def left_out(counted: Iterable[Counted], *, begin_on: str, end_on: str,
             rule: CodeRule) -> dict[str, list[Counted]]:
    """The counted sessions an authorization's new dates or code rule would leave outside it,
    by the field that leaves them out (begin_on, end_on, codes). An edit that leaves any out
    is refused, as a cut below what is used is: the sessions would stay counted (and carry
    its number) against terms that no longer cover them."""
    out: dict[str, list[Counted]] = {}
    for one in sorted(counted, key=lambda c: (c.on, c.session_ref)):
        if one.on < begin_on:
            out.setdefault("begin_on", []).append(one)
        elif one.on > end_on:
            out.setdefault("end_on", []).append(one)
        elif one.billing_code is not None and not rule.covers(one.billing_code):
            out.setdefault("codes", []).append(one)
    return out


def left_out_reason(field: str, sessions: Sequence[Counted]) -> str:
    """'3 sessions counted against this authorization (2026-11-11, 2026-11-12, 2026-11-13)
    fall after the new end_on: ...'."""
    where = {"begin_on": "fall before the new begin_on", "end_on": "fall after the new end_on",
             "codes": "have billing codes the new rule does not count"}[field]
    shown = ", ".join(f"{s.on} {s.billing_code}" if field == "codes" else s.on for s in sessions[:10])
    more = f" and {len(sessions) - 10} more" if len(sessions) > 10 else ""
    noun = "session" if len(sessions) == 1 else "sessions"
    verb = {"fall before": "falls before", "fall after": "falls after", "have billing": "has billing"}
    if len(sessions) == 1:
        where = next((where.replace(k, v) for k, v in verb.items() if where.startswith(k)), where)
    return (f"{len(sessions)} {noun} counted against this authorization ({shown}{more}) {where}: "
            "give them back (re-charge or delete them) first, or keep the authorization's terms")


Kind = Literal["PACK", "AUTH"]
ALL_CODES = CodeRule("all_except", ())  # an entitlement without a code rule


@dataclass(frozen=True)
class Validity:
    """How long a pack is valid, and whether the clock starts at purchase or first use."""

    starts: Literal["purchase", "first_use"]
    amount: int
    unit: Literal["days", "months"]


@dataclass(frozen=True)
class Entitlement:
    """A pack or an authorization, as stored and as the charge sees it. `capacity` is a pack's limit or an
    authorization's allowed count; `remaining` is capacity - used, as stored."""

    id: str
    kind: Kind
    client_id: str
    measure: str
    capacity: Decimal
    used: Decimal
    remaining: Decimal
    state: str = "open"
    codes: CodeRule = ALL_CODES
    client_name: str = ""
    practitioner_id: str | None = None
    created_by: str | None = None
    # authorizations
    payer: str = ""
    number: str | None = None
    begin_on: str = "0000-01-01"
    end_on: str = NO_EXPIRY
    # packs
    name: str = ""
    expires_on: str | None = None
    validity: Validity | None = None
    charge_no_shows: bool = False
    charge_late_cancels: bool = False
    auto_renew: bool = False
    renew_terms: Mapping[str, Any] | None = None
    renewed_pack_id: str | None = None  # the pack its renewal opened (a pack renews once)
    template_id: str | None = None
    price: Decimal = Decimal(0)
    purchased_on: str | None = None
    categories: tuple[tuple[str, Decimal], ...] = ()  # (name, percent of the price)
    consolidated_into: str | None = None
    # the record's own bookkeeping, shown by the API
    version: int = 0
    created_at: str = ""
    updated_at: str = ""

    @property
    def open(self) -> bool:
        return self.state == "open"

    def lapsed(self, on: date) -> bool:
        """Whether a pack has expired, or an authorization ended, before `on`."""
        ends = self.end_on if self.kind == "AUTH" else self.expires_on
        return bool(ends) and str(ends) < on.isoformat()

    @property
    def label(self) -> str:
        """How a reason names it: "authorization A-1 (Acme)", "pack 'Ten sessions'"."""
        if self.kind == "AUTH":
            return f"authorization {self.number or self.id} ({self.payer})"
        return f"pack '{self.name}'"

    def candidate(self) -> Candidate:
        if self.kind == "AUTH":
            starts, ends = self.begin_on, self.end_on
        else:
            starts, ends = "0000-01-01", self.expires_on or NO_EXPIRY
        return Candidate(id=self.id, remaining=self.remaining, code_rule=self.codes, starts=starts, ends=ends,
                         open=self.open, label=self.label)

    def moved(self, amount: Decimal) -> Entitlement:
        """The same entitlement after `amount` more is used (negative: given back)."""
        return replace(self, used=self.used + amount, remaining=self.remaining - amount)

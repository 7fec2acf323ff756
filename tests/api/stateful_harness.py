"""The harness behind tests/api/test_stateful.py: who calls, how a call is checked, and what
was last read of each resource.

Every request the state machine makes goes through `Harness.act`, which checks, whatever the
operation: no 5xx; the status the route table (`chalicelib.http.OPERATIONS`) and the access
rules demand (a role the route does not allow: 403; another practice's ids, or a group, group
session or note the caller may not see: 404); a refused request (4xx) changed nothing in the
resources it could touch; every pack's and authorization's ledger adds up to its `used`, with
`remaining = limit - used >= 0`; a note once seen signed never changes (addenda only grow).

Resources are read as the practice admin in "scopes" (a client's packs, a group with its
members and sessions, ...). The last read of each scope is kept: it is the "before" of the
next request that may touch it, and every write re-reads the scopes it may touch. At the end of
an example every scope is read again and must equal what was last read (nothing changed
behind a request's back).

The database is moto's, restored per example from a copy taken after seeding, so each example
starts from the same two practices in milliseconds instead of seeding again.
"""
from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from tests.conftest import PRACTICE_A, PRACTICE_B, USERS, Api

TODAY = date.today()
# Every appointment the machine books falls inside this window (at most 93 days, one page of views).
WINDOW = {"from": (TODAY - timedelta(days=45)).isoformat(), "to": (TODAY + timedelta(days=46)).isoformat()}
SECOND_PRACTITIONER = f"usr_{PRACTICE_A}_practitioner2"
UNITS_CODE = "97153"  # a unit-based code (15-minute units) the baseline adds for units authorizations
LOCATION, ROOM = f"loc_{PRACTICE_A}_main", f"room_{PRACTICE_A}_1"


class Actor:
    """Who calls: a role in a practice (a plain class, so a reproduction prints just its name)."""

    def __init__(self, name: str, role: str, user_id: str, practice: str) -> None:
        self.name, self.role, self.user_id, self.practice = name, role, user_id, practice

    def __repr__(self) -> str:
        return self.name


def _actor(name: str, role: str, practice: str = PRACTICE_A, user_id: str | None = None) -> Actor:
    return Actor(name, role, user_id or USERS[practice][role], practice)


ADMIN = _actor("admin", "admin")
P1 = _actor("practitioner", "practitioner")
P2 = _actor("practitioner2", "practitioner", user_id=SECOND_PRACTITIONER)
FRONT_DESK = _actor("front_desk", "front_desk")
BILLING = _actor("billing", "billing")
OTHER_ADMIN = _actor("other_practice_admin", "admin", PRACTICE_B)
OTHER_PRACTITIONER = _actor("other_practice_practitioner", "practitioner", PRACTICE_B)
OTHER_BILLING = _actor("other_practice_billing", "billing", PRACTICE_B)
# Weighted by repetition: mostly this practice's staff, sometimes another practice's.
ACTORS = (ADMIN, ADMIN, P1, P1, P2, FRONT_DESK, FRONT_DESK, BILLING, OTHER_ADMIN, OTHER_PRACTITIONER, OTHER_BILLING)
HOME_ACTORS = (ADMIN, P1, P2, FRONT_DESK, BILLING)
PRACTITIONERS = (P1.user_id, SECOND_PRACTITIONER)


@dataclass(frozen=True)
class Ref:
    """An id the machine created, as the printed reproduction names it."""

    kind: str
    id: str
    client_id: str | None = None
    group_id: str | None = None

    def __repr__(self) -> str:
        return f"<{self.kind} {self.id}>"


# ---- violations: one class per (kind, operation), so hypothesis reports each as its own bug ----

class Violation(AssertionError):
    """An invariant of the API did not hold."""


class ServerError(Violation):
    """A 5xx."""


class AccessViolation(Violation):
    """The wrong status for who is calling (403 / 404 rules)."""


class RefusedButChanged(Violation):
    """A 4xx answer, yet a resource it could touch changed."""


class LedgerMismatch(Violation):
    """A balance that does not equal its ledger, or is negative."""


class SignedNoteChanged(Violation):
    """A signed note changed."""


class HiddenChange(Violation):
    """A resource changed although no request that may touch it said so."""


class ContractViolation(Violation):
    """An answer that breaks what the README promises (pagination, lists)."""


_CLASSES: dict[tuple[type, str], type] = {}


def violation(kind: type[Violation], where: str, message: str) -> Violation:
    cls = _CLASSES.setdefault((kind, where), type(f"{kind.__name__}[{where}]", (kind,), {}))
    return cls(message)


@dataclass
class Figures:
    """Totals over a whole test run, printed at its end."""

    examples: int = 0
    steps: int = 0
    requests: int = 0
    server_errors: int = 0
    refused: int = 0
    by_status: dict[int, int] = field(default_factory=dict)
    by_operation: dict[str, dict[int, int]] = field(default_factory=dict)

    def line(self) -> str:
        statuses = " ".join(f"{k}:{v}" for k, v in sorted(self.by_status.items()))
        return (f"stateful API machine: {self.examples} examples, {self.steps} steps, {self.requests} requests "
                f"by actors, 5xx found: {self.server_errors}, refused (4xx): {self.refused} [{statuses}]")

    def table(self) -> str:
        """Answers per operation: which paths the run walked, and how far."""
        return "\n".join(f"  {op:32} " + " ".join(f"{k}:{v}" for k, v in sorted(counts.items()))
                         for op, counts in sorted(self.by_operation.items()))


FIGURES = Figures()


# ---- the database baseline -------------------------------------------------------------

def build_baseline() -> Any:
    """Seed both practices plus what every example starts with (a second practitioner, a
    unit-based code), and keep a copy of moto's tables to restore before each example."""
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.dynamodb.models import dynamodb_backends

    from chalicelib.auth import Principal, Role
    from chalicelib.config import get_settings
    from chalicelib.models.codes import BillingCodeCreate
    from chalicelib.models.users import UserCreate
    from chalicelib.services import codes, users
    from chalicelib.store import dynamo
    from devtools.seed import seed_practice
    from devtools.tables import create_tables
    from tests.conftest import reset_caches

    reset_caches()
    create_tables(dynamo.client(), get_settings())
    for practice_id in (PRACTICE_A, PRACTICE_B):
        seed_practice(practice_id, f"Practice {practice_id}", user_ids=USERS[practice_id])
    admin = Principal(user_id=ADMIN.user_id, practice_id=PRACTICE_A, role=Role.ADMIN)
    users.create_user(principal=admin, user_id=SECOND_PRACTITIONER, data=UserCreate(
        email="second-practitioner@prc-a.example", first_name="Sam", last_name="Second", role=Role.PRACTITIONER))
    codes.create_billing_code(principal=admin, data=BillingCodeCreate(
        code=UNITS_CODE, description="Behaviour treatment, per 15 minutes", default_minutes=60,
        default_charge="80.00", unit_minutes=15))
    backend = dynamodb_backends[DEFAULT_ACCOUNT_ID]["us-east-1"]
    return backend, copy.deepcopy(backend.tables)


def restore(baseline: Any) -> None:
    from chalicelib.services.practice import forget_cached_practices

    backend, tables = baseline
    backend.tables = copy.deepcopy(tables)
    forget_cached_practices()


# ---- the harness -----------------------------------------------------------------------

def _operations() -> dict[str, Any]:
    import app  # noqa: F401 - registers every route
    from chalicelib.http import OPERATIONS

    return {op.operation_id: op for op in OPERATIONS}


def _short(value: Any, limit: int = 700) -> str:
    text = json.dumps(value, sort_keys=True, default=str) if value is not None else ""
    return text if len(text) <= limit else text[:limit] + "…"


def _without(note: dict[str, Any]) -> dict[str, Any]:
    """A note's content: what signing locks (addenda may still be appended)."""
    return {k: v for k, v in note.items() if k not in ("addenda", "version", "updated_at")}


class Harness:
    def __init__(self, api: Api) -> None:
        self.api = api
        self.ops = _operations()
        self.cache: dict[tuple, Any] = {}
        self.trace: list[str] = []
        self.signed: dict[str, dict[str, Any]] = {}
        # Our ids: another practice's caller sending them must learn nothing (see _foreign).
        self.known_ids: set[str] = {*PRACTITIONERS, LOCATION, ROOM}
        # Scopes read since the last invariant check: (scope, before, after, where).
        self.pending: list[tuple[tuple, Any, Any, str]] = []

    # -- requests --

    def send(self, actor: Actor, method: str, path: str, body: Any = None, *, if_match: str | None = None):
        headers = {"If-Match": if_match} if if_match else {}
        return self.api.call(method, path, body, role=actor.role, practice=actor.practice,
                             headers={"Authorization": f"Bearer {self._token(actor)}", **headers})

    def _token(self, actor: Actor) -> str:
        from chalicelib.auth import issue_local_token

        return issue_local_token(practice_id=actor.practice, user_id=actor.user_id, role=actor.role)

    def _read(self, path: str) -> Any:
        reply = self.send(ADMIN, "GET", path)
        if reply.status >= 500:
            FIGURES.server_errors += 1
            raise violation(ServerError, f"GET {path.split('?')[0]}", self._story(f"GET {path} -> {reply.status} "
                                                                                  f"{_short(reply.body)}"))
        return reply

    def list_all(self, path: str) -> list[dict[str, Any]] | None:
        """Every item of a list, following next_cursor; None if the list is a 404."""
        found: list[dict[str, Any]] = []
        cursor = None
        for _ in range(50):
            sep = "&" if "?" in path else "?"
            reply = self._read(path + (f"{sep}{urlencode({'cursor': cursor})}" if cursor else ""))
            if reply.status == 404:
                return None
            if reply.status != 200:
                raise violation(ContractViolation, path.split("?")[0],
                                self._story(f"admin GET {path} -> {reply.status} {_short(reply.body)}"))
            found += reply.body["items"]
            cursor = reply.body.get("next_cursor")
            if not cursor:
                return found
        raise violation(ContractViolation, path.split("?")[0], self._story(f"GET {path}: more than 50 pages"))

    # -- scopes: what one write may touch, read as the admin --

    def read_scope(self, scope: tuple) -> Any:
        kind, key = scope
        if kind == "packs":
            return self.list_all(f"/v1/clients/{key}/packs?include_closed=true")
        if kind == "auths":
            return self.list_all(f"/v1/clients/{key}/authorizations?include_closed=true")
        if kind == "sessions":
            return self.list_all(f"/v1/clients/{key}/sessions")
        if kind == "invoices":
            return self.list_all(f"/v1/clients/{key}/invoices")
        if kind == "appts":
            return self.list_all(f"/v1/appointments?{urlencode({'client_id': key, **WINDOW})}")
        if kind == "templates":
            return self.list_all("/v1/pack-templates")
        if kind == "group":
            reply = self._read(f"/v1/groups/{key}")
            if reply.status == 404:
                return None
            return {"group": reply.body, "members": self.list_all(f"/v1/groups/{key}/members"),
                    "sessions": self.list_all(f"/v1/groups/{key}/appointments?{urlencode(WINDOW)}")}
        if kind == "attendance":
            reply = self._read(f"/v1/appointments/{key}/attendance")
            return reply.body if reply.status == 200 else reply.status
        if kind == "client_notes":
            return self.list_all(f"/v1/notes?client_id={key}")
        if kind == "group_notes":
            return self.list_all(f"/v1/notes?group_id={key}")
        raise AssertionError(f"unknown scope {scope}")

    def ensure(self, scope: tuple) -> Any:
        if scope not in self.cache:
            self.cache[scope] = self.read_scope(scope)
            self.pending.append((scope, None, self.cache[scope], "first read"))
        return self.cache[scope]

    def refresh(self, scope: tuple, where: str) -> Any:
        before = self.cache.get(scope)
        after = self.read_scope(scope)
        self.pending.append((scope, before, after, where))
        self.cache[scope] = after
        return after

    def check_pending(self) -> None:
        """The invariants over what the last step read: ledgers of changed balances, signed notes."""
        pending, self.pending = self.pending, []
        for scope, before, after, where in pending:
            self._check_scope(scope, before, after, where)

    # -- the one way an actor's request is made and checked --

    def act(self, actor: Actor, op_id: str, params: dict[str, str] | None = None, body: Any = None, *,
            query: dict[str, Any] | None = None, if_match: str | None = None, scopes: tuple = (),
            hidden: bool = False, must_answer: bool = False):
        """Send one request as `actor` and check it. `scopes` are what it may touch; `hidden`
        says the caller may not see the resource (a group, group session or note not theirs);
        `must_answer` says a caller the route allows, who may see it, gets a 2xx."""
        op = self.ops[op_id]
        path = op.path.format(**(params or {}))
        if query:
            path += "?" + urlencode(query)
        before = {scope: copy.deepcopy(self.ensure(scope)) for scope in scopes}
        reply = self.send(actor, op.method, path, body, if_match=if_match)
        FIGURES.requests += 1
        FIGURES.by_status[reply.status] = FIGURES.by_status.get(reply.status, 0) + 1
        counts = FIGURES.by_operation.setdefault(op_id, {})
        counts[reply.status] = counts.get(reply.status, 0) + 1
        line = f"{actor.name}: {op.method} {path}"
        line += f" If-Match {if_match}" if if_match else ""
        line += f" {_short(body)}" if body is not None else ""
        self.trace.append(f"{line}\n    -> {reply.status} {_short(reply.body, 400)}")
        where = f"{op.method} {op.path}"
        if reply.status >= 500:
            FIGURES.server_errors += 1
            raise violation(ServerError, where, self._story("answered 5xx"))
        expected = self._expected(op, actor, hidden)
        if expected and reply.status not in expected:
            raise violation(AccessViolation, where, self._story(
                f"{actor.name} ({actor.role}, {actor.practice}) expected {sorted(expected)}, got {reply.status}"))
        if must_answer and expected is None and actor.practice == PRACTICE_A and reply.status >= 300:
            raise violation(AccessViolation, where, self._story(
                f"{actor.name} may do this and see it, yet got {reply.status}"))
        if actor.practice != PRACTICE_A and expected is None and reply.status != 404:
            self._foreign(actor, op, path, body, if_match, reply, where)
        if reply.status >= 400:
            FIGURES.refused += 1
        for scope in scopes:
            after = self.refresh(scope, where)
            if reply.status >= 400 and after != before[scope]:
                raise violation(RefusedButChanged, where, self._story(
                    f"answered {reply.status}, yet {scope} changed:\n{_diff(before[scope], after)}"))
        return reply if reply.status < 300 else None

    def _expected(self, op: Any, actor: Actor, hidden: bool) -> set[int] | None:
        if actor.role not in {r.value for r in op.roles}:
            return {403}
        if hidden and actor.practice == PRACTICE_A:
            return {404}
        return None

    def _foreign(self, actor: Actor, op: Any, path: str, body: Any, if_match: str | None, reply: Any,
                 where: str) -> None:
        """Another practice's caller sent our ids and got something other than 404: it must be
        exactly what ids that exist nowhere get (a 422 on its own body, an empty list), so it
        learns nothing; and it never writes."""
        if reply.status < 300 and op.method != "GET":
            raise violation(AccessViolation, where, self._story(
                f"{actor.name} of another practice wrote with our ids: {reply.status}"))
        twin_path, twin_body = self._unknown_ids(path), self._unknown_ids(body)
        twin = self.send(actor, op.method, twin_path, twin_body, if_match=if_match)
        same = twin.status == reply.status
        if same and reply.status < 300:
            same = twin.body == reply.body
        if same and reply.status == 422:
            same = sorted(e["field"] for e in twin.body.get("errors", [])) == sorted(
                e["field"] for e in reply.body.get("errors", []))
        if not same:
            raise violation(AccessViolation, where, self._story(
                f"{actor.name} of another practice: our ids answer {reply.status} {_short(reply.body, 300)}, ids "
                f"that exist nowhere answer {twin.status} {_short(twin.body, 300)} ({op.method} {twin_path})"))

    def _unknown_ids(self, value: Any) -> Any:
        """The same request with each of our ids replaced by one of the same shape that exists nowhere."""
        if isinstance(value, str):
            for known in sorted(self.known_ids, key=len, reverse=True):
                value = value.replace(known, known.split("_")[0] + "_00000000000000000000000000")
            return value
        if isinstance(value, dict):
            return {self._unknown_ids(k): self._unknown_ids(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self._unknown_ids(v) for v in value]
        return value

    # -- invariants over what was read --

    def _check_scope(self, scope: tuple, before: Any, after: Any, where: str) -> None:
        kind = scope[0]
        if kind in ("packs", "auths") and after:
            old = {e["id"]: e for e in before or []}
            for entitlement in after:
                if old.get(entitlement["id"]) != entitlement:
                    self.check_ledger(kind, scope[1], entitlement, where)
        if kind in ("client_notes", "group_notes") and after:
            for note in after:
                self.check_signed(note, where)

    def check_ledger(self, kind: str, client_id: str, entitlement: dict[str, Any], where: str) -> None:
        route = "packs" if kind == "packs" else "authorizations"
        ledger = self.list_all(f"/v1/clients/{client_id}/{route}/{entitlement['id']}/ledger") or []
        total = sum((Decimal(e["amount"]) for e in ledger), Decimal(0))
        limit = Decimal(entitlement["limit"] if kind == "packs" else entitlement["allowed"])
        used, remaining = Decimal(entitlement["used"]), Decimal(entitlement["remaining"])
        problems = []
        if total != used:
            problems.append(f"ledger sums to {total}, used is {used}")
        if remaining != limit - used:
            problems.append(f"remaining {remaining} != limit {limit} - used {used}")
        if remaining < 0 or used < 0:
            problems.append(f"negative figures: used {used}, remaining {remaining}")
        if problems:
            raise violation(LedgerMismatch, where, self._story(
                f"{kind[:-1]} {entitlement['id']}: {'; '.join(problems)}\n{_short(entitlement)}\nledger: "
                f"{_short([(e['kind'], e['amount'], e.get('session_ref')) for e in ledger], 1500)}"))

    def check_signed(self, note: dict[str, Any], where: str) -> None:
        frozen = self.signed.get(note["id"])
        if frozen is None:
            if note.get("signed_at"):
                self.signed[note["id"]] = copy.deepcopy(note)
            return
        old_addenda, new_addenda = frozen["addenda"], note["addenda"]
        if _without(note) != _without(frozen) or new_addenda[:len(old_addenda)] != old_addenda:
            raise violation(SignedNoteChanged, where, self._story(
                f"signed note {note['id']} changed:\n{_diff(frozen, note)}"))
        self.signed[note["id"]] = copy.deepcopy(note)

    def recheck_everything(self) -> None:
        """End of an example: every scope still reads as last read, every ledger adds up."""
        self.check_pending()
        for scope, last in list(self.cache.items()):
            now = self.read_scope(scope)
            if now != last:
                raise violation(HiddenChange, scope[0], self._story(
                    f"{scope} changed since it was last read, though no request since may touch it:\n"
                    f"{_diff(last, now)}"))
            if scope[0] in ("packs", "auths"):
                for entitlement in now or []:
                    self.check_ledger(scope[0], scope[1], entitlement, "end of example")

    def _story(self, what: str) -> str:
        steps = "\n".join(self.trace[-30:])
        return f"{what}\nrequests of this example (newest last):\n{steps}"


def _diff(before: Any, after: Any) -> str:
    """The parts of two JSON values that differ, path by path."""
    out: list[str] = []

    def walk(a: Any, b: Any, path: str) -> None:
        if len(out) > 20 or a == b:
            return
        if isinstance(a, dict) and isinstance(b, dict):
            for k in sorted(set(a) | set(b), key=str):
                walk(a.get(k, "<absent>"), b.get(k, "<absent>"), f"{path}.{k}")
        elif isinstance(a, list) and isinstance(b, list) and all(isinstance(x, dict) and "id" in x for x in a + b):
            left, right = {x["id"]: x for x in a}, {x["id"]: x for x in b}
            for k in list(left) + [k for k in right if k not in left]:
                walk(left.get(k, "<absent>"), right.get(k, "<absent>"), f"{path}[{k}]")
        else:
            out.append(f"  {path}: {_short(a, 300)} -> {_short(b, 300)}")

    walk(before, after, "")
    return "\n".join(out)


def pick(values: list[Any], index: int) -> Any:
    return values[index % len(values)] if values else None


def find(items: list[dict[str, Any]] | None, entity_id: str) -> dict[str, Any] | None:
    return next((x for x in items or [] if x.get("id") == entity_id), None)


def etag(entity: dict[str, Any] | None, stale: bool = False) -> str:
    version = (entity or {}).get("version", 1)
    return f'"{version - 1 if stale and version > 1 else version + 7 if stale else version}"'



"""What a faulty DynamoDB does to one request: the one decision both injectors use (the
in-process botocore hook, inprocess.py, and the HTTP proxy in front of DynamoDB Local,
proxy.py). Both see the request as it goes over the wire (the X-Amz-Target operation and the
JSON body) and answer with DynamoDB's own wire format, so botocore parses an injected fault
exactly as it parses a real one.

Faults, each at its own rate, drawn from one seeded random stream:

- TransactionConflict, as real DynamoDB decides it: a TransactWriteItems whose items overlap
  a transaction still in flight is cancelled (reason TransactionConflict on the overlapping
  items, None on the others); a PutItem/UpdateItem/DeleteItem on an item an in-flight
  transaction holds gets TransactionConflictException. `conflict` is the share of overlaps
  refused (1 = always, as DynamoDB); `phantom` cancels a transaction as if an unseen one held
  one of its items (single-threaded tests over moto never overlap by themselves).
- ThrottlingException, ProvisionedThroughputExceededException, InternalServerError (500):
  refused before anything is written, on any operation.
- a timeout after the write landed (`timeout`, writes only): the write is forwarded and
  applied, then the caller gets no answer.

`script` queues exact faults for the next matching calls (table-driven tests).

Config string (CASELOAD_FAULTS or the fixtures' argument), e.g.
"seed=1,conflict=1,throttle=0.02,provisioned=0.01,internal=0.01,timeout=0.01,phantom=0,hold_ms=0".
"""
from __future__ import annotations

import hashlib
import json
import random
import threading
import time
from collections import Counter, deque
from dataclasses import dataclass, field, fields
from typing import Any

WRITES = frozenset({"PutItem", "UpdateItem", "DeleteItem", "TransactWriteItems", "BatchWriteItem"})
SINGLE_WRITES = frozenset({"PutItem", "UpdateItem", "DeleteItem"})
PREFIX = "com.amazonaws.dynamodb.v20120810#"
# How long DynamoDB keeps a ClientRequestToken's answer.
TOKEN_SECONDS = 600


@dataclass(frozen=True)
class FaultConfig:
    """Rates (0..1) of each fault; see the module docstring."""

    seed: int = 0
    conflict: float = 0.0
    phantom: float = 0.0
    throttle: float = 0.0
    provisioned: float = 0.0
    internal: float = 0.0
    timeout: float = 0.0
    # Keep each transaction in flight this much longer: widens the overlap window, as a
    # slower network or a bigger transaction would.
    hold_ms: float = 0.0
    # Only requests on these tables get faults ("" = every table).
    tables: str = ""

    @classmethod
    def parse(cls, text: str | None) -> FaultConfig:
        """'seed=1,conflict=0.2,...' (unknown names are an error, so a typo is not silently off)."""
        values: dict[str, Any] = {}
        kinds = {f.name: f.type for f in fields(cls)}
        for part in filter(None, (p.strip() for p in (text or "").split(","))):
            name, _, raw = part.partition("=")
            name = name.strip()
            if name not in kinds:
                raise ValueError(f"unknown fault setting {name!r}; known: {', '.join(kinds)}")
            values[name] = int(raw) if name == "seed" else raw.strip() if name == "tables" else float(raw)
        config = cls(**values)
        for name in ("conflict", "phantom", "throttle", "provisioned", "internal", "timeout"):
            if not 0 <= getattr(config, name) <= 1:
                raise ValueError(f"{name} must be a rate between 0 and 1")
        return config

    def describe(self) -> str:
        return ",".join(f"{f.name}={getattr(self, f.name)}" for f in fields(self))


@dataclass(frozen=True)
class Fault:
    """What happens to one request. kind: pass, cancel, item_conflict, throttle, provisioned,
    internal, timeout_after_write. `reasons` are the cancellation codes of a cancel."""

    kind: str
    reasons: tuple[str, ...] = ()

    @property
    def refuses(self) -> bool:
        """Answered with an error without reaching the database."""
        return self.kind not in ("pass", "timeout_after_write")


PASS = Fault("pass")


@dataclass
class Ticket:
    """One request between `begin` and `end`: its decision and the items it holds in flight."""

    operation: str
    fault: Fault
    held: list[tuple[str, ...]] = field(default_factory=list)
    token: str | None = None
    digest: str = ""


class FaultPolicy:
    """Decides each request's fault and keeps the state real DynamoDB keeps: which items
    in-flight transactions hold (across every thread, and in the proxy across every client
    process), and, where the backend does not (moto), the answers of ClientRequestTokens."""

    def __init__(self, config: FaultConfig, *, remember_tokens: bool = False) -> None:
        self.config = config
        self.remember_tokens = remember_tokens
        self._random = random.Random(config.seed)
        self._lock = threading.Lock()
        self._held: Counter[tuple[str, ...]] = Counter()
        self._script: deque[tuple[str, Fault]] = deque()
        self._tokens: dict[str, tuple[str, float, tuple[int, dict[str, str], bytes]]] = {}
        self.counts: Counter[str] = Counter()

    # -- scripted faults ----------------------------------------------------------------

    def script(self, operation: str, fault: Fault) -> None:
        """The next `operation` call (or any, with "*") gets `fault`, whatever the rates."""
        with self._lock:
            self._script.append((operation, fault))

    def _scripted(self, operation: str) -> Fault | None:
        for i, (wanted, fault) in enumerate(self._script):
            if wanted in ("*", operation):
                del self._script[i]
                return fault
        return None

    # -- a request's life -----------------------------------------------------------------

    def begin(self, operation: str, body: dict[str, Any]) -> Ticket:
        """Decide the fault of a request about to be served; a transaction that goes ahead
        holds its items until `end`."""
        keys = item_keys(operation, body)
        with self._lock:
            fault = self._scripted(operation) or self._decide(operation, body, keys)
            ticket = Ticket(operation, fault, token=body.get("ClientRequestToken"),
                            digest=_digest(body) if operation == "TransactWriteItems" else "")
            if operation == "TransactWriteItems" and not fault.refuses:
                ticket.held = keys
                self._held.update(keys)
            self.counts[fault.kind] += 1
            self.counts["requests"] += 1
        return ticket

    def end(self, ticket: Ticket) -> None:
        """The request was answered: its items are free again."""
        if ticket.held and self.config.hold_ms:
            time.sleep(self.config.hold_ms / 1000)
        with self._lock:
            self._held.subtract(ticket.held)
            for key in ticket.held:
                if self._held[key] <= 0:
                    del self._held[key]
            ticket.held = []

    def _decide(self, operation: str, body: dict[str, Any], keys: list[tuple[str, ...]]) -> Fault:
        config, draw = self.config, self._random.random
        if config.tables and not any(k[0] in config.tables.split("|") for k in keys or [(body.get("TableName", ""),)]):
            return PASS
        for kind, rate in (("throttle", config.throttle), ("provisioned", config.provisioned),
                           ("internal", config.internal)):
            if rate and draw() < rate:
                return Fault(kind)
        if operation == "TransactWriteItems":
            overlapping = [i for i, k in enumerate(keys) if self._held[k] > 0]
            if overlapping and draw() < config.conflict:
                return Fault("cancel", tuple("TransactionConflict" if i in overlapping else "None"
                                             for i in range(len(keys))))
            if config.phantom and keys and draw() < config.phantom:
                victim = self._random.randrange(len(keys))
                return Fault("cancel", tuple("TransactionConflict" if i == victim else "None"
                                             for i in range(len(keys))))
        elif operation in SINGLE_WRITES and keys and self._held[keys[0]] > 0 and draw() < config.conflict:
            return Fault("item_conflict")
        if operation in WRITES and config.timeout and draw() < config.timeout:
            return Fault("timeout_after_write")
        return PASS

    # -- ClientRequestToken, where the backend does not keep it ---------------------------

    def replay(self, ticket: Ticket) -> tuple[int, dict[str, str], bytes] | None:
        """The stored answer of a token already applied (or a mismatch error), else None."""
        if not (self.remember_tokens and ticket.token):
            return None
        with self._lock:
            found = self._tokens.get(ticket.token)
            if not found or time.monotonic() - found[1] > TOKEN_SECONDS:
                return None
            if found[0] != ticket.digest:
                return error_response("IdempotentParameterMismatchException",
                                      "Transaction request cannot include the same ClientRequestToken with "
                                      "different parameters")
            self.counts["token_replays"] += 1
            return found[2]

    def answered(self, ticket: Ticket, status: int, headers: dict[str, str], body: bytes) -> None:
        """Remember a successful transaction's answer under its token."""
        if self.remember_tokens and ticket.token and status == 200:
            with self._lock:
                self._tokens[ticket.token] = (ticket.digest, time.monotonic(), (status, headers, body))


def _digest(body: dict[str, Any]) -> str:
    payload = {k: v for k, v in body.items() if k not in ("ClientRequestToken", "ReturnConsumedCapacity")}
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


def item_keys(operation: str, body: dict[str, Any]) -> list[tuple[str, ...]]:
    """The items a write touches, as (table, key...) in the request's order. A Put names its
    item, not its key: the key is PK/SK where the item has them (the main table), else `id`
    (the idempotency table)."""
    if operation == "TransactWriteItems":
        out = []
        for action in body.get("TransactItems", []):
            (_kind, spec), = action.items()
            out.append(_key(spec["TableName"], spec.get("Key") or spec.get("Item") or {}))
        return out
    if operation in SINGLE_WRITES:
        return [_key(body.get("TableName", ""), body.get("Key") or body.get("Item") or {})]
    return []


def _key(table: str, attrs: dict[str, Any]) -> tuple[str, ...]:
    names = ("PK", "SK") if "PK" in attrs else ("id",)
    return (table, *(json.dumps(attrs.get(n), sort_keys=True) for n in names))


_MESSAGES = {
    "throttle": ("com.amazon.coral.availability#ThrottlingException", 400,
                 "Rate of requests exceeds the allowed throughput."),
    "provisioned": (PREFIX + "ProvisionedThroughputExceededException", 400,
                    "The level of configured provisioned throughput for the table was exceeded. "
                    "Consider increasing your provisioning level with the UpdateTable API."),
    "internal": (PREFIX + "InternalServerError", 500, "Internal server error"),
    "item_conflict": (PREFIX + "TransactionConflictException", 400, "Transaction is ongoing for the item"),
}


def fault_response(fault: Fault) -> tuple[int, dict[str, str], bytes]:
    """DynamoDB's wire answer for a refusing fault: (HTTP status, headers, body)."""
    if fault.kind == "cancel":
        body = {"__type": PREFIX + "TransactionCanceledException",
                "Message": "Transaction cancelled, please refer cancellation reasons for specific reasons "
                           f"[{', '.join(fault.reasons)}]",
                "CancellationReasons": [{"Code": r} if r == "None" else
                                        {"Code": r, "Message": _REASON_MESSAGES.get(r, r)} for r in fault.reasons]}
        return _wire(400, body)
    error_type, status, message = _MESSAGES[fault.kind]
    return _wire(status, {"__type": error_type, "message": message})


_REASON_MESSAGES = {"TransactionConflict": "Transaction is ongoing for the item",
                    "ConditionalCheckFailed": "The conditional request failed",
                    "ThrottlingError": "Throughput exceeds the current capacity for one or more global "
                                       "secondary indexes. DynamoDB is automatically scaling your index.",
                    "ValidationError": "One or more parameter values were invalid"}


def error_response(code: str, message: str) -> tuple[int, dict[str, str], bytes]:
    return _wire(400, {"__type": PREFIX + code, "message": message})


def _wire(status: int, body: dict[str, Any]) -> tuple[int, dict[str, str], bytes]:
    payload = json.dumps(body).encode()
    return status, {"Content-Type": "application/x-amz-json-1.0", "Content-Length": str(len(payload)),
                    "x-amzn-RequestId": hashlib.md5(payload + str(time.monotonic()).encode()).hexdigest()}, payload


def operation_of(target: str | bytes | None) -> str:
    """'DynamoDB_20120810.TransactWriteItems' -> 'TransactWriteItems'."""
    if isinstance(target, bytes):
        target = target.decode()
    return (target or "").rsplit(".", 1)[-1]

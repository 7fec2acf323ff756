"""The one retry discipline for DynamoDB calls: what is retried, how long, and what is told
apart.

Two layers retry, each what only it can:

- botocore (`standard` mode, 3 attempts, dynamo.py) resends one HTTP call after throttling,
  a 5xx or a dropped connection / read timeout. It resends the very same request, and
  TransactWriteItems carries a ClientRequestToken, so a resent transaction applies once.
- this module, around each store operation, retries what botocore does not or cannot:
  transactions cancelled only for TransactionConflict or throttling (nothing was written),
  a single-item write refused with TransactionConflictException, throttling or timeouts
  that outlast botocore's attempts, and (through `Again`) a caller's own "read again and
  decide again" when a balance moved between its read and its write.

Waits are jittered ("full jitter" exponential backoff) and stop at the request's deadline
(`CASELOAD_RETRY_BUDGET_SECONDS`, 8 s by default, shared by every call inside the outermost
retried operation, or inside `budget()`); then the answer is RetryLater (503 with Retry-After),
never a 404, 409 or 412 that would misdescribe what happened. A refused condition is never retried here: it is a fact
about the data, and the caller decides (ConditionalCheckFailed with the old item: stale or
already done; without: missing). A ValidationError is our own bug and surfaces at once.
"""
from __future__ import annotations

import os
import random
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import TypeVar

from botocore.exceptions import ClientError, ConnectionClosedError, EndpointConnectionError, HTTPClientError

from chalicelib.errors import RetryLater

T = TypeVar("T")

DEFAULT_BUDGET_SECONDS = 8.0
_BASE_WAIT, _MAX_WAIT = 0.01, 0.4
_MAX_ATTEMPTS = 60  # a ceiling besides the deadline, so a zero-cost failure cannot spin

# Error codes of a call that was refused before anything was written: retrying is safe.
THROTTLED = frozenset({"ThrottlingException", "ProvisionedThroughputExceededException", "RequestLimitExceeded",
                       "TransactionInProgressException", "LimitExceededException"})
CONFLICTED = frozenset({"TransactionConflictException"})
# 5xx: DynamoDB says the outcome may or may not have happened. Safe to resend only because
# every write we make is conditional or carries a token (see items.py).
UNKNOWN_OUTCOME = frozenset({"InternalServerError", "ServiceUnavailable", "RequestTimeout",
                             "RequestTimeoutException"})
# Cancellation reason codes (TransactionCanceledException.CancellationReasons[i].Code).
REASON_PASSED = frozenset({"None", ""})
REASON_CONDITION = "ConditionalCheckFailed"
REASON_RETRYABLE = frozenset({"TransactionConflict", "ThrottlingError", "ProvisionedThroughputExceeded"})


class Again(Exception):
    """Raised by an attempt to ask for another one (after a jittered wait, inside the budget).
    `ambiguous` says the attempt may have written (its outcome is unknown)."""

    def __init__(self, why: str = "", *, ambiguous: bool = False) -> None:
        super().__init__(why)
        self.ambiguous = ambiguous


@dataclass
class Attempt:
    """What an attempt may need to know about the ones before it."""

    number: int = 0
    # True once an earlier attempt failed without knowing whether it wrote (timeout, 5xx).
    outcome_unknown: bool = False


def budget_seconds() -> float:
    """The retry budget of one request, read when first needed (tests and benchmarks set it)."""
    raw = os.environ.get("CASELOAD_RETRY_BUDGET_SECONDS")
    return float(raw) if raw else DEFAULT_BUDGET_SECONDS


# The deadline of the operation under way: the outermost `run` (or `budget`) sets it and the
# calls inside share it, so nested retries never outlast the whole. A request handler can
# wrap itself in `budget()` to give all its store operations one budget.
_deadline: ContextVar[float | None] = ContextVar("retry_deadline", default=None)


@contextmanager
def budget(seconds: float | None = None) -> Iterator[float]:
    """Everything inside shares one deadline (unless an outer one is already set)."""
    held = _deadline.get()
    if held is not None:
        yield held
        return
    ends = time.monotonic() + (seconds if seconds is not None else budget_seconds())
    token = _deadline.set(ends)
    try:
        yield ends
    finally:
        _deadline.reset(token)


def run(attempt: Callable[[Attempt], T], *, what: str, only_again: bool = False) -> T:
    """Call `attempt` until it returns. It may raise Again, or let a retryable DynamoDB error
    through (see `is_retryable`; with `only_again`, only Again is retried); anything else
    propagates. Past the deadline: RetryLater."""
    with budget() as ends:
        return _run(attempt, what, only_again, ends)


def _run(attempt: Callable[[Attempt], T], what: str, only_again: bool, ends: float) -> T:
    state = Attempt()
    while True:
        try:
            return attempt(state)
        except Exception as err:  # classified just below; the rest re-raised
            kind = _retry_kind(err)
            if kind is None or (only_again and not isinstance(err, Again)):
                raise
            if kind == "ambiguous":
                state.outcome_unknown = True
            state.number += 1
            wait = random.uniform(0, min(_MAX_WAIT, _BASE_WAIT * 2 ** min(state.number, 10)))
            if state.number >= _MAX_ATTEMPTS or time.monotonic() + wait >= ends:
                raise RetryLater(f"DynamoDB is busy; could not {what} in time. Nothing was written "
                                 "twice: retry the request", retry_after=1) from err
            time.sleep(wait)


def optimistic(attempt: Callable[[Attempt], T], *, what: str, attempts: int | None = None,
               exhausted: Callable[[], Exception] | None = None) -> T:
    """Optimistic concurrency, the one loop services use: `attempt` reads, decides and makes
    its conditional write, and raises Again when what it read moved before the write (a
    balance, a member's mark); it is called again on fresh reads after a jittered wait,
    inside the shared budget. Only Again is retried here: each store call inside already
    retries its own conflicts and throttling. After `attempts` tries (default: the budget's
    ceiling) or past the deadline: `exhausted()` if given (a domain answer such as 409
    "changing too fast"), else RetryLater."""
    limit = attempts or _MAX_ATTEMPTS
    ours: list[Again] = []  # our own Agains (a nested call's RetryLater is left as it is)

    def once(state: Attempt) -> T:
        try:
            return attempt(state)
        except Again as again:
            ours.append(again)
            if state.number + 1 < limit:
                raise
            raise (exhausted() if exhausted else RetryLater(
                f"DynamoDB is busy; could not {what} in time. Nothing was written twice: retry the request",
                retry_after=1)) from again

    try:
        return run(once, what=what, only_again=True)
    except RetryLater as err:
        if exhausted is not None and any(err.__cause__ is again for again in ours):
            raise exhausted() from err
        raise


def call(fn: Callable[[], T], *, what: str = "read") -> T:
    """One idempotent call (a read, or a write that is safe to resend) under the discipline."""
    return run(lambda _: fn(), what=what)


def _retry_kind(err: BaseException) -> str | None:
    if isinstance(err, Again):
        return "ambiguous" if err.ambiguous else "safe"
    if isinstance(err, ClientError):
        code = err.response.get("Error", {}).get("Code", "")
        if code in THROTTLED or code in CONFLICTED:
            return "safe"
        if code in UNKNOWN_OUTCOME or err.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0) >= 500:
            return "ambiguous"
        return None
    if isinstance(err, (HTTPClientError, ConnectionClosedError, EndpointConnectionError)):
        return "ambiguous"  # read timeout or dropped connection: the write may have landed
    return None


def is_retryable(err: BaseException) -> bool:
    """Whether the discipline would retry this error."""
    return _retry_kind(err) is not None


def is_ambiguous(err: BaseException) -> bool:
    """Whether the failed call may nevertheless have written."""
    return _retry_kind(err) == "ambiguous"

"""Logging, metrics and the per-request DynamoDB meter.

The meter is filled by botocore event hooks on the one DynamoDB client (store/dynamo.py), so
every call is counted, including those Powertools Idempotency makes, with no code in the
repositories. Tests and benchmarks read it to assert call counts.
"""
from __future__ import annotations

import contextvars
import json
import os
import sys
import time
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from aws_lambda_powertools import Logger

SERVICE = "caseload"


@lru_cache(maxsize=1)
def logger() -> Logger:
    """The service's JSON logger (Powertools), built on first use."""
    return Logger(service=SERVICE)


def set_correlation_id(request_id: str) -> None:
    """Tag every line the current request logs with its id. Powertools' plain keys live on
    the one shared formatter, so concurrent requests would overwrite each other's; its
    thread-safe keys are a context variable, one per thread."""
    logger().thread_safe_append_keys(correlation_id=request_id)


def clear_correlation_id() -> None:
    """Forget the request's id once it has answered (the thread serves other requests)."""
    logger().thread_safe_remove_keys(["correlation_id"])


@dataclass
class DynamoMeter:
    """DynamoDB calls and consumed capacity seen during one request (or one benchmark step)."""

    calls: list[str] = field(default_factory=list)
    capacity_units: float = 0.0
    dynamodb_seconds: float = 0.0
    _call_started: float = 0.0

    @property
    def count(self) -> int:
        return len(self.calls)

    def call_started(self) -> None:
        """Note the start of a call (botocore's before-call event)."""
        self._call_started = time.perf_counter()

    def record(self, operation: str, response: dict[str, Any]) -> None:
        """Count one call, its time, and the capacity DynamoDB reports for it."""
        if self._call_started:
            self.dynamodb_seconds += time.perf_counter() - self._call_started
            self._call_started = 0.0
        self.calls.append(operation)
        consumed = response.get("ConsumedCapacity")
        for entry in consumed if isinstance(consumed, list) else [consumed] if consumed else []:
            self.capacity_units += float(entry.get("CapacityUnits", 0) or 0)

    def summary(self) -> dict[str, Any]:
        return {"dynamodb_calls": self.count, "dynamodb_operations": self.calls,
                "dynamodb_capacity_units": self.capacity_units,
                "dynamodb_ms": round(self.dynamodb_seconds * 1000, 2)}


_meter: contextvars.ContextVar[DynamoMeter | None] = contextvars.ContextVar("dynamo_meter", default=None)


def start_meter() -> DynamoMeter:
    """Begin metering DynamoDB calls for the current request (or thread)."""
    meter = DynamoMeter()
    _meter.set(meter)
    return meter


def current_meter() -> DynamoMeter | None:
    """The meter of the current request, if one was started."""
    return _meter.get()


def record_request(*, operation: str, status: int, duration_ms: float, meter: DynamoMeter) -> None:
    """Emit the request's CloudWatch metrics (EMF), one blob per request, by operation.

    Each request builds its own metric set: Powertools' `Metrics` keeps one set per process
    (class attributes), so concurrent requests flushed, emptied and mutated each other's.
    Metrics are a by-product: a failure here is logged and never changes the response."""
    try:
        _emit_metrics(operation=operation, status=status, duration_ms=duration_ms, meter=meter)
    except Exception as err:  # noqa: BLE001 - the request has been answered; metrics must not undo that
        logger().warning("metrics not recorded", extra={"operation": operation, "error_type": type(err).__name__})


def _emit_metrics(*, operation: str, status: int, duration_ms: float, meter: DynamoMeter) -> None:
    from aws_lambda_powertools.metrics import EphemeralMetrics, MetricUnit
    from aws_lambda_powertools.metrics.functions import is_metrics_disabled

    if is_metrics_disabled():
        return
    # The namespace comes from POWERTOOLS_METRICS_NAMESPACE (set per stage) when present.
    m = EphemeralMetrics(namespace=os.environ.get("POWERTOOLS_METRICS_NAMESPACE", "Caseload"), service=SERVICE)
    m.add_dimension(name="operation", value=operation)
    m.add_metric(name="Requests", unit=MetricUnit.Count, value=1)
    m.add_metric(name="Latency", unit=MetricUnit.Milliseconds, value=duration_ms)
    m.add_metric(name="DynamoDBCalls", unit=MetricUnit.Count, value=meter.count)
    m.add_metric(name="DynamoDBCapacityUnits", unit=MetricUnit.Count, value=meter.capacity_units)
    if status >= 500:
        m.add_metric(name="ServerErrors", unit=MetricUnit.Count, value=1)
    elif status >= 400:
        m.add_metric(name="ClientErrors", unit=MetricUnit.Count, value=1)
    # One write per blob: print() writes the text and the newline separately, and lines of
    # concurrent requests could interleave into one that CloudWatch cannot parse.
    sys.stdout.write(json.dumps(m.serialize_metric_set(), separators=(",", ":")) + "\n")

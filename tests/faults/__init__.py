"""Fault injection for tests: DynamoDB's real failures (transaction conflicts, throttling,
internal errors, answers lost after a write) made to happen on purpose. policy.py decides,
inprocess.py injects into the app's botocore client, proxy.py into any process's traffic to
DynamoDB Local. See tests/README.md, "Fault injection"."""
from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

from tests.faults.policy import Fault, FaultConfig, FaultPolicy


@contextmanager
def app_faults(config: FaultConfig | str | None = None) -> Iterator[FaultPolicy]:
    """Fault injection on the app's DynamoDB client for the duration (config: the argument,
    else CASELOAD_FAULTS, else no random faults: only what the test scripts)."""
    from chalicelib.store import dynamo
    from tests.faults.inprocess import install

    injector = install(dynamo.client(), config if config is not None else os.environ.get("CASELOAD_FAULTS", ""))
    try:
        yield injector.policy
    finally:
        injector.uninstall()


__all__ = ["Fault", "FaultConfig", "FaultPolicy", "app_faults"]

"""The clock every stored timestamp reads (a version's `updated_at`, a membership's `joined_at`,
a note's `signed_at`): the current UTC time, ISO 8601 to the second. One module, so services
stamp what they decide without naming the store's item layer, and the format stays one."""
from __future__ import annotations

from datetime import UTC, datetime


def now() -> str:
    """The current UTC time as stored: ISO 8601 with seconds."""
    return datetime.now(UTC).isoformat(timespec="seconds")

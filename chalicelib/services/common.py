"""Helpers every service uses."""
from __future__ import annotations

from typing import Any, Iterable

from pydantic import BaseModel

from chalicelib.errors import ValidationFailed


def changes_of(update: BaseModel, *, required: Iterable[str]) -> dict[str, Any]:
    """The fields a PATCH sent (null clears a field), refusing to clear a required one."""
    values = update.model_dump(mode="json", exclude_unset=True)
    cleared = sorted(name for name in required if name in values and values[name] is None)
    if cleared:
        raise ValidationFailed([{"field": f"body.{name}", "reason": "cannot be cleared"} for name in cleared])
    return values

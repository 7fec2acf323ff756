"""Helpers every service uses."""
from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from chalicelib.errors import ValidationFailed

if TYPE_CHECKING:
    from pydantic import BaseModel


def changes_of(update: BaseModel, *, required: Iterable[str]) -> dict[str, Any]:
    """The fields a PATCH sent (null clears a field), refusing to clear a required one.

    A nested object sent is stored whole, with its own defaults filled in.
    """
    values = sent_fields(update)
    cleared = sorted(name for name in required if name in values and values[name] is None)
    if cleared:
        raise ValidationFailed([{"field": f"body.{name}", "reason": "cannot be cleared"} for name in cleared])
    return values


def sent_fields(model: BaseModel) -> dict[str, Any]:
    """The top-level fields the caller sent, as JSON values, nested defaults included."""
    return {k: v for k, v in model.model_dump(mode="json").items() if k in model.model_fields_set}

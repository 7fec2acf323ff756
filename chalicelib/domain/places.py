"""Where a service happens: the Place of Service rule for locations (PRODUCT.md §1)."""
from __future__ import annotations

from chalicelib.domain.codes import DEFAULT_POS, TELEHEALTH_POS


def location_pos(*, telehealth: bool, requested: str | None, telehealth_default: str) -> str:
    """The POS code a location bills with; ValueError if it contradicts the telehealth flag."""
    if requested is None:
        return telehealth_default if telehealth else DEFAULT_POS
    if telehealth and requested not in TELEHEALTH_POS:
        raise ValueError("a telehealth location uses POS 02 (patient not at home) or 10 (patient at home)")
    if not telehealth and requested in TELEHEALTH_POS:
        raise ValueError(f"POS {requested} is for telehealth; set telehealth to true or use another code")
    return requested

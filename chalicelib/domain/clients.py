"""Pure rules about clients."""
from __future__ import annotations


def display_name(first_name: str, last_name: str) -> str:
    """How reports, lists and packs name a client."""
    return f"{first_name} {last_name}"

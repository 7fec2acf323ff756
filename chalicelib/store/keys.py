"""Key design. Every key starts with the practice, so a request can only ever address its
own practice's items: tenancy holds by construction of the key, not by a filter."""
from __future__ import annotations

PK = "PK"
SK = "SK"


def practice_pk(practice_id: str) -> str:
    """Partition of a practice's settings and catalogues."""
    return f"P#{practice_id}"


def entity_sk(kind: str, entity_id: str = "") -> str:
    """Sort key of one entity of a kind inside its partition (empty id: the kind's prefix)."""
    return f"{kind}#{entity_id}"


# Sort key of the practice's own record in its partition.
PRACTICE_SK = "PRACTICE"

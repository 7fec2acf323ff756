"""Pure rules for groups: who is on a group session's roster, and how a member's attendance
reads at a glance."""
from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol

# A group note and its members' copies are written in one transaction (100 actions at most),
# and marking attendance for a whole group stays a few seconds' work: 50 members is plenty
# for a therapy group and keeps both well inside the limits.
MAX_MEMBERS = 50

DEFAULT_GROUP_CODE = "90853"

# Attendance states that leave a mark on the member's balances or chart.
CHARGEABLE = ("attended", "no_show", "late_cancel")


class Led(Protocol):
    """What a group says about who leads it (the Group model has these)."""

    @property
    def practitioner_id(self) -> str: ...

    @property
    def shared_with(self) -> list[str]: ...


def practitioners_of(group: Led) -> set[str]:
    """The practitioners who run or share a group: the only practitioners who may see it, its
    sessions and its notes."""
    return {group.practitioner_id, *group.shared_with}


def member_at(periods: list[dict[str, Any]], at: datetime) -> bool:
    """Whether a membership covers a session starting at `at`: a member added before the
    session starts joins it; one removed before it starts has left it."""
    def moment(stamp: str) -> datetime:
        return datetime.fromisoformat(stamp)

    return any(moment(p["joined_at"]) <= at and (p.get("left_at") is None or moment(p["left_at"]) > at)
               for p in periods)


def same_mark(current: dict[str, Any] | None, wanted: dict[str, Any]) -> bool:
    """Whether a member's stored attendance already is what is asked for (nothing to do)."""
    if current is None:
        status: str = wanted["status"]
        return status == "unmarked"
    fields = ("status", "fee", "billing_code", "minutes")
    if wanted.get("custom_code"):
        return all(current.get(f) == wanted.get(f) for f in fields) and \
            current.get("custom_code") == wanted["custom_code"]
    return all(current.get(f) == wanted.get(f) for f in fields) and not current.get("custom_code")


def summary(status: str, billing_code: str | None, charged: list[str], reason: str | None) -> str:
    """'attended · 90853 · pack 'Group 10': 3 of 10' and the like."""
    parts = [status.replace("_", " ")]
    if billing_code:
        parts.append(billing_code)
    if charged:
        parts += charged
    elif reason and status in CHARGEABLE:
        parts.append(f"not charged: {reason}")
    return " · ".join(parts)

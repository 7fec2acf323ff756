"""Pure rules for groups: who is on a group session's roster, and how a member's attendance
reads at a glance."""
from __future__ import annotations

from dataclasses import dataclass, field
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


@dataclass(frozen=True)
class Mark:
    """A member's attendance mark on a group session, as stored beside it: what was asked
    (status, fee, code, minutes, custom code), what it charged or why not, the session it
    recorded and the authorization that session counts against (whose number it shows)."""

    client_id: str
    client_name: str
    status: str
    fee: str
    version: int
    billing_code: str | None = None
    minutes: int | None = None
    custom_code: dict[str, Any] | None = None
    amount: str | None = None
    session_id: str | None = None
    charged: list[str] = field(default_factory=list)
    not_charged_reason: str | None = None
    prior_authorization_number: str | None = None  # as the charge stamped it (shown: the authorization's)
    authorization_id: str | None = None  # the authorization the member's session counts against
    updated_at: str | None = None


def same_mark(current: Mark | None, wanted: dict[str, Any]) -> bool:
    """Whether a member's stored attendance already is what is asked for (nothing to do)."""
    if current is None:
        status: str = wanted["status"]
        return status == "unmarked"
    asked = (current.status == wanted.get("status") and current.fee == wanted.get("fee")
             and current.billing_code == wanted.get("billing_code") and current.minutes == wanted.get("minutes"))
    if wanted.get("custom_code"):
        return asked and current.custom_code == wanted["custom_code"]
    return asked and not current.custom_code


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

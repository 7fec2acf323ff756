"""A user's notification inbox: what was emailed to them, when, and about what."""
from typing import Literal

from chalicelib.models.common import Output


class NotificationEvent(Output):
    type: str
    headline: str
    line: str
    entitlement_kind: Literal["pack", "authorization"]
    entitlement_id: str
    client_id: str


class Notification(Output):
    id: str
    sent_at: str
    subject: str
    events: list[NotificationEvent]

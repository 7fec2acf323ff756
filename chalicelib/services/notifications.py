"""Use cases for the notification inbox."""
from __future__ import annotations

from chalicelib.auth import Principal
from chalicelib.models.notifications import Notification
from chalicelib.store import inbox


def list_notifications(*, principal: Principal, limit: int,
                       start_key: dict | None) -> tuple[list[Notification], dict | None]:
    """The caller's own inbox, newest first (one Query): nobody reads another user's."""
    return inbox.page(principal.practice_id, principal.user_id, limit=limit, start_key=start_key)

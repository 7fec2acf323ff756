"""Use cases for the notification inbox."""
from __future__ import annotations

from chalicelib.auth import Principal
from chalicelib.models.notifications import Notification
from chalicelib.store import items
from chalicelib.store.keys import inbox_pk


def list_notifications(*, principal: Principal, limit: int,
                       start_key: dict | None) -> tuple[list[Notification], dict | None]:
    """The caller's own inbox, newest first (one Query): nobody reads another user's."""
    page = items.query_page(inbox_pk(principal.practice_id, principal.user_id), limit=limit, start_key=start_key,
                            forward=False)
    return [Notification.model_validate(items.public(i)) for i in page.items], page.last_key

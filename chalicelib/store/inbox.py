"""A user's notification inbox (`P#<practice>#USER#<user>#INBOX`, sorted by `<sent at>#<message
id>`): what each digest told that user."""
from __future__ import annotations

from typing import Any

from chalicelib.models.notifications import Notification
from chalicelib.store import items
from chalicelib.store.keys import PK, SK, inbox_pk


def page(practice_id: str, user_id: str, *, limit: int,
         start_key: dict[str, Any] | None) -> tuple[list[Notification], dict[str, Any] | None]:
    """One page of a user's inbox, newest first (one Query), and the key to continue from."""
    found = items.query_page(inbox_pk(practice_id, user_id), limit=limit, start_key=start_key, forward=False)
    return [Notification.model_validate(items.public(i)) for i in found.items], found.last_key


def add(practice_id: str, user_id: str, *, message_id: str, subject: str, alerts: list[dict[str, Any]]) -> None:
    """Record one email sent to a user and the alerts it showed (written once: a new key)."""
    now = items.now()
    items.transact([items.put_action({PK: inbox_pk(practice_id, user_id), SK: f"{now}#{message_id}",
                                      "kind": "INBOX", "id": message_id, "sent_at": now, "subject": subject,
                                      "events": alerts})])

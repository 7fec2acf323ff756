"""A user's notification inbox (`P#<practice>#USER#<user>#INBOX`, sorted by `<sent at>#<message
id>`): what each digest told that user."""
from __future__ import annotations

from typing import Any

from chalicelib.store import items
from chalicelib.store.keys import PK, SK, inbox_pk


def add(practice_id: str, user_id: str, *, message_id: str, subject: str, alerts: list[dict[str, Any]]) -> None:
    """Record one email sent to a user and the alerts it showed (written once: a new key)."""
    now = items.now()
    items.transact([items.put_action({PK: inbox_pk(practice_id, user_id), SK: f"{now}#{message_id}",
                                      "kind": "INBOX", "id": message_id, "sent_at": now, "subject": subject,
                                      "events": alerts})])

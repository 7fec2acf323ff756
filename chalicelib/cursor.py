"""Opaque, tamper-evident pagination cursors.

A cursor is the Query's LastEvaluatedKey, signed with HMAC-SHA256 together with the practice
and the list it belongs to. A cursor edited by hand, or replayed by another practice or on
another list, fails the signature check, so it can never steer a Query to foreign keys.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
from typing import Any

from chalicelib.config import get_settings
from chalicelib.errors import BadRequest


def _mac(payload: bytes) -> bytes:
    key = get_settings().cursor_secret.get_secret_value().encode()
    return hmac.new(key, payload, hashlib.sha256).digest()[:16]


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def encode(last_key: dict[str, Any] | None, *, practice_id: str, scope: str) -> str | None:
    """The cursor for the next page, or None when there is none."""
    if not last_key:
        return None
    payload = json.dumps({"k": last_key, "p": practice_id, "s": scope}, separators=(",", ":"),
                         sort_keys=True, default=str).encode()
    return f"{_b64(payload)}.{_b64(_mac(payload))}"


def decode(cursor: str | None, *, practice_id: str, scope: str) -> dict[str, Any] | None:
    """The start key a cursor stands for; BadRequest if it was not issued for this list."""
    if not cursor:
        return None
    try:
        body, _, signature = cursor.partition(".")
        payload = _unb64(body)
        valid = hmac.compare_digest(_unb64(signature), _mac(payload))
        data = json.loads(payload) if valid else None
    except (ValueError, UnicodeDecodeError) as err:
        raise BadRequest("cursor is not valid", field="query.cursor") from err
    if not data or data.get("p") != practice_id or data.get("s") != scope:
        raise BadRequest("cursor is not valid for this list", field="query.cursor")
    return data["k"]

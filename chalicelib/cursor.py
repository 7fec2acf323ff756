"""Opaque, tamper-evident pagination cursors.

A cursor is the Query's LastEvaluatedKey encrypted and authenticated with AES-GCM, with the
practice and the list it belongs to (its path ids and filters) as associated data. Keys can
hold client data (the name index sorts by "last first"), so a cursor is not readable by the
caller, not only unforgeable; one edited by hand, or replayed by another practice or on another
list, fails authentication, so it can never steer a Query to foreign keys.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import json
import os
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from chalicelib.config import get_settings
from chalicelib.errors import BadRequest

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

_NONCE_BYTES = 12


@lru_cache(maxsize=4)
def _cipher(secret: str) -> AESGCM:
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM  # paid by the first list page

    return AESGCM(hashlib.sha256(b"caseload-cursor-v2:" + secret.encode()).digest())


def _bound_to(practice_id: str, scope: str) -> bytes:
    return f"{practice_id}\x1f{scope}".encode()


def encode(last_key: dict[str, Any] | None, *, practice_id: str, scope: str) -> str | None:
    """The cursor for the next page, or None when there is none."""
    if not last_key:
        return None
    plain = json.dumps(last_key, separators=(",", ":"), sort_keys=True, default=str).encode()
    nonce = os.urandom(_NONCE_BYTES)
    sealed = _cipher(get_settings().cursor_secret.get_secret_value()).encrypt(
        nonce, plain, _bound_to(practice_id, scope))
    return base64.urlsafe_b64encode(nonce + sealed).rstrip(b"=").decode()


def decode(cursor: str | None, *, practice_id: str, scope: str) -> dict[str, Any] | None:
    """The start key a cursor stands for; BadRequest if it was not issued for this list."""
    if not cursor:
        return None
    from cryptography.exceptions import InvalidTag

    try:
        raw = base64.b64decode(cursor + "=" * (-len(cursor) % 4), altchars=b"-_", validate=True)
        plain = _cipher(get_settings().cursor_secret.get_secret_value()).decrypt(
            raw[:_NONCE_BYTES], raw[_NONCE_BYTES:], _bound_to(practice_id, scope))
        key = json.loads(plain)
    except (ValueError, binascii.Error, InvalidTag) as err:
        raise BadRequest("cursor is not valid for this list", field="query.cursor") from err
    if not isinstance(key, dict):
        raise BadRequest("cursor is not valid for this list", field="query.cursor")
    return key

"""Opaque, tamper-safe pagination cursors.

A cursor is ``base64url(json) + "." + base64url(hmac)``. The JSON holds the
DynamoDB ``LastEvaluatedKey`` and a fingerprint of the query it came from, so a
cursor edited by hand, or replayed against other filters, is rejected with
``invalid_cursor`` instead of reaching DynamoDB.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from typing import TYPE_CHECKING, Any

from algoitny.errors import InvalidCursor

if TYPE_CHECKING:
    from algoitny.table.client import Table


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class CursorCodec:
    def __init__(self, secret: str) -> None:
        self._secret = secret.encode()

    def _sign(self, body: bytes) -> bytes:
        return hmac.new(self._secret, body, hashlib.sha256).digest()[:16]

    def encode(self, last_key: dict[str, Any], query: str) -> str:
        body = json.dumps({"k": last_key, "q": query}, separators=(",", ":"), sort_keys=True).encode()
        return f"{_b64(body)}.{_b64(self._sign(body))}"

    def decode(self, cursor: str, query: str) -> dict[str, Any]:
        try:
            body_text, signature_text = cursor.split(".", 1)
            body, signature = _unb64(body_text), _unb64(signature_text)
        except (ValueError, binascii.Error) as exc:
            raise InvalidCursor() from exc
        if not hmac.compare_digest(signature, self._sign(body)):
            raise InvalidCursor()
        payload = json.loads(body)
        if payload.get("q") != query:
            raise InvalidCursor("This cursor belongs to a different query or filter.")
        return payload["k"]


async def query_page(
    table: Table, cursors: CursorCodec, query_id: str, request: dict[str, Any], cursor: str | None
) -> tuple[list[dict[str, Any]], str | None]:
    """One Query page resumed from an opaque ``cursor``; returns its items and the next cursor."""
    if cursor:
        request = request | {"ExclusiveStartKey": cursors.decode(cursor, query_id)}
    items, last_key = await table.query_page(**request)
    return items, (cursors.encode(last_key, query_id) if last_key else None)

"""Refresh-token families: rotation with reuse detection, and revocation.

Each sign-in starts a family. A family item holds the one refresh token id
that may be used next (``cur``). Refreshing swaps it for a new id with one
conditional update; presenting any other id of the family (a token that was
already rotated — stolen, or replayed) revokes the whole family. Access tokens
carry their family id, so revoking a family (logout, reuse) ends them too.
Items expire (TTL) with the family's last refresh token.
"""

from __future__ import annotations

import time

from botocore.exceptions import ClientError

from algoitny.table import keys
from algoitny.table.client import Table
from algoitny.table.codec import ENTITY_TYPE, TOKEN_FAMILY


class RefreshReused(Exception):
    """A rotated (or unknown) refresh token was presented; the family is now revoked."""


class TokenRepository:
    def __init__(self, table: Table) -> None:
        self.table = table

    async def start_family(self, family_id: str, *, user_id: str, token_id: str, expires_at: int) -> None:
        fields = {
            "user_id": user_id,
            "current": token_id,
            "revoked": False,
            "created_at": int(time.time() * 1000),
        }
        item = TOKEN_FAMILY.encode(fields, keys.token_family_key(family_id))
        item["ttl"] = {"N": str(expires_at)}
        await self.table.put_new(item)

    async def rotate(self, family_id: str, *, presented: str, new_token_id: str, expires_at: int) -> None:
        try:
            await self.table.update(
                keys.token_family_key(family_id),
                UpdateExpression="SET #cur = :new, #ttl = :ttl",
                ConditionExpression="#cur = :presented AND #rev = :false",
                ExpressionAttributeNames={
                    "#cur": TOKEN_FAMILY.short("current"),
                    "#rev": TOKEN_FAMILY.short("revoked"),
                    "#ttl": "ttl",
                },
                ExpressionAttributeValues={
                    ":new": {"S": new_token_id},
                    ":presented": {"S": presented},
                    ":false": {"BOOL": False},
                    ":ttl": {"N": str(expires_at)},
                },
            )
        except ClientError as exc:
            if exc.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise
            await self.revoke(family_id)
            raise RefreshReused() from exc

    async def revoke(self, family_id: str) -> None:
        await self.table.update(
            keys.token_family_key(family_id),
            UpdateExpression="SET #rev = :true, #tp = :tp",
            ExpressionAttributeNames={"#rev": TOKEN_FAMILY.short("revoked"), "#tp": ENTITY_TYPE},
            ExpressionAttributeValues={":true": {"BOOL": True}, ":tp": {"S": TOKEN_FAMILY.entity_type}},
        )

    async def get_family(self, family_id: str) -> dict | None:
        """The family's fields, or None if unknown or expired (TTL deletion is lazy)."""
        item = await self.table.get(keys.token_family_key(family_id))
        if item is None or int(item.get("ttl", {}).get("N", "0")) < time.time():
            return None
        return TOKEN_FAMILY.decode(item)

    async def is_active(self, family_id: str) -> bool:
        family = await self.get_family(family_id)
        return family is not None and not family["revoked"]

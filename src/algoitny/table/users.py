"""Users, found by id, email or Google id.

A profile item plus one pointer item per unique lookup (``EMAIL#``, ``GOOGLE#``),
written in one transaction with ``attribute_not_exists`` so two sign-ins can
never create two users for one email or Google account. User ids are random
(never derived from time or email).
"""

from __future__ import annotations

import secrets
import time
from dataclasses import asdict
from typing import Any

from botocore.exceptions import ClientError

from algoitny.domain import Page, User
from algoitny.errors import UserExists, UserNotFound
from algoitny.table import keys
from algoitny.table.client import Item, Table, typed_key
from algoitny.table.codec import USER, USER_POINTER
from algoitny.table.cursor import CursorCodec, query_page


def new_user_id() -> str:
    return "u" + secrets.token_hex(10)


def _now_ms() -> int:
    return int(time.time() * 1000)


def _pointer_put(key: dict[str, str], user_id: str) -> Item:
    return {
        "Put": {
            "Item": USER_POINTER.encode({"user_id": user_id}, key),
            "ConditionExpression": "attribute_not_exists(PK)",
        }
    }


class UserRepository:
    def __init__(self, table: Table, cursors: CursorCodec) -> None:
        self.table = table
        self.cursors = cursors

    async def get(self, user_id: str) -> User:
        item = await self.table.get(keys.user_key(user_id))
        if item is None:
            raise UserNotFound()
        return User(**USER.decode(item))

    async def _by_pointer(self, key: dict[str, str]) -> User | None:
        pointer = await self.table.get(key, consistent=True)
        if pointer is None:
            return None
        return await self.get(USER_POINTER.decode(pointer)["user_id"])

    async def get_by_email(self, email: str) -> User | None:
        return await self._by_pointer(keys.email_key(email.lower()))

    async def get_by_google_id(self, google_id: str) -> User | None:
        return await self._by_pointer(keys.google_key(google_id))

    async def create(self, user: User) -> User:
        """Raises ``Conflict`` when the email or Google id already belongs to someone. Creation
        and last sign-in are now unless given (an imported user keeps the old system's)."""
        user.email = user.email.lower()
        user.created_at = user.created_at or _now_ms()
        user.last_login_at = user.last_login_at or user.created_at
        operations: list[Item] = [
            {
                "Put": {
                    "Item": USER.encode(
                        asdict(user), keys.user_key(user.user_id) | keys.user_list_keys(user.email)
                    ),
                    "ConditionExpression": "attribute_not_exists(PK)",
                }
            },
            _pointer_put(keys.email_key(user.email), user.user_id),
        ]
        if user.google_id:
            operations.append(_pointer_put(keys.google_key(user.google_id), user.user_id))
        await self._transact(operations)
        return user

    async def link_google_id(self, user: User, google_id: str) -> User:
        await self._transact(
            [
                _pointer_put(keys.google_key(google_id), user.user_id),
                {
                    "Update": {
                        "Key": typed_key(keys.user_key(user.user_id)),
                        "UpdateExpression": "SET #g = :g",
                        "ConditionExpression": "attribute_exists(PK)",
                        "ExpressionAttributeNames": {"#g": USER.short("google_id")},
                        "ExpressionAttributeValues": {":g": {"S": google_id}},
                    }
                },
            ]
        )
        user.google_id = google_id
        return user

    async def _transact(self, operations: list[Item]) -> None:
        try:
            await self.table.transact_write(operations)
        except ClientError as exc:
            if exc.response["Error"]["Code"] == "TransactionCanceledException":
                raise UserExists() from exc
            raise

    async def _set(self, user_id: str, fields: dict[str, Any]) -> User:
        expression, names, values = USER.update_expression(fields)
        try:
            attributes = await self.table.update(
                keys.user_key(user_id),
                UpdateExpression=expression,
                ConditionExpression="attribute_exists(PK)",
                ExpressionAttributeNames=names,
                ExpressionAttributeValues=values,
                ReturnValues="ALL_NEW",
            )
        except ClientError as exc:
            if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
                raise UserNotFound() from exc
            raise
        return User(**USER.decode(attributes))

    async def record_sign_in(self, user_id: str, *, role: str, plan: str) -> User:
        return await self._set(user_id, {"last_login_at": _now_ms(), "role": role, "plan": plan})

    async def set_active(self, user_id: str, active: bool) -> User:
        return await self._set(user_id, {"active": active})

    async def set_plan(self, user_id: str, plan: str) -> User:
        return await self._set(user_id, {"plan": plan})

    async def set_consents(self, user_id: str, consents: dict[str, bool]) -> User:
        """``{"privacy": True, ...}`` → the consent's timestamp is now; False clears it."""
        now = _now_ms()
        fields = {f"{name}_consent_at": (now if given else 0) for name, given in consents.items()}
        return await self._set(user_id, fields)

    async def list_users(self, *, email_prefix: str | None, limit: int, cursor: str | None) -> Page:
        query_id = f"users:{email_prefix or ''}"
        condition = "GSI1PK = :pk" + (" AND begins_with(GSI1SK, :prefix)" if email_prefix else "")
        values = {":pk": {"S": keys.USERS}} | (
            {":prefix": {"S": email_prefix.lower()}} if email_prefix else {}
        )
        request: dict[str, Any] = {
            "IndexName": keys.GSI1,
            "KeyConditionExpression": condition,
            "ExpressionAttributeValues": values,
            "Limit": limit,
        }
        items, next_cursor = await query_page(self.table, self.cursors, query_id, request, cursor)
        return Page(items=[User(**USER.decode(item)) for item in items], next_cursor=next_cursor)

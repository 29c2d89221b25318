"""What a signed-in request reads besides its JWT, cached in the process for a few seconds.

Every request with an access token needs two table reads after the signature check
(``deps.current_caller``): is the token's family (session) still active, and the user
(role, plan). Profiled under load (docs/capacity.md) they were a third of the API's CPU
on signed-in reads, since each aiobotocore call costs ~1 ms of Python. Both are cached
here for ``ttl_s`` (``auth.session_cache_s``, 5 s by default; 0 = off).

Freshness: this process's own writes evict at once — revoking a family (sign-out,
refresh-token reuse) and every user write (sign-in, plan, consents, Google link) go
through these subclasses, which the process's ``Resources`` builds. Another process
(``algoitny api --workers N``, other hosts) sees them after at most ``ttl_s``: a token
signed out elsewhere is accepted for up to 5 more seconds, a plan changed elsewhere
applies within 5 seconds. Access tokens live 15 minutes, so the window is small next
to a stolen token's; set ``auth.session_cache_s=0`` if it is not acceptable.

A small dict with expiry times rather than a library (cachetools' TTLCache would do the
same): entries are dropped when read stale, and the dict is cleared when it outgrows
``MAX_ENTRIES``, so memory stays bounded without a sweeper task.
"""

from __future__ import annotations

import dataclasses
import time
from typing import Any

from algoitny.domain import User
from algoitny.singleflight import SingleFlight
from algoitny.table import TokenRepository, UserRepository
from algoitny.table.client import Table
from algoitny.table.cursor import CursorCodec

MAX_ENTRIES = 100_000


class _Expiring:
    def __init__(self, ttl_s: float) -> None:
        self.ttl_s = ttl_s
        self._entries: dict[str, tuple[float, Any]] = {}

    def get(self, key: str) -> tuple[bool, Any]:
        found = self._entries.get(key)
        if found is None:
            return False, None
        if found[0] < time.monotonic():
            self._entries.pop(key, None)
            return False, None
        return True, found[1]

    def put(self, key: str, value: Any) -> None:
        if self.ttl_s <= 0:
            return
        if len(self._entries) >= MAX_ENTRIES:
            self._entries.clear()
        self._entries[key] = (time.monotonic() + self.ttl_s, value)

    def forget(self, key: str) -> None:
        self._entries.pop(key, None)


class CachedTokenRepository(TokenRepository):
    def __init__(self, table: Table, ttl_s: float) -> None:
        super().__init__(table)
        self._active = _Expiring(ttl_s)
        self._loads = SingleFlight()

    async def is_active(self, family_id: str) -> bool:
        hit, active = self._active.get(family_id)
        if not hit:
            active = await self._loads.run(family_id, lambda: self._load(family_id))
        return active

    async def _load(self, family_id: str) -> bool:
        active = await super().is_active(family_id)
        self._active.put(family_id, active)
        return active

    async def revoke(self, family_id: str) -> None:
        try:
            await super().revoke(family_id)
        finally:
            self._active.forget(family_id)
            self._loads.forget(family_id)


class CachedUserRepository(UserRepository):
    def __init__(self, table: Table, cursors: CursorCodec, ttl_s: float) -> None:
        super().__init__(table, cursors)
        self._users = _Expiring(ttl_s)
        self._loads = SingleFlight()

    async def get(self, user_id: str) -> User:
        hit, user = self._users.get(user_id)
        if not hit:
            user = await self._loads.run(user_id, lambda: self._load(user_id))
        return dataclasses.replace(user)  # callers share one cached value: each gets its own copy

    async def _load(self, user_id: str) -> User:
        user = await super().get(user_id)
        self._users.put(user_id, user)
        return user

    def _forget(self, user_id: str) -> None:
        self._users.forget(user_id)
        self._loads.forget(user_id)

    async def _set(self, user_id: str, fields: dict[str, Any]) -> User:
        try:
            return await super()._set(user_id, fields)
        finally:
            self._forget(user_id)

    async def link_google_id(self, user: User, google_id: str) -> User:
        try:
            return await super().link_google_id(user, google_id)
        finally:
            self._forget(user.user_id)

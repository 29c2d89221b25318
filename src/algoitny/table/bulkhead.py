"""At most N DynamoDB calls in flight per client, and a bounded wait for a turn.

aiobotocore's connection pool (``max_pool_connections``) already caps the sockets, but
a call that finds every connection busy waits for one without any time limit (aiohttp's
pool wait has no timeout unless a total one is set, which would also cut long reads).
When the table hangs, every connection sits out its read timeout and the queue behind
them grows with the load, so a caller could wait many times the API's fail-fast bound.
Here the wait for a turn is bounded: past ``wait_s`` the call raises
``ServiceUnavailable`` (503). Under ordinary load a turn comes within milliseconds, so
the queue forms here, in the API process, instead of as errors.

The semaphore holds as many slots as the pool holds connections, so the pool itself
never queues.
"""

from __future__ import annotations

import asyncio
import functools
from typing import Any

from algoitny.errors import ServiceUnavailable


class TableBusy(ServiceUnavailable):
    default_message = "The table is not answering: every connection to it is busy."


class BoundedClient:
    """Wraps an aiobotocore client: its API operations (``get_item``, ``query``, …) take a
    slot; everything else (``meta``, ``exceptions``, paginators) passes through unchanged."""

    def __init__(self, client: Any, *, limit: int, wait_s: float) -> None:
        self._client = client
        self._slots = asyncio.Semaphore(limit)
        self._wait_s = wait_s
        self._operations = frozenset(client.meta.method_to_api_mapping)

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._client, name)
        if name not in self._operations:
            return attribute
        bounded = self._bound(attribute)
        setattr(self, name, bounded)  # built once per operation, then found without __getattr__
        return bounded

    def _bound(self, call: Any) -> Any:
        @functools.wraps(call)
        async def bounded(*args: Any, **kwargs: Any) -> Any:
            await self._take_slot()
            try:
                return await call(*args, **kwargs)
            finally:
                self._slots.release()

        return bounded

    async def _take_slot(self) -> None:
        if not self._slots.locked():
            await self._slots.acquire()  # free: returns without suspending
            return
        try:
            async with asyncio.timeout(self._wait_s):
                await self._slots.acquire()
        except TimeoutError:
            raise TableBusy() from None

"""At most N DynamoDB calls in flight per client, and a bounded wait for a turn.

aiobotocore's connection pool (``max_pool_connections``) already caps the sockets, but
a call that finds every connection busy waits for one without any time limit (aiohttp's
pool wait has no timeout unless a total one is set, which would also cut long reads).
When the table hangs, every connection sits out its read timeout and the queue behind
them grows with the load, so a caller could wait many times the API's fail-fast bound.

So a call that finds every slot taken waits for its turn for as long as the table keeps
answering, and gives up (``TableBusy``, a 503) once the table has given *no* answer for
``wait_s``: a hung table fails the queue within that bound, while a table that is merely
busy (many clients, a starved host) keeps its queue waiting here in the API process
instead of turning the overload into errors. Any answer counts as one, an error
answer too; timeouts and refused connections do not.

The semaphore holds as many slots as the pool holds connections, so the pool itself
never queues.
"""

from __future__ import annotations

import asyncio
import functools
import time
from typing import Any

from botocore.exceptions import ClientError

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
        self._last_answer = time.monotonic()
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
                response = await call(*args, **kwargs)
            except ClientError:
                self._last_answer = time.monotonic()  # the table answered, with an error
                raise
            finally:
                self._slots.release()
            self._last_answer = time.monotonic()
            return response

        return bounded

    async def _take_slot(self) -> None:
        if not self._slots.locked():
            await self._slots.acquire()  # free: returns without suspending
            return
        while True:
            try:
                async with asyncio.timeout(self._wait_s):
                    await self._slots.acquire()
                return
            except TimeoutError:
                if time.monotonic() - self._last_answer >= self._wait_s:
                    raise TableBusy() from None

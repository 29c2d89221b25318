"""One load per key at a time: concurrent callers that miss the same cache entry share it.

Without it, a hot entry expiring under load sends every request in flight to the table at
once (64 concurrent readers → 64 identical GetItems; profiled in docs/capacity.md). The
first caller starts the load as a task; the others await the same task (shielded, so one
caller giving up does not cancel it for the rest) and get its value or its exception.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any


class SingleFlight:
    def __init__(self) -> None:
        self._loads: dict[str, asyncio.Future[Any]] = {}

    async def run(self, key: str, load: Callable[[], Awaitable[Any]]) -> Any:
        task = self._loads.get(key)
        if task is None:
            task = asyncio.ensure_future(load())
            self._loads[key] = task
            task.add_done_callback(lambda done: self._finished(key, done))
        return await asyncio.shield(task)

    def forget(self, key: str) -> None:
        """Callers after this start a new load (a write happened while one was running)."""
        self._loads.pop(key, None)

    def _finished(self, key: str, task: asyncio.Future[Any]) -> None:
        if self._loads.get(key) is task:
            del self._loads[key]
        if not task.cancelled():
            task.exception()  # retrieved: a failed load nobody awaited any more is not "never retrieved"

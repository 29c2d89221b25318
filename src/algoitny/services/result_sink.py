"""Where a judgement's finished tests go, without holding up the next test.

The judge hands each record to ``ResultSink.add`` and goes straight back to the runner,
so a freed slot is refilled at once. Two tasks do the waiting:

- the publisher sends each test's event live and in the order the tests were added; a
  test's result goes into the results hash in the same MULTI as its event (what a rerun
  trusts, see ``services/judge.py``). Tests that finished while the previous MULTI was in
  flight go out together in the next one: still one stream entry each, in order;
- the writer stores records in the table, one BatchWrite per ``RESULTS_PER_WRITE``, in
  the background; the rest (fewer than that) is written by ``close``.

``close`` returns once every record is published and stored: only then may the judge
finish the submission. A failure of either task is raised by the next ``add`` (the judge
stops there: the job is retried, and the rerun trusts only what the hash holds) or by
``close``. ``abort`` cancels both, for a judgement that ends by an exception.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import asdict
from typing import Any

from algoitny.domain import TestRecord
from algoitny.events import EventLog
from algoitny.table.submissions import SubmissionRepository

RESULTS_PER_WRITE = 25


class ResultSink:
    def __init__(
        self,
        events: EventLog,
        submissions: SubmissionRepository,
        task_id: str,
        *,
        event_of: Callable[[TestRecord], dict[str, Any]],
        unsaved: list[TestRecord],
        after: Awaitable[Any] | None = None,
    ) -> None:
        """``unsaved``: records of an earlier run, stored again (a rerun cannot know which
        were). ``after``: awaited before the first test is published (the ``compiled`` event)."""
        self.events, self.submissions, self.task_id = events, submissions, task_id
        self.event_of = event_of
        self._to_publish: list[TestRecord] = []
        self._to_store = list(unsaved)
        self._published = asyncio.Event()  # wakes the publisher
        self._stored = asyncio.Event()  # wakes the writer
        self._closing = False
        self._after = asyncio.ensure_future(after) if after is not None else None
        self._publisher = asyncio.ensure_future(self._publish())
        self._writer = asyncio.ensure_future(self._store())

    def add(self, record: TestRecord) -> None:
        for task in (self._publisher, self._writer):
            if task.done():
                task.result()  # raises its failure; a task never ends early otherwise
                raise RuntimeError("the result sink stopped before it was closed")
        self._to_publish.append(record)
        self._published.set()
        self._to_store.append(record)
        if len(self._to_store) >= RESULTS_PER_WRITE:
            self._stored.set()

    async def close(self) -> None:
        """Every record added is published and stored when this returns."""
        self._closing = True
        self._published.set()
        self._stored.set()
        try:
            await asyncio.gather(self._publisher, self._writer)
        except BaseException:
            await self.abort()
            raise

    async def abort(self) -> None:
        tasks = [self._publisher, self._writer, *([self._after] if self._after else [])]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    async def _publish(self) -> None:
        if self._after is not None:
            await self._after
        while True:
            await self._published.wait()
            self._published.clear()
            while self._to_publish:
                batch, self._to_publish = self._to_publish, []
                await self.events.publish_tests(
                    self.task_id, [(r.index, asdict(r), self.event_of(r)) for r in batch]
                )
            if self._closing:
                return

    async def _store(self) -> None:
        while True:
            await self._stored.wait()
            self._stored.clear()
            while len(self._to_store) >= RESULTS_PER_WRITE or (self._closing and self._to_store):
                batch = self._to_store[:RESULTS_PER_WRITE]
                del self._to_store[:RESULTS_PER_WRITE]
                await self.submissions.save_results(self.task_id, batch)
            if self._closing:
                return

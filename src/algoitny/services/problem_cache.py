"""A read-through Redis cache of hot problems: the problem's item and its samples.

Read path: ``CachedProblemRepository.get`` (eventually consistent reads only) and
``CachedTestCaseRepository.list_samples`` look in Redis first; on a miss they read the
table and store what they read for ``ttl_s`` seconds. The problem is cached *with* its
``deleted`` flag and status, exactly as the table holds it, and the caller's checks run
on the cached value as on a fresh one: ``get`` refuses a deleted problem unless asked
for deleted ones, and ``services/problems.may_see`` decides drafts afterwards. So the
cache can never show a draft or a deleted problem to someone the table read would not.

Write path: every repository write that changes a cached value (problem create, update,
delete, restore; test-case add, delete, replace — they change ``test_case_count`` and
the samples; a finished submission — it adds to ``execution_count``) deletes both keys
*after* the table write. Both the API and the
worker build their repositories here (``resources.py``), so the worker's writes
(generated test cases) invalidate too.

The race, and why the TTL bounds it: a reader that missed reads the old item, then a
writer writes and deletes the key, then the reader stores the old item. Or an
eventually consistent read right after a write returns the old item. Either way the
stale value lives at most ``ttl_s`` (10 s by default). The same bound covers writers
that do not go through these classes (migrations, the legacy importer) and a failed
delete while Redis was down. A stale
*visibility* is the one that matters: publishing a draft shows up within ``ttl_s``;
deleting a problem or taking it back to draft is visible at once on this path (the key
is deleted after the write) and within ``ttl_s`` on every other.

Redis is an optimisation here, never a dependency: any Redis error or a slow answer
(``TIMEOUT_S``) falls through to the table, and for ``BYPASS_S`` after a failure the cache
is not tried at all, so an outage costs one timeout, not one per request.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Sequence
from dataclasses import asdict
from typing import Any

from redis.asyncio import Redis
from redis.exceptions import RedisError

from algoitny import redis_keys
from algoitny.domain import BulkAddResult, NewTestCase, Problem, Submission, Summary, TestCase
from algoitny.errors import ProblemNotFound
from algoitny.singleflight import SingleFlight
from algoitny.table import ProblemRepository, SubmissionRepository, Table, TestCaseRepository
from algoitny.table.cursor import CursorCodec

log = logging.getLogger(__name__)

TIMEOUT_S = 1.0
BYPASS_S = 5.0


class ProblemCache:
    """JSON values under ``redis_keys.problem_cache``, namespaced by table name."""

    def __init__(self, redis: Redis, table_name: str, ttl_s: float) -> None:
        self.redis = redis
        self.table_name = table_name
        self.ttl_ms = int(ttl_s * 1000)
        self._bypass_until = 0.0
        self.loads = SingleFlight()  # concurrent misses of one key share one table read

    @property
    def enabled(self) -> bool:
        return self.ttl_ms > 0 and time.monotonic() >= self._bypass_until

    def _failed(self, action: str, exc: BaseException) -> None:
        self._bypass_until = time.monotonic() + BYPASS_S
        log.warning("problem cache %s failed (%r); reading the table for %.0f s", action, exc, BYPASS_S)

    def key(self, kind: str, platform: str, identifier: str) -> str:
        return redis_keys.problem_cache(self.table_name, kind, platform, identifier)

    async def read(self, kind: str, platform: str, identifier: str) -> Any | None:
        if not self.enabled:
            return None
        try:
            async with asyncio.timeout(TIMEOUT_S):
                raw = await self.redis.get(self.key(kind, platform, identifier))
        except (RedisError, OSError, TimeoutError) as exc:
            self._failed("read", exc)
            return None
        return None if raw is None else json.loads(raw)

    async def store(self, kind: str, platform: str, identifier: str, value: Any) -> None:
        if not self.enabled:
            return
        try:
            async with asyncio.timeout(TIMEOUT_S):
                await self.redis.set(self.key(kind, platform, identifier), json.dumps(value), px=self.ttl_ms)
        except (RedisError, OSError, TimeoutError) as exc:
            self._failed("store", exc)

    async def forget(self, platform: str, identifier: str) -> None:
        """Deletes both keys; tried even while bypassing (the outage may be over)."""
        if self.ttl_ms <= 0:
            return
        keys = [self.key(kind, platform, identifier) for kind in redis_keys.PROBLEM_CACHE_KINDS]
        for key in keys:
            self.loads.forget(key)
        try:
            async with asyncio.timeout(TIMEOUT_S):
                await self.redis.delete(*keys)
        except (RedisError, OSError, TimeoutError) as exc:
            self._failed("invalidation", exc)  # the value left behind expires within the TTL


def _problem(cached: Any) -> Problem | None:
    try:
        return Problem(**cached)
    except TypeError:  # written by another version of Problem: a miss
        return None


class CachedProblemRepository(ProblemRepository):
    def __init__(self, table: Table, cursors: CursorCodec, cache: ProblemCache) -> None:
        super().__init__(table, cursors)
        self.cache = cache

    async def get(
        self, *, platform: str, identifier: str, consistent: bool = False, include_deleted: bool = False
    ) -> Problem:
        if consistent:
            return await super().get(
                platform=platform, identifier=identifier, consistent=True, include_deleted=include_deleted
            )
        cached = await self.cache.read("problem", platform, identifier)
        problem = _problem(cached) if cached is not None else None
        if problem is None:
            problem = await self.cache.loads.run(
                self.cache.key("problem", platform, identifier), lambda: self._load(platform, identifier)
            )
        if problem.deleted and not include_deleted:
            raise ProblemNotFound()
        return problem

    async def _load(self, platform: str, identifier: str) -> Problem:
        problem = await super().get(platform=platform, identifier=identifier, include_deleted=True)
        await self.cache.store("problem", platform, identifier, asdict(problem))
        return problem

    async def create(self, problem: Problem) -> Problem:
        created = await super().create(problem)
        await self.cache.forget(problem.platform, problem.identifier)
        return created

    async def update(self, *, platform: str, identifier: str, changes: dict[str, Any]) -> Problem:
        updated = await super().update(platform=platform, identifier=identifier, changes=changes)
        await self.cache.forget(platform, identifier)
        return updated

    async def delete(self, *, platform: str, identifier: str) -> None:
        await super().delete(platform=platform, identifier=identifier)
        await self.cache.forget(platform, identifier)

    async def restore(self, *, platform: str, identifier: str) -> Problem:
        restored = await super().restore(platform=platform, identifier=identifier)
        await self.cache.forget(platform, identifier)
        return restored


class CachedTestCaseRepository(TestCaseRepository):
    __test__ = False

    def __init__(self, table: Table, cursors: CursorCodec, cache: ProblemCache) -> None:
        super().__init__(table, cursors)
        self.cache = cache

    async def list_samples(self, *, platform: str, identifier: str) -> list[TestCase]:
        cached = await self.cache.read("samples", platform, identifier)
        if cached is not None:
            try:
                return [TestCase(**sample) for sample in cached]
            except TypeError:
                pass
        return await self.cache.loads.run(
            self.cache.key("samples", platform, identifier), lambda: self._load(platform, identifier)
        )

    async def _load(self, platform: str, identifier: str) -> list[TestCase]:
        samples = await super().list_samples(platform=platform, identifier=identifier)
        await self.cache.store("samples", platform, identifier, [asdict(s) for s in samples])
        return samples

    async def add_many(
        self,
        *,
        platform: str,
        identifier: str,
        new_cases: Sequence[NewTestCase],
        created_at: Sequence[int] | None = None,
    ) -> BulkAddResult:
        try:
            return await super().add_many(
                platform=platform, identifier=identifier, new_cases=new_cases, created_at=created_at
            )
        finally:  # a failed add may have written some cases: forget either way
            await self.cache.forget(platform, identifier)

    async def delete(self, *, platform: str, identifier: str, test_case_id: str) -> int:
        try:
            return await super().delete(platform=platform, identifier=identifier, test_case_id=test_case_id)
        finally:
            await self.cache.forget(platform, identifier)

    async def replace_all(
        self, *, platform: str, identifier: str, new_cases: Sequence[NewTestCase]
    ) -> BulkAddResult:
        try:
            return await super().replace_all(platform=platform, identifier=identifier, new_cases=new_cases)
        finally:
            await self.cache.forget(platform, identifier)


class CachedSubmissionRepository(SubmissionRepository):
    """Finishing a submission counts it on its problem (``execution_count``)."""

    def __init__(self, table: Table, cursors: CursorCodec, cache: ProblemCache) -> None:
        super().__init__(table, cursors)
        self.cache = cache

    async def finish(self, submission: Submission, summary: Summary) -> bool:
        try:
            return await super().finish(submission, summary)
        finally:
            await self.cache.forget(submission.platform, submission.identifier)

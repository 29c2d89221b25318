"""The arq worker: settings and job functions.

Shared clients are opened in ``on_startup`` (the same ``Resources`` as the
API) and closed in ``on_shutdown``. Jobs are ``async def job(ctx, ...)`` and
idempotent: arq may run a job more than once, and a crashed worker's job is
resumed by the next worker (see ``services/lease.py``).

``Worker`` is arq's worker made to outlive Redis: a lost connection (Redis
restarted, a network blip) is logged, waited out with jittered exponential
backoff, and the poll loop resumes on a fresh connection, instead of ending
``run_worker``. While up, the worker announces itself (``services/workers.py``)
every few seconds: the languages whose toolchains it has, its slots, its version.

Counterexample searches (``services/counterexample.py``) have an arq queue of their own
(``{queue}:stress``), served by a second ``Worker`` that runs inside the same process, on
the same resources, started in ``on_startup`` with ``StressSettings.worker_jobs`` (default
1) jobs at a time. Two queues rather than arq priorities (arq has none: one sorted set
per queue, by enqueue time): a backlog of searches can never sit in front of a
submission, and the judging worker's ``max_jobs`` slots are never taken by a search; a
worker's sandbox slots are shared, so a search running beside judging costs it at most
``worker_jobs`` of them at a time. A search whose job was lost from Redis is found and
restarted (or, too old, marked failed) by ``services/search_recovery.py``, which every
worker runs periodically.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import random
from typing import Any

import arq.worker
from arq import Retry, func
from arq.connections import create_pool, log_redis_info
from arq.utils import poll
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from algoitny import __version__, executor
from algoitny.observability import jobs as observed_jobs
from algoitny.observability import metrics
from algoitny.observability.redis import count_error
from algoitny.resources import arq_redis_settings, open_resources
from algoitny.services import (
    ai_jobs,
    counterexample,
    generation,
    judge,
    lease,
    reference,
    run,
    search_recovery,
    workers,
)
from algoitny.services.submit import JUDGE_JOB, RUN_JOB
from algoitny.settings import Settings, get_settings

log = logging.getLogger(__name__)

# arq keeps a job's in-progress mark for its timeout plus this (arq.worker: ``+ 10``).
ARQ_IN_PROGRESS_EXTRA_S = 10
# Unexpected failures are retried this many times (after 2, 4, 8, 16 s) before the
# submission ends as IE. Crashes of the worker itself are recovered by leases, not counted here.
ERROR_RETRIES = 4
# Reconnecting to Redis: the first wait, doubled per failed attempt up to the last, ±50 % jitter
# so a fleet of workers does not reconnect in lockstep.
RECONNECT_FIRST_S = 0.5
RECONNECT_MAX_S = 15.0
REDIS_DOWN = (RedisConnectionError, RedisTimeoutError)


class Worker(arq.worker.Worker):
    """arq's worker, with a main loop that survives Redis outages (see the module docstring)."""

    async def main(self) -> None:
        started = False
        backoff = RECONNECT_FIRST_S
        while True:
            try:
                if self._pool is None:
                    self._pool = await create_pool(
                        self.redis_settings,
                        job_deserializer=self.job_deserializer,
                        job_serializer=self.job_serializer,
                        default_queue_name=self.queue_name,
                        expires_extra_ms=self.expires_extra_ms,
                    )
                else:
                    await self.pool.ping()
                if not started:
                    log.info(
                        "starting worker for %d functions: %s", len(self.functions), ", ".join(self.functions)
                    )
                    await log_redis_info(self.pool, log.info)
                    self.ctx["redis"] = self.pool
                    if self.on_startup:
                        await self.on_startup(self.ctx)
                    started = True
                elif backoff > RECONNECT_FIRST_S:
                    log.info("Redis is back; resuming")
                async for _ in poll(self.poll_delay_s):
                    await self._poll_iteration()
                    backoff = RECONNECT_FIRST_S
                    if self.burst and await self._burst_finished():
                        return
            except REDIS_DOWN as exc:
                count_error("poll", exc)
                wait = backoff * random.uniform(0.5, 1.5)
                log.warning(
                    "Redis is unreachable (%s: %s); reconnecting in %.1f s", type(exc).__name__, exc, wait
                )
                if self._pool is not None:
                    # Drop every connection: after a restart they are all dead.
                    with contextlib.suppress(Exception):
                        await self.pool.connection_pool.disconnect()
                await asyncio.sleep(wait)
                backoff = min(backoff * 2, RECONNECT_MAX_S)

    async def _burst_finished(self) -> bool:
        if 0 <= self.max_burst_jobs <= self._jobs_started() or await self.pool.zcard(self.queue_name) == 0:
            await asyncio.gather(*self.tasks.values())
            return True
        return False

    async def close(self) -> None:
        try:
            await super().close()
        except REDIS_DOWN:  # stopping during an outage: arq's bookkeeping keys cannot be removed
            if self.on_shutdown and "exit_stack" in self.ctx:
                await self.on_shutdown(self.ctx)
            self._pool = None


async def _reclaim_forever(ctx: dict[str, Any]) -> None:
    settings: Settings = ctx["settings"]
    judge_settings = settings.judge
    queues = {
        settings.redis.queue_name: judge_settings.job_timeout_s,
        counterexample.stress_queue(settings): settings.stress.job_timeout_s,
    }
    while True:
        try:
            for queue_name, timeout_s in queues.items():
                reclaimed = await lease.reclaim_stale(
                    ctx["resources"].redis,
                    queue_name,
                    lease_s=judge_settings.lease_s,
                    in_progress_timeout_s=timeout_s + ARQ_IN_PROGRESS_EXTRA_S,
                )
                metrics.lease_reclaims.inc(len(reclaimed))
        except Exception:  # Redis blips must not kill the loop
            log.exception("reclaiming stale jobs failed")
        await asyncio.sleep(judge_settings.lease_s / 2)


def _judged_languages() -> tuple[str, ...]:
    """The languages whose toolchain this host has (probes the disk: call in a thread)."""
    return tuple(info.id for info in executor.languages() if info.available)


async def on_startup(ctx: dict[str, Any]) -> None:
    # Build the sandbox runtime now (it checks the host and compiles its launcher),
    # so a broken host fails the worker at start, not the first submission.
    settings: Settings = ctx["settings"]
    slots = settings.judge.slots
    if slots:
        executor.configure(dataclasses.replace(executor.ExecutorConfig.from_env(), slots=slots))
    runtime = await asyncio.to_thread(executor.get_runtime)
    stack = contextlib.AsyncExitStack()
    resources = ctx["resources"] = await stack.enter_async_context(open_resources(settings, worker=True))
    ctx["exit_stack"] = stack
    ctx["reclaimer"] = asyncio.ensure_future(_reclaim_forever(ctx))
    announcement = ctx["announcement"] = workers.WorkerAnnouncement(
        worker_id=workers.new_worker_id(),
        languages=await asyncio.to_thread(_judged_languages),
        slots=runtime.config.slots,
        max_jobs=settings.judge.worker_jobs,
        version=__version__,
    )
    log.info("worker %s judges %s", announcement.worker_id, ", ".join(announcement.languages))
    ctx["heartbeat"] = asyncio.ensure_future(
        workers.heartbeat_forever(resources.redis, settings.redis.queue_name, announcement)
    )
    metrics.worker_slots.set(runtime.config.slots)
    ctx["queue_watch"] = asyncio.ensure_future(
        observed_jobs.watch_queue(resources.redis, settings.redis.queue_name, settings.metrics.queue_poll_s)
    )
    ctx["metrics_server"] = observed_jobs.serve_metrics(
        settings.metrics.worker_host, settings.metrics.worker_port
    )
    searcher = ctx["stress_worker"] = Worker(**stress_worker_settings(settings, resources))
    ctx["stress_main"] = asyncio.ensure_future(searcher.main())
    ctx["search_recovery"] = asyncio.ensure_future(search_recovery.recover_forever(resources))


async def _stop_stress_worker(ctx: dict[str, Any]) -> None:
    """Running searches are cancelled: arq puts them back in their queue (they are
    idempotent), and the next worker runs them again."""
    searcher: Worker = ctx["stress_worker"]
    ctx["stress_main"].cancel()
    running = list(searcher.tasks.values())
    for task in running:
        task.cancel()
    await asyncio.gather(ctx["stress_main"], *running, return_exceptions=True)
    with contextlib.suppress(Exception):  # Redis may be down
        await searcher.close()


async def on_shutdown(ctx: dict[str, Any]) -> None:
    await _stop_stress_worker(ctx)
    ctx["search_recovery"].cancel()
    ctx["reclaimer"].cancel()
    ctx["heartbeat"].cancel()
    ctx["queue_watch"].cancel()
    if ctx["metrics_server"] is not None:
        await asyncio.to_thread(ctx["metrics_server"].shutdown)
        ctx["metrics_server"].server_close()
    with contextlib.suppress(Exception):  # Redis may be down; the announcement then expires alone
        await workers.withdraw(
            ctx["resources"].redis, ctx["settings"].redis.queue_name, ctx["announcement"].worker_id
        )
    await executor.get_runtime().idle()  # finish removing the last runs' cgroups
    await ctx["exit_stack"].aclose()


async def judge_submission(ctx: dict[str, Any], submission_id: str) -> str | None:
    resources = ctx["resources"]
    async with lease.held(resources.redis, submission_id, resources.settings.judge.lease_s):
        try:
            summary = await judge.judge_submission(resources, submission_id)
        except Exception as exc:  # the table, Redis or the sandbox failed: retry, then give up
            if ctx["job_try"] <= ERROR_RETRIES:
                log.warning(
                    "judging %s failed (try %d); retrying", submission_id, ctx["job_try"], exc_info=True
                )
                raise Retry(defer=2 ** ctx["job_try"]) from exc
            log.exception("judging %s failed for good", submission_id)
            summary = await judge.give_up(resources, submission_id, f"Internal error: {type(exc).__name__}")
    return summary.verdict if summary else None


async def run_custom(ctx: dict[str, Any], task_id: str) -> str | None:
    resources = ctx["resources"]
    async with lease.held(resources.redis, task_id, resources.settings.judge.lease_s):
        summary = await run.run_custom(resources, task_id)
    return summary["verdict"] if summary else None


async def ping(ctx: dict[str, Any]) -> str:
    """A no-op job: proves a worker is consuming the queue."""
    return "pong"


def worker_settings(settings: Settings | None = None) -> dict[str, Any]:
    settings = settings or get_settings()
    timeout = settings.judge.job_timeout_s
    return {
        # Each job observed (observability/jobs.py): log context, metrics, the API's request id.
        "functions": [
            func(observed_jobs.observed(name, job), name=name, timeout=timeout, max_tries=10)
            for name, job in (
                (JUDGE_JOB, judge_submission),
                (RUN_JOB, run_custom),
                # Same timeout as judging: the reclaimer dates in-progress marks by it.
                (ai_jobs.TEST_CASES_JOB, generation.generate_test_cases),
                (ai_jobs.REFERENCE_JOB, reference.generate_reference_solution),
            )
        ]
        + [ping],
        "on_startup": on_startup,
        "on_shutdown": on_shutdown,
        "redis_settings": arq_redis_settings(settings.redis.url),
        "queue_name": settings.redis.queue_name,
        "max_jobs": settings.judge.worker_jobs,
        "job_timeout": timeout,
        "poll_delay": 0.02,
        "keep_result": 3600,
        "ctx": {"settings": settings},
        "handle_signals": True,
        # On SIGTERM, stop taking jobs and give running ones this long to finish.
        "job_completion_wait": 10,
    }


def stress_worker_settings(settings: Settings, resources: Any) -> dict[str, Any]:
    """The second worker of the process: counterexample searches, on their own queue."""
    stress = settings.stress
    return {
        "functions": [
            func(
                counterexample.find_counterexample_job,
                name=counterexample.STRESS_JOB,
                timeout=stress.job_timeout_s,
                max_tries=10,
            )
        ],
        "redis_settings": arq_redis_settings(settings.redis.url),
        "queue_name": counterexample.stress_queue(settings),
        "max_jobs": stress.worker_jobs,
        "job_timeout": stress.job_timeout_s,
        "poll_delay": 0.05,
        "keep_result": 3600,
        "ctx": {"settings": settings, "resources": resources},
        "handle_signals": False,  # the judging worker owns the process's signals
        # arq's health-check key is per queue name, so the two workers do not collide.
    }


def run_worker(settings: Settings | None = None) -> Worker:
    """``algoitny worker``: runs until SIGTERM/SIGINT, outliving Redis outages."""
    worker = Worker(**worker_settings(settings))
    worker.run()
    return worker

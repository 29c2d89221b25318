"""The arq worker: settings and job functions.

Shared clients are opened in ``on_startup`` (the same ``Resources`` as the
API) and closed in ``on_shutdown``. Jobs are ``async def job(ctx, ...)`` and
idempotent: arq may run a job more than once, and a crashed worker's job is
resumed by the next worker (see ``services/lease.py``).
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
from typing import Any

from arq import Retry, func

from algoitny import executor
from algoitny.resources import arq_redis_settings, open_resources
from algoitny.services import ai_jobs, generation, judge, lease, reference, run
from algoitny.services.submit import JUDGE_JOB, RUN_JOB
from algoitny.settings import Settings, get_settings

log = logging.getLogger(__name__)

# arq keeps a job's in-progress mark for its timeout plus this (arq.worker: ``+ 10``).
ARQ_IN_PROGRESS_EXTRA_S = 10
# Unexpected failures are retried this many times (after 2, 4, 8, 16 s) before the
# submission ends as IE. Crashes of the worker itself are recovered by leases, not counted here.
ERROR_RETRIES = 4


async def _reclaim_forever(ctx: dict[str, Any]) -> None:
    settings: Settings = ctx["settings"]
    judge_settings = settings.judge
    while True:
        try:
            await lease.reclaim_stale(
                ctx["resources"].redis,
                settings.redis.queue_name,
                lease_s=judge_settings.lease_s,
                in_progress_timeout_s=judge_settings.job_timeout_s + ARQ_IN_PROGRESS_EXTRA_S,
            )
        except Exception:  # Redis blips must not kill the loop
            log.exception("reclaiming stale jobs failed")
        await asyncio.sleep(judge_settings.lease_s / 2)


async def on_startup(ctx: dict[str, Any]) -> None:
    # Build the sandbox runtime now (it checks the host and compiles its launcher),
    # so a broken host fails the worker at start, not the first submission.
    slots = ctx["settings"].judge.slots
    if slots:
        executor.configure(dataclasses.replace(executor.ExecutorConfig.from_env(), slots=slots))
    await asyncio.to_thread(executor.get_runtime)
    stack = contextlib.AsyncExitStack()
    ctx["resources"] = await stack.enter_async_context(open_resources(ctx["settings"]))
    ctx["exit_stack"] = stack
    ctx["reclaimer"] = asyncio.ensure_future(_reclaim_forever(ctx))


async def on_shutdown(ctx: dict[str, Any]) -> None:
    ctx["reclaimer"].cancel()
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
        "functions": [
            func(judge_submission, name=JUDGE_JOB, timeout=timeout, max_tries=10),
            func(run_custom, name=RUN_JOB, timeout=timeout, max_tries=10),
            # Same timeout as judging: the reclaimer dates in-progress marks by it.
            func(generation.generate_test_cases, name=ai_jobs.TEST_CASES_JOB, timeout=timeout, max_tries=10),
            func(
                reference.generate_reference_solution,
                name=ai_jobs.REFERENCE_JOB,
                timeout=timeout,
                max_tries=10,
            ),
            ping,
        ],
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

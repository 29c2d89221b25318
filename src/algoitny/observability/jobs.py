"""The worker's side: its own ``/metrics`` server, job instrumentation, the queue gauges.

- ``serve_metrics`` starts prometheus_client's HTTP server, which answers from a daemon thread
  of its own: a scrape never waits for the event loop, and a loop busy judging never makes a
  scrape time out. A port already taken is logged as an error and the worker goes on judging
  (Prometheus then sees the target down, which is what alerts on).
- ``observed(kind, job)`` wraps an arq job function: it binds the log context (``job``,
  ``task_id``, ``request_id`` the API passed in, ``job_try``), logs the job's start and end,
  and records queue wait, duration, outcome and retries. ``request_id`` is taken out of the
  job's keyword arguments here, so job functions never see it. Keyword arguments the job
  does not take are dropped with a warning: during a rolling deploy a newer API may pass
  one an older worker does not know yet, and the job must still run.
- ``watch_queue`` reads the queue's depth and its oldest job's age every few seconds.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import functools
import inspect
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any, cast

from arq import Retry
from arq.typing import WorkerCoroutine
from prometheus_client import start_http_server

from algoitny.observability import logs
from algoitny.observability import metrics as m

log = logging.getLogger("algoitny.job")

Job = Callable[..., Awaitable[Any]]


def serve_metrics(host: str, port: int | None) -> Any:
    """Starts the worker's /metrics server; returns it (``shutdown()`` stops it), or None."""
    if port is None:
        return None
    try:
        server, _thread = start_http_server(port, addr=host)
    except OSError as exc:
        log.error("worker metrics server not started on %s:%d: %s", host, port, exc)
        return None
    log.info("worker metrics at http://%s:%d/metrics", host, server.server_port)
    return server


def observed(kind: str, job: Job) -> WorkerCoroutine:
    parameters = inspect.signature(job).parameters.values()
    takes_any = any(p.kind is p.VAR_KEYWORD for p in parameters)
    accepted = {p.name for p in parameters if p.kind in (p.KEYWORD_ONLY, p.POSITIONAL_OR_KEYWORD)}

    @functools.wraps(job)
    async def run(ctx: dict[str, Any], *args: Any, request_id: str | None = None, **kwargs: Any) -> Any:
        unknown = sorted(set(kwargs) - accepted) if not takes_any else []
        if unknown:
            log.warning("job %s: ignoring arguments it does not take: %s", kind, ", ".join(unknown))
            kwargs = {k: v for k, v in kwargs.items() if k in accepted}
        task_id = args[0] if args and isinstance(args[0], str) else None
        enqueued = ctx.get("enqueue_time")
        waited = (
            max(0.0, (dt.datetime.now(dt.UTC) - enqueued).total_seconds())
            if isinstance(enqueued, dt.datetime)
            else None
        )
        with logs.bound(job=kind, task_id=task_id, request_id=request_id, job_try=ctx.get("job_try")):
            if waited is not None and ctx.get("job_try", 1) == 1:
                m.job_queue_wait.labels(kind).observe(waited)
            log.info("job started", extra={"queued_s": round(waited, 3) if waited is not None else None})
            started = time.perf_counter()
            outcome = "error"
            in_progress = m.jobs_in_progress.labels(kind)
            in_progress.inc()
            try:
                result = await job(ctx, *args, **kwargs)
                outcome = "ok"
                return result
            except Retry:
                outcome = "retry"
                m.job_retries.labels(kind).inc()
                raise
            except asyncio.CancelledError:  # arq's timeout, or the worker stopping
                outcome = "cancelled"
                raise
            finally:
                in_progress.dec()
                elapsed = time.perf_counter() - started
                m.jobs.labels(kind, outcome).inc()
                m.job_duration.labels(kind).observe(elapsed)
                log.info("job finished", extra={"outcome": outcome, "duration_ms": round(elapsed * 1000, 1)})

    return cast(WorkerCoroutine, run)


async def read_queue(redis: Any, queue_name: str) -> tuple[int, float]:
    """Depth of the arq queue and the age in seconds of its oldest job (0 when empty).
    arq scores each job by the epoch milliseconds it may run from."""
    async with redis.pipeline(transaction=False) as pipe:
        pipe.zcard(queue_name)
        pipe.zrange(queue_name, 0, 0, withscores=True)
        depth, oldest = await pipe.execute()
    age = max(0.0, time.time() - oldest[0][1] / 1000) if oldest else 0.0
    return int(depth), age


async def watch_queue(redis: Any, queue_name: str, every_s: float) -> None:
    while True:
        try:
            depth, age = await read_queue(redis, queue_name)
            m.queue_depth.set(depth)
            m.queue_oldest_age.set(age)
        except Exception:  # Redis down: the gauges keep their last values; Redis errors are counted
            log.debug("reading the queue depth failed", exc_info=True)
        await asyncio.sleep(every_s)


class TestTimer:
    """Per test run in ``services/judge.py``: busy slots and the host's overhead beyond the
    program's own wall time. ``started(index)`` when the runner takes a test, ``finished`` when
    its result arrives."""

    __test__ = False  # not a pytest class

    def __init__(self, language: str) -> None:
        self.language = language
        self._started: dict[int, float] = {}

    def started(self, index: int) -> None:
        self._started[index] = time.perf_counter()
        m.worker_busy_slots.inc()

    def finished(self, index: int, verdict: str, wall_ms: int) -> None:
        began = self._started.pop(index, None)
        if began is not None:
            m.worker_busy_slots.dec()
            m.sandbox_overhead.labels(self.language).observe(
                max(0.0, time.perf_counter() - began - wall_ms / 1000)
            )
        m.tests_run.labels(self.language, verdict).inc()
        if verdict == "IE":
            m.internal_errors.labels("test").inc()

    def close(self) -> None:
        """Tests cancelled before their result (the judge stopped early) free their slots."""
        for _ in self._started:
            m.worker_busy_slots.dec()
        self._started.clear()


def submission_finished(language: str, verdict: str) -> None:
    m.submissions_judged.labels(language, verdict).inc()
    if verdict == "IE":
        m.internal_errors.labels("submission").inc()

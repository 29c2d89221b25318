"""Leases with heartbeats, so a crashed worker's job is resumed quickly — and only then.

arq marks a running job with ``arq:in-progress:{id}`` for the job timeout
(an hour here), so after a SIGKILL nobody would pick the job up for an hour.
Each job therefore holds ``algoitny:lease:{id}``, renewed every third of the
lease time while it runs. ``reclaim_stale`` (run by every worker on start-up
and then periodically) deletes the in-progress mark of a queued job only when
its lease has lapsed and the mark is older than the lease: the worker that
held it is dead or frozen. A live worker's job is never touched.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket

from redis.asyncio import Redis

from algoitny import redis_keys

log = logging.getLogger(__name__)


def worker_identity() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


@contextlib.asynccontextmanager
async def held(redis: Redis, task_id: str, lease_s: int):
    key = redis_keys.lease(task_id)
    me = worker_identity()
    await redis.set(key, me, ex=lease_s)

    async def heartbeat() -> None:
        while True:
            await asyncio.sleep(lease_s / 3)
            await redis.set(key, me, ex=lease_s)

    task = asyncio.ensure_future(heartbeat())
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        if await redis.get(key) == me.encode():
            await redis.delete(key)


async def reclaim_stale(
    redis: Redis, queue_name: str, *, lease_s: int, in_progress_timeout_s: float
) -> list[str]:
    """Frees the queued jobs whose worker stopped renewing their lease; returns their ids."""
    reclaimed = []
    for raw_id in await redis.zrange(queue_name, 0, -1):
        job_id = raw_id.decode()
        marker = redis_keys.ARQ_IN_PROGRESS + job_id
        ttl_ms = await redis.pttl(marker)
        if ttl_ms < 0 or await redis.exists(redis_keys.lease(job_id)):
            continue
        age_s = in_progress_timeout_s - ttl_ms / 1000
        if age_s < 2 * lease_s:
            continue  # just started; its lease may not be written yet
        if await redis.delete(marker):
            log.warning("job %s: lease lapsed (worker gone); it will be resumed", job_id)
            reclaimed.append(job_id)
    return reclaimed

"""The worker registry: every worker announces itself; the API reads who is alive.

A worker writes its announcement (what it can judge, its sandbox slots, its version)
every ``HEARTBEAT_S`` under a key that expires after three heartbeats, so a killed
worker drops out by itself. The per-queue sorted set lists the ids to look at, so
readers need one ``ZRANGE`` and one ``MGET`` (no ``SCAN``); liveness is decided by
the key's TTL on the Redis clock, never by comparing hosts' clocks.

The API uses it for readiness, for the list of languages (what some live worker
can judge, not what the API host has on its disk) and to refuse a submission
nobody would judge (``no_worker``).
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import secrets
import socket
import time
from dataclasses import asdict, dataclass, field, fields

from redis.asyncio import Redis

from algoitny import redis_keys

log = logging.getLogger(__name__)

HEARTBEAT_S = 5.0
# An announcement lives this long without a renewal: three missed heartbeats mean dead.
HEARTBEAT_TTL_S = 3 * int(HEARTBEAT_S)
# Ids not announced for this long are pruned from the per-queue set.
FORGET_AFTER_S = 3600


@dataclass(frozen=True, slots=True)
class WorkerAnnouncement:
    worker_id: str
    languages: tuple[str, ...]  # ids of the languages whose toolchains this worker has
    slots: int  # sandboxes it runs at once
    max_jobs: int  # jobs it takes at once
    version: str
    host: str = field(default_factory=socket.gethostname)
    pid: int = field(default_factory=os.getpid)
    started_at: float = field(default_factory=time.time)

    def to_json(self) -> str:
        return json.dumps(asdict(self) | {"languages": list(self.languages)})

    @classmethod
    def from_json(cls, raw: bytes | str) -> WorkerAnnouncement:
        data = json.loads(raw)
        known = {f.name for f in fields(cls)}  # a newer worker may announce more: ignore it
        return cls(**{k: v for k, v in data.items() if k in known} | {"languages": tuple(data["languages"])})


def new_worker_id() -> str:
    return f"{socket.gethostname()}-{os.getpid()}-{secrets.token_hex(3)}"


async def announce(
    redis: Redis, queue_name: str, announcement: WorkerAnnouncement, *, ttl_s: int = HEARTBEAT_TTL_S
) -> None:
    now = time.time()
    registry = redis_keys.workers(queue_name)
    async with redis.pipeline(transaction=True) as pipe:
        pipe.set(redis_keys.worker(queue_name, announcement.worker_id), announcement.to_json(), ex=ttl_s)
        pipe.zadd(registry, {announcement.worker_id: now})
        pipe.zremrangebyscore(registry, "-inf", now - FORGET_AFTER_S)
        pipe.expire(registry, FORGET_AFTER_S)
        await pipe.execute()


async def withdraw(redis: Redis, queue_name: str, worker_id: str) -> None:
    async with redis.pipeline(transaction=True) as pipe:
        pipe.delete(redis_keys.worker(queue_name, worker_id))
        pipe.zrem(redis_keys.workers(queue_name), worker_id)
        await pipe.execute()


async def live(redis: Redis, queue_name: str) -> list[WorkerAnnouncement]:
    """The workers whose announcement has not expired. Raises RedisError when Redis is down."""
    ids = await redis.zrange(redis_keys.workers(queue_name), 0, -1)
    if not ids:
        return []
    found = await redis.mget([redis_keys.worker(queue_name, _text(i)) for i in ids])
    return [announcement for raw in found if raw is not None and (announcement := _read(raw))]


def _read(raw: bytes | str) -> WorkerAnnouncement | None:
    """One announcement, or None (logged) for one this API cannot read, so one odd worker
    does not turn every submit and readiness check into an error."""
    try:
        return WorkerAnnouncement.from_json(raw)
    except (ValueError, TypeError, KeyError) as exc:
        log.warning("ignoring an unreadable worker announcement: %s", exc)
        return None


async def queue_depth(redis: Redis, queue_name: str) -> int:
    """Jobs waiting in the arq queue (its sorted set), deferred retries included."""
    return int(await redis.zcard(queue_name))


def judged_languages(workers: list[WorkerAnnouncement]) -> set[str]:
    return {language for worker in workers for language in worker.languages}


async def heartbeat_forever(
    redis: Redis, queue_name: str, announcement: WorkerAnnouncement, *, interval_s: float = HEARTBEAT_S
) -> None:
    """Re-announces every ``interval_s``; a Redis outage is logged once and outlived."""
    failing = False
    while True:
        try:
            await announce(redis, queue_name, announcement)
            if failing:
                log.info("worker %s announced again", announcement.worker_id)
            failing = False
        except Exception as exc:  # Redis blips must not end the heartbeat
            if not failing:
                log.warning("worker %s cannot announce itself: %s", announcement.worker_id, exc)
            failing = True
        await asyncio.sleep(interval_s)


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value

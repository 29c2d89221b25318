"""Lost counterexample searches: a submission left "searching" whose arq job is gone.

A search's job can vanish from Redis (a restart without persistence, an eviction, a flush,
a failed enqueue after the search was marked running); nothing would ever finish that
search, and the submission would say "searching" for good. Every worker therefore runs
``recover_forever``: every ``StressSettings.recover_every_s`` it reads the running-search
items older than ``lost_after_s`` (``StressRepository.list_running_searches``, one Query)
and, for each whose submission is still searching under that start time, asks arq for the
job (``cx:{submission}:{start}``):

- queued, deferred or running: alive, left alone (a dead worker's running job is the
  lease reclaimer's, ``services/lease.py``);
- not found and younger than ``give_up_after_s``: enqueued again under the same id, so the
  search starts over (the job is idempotent; a second worker doing the same is deduplicated
  by arq);
- not found and older, or finished without storing an outcome: marked failed, and its
  final ``counterexample_none`` event published, as when the job gives up.

An item whose submission is gone, finished or searching under another start is deleted.
Any worker may do this at any time: every step is conditional or deduplicated.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass

from arq.jobs import Job, JobStatus

from algoitny import redis_keys
from algoitny.domain import CounterexampleStatus
from algoitny.errors import SubmissionNotFound
from algoitny.resources import Resources
from algoitny.services import counterexample

log = logging.getLogger(__name__)

ALIVE = frozenset({JobStatus.queued, JobStatus.deferred, JobStatus.in_progress})


@dataclass
class Recovered:
    restarted: int = 0
    failed: int = 0
    forgotten: int = 0  # running-search items without their search


async def recover_lost_searches(resources: Resources, *, now_ms: int | None = None) -> Recovered:
    stress = resources.settings.stress
    now = now_ms if now_ms is not None else int(time.time() * 1000)
    done = Recovered()
    lost_before = now - int(stress.lost_after_s * 1000)
    for submission_id, started_at in await resources.stress.list_running_searches(
        started_before_ms=lost_before
    ):
        try:
            submission = await resources.submissions.get(submission_id, consistent=True)
        except SubmissionNotFound:
            submission = None
        if (
            submission is None
            or submission.counterexample_status != CounterexampleStatus.SEARCHING
            or submission.counterexample_started_at != started_at
        ):
            await resources.stress.forget_running_search(submission_id, started_at)
            done.forgotten += 1
            continue
        job_id = counterexample.search_job_id(submission_id, started_at)
        queue = counterexample.stress_queue(resources.settings)
        status = await Job(job_id, resources.redis, _queue_name=queue).status()
        if status in ALIVE:
            continue
        if status == JobStatus.not_found and now - started_at < stress.give_up_after_s * 1000:
            # A job definition left without its queue entry would make arq ignore the enqueue.
            await resources.redis.delete(redis_keys.ARQ_JOB + job_id)
            await counterexample.enqueue(resources, submission_id, started_at)
            log.warning("search %s: its job was lost; started again", job_id)
            done.restarted += 1
            continue
        log.warning("search %s: its job was lost (%s) for too long; marked failed", job_id, status.value)
        await resources.stress.finish_search(
            submission_id, started_at=started_at, status=CounterexampleStatus.FAILED, counterexample=None
        )
        current = await resources.submissions.get(submission_id, consistent=True)
        await counterexample.publish_final_once(resources, current)
        done.failed += 1
    return done


async def recover_forever(resources: Resources) -> None:
    """The worker's loop (started in ``worker.on_startup``); a failed round is logged, not fatal."""
    while True:
        try:
            await recover_lost_searches(resources)
        except Exception:
            log.exception("recovering lost searches failed")
        await asyncio.sleep(resources.settings.stress.recover_every_s)

"""A search whose arq job was lost from Redis (real Redis, the job's keys deleted) is found
by the search recovery and started again; lost for too long, it is marked failed. No worker
consumes the stress queue here, and "now" is given to the recovery: nothing waits on a clock."""

from __future__ import annotations

from arq.jobs import Job, JobStatus

from algoitny import redis_keys
from algoitny.domain import Submission, Summary
from algoitny.resources import open_resources
from algoitny.services import counterexample
from algoitny.services.ids import new_task_id
from algoitny.services.search_recovery import Recovered, recover_lost_searches
from tests import factories


async def _searching(resources) -> tuple[str, int]:
    problem = await resources.problems.create(factories.problem())
    submission = await resources.submissions.create(
        Submission(
            new_task_id(), "u-lost", problem.platform, problem.identifier, "A+B", "python", "print(1)", False
        )
    )
    await resources.submissions.finish(submission, Summary("WA", 0, 1, 1))
    started = await resources.stress.start_search(submission.submission_id, stale_before_ms=0)
    assert started is not None
    return submission.submission_id, started


async def test_a_lost_search_job_is_started_again_then_failed_when_too_old(settings):
    async with open_resources(settings, worker=True) as resources:
        stress = settings.stress
        submission_id, started = await _searching(resources)
        await counterexample.enqueue(resources, submission_id, started)
        job_id = counterexample.search_job_id(submission_id, started)
        queue = counterexample.stress_queue(settings)
        job = Job(job_id, resources.redis, _queue_name=queue)
        later = started + int(stress.lost_after_s * 1000) + 1

        assert await recover_lost_searches(resources, now_ms=later) == Recovered(), "a queued job is alive"
        assert await job.status() == JobStatus.queued

        await resources.redis.delete(redis_keys.ARQ_JOB + job_id)
        await resources.redis.zrem(queue, job_id)
        assert await job.status() == JobStatus.not_found
        soon = started + int(stress.lost_after_s * 1000) - 1
        assert await recover_lost_searches(resources, now_ms=soon) == Recovered(), "not lost long enough"
        assert await recover_lost_searches(resources, now_ms=later) == Recovered(restarted=1)
        assert await job.status() == JobStatus.queued, "enqueued again under the same id"
        assert (await job.info()).args == (submission_id, started)

        await resources.redis.zrem(queue, job_id)  # only the queue entry lost: the definition stays
        assert await recover_lost_searches(resources, now_ms=later) == Recovered(restarted=1)
        assert await job.status() == JobStatus.queued
        current = await resources.submissions.get(submission_id, consistent=True)
        assert current.counterexample_status == "searching" and current.counterexample_started_at == started

        await resources.redis.zrem(queue, job_id)
        too_old = started + int(stress.give_up_after_s * 1000) + 1
        assert await recover_lost_searches(resources, now_ms=too_old) == Recovered(failed=1)
        current = await resources.submissions.get(submission_id, consistent=True)
        assert current.counterexample_status == "failed"
        finals = [
            e for e in await resources.events.history(submission_id) if e["type"] == "counterexample_none"
        ]
        assert [(e["search"], e["reason"]) for e in finals] == [(started, "failed")]
        assert await resources.stress.list_running_searches(started_before_ms=too_old) == []
        assert await recover_lost_searches(resources, now_ms=too_old) == Recovered(), "nothing left to do"


async def test_running_search_items_without_their_search_are_deleted(settings):
    async with open_resources(settings, worker=True) as resources:
        submission_id, first = await _searching(resources)
        second = await resources.stress.start_search(submission_id, stale_before_ms=first + 1)
        assert second is not None and second != first  # the first one counted as lost (stale bound)
        await counterexample.enqueue(resources, submission_id, second)
        later = second + int(settings.stress.lost_after_s * 1000) + 1
        assert await recover_lost_searches(resources, now_ms=later) == Recovered(forgotten=1)
        assert await resources.stress.list_running_searches(started_before_ms=later) == [
            (submission_id, second)
        ]

"""Access patterns of generation jobs and hints (see table/keys.py)."""

from __future__ import annotations

import pytest

from algoitny.domain import (
    CounterexampleStatus,
    GenerationJob,
    JobStatus,
    ProblemHints,
    Submission,
    SubmissionHints,
    Summary,
)
from algoitny.errors import DuplicateId, GenerationJobFinished, GenerationJobNotFound, SubmissionNotFound
from algoitny.services.ids import new_task_id
from algoitny.table import StressRepository, keys
from algoitny.table.generation_jobs import GenerationJobRepository
from algoitny.table.hints import HintRepository
from tests import factories


@pytest.fixture
def jobs(table, cursors) -> GenerationJobRepository:
    return GenerationJobRepository(table, cursors)


@pytest.fixture
def hints(table) -> HintRepository:
    return HintRepository(table)


def _job(platform="custom", identifier="p1", **fields) -> GenerationJob:
    return GenerationJob(
        job_id=new_task_id(),
        kind="test_cases",
        platform=platform,
        identifier=identifier,
        created_by="admin",
        counts={"small": 2},
        **fields,
    )


async def test_create_generation_job(jobs, table):
    job = await jobs.create(_job(script="print(1)"))
    with pytest.raises(DuplicateId):
        await jobs.create(job)  # the same id twice is refused
    item = await table.get(keys.generation_job_key(job.job_id))
    assert (
        item["tp"] == {"S": "genjob"} and item["scr"] == {"S": "print(1)"} and item["sts"] == {"S": "queued"}
    )


async def test_get_generation_job(jobs):
    job = await jobs.create(_job())
    found = await jobs.get(job.job_id)
    assert found.counts == {"small": 2} and found.status == JobStatus.QUEUED and found.created_at > 0
    with pytest.raises(GenerationJobNotFound):
        await jobs.get("0" * 28)


async def test_list_generation_jobs_of_a_problem(jobs):
    mine = [await jobs.create(_job(created_at=1_000 + n)) for n in range(3)]
    await jobs.create(_job(identifier="other"))
    first = await jobs.list_for_problem(platform="custom", identifier="p1", limit=2, cursor=None)
    rest = await jobs.list_for_problem(platform="custom", identifier="p1", limit=2, cursor=first.next_cursor)
    assert [j.job_id for j in first.items + rest.items] == [j.job_id for j in mine[::-1]]


async def test_update_generation_job(jobs):
    job = await jobs.create(_job())
    running = await jobs.update(job.job_id, {"status": "running", "done": 3, "total": 9, "error": None})
    assert running.status == "running" and (running.done, running.total) == (3, 9)
    finished = await jobs.update(
        job.job_id, {"status": "succeeded", "dropped": [{"size": "max", "seed": 1, "reason": "RE"}]}
    )
    assert finished.finished_at and finished.dropped[0]["seed"] == 1
    with pytest.raises(GenerationJobFinished):
        await jobs.update(job.job_id, {"done": 4})  # a finished job stays finished
    with pytest.raises(GenerationJobNotFound):
        await jobs.update("0" * 28, {"done": 1})


async def test_cancel_generation_job(jobs):
    queued = await jobs.create(_job())
    assert (await jobs.request_cancel(queued.job_id)).status == JobStatus.CANCELLED
    running = await jobs.create(_job())
    await jobs.update(running.job_id, {"status": "running"})
    flagged = await jobs.request_cancel(running.job_id)
    assert flagged.status == JobStatus.RUNNING and flagged.cancel_requested
    with pytest.raises(GenerationJobFinished):
        await jobs.request_cancel(queued.job_id)


async def _submission(problems, submissions) -> Submission:
    problem = await problems.create(factories.problem())
    return await submissions.create(
        Submission(
            submission_id=new_task_id(),
            user_id="u1",
            platform=problem.platform,
            identifier=problem.identifier,
            problem_title=problem.title,
            language="python",
            code="print(1)",
            public=False,
        )
    )


async def test_get_submission_hints(problems, submissions, hints):
    submission = await _submission(problems, submissions)
    assert await hints.get_submission_hints(submission.submission_id) is None
    await hints.save_submission_hints(submission.submission_id, SubmissionHints(["a", "b", "c"], "results"))
    found = await hints.get_submission_hints(submission.submission_id)
    assert found.hints == ["a", "b", "c"] and found.source == "results" and found.created_at > 0
    assert (await submissions.get(submission.submission_id)).code == "print(1)", "the submission is intact"


async def test_save_submission_hints(problems, submissions, hints):
    submission = await _submission(problems, submissions)
    assert await hints.save_submission_hints(
        submission.submission_id, SubmissionHints(["1", "2", "3"], "ai", 9)
    )
    assert not await hints.save_submission_hints(
        submission.submission_id, SubmissionHints(["x", "y", "z"], "ai")
    )
    assert (await hints.get_submission_hints(submission.submission_id)).hints == ["1", "2", "3"], "first wins"
    with pytest.raises(SubmissionNotFound):
        await hints.save_submission_hints("0" * 28, SubmissionHints(["1", "2", "3"], "ai"))


async def test_save_submission_hints_around_a_counterexample_search(problems, submissions, hints, table):
    """Provisional hints (made while a search runs) give way to final ones; final ones are
    stored only while the search is in the state they were made from."""
    submission = await _submission(problems, submissions)
    sid = submission.submission_id
    await submissions.finish(submission, Summary("WA", 0, 1, 1))
    started = await StressRepository(table).start_search(sid, stale_before_ms=0)
    assert started is not None
    searching = (CounterexampleStatus.SEARCHING.value, started)

    assert not await hints.save_submission_hints(sid, SubmissionHints(["before"], "ai")), (
        "made before the search started: not final"
    )
    assert await hints.save_submission_hints(sid, SubmissionHints(["during"], "ai", provisional=True))
    assert not await hints.save_submission_hints(sid, SubmissionHints(["again"], "ai", provisional=True))
    assert (await hints.get_submission_hints(sid)).provisional is True

    await StressRepository(table).finish_search(
        sid, started_at=started, status=CounterexampleStatus.NONE, counterexample=None
    )
    assert not await hints.save_submission_hints(sid, SubmissionHints(["stale"], "ai"), search_seen=searching)
    ended = (CounterexampleStatus.NONE.value, started)
    assert await hints.save_submission_hints(sid, SubmissionHints(["final"], "ai"), search_seen=ended)
    assert not await hints.save_submission_hints(sid, SubmissionHints(["late"], "ai"), search_seen=ended)
    stored = await hints.get_submission_hints(sid)
    assert stored.hints == ["final"] and stored.provisional is False


async def test_get_problem_hints(hints):
    assert await hints.get_problem_hints(platform="custom", identifier="nope") is None
    await hints.save_problem_hints(ProblemHints("custom", "p", [{"title": "approach", "hint": "h"}], "admin"))
    found = await hints.get_problem_hints(platform="custom", identifier="p")
    assert found.levels == [{"title": "approach", "hint": "h"}] and found.updated_at > 0


async def test_save_problem_hints(hints):
    await hints.save_problem_hints(
        ProblemHints("custom", "p", [{"title": "approach", "hint": "old"}], "admin")
    )
    await hints.save_problem_hints(
        ProblemHints("custom", "p", [{"title": "insight", "hint": "new"}], "ai", 5)
    )
    found = await hints.get_problem_hints(platform="custom", identifier="p")
    assert (
        found.levels == [{"title": "insight", "hint": "new"}] and found.source == "ai" and found.tokens == 5
    )

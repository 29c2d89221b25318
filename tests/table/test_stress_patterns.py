"""Access patterns of stress setups and counterexample searches (see table/keys.py)."""

from __future__ import annotations

import pytest

from algoitny.domain import CounterexampleStatus, Submission, Summary
from algoitny.errors import SubmissionNotFound
from algoitny.executor import Verdict
from algoitny.services.ids import new_task_id
from algoitny.stress.engine import Counterexample, StressSetup
from algoitny.table import StressRepository
from tests import factories

SETUP = StressSetup(generator="print(1)", validator=None, size_min=1, size_max=5)
FOUND = Counterexample(
    input="2 2\n", expected="4\n", output="5\n", verdict=Verdict.WA, checker_message="line 1", size=2,
    tries=7, elapsed_ms=120,
)  # fmt: skip


@pytest.fixture
def stress(table) -> StressRepository:
    return StressRepository(table)


async def _finished(problems, submissions, *, done: bool = True) -> Submission:
    problem = await problems.create(factories.problem())
    submission = await submissions.create(
        Submission(
            new_task_id(), "u1", problem.platform, problem.identifier, problem.title, "python", "x", False
        )
    )
    if done:
        await submissions.finish(submission, Summary("WA", 0, 1, 1))
    return submission


async def test_get_stress_setup(stress, problems, table):
    problem = await problems.create(factories.problem())
    assert await stress.get_setup(platform=problem.platform, identifier=problem.identifier) is None
    await stress.save_setup(
        platform=problem.platform, identifier=problem.identifier, setup=SETUP, source="admin"
    )
    assert await stress.get_setup(platform=problem.platform, identifier=problem.identifier) == SETUP
    bundle = await problems.get_with_test_cases(platform=problem.platform, identifier=problem.identifier)
    assert bundle.problem.title == problem.title, "the problem's partition does not hold the setup"


async def test_save_stress_setup(stress):
    where = {"platform": "custom", "identifier": "s1"}
    assert await stress.save_setup(**where, setup=SETUP, source="admin")
    other = StressSetup("print(2)", "import sys", 2, 9)
    assert not await stress.save_setup(**where, setup=other, source="generation", replace=False)
    assert await stress.get_setup(**where) == SETUP, "a generation job never overwrites a setup"
    assert await stress.save_setup(**where, setup=other, source="admin")
    assert await stress.get_setup(**where) == other


async def test_start_counterexample_search(stress, problems, submissions):
    queued = await _finished(problems, submissions, done=False)
    assert await stress.start_search(queued.submission_id, stale_before_ms=0) is None, "not finished yet"
    submission = await _finished(problems, submissions)
    started = await stress.start_search(submission.submission_id, stale_before_ms=0)
    assert started is not None
    assert await stress.start_search(submission.submission_id, stale_before_ms=0) is None, "one at a time"
    stored = await submissions.get(submission.submission_id)
    assert stored.counterexample_status == "searching" and stored.counterexample_started_at == started
    lost = await stress.start_search(submission.submission_id, stale_before_ms=started + 1)
    assert lost is not None and lost >= started, "a lost search may be started again"
    with pytest.raises(SubmissionNotFound):
        await stress.start_search("0" * 28, stale_before_ms=0)


async def test_store_counterexample(stress, problems, submissions):
    submission = await _finished(problems, submissions)
    started = await stress.start_search(submission.submission_id, stale_before_ms=0)
    assert started is not None
    assert not await stress.finish_search(
        submission.submission_id,
        started_at=started - 1,
        status=CounterexampleStatus.FOUND,
        counterexample=FOUND,
    ), "another search's job stores nothing"
    assert await stress.finish_search(
        submission.submission_id, started_at=started, status=CounterexampleStatus.FOUND, counterexample=FOUND
    )
    assert not await stress.finish_search(
        submission.submission_id, started_at=started, status=CounterexampleStatus.NONE, counterexample=None
    ), "a rerun never stores a second result"
    stored = await submissions.get(submission.submission_id)
    assert stored.counterexample_status == "found"
    assert stored.counterexample == {
        "input": "2 2\n", "expected": "4\n", "output": "5\n", "verdict": "WA", "checker_message": "line 1",
        "size": 2, "tries": 7, "elapsed_ms": 120,
    }  # fmt: skip
    assert await stress.start_search(submission.submission_id, stale_before_ms=0) is None, "found: no more"


async def test_list_running_searches_started_before(stress, problems, submissions):
    first, second = await _finished(problems, submissions), await _finished(problems, submissions)
    a = await stress.start_search(first.submission_id, stale_before_ms=0)
    b = await stress.start_search(second.submission_id, stale_before_ms=0)
    assert a is not None and b is not None
    assert await stress.list_running_searches(started_before_ms=a) == []
    running = await stress.list_running_searches(started_before_ms=b + 1)
    assert sorted(running) == sorted([(first.submission_id, a), (second.submission_id, b)])
    assert await stress.start_search(first.submission_id, stale_before_ms=0) is None
    assert len(await stress.list_running_searches(started_before_ms=b + 1)) == 2, "a refused start adds none"
    await stress.finish_search(
        first.submission_id, started_at=a, status=CounterexampleStatus.NONE, counterexample=None
    )
    assert await stress.list_running_searches(started_before_ms=b + 1) == [(second.submission_id, b)], (
        "a stored outcome ends its running-search item"
    )
    await stress.finish_search(
        second.submission_id, started_at=b - 1, status=CounterexampleStatus.NONE, counterexample=None
    )
    assert await stress.list_running_searches(started_before_ms=b + 1) == [(second.submission_id, b)], (
        "another search's job ends only its own item"
    )


async def test_forget_running_search(stress, problems, submissions):
    submission = await _finished(problems, submissions)
    started = await stress.start_search(submission.submission_id, stale_before_ms=0)
    assert started is not None
    await stress.forget_running_search(submission.submission_id, started)
    assert await stress.list_running_searches(started_before_ms=started + 1) == []
    assert (await submissions.get(submission.submission_id)).counterexample_status == "searching"
    await stress.forget_running_search(submission.submission_id, started)  # gone already: no error

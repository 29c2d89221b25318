"""The judge's pipeline: tests keep running while their events and records go out
(``services/result_sink.py``), and the compile runs while the problem is read."""

from __future__ import annotations

import asyncio
from dataclasses import asdict

import pytest

from algoitny.domain import Submission, TestRecord
from algoitny.events import EventLog
from algoitny.executor import get_runtime
from algoitny.resources import open_redis, open_resources
from algoitny.services import judge
from algoitny.services.ids import new_task_id
from algoitny.services.result_sink import RESULTS_PER_WRITE, ResultSink
from algoitny.table.submissions import SubmissionRepository
from tests import factories
from tests.judging.helpers import ADMIN, create_problem

C_SOLUTION = '#include <stdio.h>\nint main(void){long a,b;scanf("%ld %ld",&a,&b);printf("%ld\\n",a+b);}\n'


def _record(index: int) -> TestRecord:
    return TestRecord(
        index=index,
        test_case_id=f"m{index:023d}",
        verdict="AC",
        passed=True,
        cpu_ms=1,
        wall_ms=2,
        memory_kb=1000,
        exit_code=0,
        signal=None,
        output="x",
        error="",
        checker_message="",
        first_difference=None,
    )


class GatedEvents(EventLog):
    """Publishes only once ``gate`` is open; records each MULTI's indices."""

    def __init__(self, redis) -> None:
        super().__init__(redis)
        self.gate = asyncio.Event()
        self.multis: list[list[int]] = []

    async def publish_tests(self, task_id, tests):
        await self.gate.wait()
        self.multis.append([index for index, _, _ in tests])
        await super().publish_tests(task_id, tests)


class CountingSubmissions(SubmissionRepository):
    """The real repository; counts the records of each save, and can be made to fail."""

    def __init__(self, table, cursors) -> None:
        super().__init__(table, cursors)
        self.saves: list[list[int]] = []
        self.failure: Exception | None = None

    async def save_results(self, submission_id, records):
        if self.failure is not None:
            raise self.failure
        self.saves.append([r.index for r in records])
        await super().save_results(submission_id, records)


async def _submission(problems, submissions) -> Submission:
    problem = await problems.create(factories.problem())
    return await submissions.create(
        Submission(
            submission_id=new_task_id(),
            user_id="u1",
            platform=problem.platform,
            identifier=problem.identifier,
            problem_title=problem.title,
            language="c",
            code=C_SOLUTION,
            public=False,
        )
    )


async def test_adding_never_waits_and_everything_goes_out_in_order(settings, table, cursors, problems):
    redis = open_redis(settings)
    events, repository = GatedEvents(redis), CountingSubmissions(table, cursors)
    submission = await _submission(problems, repository)
    task_id = submission.submission_id
    compiled = asyncio.ensure_future(events.publish(task_id, {"type": "compiled", "message": ""}))
    order = [3, 0, 1, 2, *range(4, 60)]  # completion order, not index order
    try:
        sink = ResultSink(events, repository, task_id, event_of=judge.test_event, unsaved=[], after=compiled)
        for index in order[:40]:
            sink.add(_record(index))  # returns at once although nothing can be published yet
        await asyncio.sleep(0.05)
        assert [e["type"] for e in await events.history(task_id)] == ["compiled"], "no test yet: gated"
        assert repository.saves == [order[:25]], "a full batch is stored in the background"
        events.gate.set()
        for index in order[40:]:
            sink.add(_record(index))
            await asyncio.sleep(0)
        await sink.close()
        history = await events.history(task_id)
        assert history[0]["type"] == "compiled"
        assert [e["index"] for e in history[1:]] == order, "one entry per test, in the order added"
        assert len(events.multis[0]) == 40, "what piled up behind the gate went out in one MULTI"
        assert sorted(await events.finished_results(task_id)) == list(range(60))
        assert repository.saves == [order[:25], order[25:50], order[50:]]
        stored = await repository.get_with_results(task_id)
        assert [r.index for r in stored.results] == list(range(60))
        assert asdict(stored.results[7]) == asdict(_record(7))
    finally:
        await redis.aclose()


async def test_a_failed_write_stops_the_judgement_and_close_says_so(settings, table, cursors, problems):
    redis = open_redis(settings)
    events, repository = EventLog(redis), CountingSubmissions(table, cursors)
    submission = await _submission(problems, repository)
    repository.failure = ConnectionError("table down")
    try:
        sink = ResultSink(events, repository, submission.submission_id, event_of=judge.test_event, unsaved=[])
        for index in range(RESULTS_PER_WRITE):
            sink.add(_record(index))
        await asyncio.sleep(0.05)  # the writer tries the batch and fails
        with pytest.raises(ConnectionError):
            sink.add(_record(RESULTS_PER_WRITE))
        with pytest.raises(ConnectionError):
            await sink.close()
        published = await events.finished_results(submission.submission_id)
        in_stream = [e["index"] for e in await events.history(submission.submission_id)]
        assert sorted(published) == sorted(in_stream), "each published result has its event, no more"
    finally:
        await redis.aclose()


async def test_a_whole_c_submission_is_published_and_stored(settings, api, announced_worker):
    await create_problem(api, "sink", tests=2 * RESULTS_PER_WRITE + 3)
    accepted = await api.post(
        "/api/execute/",
        json={"platform": "custom", "problem_identifier": "sink", "code": C_SOLUTION, "language": "c"},
    )
    task_id = accepted.json()["task_id"]
    async with open_resources(settings, worker=True) as resources:
        summary = await judge.judge_submission(resources, task_id)
        assert summary is not None and summary.verdict == "AC" and summary.passed == 53
        events = await resources.events.history(task_id)
        kinds = [e["type"] for e in events]
        assert kinds[:3] == ["queued", "compiling", "compiled"] and kinds[-1] == "done"
        assert sorted(e["index"] for e in events if e["type"] == "test") == list(range(53))
        stored = await resources.submissions.get_with_results(task_id)
        assert [r.index for r in stored.results] == list(range(53)) and stored.submission.status == "done"


async def test_a_problem_deleted_before_judging_ends_ie_and_leaves_no_artifact(
    settings, api, announced_worker
):
    await create_problem(api, "gone", tests=2)
    accepted = await api.post(
        "/api/execute/",
        json={"platform": "custom", "problem_identifier": "gone", "code": C_SOLUTION, "language": "c"},
    )
    task_id = accepted.json()["task_id"]
    assert (await api.delete("/api/problems/custom/gone", headers=ADMIN)).status_code == 204
    artifacts = get_runtime().config.box_root / "artifacts"
    before = set(artifacts.iterdir()) if artifacts.exists() else set()
    async with open_resources(settings, worker=True) as resources:
        summary = await judge.judge_submission(resources, task_id)
        assert summary is not None and summary.verdict == "IE"
        assert summary.compile_message == "The problem was deleted."
        assert [e["type"] for e in await resources.events.history(task_id)] == ["queued", "done"]
    after = set(artifacts.iterdir()) if artifacts.exists() else set()
    assert after <= before, "the compile started beside the read was stopped and cleaned up"

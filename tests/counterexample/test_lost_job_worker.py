"""The worker runs the search recovery by itself: a search marked running whose job never
reached Redis (as after a lost enqueue) is enqueued by the worker's recovery loop, runs, and
stores its counterexample."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from algoitny.domain import Submission, Summary
from algoitny.services.ids import new_task_id
from algoitny.table import StressRepository
from tests.counterexample.helpers import stressed_problem
from tests.judging.helpers import WRONG_ON_EQUAL


@pytest.fixture
async def settings(settings):
    settings.stress = settings.stress.model_copy(update={"lost_after_s": 0.0, "recover_every_s": 0.2})
    return settings


async def test_the_worker_restarts_a_search_whose_job_is_missing(
    live_api, worker, settings, submissions, table
):
    async with httpx.AsyncClient(base_url=f"http://{live_api}", timeout=60) as client:
        await stressed_problem(client, "cxlost")
    submission = await submissions.create(
        Submission(new_task_id(), "u-lost", "custom", "cxlost", "A+B", "python", WRONG_ON_EQUAL, False)
    )
    await submissions.finish(submission, Summary("WA", 0, 1, 1))
    started = await StressRepository(table).start_search(submission.submission_id, stale_before_ms=0)
    assert started is not None  # and no job enqueued: only the recovery can run this search

    for _ in range(1200):  # the search itself takes seconds on a loaded machine
        current = await submissions.get(submission.submission_id, consistent=True)
        if current.counterexample_status != "searching":
            break
        await asyncio.sleep(0.1)
    assert current.counterexample_status == "found" and current.counterexample_started_at == started
    a, b = map(int, current.counterexample["input"].split())
    assert a == b, "the bug shows only on equal numbers"

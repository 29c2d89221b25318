"""Building finished submissions and watching the indexer catch up with them."""

from __future__ import annotations

import asyncio
import contextlib
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from algoitny.domain import Submission, Summary
from algoitny.errors import ProblemExists
from algoitny.indexer.stream import StreamReader
from algoitny.services.ids import new_task_id
from algoitny.settings import IndexerSettings, Settings
from algoitny.table import ProblemRepository, SubmissionRepository
from algoitny.table.stats import StatisticsRepository
from tests import factories

DAY_MS = 24 * 3600 * 1000
FAST = IndexerSettings(lease_s=2, poll_interval_s=0.05, discover_interval_s=0.2)


@dataclass(frozen=True)
class Judged:
    user: str
    problem: tuple[str, str]
    language: str
    verdict: str
    created_at: int


async def finished(
    problems: ProblemRepository, submissions: SubmissionRepository, judged: list[Judged]
) -> list[Submission]:
    """Creates the submissions (queued) and finishes them, as the API and the judge do."""
    made = []
    for platform, identifier in {j.problem for j in judged}:
        with contextlib.suppress(ProblemExists):
            await problems.create(factories.problem(platform=platform, identifier=identifier))
    for j in judged:
        submission = Submission(
            submission_id=new_task_id(),
            user_id=j.user,
            platform=j.problem[0],
            identifier=j.problem[1],
            problem_title="t",
            language=j.language,
            code="print(1)",
            public=True,
            created_at=j.created_at,
        )
        await submissions.create(submission)
        await submissions.finish(submission, Summary(j.verdict, 1, int(j.verdict != "AC"), 1))
        made.append(submission)
    return made


def expected_user(judged: list[Judged], user: str) -> dict:
    mine = [j for j in judged if j.user == user]
    return {
        "submissions": len(mine),
        "accepted": sum(j.verdict == "AC" for j in mine),
        "problems_tried": len({j.problem for j in mine}),
        "problems_solved": len({j.problem for j in mine if j.verdict == "AC"}),
        "by_language": dict(Counter(j.language for j in mine)),
        "by_verdict": dict(Counter(j.verdict for j in mine)),
        "first_activity_at": min(j.created_at for j in mine),
        "last_activity_at": max(j.created_at for j in mine),
    }


def user_view(stats) -> dict:
    return {name: getattr(stats, name) for name in expected_user_keys()}


def expected_user_keys() -> tuple[str, ...]:
    return (
        "submissions",
        "accepted",
        "problems_tried",
        "problems_solved",
        "by_language",
        "by_verdict",
        "first_activity_at",
        "last_activity_at",
    )


async def wait_counted(statistics: StatisticsRepository, total: int, *, timeout_s: float = 60) -> None:
    """Until the totals reach ``total`` submissions (the indexer is asynchronous by design)."""
    async with asyncio.timeout(timeout_s):
        while True:
            counted = (await statistics.get_totals()).submissions
            assert counted <= total, f"{counted} counted, more than the {total} submissions"
            if counted == total:
                return
            await asyncio.sleep(0.05)


async def until(probe: Callable[[], Awaitable[Any]], *, timeout_s: float = 60) -> Any:
    """Polls ``probe`` until it returns something truthy (an event in another process)."""
    async with asyncio.timeout(timeout_s):
        while True:
            if found := await probe():
                return found
            await asyncio.sleep(0.1)


@contextlib.asynccontextmanager
async def running_indexer(
    settings: Settings, dynamodb, streams, table, *, owner: str, extra_sinks: list | None = None
) -> AsyncIterator[StreamReader]:
    """A StreamReader in this process (statistics sink only), stopped cleanly at the end."""
    from algoitny.indexer.sinks import SinkContext, statistics_sink
    from algoitny.table.stream_state import ShardStateRepository

    async with contextlib.AsyncExitStack() as stack:
        sink = await statistics_sink(SinkContext(settings=settings, table=table, stack=stack))
        reader = StreamReader(
            dynamodb=dynamodb,
            streams=streams,
            table_name=settings.table.name,
            state=ShardStateRepository(table),
            sinks=[sink, *(extra_sinks or [])],
            settings=FAST,
            owner=owner,
        )
        stop = asyncio.Event()
        task = asyncio.ensure_future(reader.run(stop))
        try:
            yield reader
        finally:
            stop.set()
            await task

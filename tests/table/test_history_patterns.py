"""Access patterns of submissions, results, quotas and statistics (see table/keys.py)."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest

from algoitny.domain import Submission, Summary, TestRecord
from algoitny.errors import DuplicateId, SubmissionNotFound
from algoitny.services.ids import new_task_id
from algoitny.table import QuotaExceeded, keys
from tests import factories


async def _submission(problems, submissions, *, user="u1", public=False, language="python") -> Submission:
    problem = await problems.create(factories.problem())
    submission = Submission(
        submission_id=new_task_id(),
        user_id=user,
        platform=problem.platform,
        identifier=problem.identifier,
        problem_title=problem.title,
        language=language,
        code="print(1)",
        public=public,
    )
    return await submissions.create(submission)


def _record(index: int, passed: bool = True) -> TestRecord:
    record = TestRecord(
        index=index,
        test_case_id=f"m{index:023d}",
        verdict="AC" if passed else "WA",
        passed=passed,
        cpu_ms=index,
        wall_ms=2 * index,
        memory_kb=1000 + index,
        output="out",
    )
    if not passed:
        record.input_excerpt, record.expected_excerpt = "1 1\n", "2\n"
        record.full_output = "x" * 200_000
    return record


async def test_create_submission(problems, submissions):
    created = await _submission(problems, submissions)
    assert created.created_at > 0
    with pytest.raises(DuplicateId):
        await submissions.create(created)  # the same id twice is refused


async def test_get_submission(problems, submissions):
    created = await _submission(problems, submissions)
    found = await submissions.get(created.submission_id)
    assert found.code == "print(1)" and found.status == "queued"
    with pytest.raises(SubmissionNotFound):
        await submissions.get(new_task_id())


async def test_discard_unqueued_submission(problems, submissions):
    created = await _submission(problems, submissions)
    assert await submissions.discard(created.submission_id)
    with pytest.raises(SubmissionNotFound):
        await submissions.get(created.submission_id)
    assert not await submissions.discard(created.submission_id), "gone already"
    judged = await _submission(problems, submissions)
    assert await submissions.finish(judged, Summary("AC", 1, 0, 1))
    assert not await submissions.discard(judged.submission_id), "a judged submission stays"
    assert (await submissions.get(judged.submission_id)).status == "done"


async def test_get_submission_with_results(problems, submissions):
    created = await _submission(problems, submissions)
    await submissions.save_results(created.submission_id, [_record(i, passed=i != 1) for i in range(3)])
    found = await submissions.get_with_results(created.submission_id)
    assert [r.index for r in found.results] == [0, 1, 2]
    assert found.results[1].full_output == "x" * 200_000 and found.results[0].full_output is None


async def test_get_test_result(problems, submissions):
    created = await _submission(problems, submissions)
    await submissions.save_results(created.submission_id, [_record(7, passed=False)])
    assert (await submissions.get_result(created.submission_id, 7)).expected_excerpt == "2\n"


async def test_save_test_results(problems, submissions, table):
    created = await _submission(problems, submissions)
    records = [_record(i) for i in range(60)]
    await submissions.save_results(created.submission_id, records)
    await submissions.save_results(created.submission_id, records[:30])  # a rerun rewrites, never duplicates
    items = [
        i
        async for i in table.query_all(
            KeyConditionExpression="PK = :pk AND begins_with(SK, :r)",
            ExpressionAttributeValues={
                ":pk": {"S": keys.submission_pk(created.submission_id)},
                ":r": {"S": "RES#"},
            },
        )
    ]
    assert len(items) == 60 and all(i["tp"]["S"] == "trs" for i in items)


async def test_finish_submission(problems, submissions):
    created = await _submission(problems, submissions, user="finisher")
    summary = Summary("AC", 3, 0, 3, max_cpu_ms=5, max_memory_kb=900)
    assert await submissions.finish(created, summary) is True
    assert await submissions.finish(created, summary) is False, "only once"
    found = await submissions.get(created.submission_id)
    assert (found.status, found.verdict, found.passed, found.total) == ("done", "AC", 3, 3)
    problem = await problems.get(platform=created.platform, identifier=created.identifier)
    assert problem.execution_count == 1
    old_stats = {"PK": "USER#finisher", "SK": "STATS"}
    assert await submissions.table.get(old_stats) is None, "user statistics come from the stream"


async def test_list_my_submissions(problems, submissions):
    mine = [await _submission(problems, submissions, user="me") for _ in range(3)]
    await _submission(problems, submissions, user="someone else")
    first = await submissions.list_mine("me", limit=2, cursor=None)
    rest = await submissions.list_mine("me", limit=2, cursor=first.next_cursor)
    ids = [s.submission_id for s in first.items + rest.items]
    assert ids == [s.submission_id for s in mine[::-1]] and rest.next_cursor is None


async def test_list_public_submissions(problems, submissions):
    public = [await _submission(problems, submissions, user=f"u{i}", public=True) for i in range(3)]
    await _submission(problems, submissions, public=False)
    page = await submissions.list_public(limit=10, cursor=None)
    assert [s.submission_id for s in page.items] == [s.submission_id for s in public[::-1]]


async def test_consume_quota(usage):
    results = await asyncio.gather(
        *(usage.consume(subject="ip:1.2.3.4", action="execute", limit=5) for _ in range(12)),
        return_exceptions=True,
    )
    accepted = [r for r in results if not isinstance(r, Exception)]
    refused = [r for r in results if isinstance(r, QuotaExceeded)]
    assert sorted(u.count for u in accepted) == [1, 2, 3, 4, 5] and len(refused) == 7
    tomorrow = dt.datetime.now(dt.UTC) + dt.timedelta(days=1)
    assert (await usage.consume(subject="ip:1.2.3.4", action="execute", limit=5, now=tomorrow)).count == 1


async def test_refund_quota(usage):
    await usage.consume(subject="s", action="execute", limit=1)
    await usage.refund(subject="s", action="execute")
    assert (await usage.consume(subject="s", action="execute", limit=1)).count == 1


async def test_get_usage(usage):
    await usage.consume(subject="g", action="execute", limit=9)
    found = await usage.get(subject="g", action="execute", limit=9)
    assert (found.count, found.limit) == (1, 9) and found.resets_at > dt.datetime.now(dt.UTC).timestamp()

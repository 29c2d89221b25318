"""The importer's access patterns (``LegacyImportRepository``), one test each."""

from __future__ import annotations

from algoitny.domain import Submission, SubmissionStatus
from algoitny.table import LegacyImportRepository, UsageRepository
from tests import factories


async def test_get_import_checkpoint(table):
    repository = LegacyImportRepository(table)
    assert await repository.get_checkpoint("users") == {}


async def test_save_import_checkpoint(table):
    repository = LegacyImportRepository(table)
    await repository.save_checkpoint("users", {"done": 10, "high": 20, "position": 15})
    assert await repository.get_checkpoint("users") == {
        "entity": "users",
        "done": 10,
        "high": 20,
        "position": 15,
    }


async def test_import_problem(table, problems):
    repository = LegacyImportRepository(table)
    problem = factories.problem(legacy_id=501, tags=["dp"])
    problem.created_at, problem.execution_count = 1_700_000_000_000, 9
    assert await repository.create_problem(problem)
    assert not await repository.create_problem(problem), "a second put writes nothing"
    found = await problems.get_by_legacy_id(501)
    assert (found.created_at, found.execution_count) == (1_700_000_000_000, 9)
    assert [p.identifier for p in (await problems.list_problems(tag="dp", limit=5)).items] == [
        problem.identifier
    ]


def _submission(n: int = 0, *, user_id: str = "u1", verdict: str = "AC") -> Submission:
    return Submission(
        submission_id=f"{n:012x}" + "a" * 16,
        user_id=user_id,
        platform="custom",
        identifier=f"x{n}",
        problem_title="X",
        language="python",
        code="print(1)",
        public=True,
        status=SubmissionStatus.DONE,
        verdict=verdict,
        passed=1,
        total=1,
        created_at=1_700_000_000_000 + n,
    )


async def test_import_submission(table, submissions):
    repository = LegacyImportRepository(table)
    submission = _submission()
    assert await repository.create_submission(submission, ["hint"])
    assert not await repository.create_submission(submission, ["hint"])
    assert await table.get({"PK": "USER#u1", "SK": "STATS"}) is None, "statistics are the indexer's"
    assert [s.submission_id for s in (await submissions.list_public(limit=5, cursor=None)).items] == [
        submission.submission_id
    ]


async def test_import_usage_counter(table):
    repository = LegacyImportRepository(table)
    from algoitny.table.daily_stats import today

    day = today()
    assert await repository.add_usage(subject="u1", action="execute", day=day, count=3, window=10)
    assert not await repository.add_usage(subject="u1", action="execute", day=day, count=3, window=10)
    assert await repository.add_usage(subject="u1", action="execute", day=day, count=2, window=12)
    assert (await UsageRepository(table).get(subject="u1", action="execute", limit=9)).count == 5


async def test_import_daily_totals(table):
    repository = LegacyImportRepository(table)
    assert await repository.add_daily_totals(day="2024-01-02", counters={"executions": 4}, window=7)
    assert not await repository.add_daily_totals(day="2024-01-02", counters={"executions": 4}, window=7)
    assert await repository.get_daily_totals("2024-01-02") == {"executions": 4}


async def test_get_imported_daily_totals(table):
    assert await LegacyImportRepository(table).get_daily_totals("2020-01-01") == {}


async def test_import_test_results(table, submissions):
    from algoitny.domain import TestRecord

    record = TestRecord(
        index=0, test_case_id="g1", verdict="WA", passed=False, cpu_ms=0, wall_ms=0, memory_kb=0
    )
    await LegacyImportRepository(table).save_results([("a" * 28, record), ("b" * 28, record)])
    assert (await submissions.get_result("b" * 28, 0)).verdict == "WA"


async def test_reorder_imported_test_cases(table, test_cases, problems):
    from algoitny.domain import NewTestCase

    problem = await problems.create(factories.problem())
    where = {"platform": problem.platform, "identifier": problem.identifier}
    cases = [NewTestCase(input=f"{n}\n", output=f"{n}\n", kind="generated") for n in range(4)]
    added = (await test_cases.add_many(**where, new_cases=cases)).added
    wanted = [added[2], added[0], added[1], "not-there"]
    moved = await LegacyImportRepository(table).reorder_test_cases(
        problem.platform, problem.identifier, wanted
    )
    assert moved == 3
    found = await problems.get_with_test_cases(**where)
    assert [t.test_case_id for t in found.test_cases] == [added[2], added[0], added[1], added[3]]


async def test_deactivate_user(table):
    from algoitny.domain import User
    from algoitny.table import CursorCodec, UserRepository

    users = UserRepository(table, CursorCodec("test"))
    await users.create(User(user_id="u-deact", email="deact@example.com"))
    assert (await users.get("u-deact")).active, "active unless said otherwise"
    assert not (await users.set_active("u-deact", False)).active
    assert not (await users.get("u-deact")).active


async def test_import_submissions(table, submissions):
    repository = LegacyImportRepository(table)
    assert await repository.create_submission(_submission(1), None)
    batch = [(_submission(n), ["hint"] if n == 2 else None) for n in range(1, 4)]
    assert await repository.create_submissions(batch) == [False, True, True], "the one there is left"
    assert await repository.create_submissions(batch) == [False, False, False]
    assert len((await submissions.list_public(limit=9, cursor=None)).items) == 3

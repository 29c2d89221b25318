"""One test per access pattern in ``table/keys.py``, named after it.

``test_every_repository_method_is_in_the_access_pattern_table`` and
``test_every_access_pattern_has_a_test`` keep the docstring table and the
code honest with each other.
"""

from __future__ import annotations

import asyncio
import inspect
import re

import pytest

import algoitny.table as table_package
from algoitny.domain import NewTestCase
from algoitny.errors import InvalidCursor, LegacyIdTaken, ProblemExists, ProblemNotFound, TestCaseNotFound
from algoitny.table import MigrationLog, keys
from tests import factories

_ROW = re.compile(r"^\s{4}(?P<pattern>\S.*?)\s{2,}(?P<index>table|GSI\d)\s{2,}.*?\s(?P<method>\w+\.\w+)$")


def access_patterns() -> list[tuple[str, str]]:
    rows = []
    for line in keys.__doc__.splitlines():
        match = _ROW.match(line)
        if match:
            rows.append((match["pattern"], match["method"]))
    return rows


def expected_test_name(pattern: str) -> str:
    return "test_" + re.sub(r"[^a-z0-9]+", "_", pattern.lower()).strip("_")


def test_every_repository_method_is_in_the_access_pattern_table():
    documented = {method for _, method in access_patterns()}
    repositories = [obj for name, obj in vars(table_package).items() if name.endswith("Repository")]
    assert len(repositories) >= 5
    for repository in (*repositories, MigrationLog):
        for name, _member in inspect.getmembers(repository, inspect.iscoroutinefunction):
            if not name.startswith("_"):
                assert f"{repository.__name__}.{name}" in documented, f"{repository.__name__}.{name} missing"


def test_every_access_pattern_has_a_test():
    """Looks in every module of tests/table for ``test_<pattern words>``."""
    import importlib
    import pkgutil

    import tests.table

    modules = [
        importlib.import_module(f"tests.table.{m.name}") for m in pkgutil.iter_modules(tests.table.__path__)
    ]
    assert len(access_patterns()) >= 30
    for pattern, _ in access_patterns():
        name = expected_test_name(pattern)
        assert any(hasattr(m, name) for m in modules), f"no test {name} for access pattern {pattern!r}"


async def test_get_problem(problems):
    created = await problems.create(factories.problem(title="A+B", time_limit_ms=1500))
    found = await problems.get(platform=created.platform, identifier=created.identifier)
    assert found.title == "A+B" and found.time_limit_ms == 1500 and found.created_at > 0
    with pytest.raises(ProblemNotFound):
        await problems.get(platform="baekjoon", identifier="nope")


async def test_get_problem_by_legacy_id(problems):
    created = await problems.create(factories.problem(legacy_id=42))
    assert (await problems.get_by_legacy_id(42)).identifier == created.identifier
    with pytest.raises(ProblemNotFound):
        await problems.get_by_legacy_id(43)


async def test_resolve_legacy_id(problems):
    created = await problems.create(factories.problem(legacy_id=7))
    assert await problems.resolve_legacy_id(7) == (created.platform, created.identifier)


async def test_create_problem(problems, table):
    created = await problems.create(factories.problem(legacy_id=9, tags=["dp", "greedy"]))
    with pytest.raises(ProblemExists):
        await problems.create(factories.problem(identifier=created.identifier))
    with pytest.raises(LegacyIdTaken):
        await problems.create(factories.problem(legacy_id=9))
    partition = [
        i
        async for i in table.query_all(
            KeyConditionExpression="PK = :pk",
            ExpressionAttributeValues={":pk": {"S": keys.problem_pk(created.platform, created.identifier)}},
        )
    ]
    assert [i["SK"]["S"] for i in partition] == ["META", "TAG#dp", "TAG#greedy"]
    assert all(i["tp"]["S"] for i in partition)


async def test_update_problem(problems):
    created = await problems.create(factories.problem(legacy_id=11, tags=["a", "b"]))
    key = {"platform": created.platform, "identifier": created.identifier}
    updated = await problems.update(
        **key, changes={"title": "New", "tags": ["b", "c"], "url": None, "legacy_id": 12}
    )
    assert updated.title == "New"
    found = await problems.get(**key)
    assert found.tags == ["b", "c"] and found.legacy_id == 12
    assert [p.identifier for p in (await problems.list_problems(tag="a", limit=10)).items] == []
    assert [p.identifier for p in (await problems.list_problems(tag="c", limit=10)).items] == [
        created.identifier
    ]
    assert (await problems.get_by_legacy_id(12)).identifier == created.identifier
    with pytest.raises(ProblemNotFound):
        await problems.get_by_legacy_id(11)
    other = await problems.create(factories.problem(legacy_id=13))
    with pytest.raises(LegacyIdTaken):
        await problems.update(platform=other.platform, identifier=other.identifier, changes={"legacy_id": 12})


async def test_soft_delete_problem(problems, table):
    created = await problems.create(factories.problem(tags=["x"]))
    key = {"platform": created.platform, "identifier": created.identifier}
    await problems.delete(**key)
    with pytest.raises(ProblemNotFound):
        await problems.get(**key)
    assert (await problems.list_problems(limit=10)).items == []
    assert (await problems.list_problems(tag="x", limit=10)).items == []
    assert (await table.get(keys.problem_key(**key)))["del"] == {"BOOL": True}, "kept, marked deleted"
    with pytest.raises(ProblemNotFound):
        await problems.update(**key, changes={"title": "zombie"})


async def test_list_problems(problems):
    created = [await problems.create(factories.problem()) for _ in range(5)]
    first = await problems.list_problems(limit=2)
    assert [p.identifier for p in first.items] == [p.identifier for p in created[::-1][:2]]
    seen = [p.identifier for p in first.items]
    cursor = first.next_cursor
    while cursor:
        page = await problems.list_problems(limit=2, cursor=cursor)
        seen += [p.identifier for p in page.items]
        cursor = page.next_cursor
    assert seen == [p.identifier for p in created[::-1]]
    with pytest.raises(InvalidCursor):
        await problems.list_problems(limit=2, status="draft", cursor=first.next_cursor)


async def test_list_problems_by_platform(problems):
    await problems.create(factories.problem(platform="codeforces"))
    atcoder = await problems.create(factories.problem(platform="atcoder", status="completed"))
    await problems.create(factories.problem(platform="atcoder", status="draft"))
    page = await problems.list_problems(platform="atcoder", limit=10)
    assert {p.platform for p in page.items} == {"atcoder"} and len(page.items) == 2
    completed = await problems.list_problems(platform="atcoder", status="completed", limit=10)
    assert [p.identifier for p in completed.items] == [atcoder.identifier]


async def test_list_problems_by_tag(problems):
    tagged = [await problems.create(factories.problem(tags=["graphs"])) for _ in range(3)]
    await problems.create(factories.problem(tags=["strings"]))
    page = await problems.list_problems(tag="graphs", limit=2)
    rest = await problems.list_problems(tag="graphs", limit=2, cursor=page.next_cursor)
    assert [p.identifier for p in page.items + rest.items] == [p.identifier for p in tagged[::-1]]
    assert rest.next_cursor is None


async def test_get_problem_with_all_test_cases(problems, test_cases, dynamodb):
    created = await problems.create(factories.problem(tags=["t"]))
    key = {"platform": created.platform, "identifier": created.identifier}
    big = NewTestCase(input="9" * 1_500_000, output="1\n")
    await test_cases.add_many(**key, new_cases=factories.new_cases(30) + [big])
    calls = []
    original = dynamodb.query

    async def counting_query(**kwargs):
        calls.append(kwargs)
        return await original(**kwargs)

    dynamodb.query = counting_query
    try:
        found = await problems.get_with_test_cases(**key)
    finally:
        dynamodb.query = original
    assert found.problem.test_case_count == 31
    assert [t.input for t in found.test_cases][:3] == ["0 0\n", "1 1\n", "2 2\n"]
    assert found.test_cases[-1].input == big.input
    assert {c["KeyConditionExpression"] for c in calls} == {"PK = :pk"}, "one Query (paginated), no N+1"


async def test_get_problem_for_judging(problems, test_cases):
    created = await problems.create(factories.problem())
    key = {"platform": created.platform, "identifier": created.identifier}
    big = NewTestCase(input="7 " * 800_000, output="ok\n")
    await test_cases.add_many(**key, new_cases=factories.new_cases(3) + [big])
    problem, packed = await problems.get_for_judging(**key)
    assert problem.identifier == created.identifier
    assert [p.position for p in packed] == sorted(p.position for p in packed)
    assert len(packed[-1].packed_input) < len(big.input) // 100, "held compressed"
    assert packed[-1].input_bytes() == big.input.encode() and packed[-1].output == "ok\n"
    whole = (await problems.get_with_test_cases(**key)).test_cases
    assert [p.unpack() for p in packed] == whole


async def test_add_test_cases_in_bulk(problems, test_cases):
    created = await problems.create(factories.problem())
    key = {"platform": created.platform, "identifier": created.identifier}
    cases = factories.new_cases(1200)
    first = await test_cases.add_many(**key, new_cases=cases)
    assert len(first.added) == 1200 and first.test_case_count == 1200
    retry = await test_cases.add_many(**key, new_cases=cases)
    assert retry.added == [] and len(retry.existing) == 1200 and retry.test_case_count == 1200
    more = await test_cases.add_many(**key, new_cases=factories.new_cases(3, prefix="x"))
    assert more.test_case_count == 1203
    assert (await problems.get(**key)).test_case_count == 1203


async def test_add_test_cases_in_bulk_concurrently_counts_exactly(problems, test_cases):
    created = await problems.create(factories.problem())
    key = {"platform": created.platform, "identifier": created.identifier}
    shared = factories.new_cases(20, prefix="shared")
    batches = [factories.new_cases(60, prefix=f"b{n}-") + shared for n in range(4)]
    results = await asyncio.gather(*(test_cases.add_many(**key, new_cases=batch) for batch in batches))
    unique = 4 * 60 + 20
    added = [case_id for result in results for case_id in result.added]
    assert len(added) == len(set(added)) == unique, "every case added by exactly one request"
    assert (await problems.get(**key)).test_case_count == unique
    found = (await problems.get_with_test_cases(**key)).test_cases
    assert len(found) == unique
    assert len({t.position for t in found}) == unique, "no two cases share a position"
    for batch, result in zip(batches, results, strict=True):
        assert len(result.added) + len(result.existing) == len(batch)
    later = await test_cases.add_many(**key, new_cases=factories.new_cases(2, prefix="later"))
    assert later.test_case_count == unique + 2
    positions = {t.test_case_id: t.position for t in (await problems.get_with_test_cases(**key)).test_cases}
    assert min(positions[i] for i in later.added) > max(t.position for t in found), "appended after"


async def test_concurrent_deletes_of_one_test_case_count_once(problems, test_cases):
    created = await problems.create(factories.problem())
    key = {"platform": created.platform, "identifier": created.identifier}
    result = await test_cases.add_many(**key, new_cases=factories.new_cases(3))
    outcomes = await asyncio.gather(
        *(test_cases.delete(**key, test_case_id=result.added[0]) for _ in range(3)), return_exceptions=True
    )
    assert sorted(type(o).__name__ for o in outcomes) == ["TestCaseNotFound", "TestCaseNotFound", "int"]
    assert (await problems.get(**key)).test_case_count == 2


async def test_restore_soft_deleted_problem(problems):
    created = await problems.create(factories.problem(tags=["graphs"], legacy_id=4242))
    key = {"platform": created.platform, "identifier": created.identifier}
    await problems.delete(**key)
    with pytest.raises(ProblemNotFound):
        await problems.get(**key)
    assert (await problems.get(**key, include_deleted=True)).deleted
    with pytest.raises(ProblemExists):
        await problems.create(factories.problem(**key))
    restored = await problems.restore(**key)
    assert not restored.deleted
    assert (await problems.get(**key)).title == created.title
    assert [p.identifier for p in (await problems.list_problems(tag="graphs", limit=5)).items] == [
        created.identifier
    ]
    assert (await problems.get_by_legacy_id(4242)).identifier == created.identifier
    assert (await problems.restore(**key)).deleted is False
    with pytest.raises(ProblemNotFound):
        await problems.restore(platform="baekjoon", identifier="never")


async def test_list_test_cases(problems, test_cases):
    created = await problems.create(factories.problem())
    key = {"platform": created.platform, "identifier": created.identifier}
    await test_cases.add_many(**key, new_cases=factories.new_cases(5) + [NewTestCase("z" * 600_000, "1")])
    seen, cursor = [], None
    while True:
        page = await test_cases.list_test_cases(**key, limit=4, cursor=cursor)
        seen += page.items
        cursor = page.next_cursor
        if not cursor:
            break
    assert len(seen) == 6
    big = next(s for s in seen if s.input_size == 600_000)
    assert len(big.input_preview) == 1024


async def test_list_samples(problems, test_cases):
    created = await problems.create(factories.problem())
    key = {"platform": created.platform, "identifier": created.identifier}
    await test_cases.add_many(
        **key, new_cases=factories.new_cases(3) + factories.new_cases(2, kind="sample", prefix="s")
    )
    samples = await test_cases.list_samples(**key)
    assert [s.kind for s in samples] == ["sample", "sample"]
    assert [s.input for s in samples] == ["s0 0\n", "s1 1\n"]


async def test_get_test_case(problems, test_cases):
    created = await problems.create(factories.problem())
    key = {"platform": created.platform, "identifier": created.identifier}
    big = NewTestCase(input="ab" * 1_000_000, output="\u00e9" * 1_000_000)
    result = await test_cases.add_many(**key, new_cases=[big])
    found = await test_cases.get(**key, test_case_id=result.added[0])
    assert found.input == big.input and found.output == big.output
    with pytest.raises(TestCaseNotFound):
        await test_cases.get(**key, test_case_id="m" + "0" * 23)


async def test_delete_test_case(problems, test_cases, table):
    created = await problems.create(factories.problem())
    key = {"platform": created.platform, "identifier": created.identifier}
    result = await test_cases.add_many(
        **key, new_cases=[NewTestCase("q" * 900_000, "1"), NewTestCase("1", "1")]
    )
    assert await test_cases.delete(**key, test_case_id=result.added[0]) == 1
    remaining = [
        i
        async for i in table.query_all(
            KeyConditionExpression="PK = :pk AND begins_with(SK, :tc)",
            ExpressionAttributeValues={":pk": {"S": keys.problem_pk(**key)}, ":tc": {"S": "TC#"}},
        )
    ]
    assert len(remaining) == 1, "chunks go with their head"
    with pytest.raises(TestCaseNotFound):
        await test_cases.delete(**key, test_case_id=result.added[0])


async def test_replace_all_test_cases(problems, test_cases):
    created = await problems.create(factories.problem())
    key = {"platform": created.platform, "identifier": created.identifier}
    await test_cases.add_many(**key, new_cases=factories.new_cases(10))
    result = await test_cases.replace_all(**key, new_cases=factories.new_cases(2, prefix="r"))
    assert result.test_case_count == 2
    found = await problems.get_with_test_cases(**key)
    assert [t.input for t in found.test_cases] == ["r0 0\n", "r1 1\n"]
    assert found.problem.test_case_count == 2


async def test_record_applied_migration(table):
    log = MigrationLog(table)
    await log.record(99, "test step")
    assert 99 in await log.applied()


async def test_list_applied_migrations(table):
    assert {1, 2} <= await MigrationLog(table).applied()

"""The backend contract: every ``SearchIndex`` backend passes these (``index`` is
parametrised over FTS5 and OpenSearch). Documents come from problems the real
repository wrote to DynamoDB Local, read back as the stream would hand them over."""

from __future__ import annotations

import dataclasses

from algoitny.domain import Problem
from algoitny.search import ProblemDocument, Removal, SearchIndex, SearchQuery, Version
from algoitny.search.documents import problem_from_image
from algoitny.search.text import terms
from algoitny.table import ProblemRepository, Table
from tests import factories
from tests.search.conftest import problem_image


async def indexed(index: SearchIndex, problems: ProblemRepository, table: Table, **fields) -> ProblemDocument:
    fields.setdefault("status", "completed")
    created = await problems.create(factories.problem(**fields))
    image = await problem_image(table, created.platform, created.identifier)
    document = ProblemDocument(problem_from_image(image), Version.of(image["upd"], 1))
    await index.upsert([document])
    return document


async def found(index: SearchIndex, text: str, **options) -> list[str]:
    result = await index.search(SearchQuery(terms=tuple(terms(text)), **options))
    return [hit.problem.identifier for hit in result.hits]


async def test_korean_substrings_of_any_length_and_english_prefixes(index, problems, table):
    await indexed(index, problems, table, identifier="1753", title="최단경로 구하기", tags=["graphs"])
    await indexed(index, problems, table, identifier="1000", title="Binary Search Tree")
    for query in ("경로", "단경로", "최단", "최단경로 구하", "하기"):
        assert await found(index, query) == ["1753"], query
    for query in ("bin", "binary sea", "TREE", "earch"):
        assert await found(index, query) == ["1000"], query
    assert await found(index, "경로 tree") == []  # every term must match


async def test_identifiers_match_exactly_case_insensitively_and_by_prefix(index, problems, table):
    await indexed(
        index, problems, table, platform="codeforces", identifier="1520E", title="Arranging The Sheep"
    )
    await indexed(
        index, problems, table, platform="codeforces", identifier="1520F", title="Guess the K-th Zero"
    )
    assert await found(index, "1520e") == ["1520E"]
    assert sorted(await found(index, "1520")) == ["1520E", "1520F"]


async def test_exact_identifier_or_title_first_then_title_words_then_tags_then_substrings(
    index, problems, table
):
    await indexed(index, problems, table, identifier="5001", title="Subtree Sums", tags=["math"])
    await indexed(index, problems, table, identifier="5002", title="Counting", tags=["tree"])
    await indexed(index, problems, table, identifier="5003", title="Tree Queries", tags=["math"])
    await indexed(index, problems, table, identifier="5004", title="Tree", tags=["math"])
    assert await found(index, "tree") == ["5004", "5003", "5002", "5001"]
    await indexed(index, problems, table, identifier="1000", title="A+B")
    await indexed(index, problems, table, identifier="10001", title="Problem 1000 revisited")
    assert (await found(index, "1000"))[0] == "1000"
    assert await found(index, "a+b") == ["1000"]


async def test_filters_combine_with_the_query(index, problems, table):
    await indexed(
        index, problems, table, platform="baekjoon", identifier="2001", title="Graph Walk", tags=["dp"]
    )
    await indexed(
        index, problems, table, platform="baekjoon", identifier="2002", title="Graph Cut", tags=["flow"]
    )
    await indexed(
        index, problems, table, platform="atcoder", identifier="abc100_a", title="Graph Art", tags=["dp"]
    )
    assert sorted(await found(index, "graph", platform="baekjoon")) == ["2001", "2002"]
    assert sorted(await found(index, "graph", tag="dp")) == ["2001", "abc100_a"]
    assert await found(index, "graph", platform="baekjoon", tag="dp") == ["2001"]
    assert await found(index, "graph", platform="codeforces") == []


async def test_drafts_and_soft_deleted_problems_only_with_include_hidden(index, problems, table):
    await indexed(index, problems, table, identifier="3001", title="Hidden Draft", status="draft")
    live = await indexed(index, problems, table, identifier="3002", title="Hidden Deleted")
    await problems.delete(platform=live.problem.platform, identifier="3002")
    image = await problem_image(table, live.problem.platform, "3002")
    await index.upsert([ProblemDocument(problem_from_image(image), Version.of(image["upd"], 2))])
    assert await found(index, "hidden") == []
    assert sorted(await found(index, "hidden", include_hidden=True)) == ["3001", "3002"]


async def test_only_the_newest_version_counts_whatever_the_order(index, problems, table):
    first = await indexed(index, problems, table, identifier="4001", title="Old Name")
    renamed = dataclasses.replace(
        first,
        problem=dataclasses.replace(first.problem, title="New Name"),
        version=Version.of(first.version.updated_at + 1, 5),
    )
    await index.upsert([renamed])
    await index.upsert([first, first])  # the older image, replayed twice
    assert await found(index, "old") == []
    assert await found(index, "new name") == ["4001"]
    # Same updated_at, later sequence (the judge's ADD of the execution count): applied.
    counted = dataclasses.replace(
        renamed,
        problem=dataclasses.replace(renamed.problem, execution_count=7),
        version=Version.of(renamed.version.updated_at, 6),
    )
    await index.upsert([counted])
    (hit,) = (await index.search(SearchQuery(terms=("new",)))).hits
    assert hit.problem.execution_count == 7
    # A removal wins over an older upsert replayed after it, and loses to a newer one.
    await index.delete([Removal("baekjoon", "4001", Version.of(renamed.version.updated_at, 9))])
    await index.upsert([counted])
    assert await found(index, "new", include_hidden=True) == []
    assert await index.count() == 0
    back = dataclasses.replace(counted, version=Version.of(counted.version.updated_at + 1, 10))
    await index.upsert([back])
    assert await found(index, "new") == ["4001"]


async def test_pages_follow_the_ranking_and_say_when_more_follow(index, problems, table):
    for n in range(5):
        await indexed(index, problems, table, identifier=f"60{n}", title=f"Paging Problem {n}")
    seen, after, pages = [], None, 0
    while True:
        result = await index.search(SearchQuery(terms=("paging",), limit=2, after=after))
        seen += [hit.problem.identifier for hit in result.hits]
        pages += 1
        if result.next is None:
            break
        after = result.next
    assert pages == 3
    assert seen == ["604", "603", "602", "601", "600"]  # equal relevance: newest first


async def test_the_whole_problem_comes_back_and_reset_empties(index, problems, table):
    document = await indexed(
        index, problems, table, identifier="7001", title="Payload", tags=["x", "y"], statement="Sum."
    )
    (hit,) = (await index.search(SearchQuery(terms=("payload",)))).hits
    assert isinstance(hit.problem, Problem)
    assert hit.problem == document.problem
    assert await index.count() == 1
    await index.reset()
    assert await index.count() == 0
    assert await found(index, "payload") == []

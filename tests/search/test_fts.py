"""What only the FTS5 backend has: ranking in windows of the newest matches."""

from __future__ import annotations

import pytest

from algoitny.errors import InvalidCursor
from algoitny.search import ProblemDocument, SearchQuery, Version
from algoitny.search.fts import Fts5Index
from algoitny.search.text import terms
from tests import factories


def document(n: int, title: str, tags: list[str]) -> ProblemDocument:
    problem = factories.problem(identifier=str(8000 + n), title=title, tags=tags, status="completed")
    problem.created_at = problem.updated_at = 1_700_000_000_000 + n
    return ProblemDocument(problem, Version.of(problem.updated_at, n))


async def test_pages_cross_windows_and_tiers_without_gaps_or_repeats(tmp_path):
    index = Fts5Index(tmp_path / "search.sqlite3", window=2)
    titles = ["Walk", "Walk Far", "Sky", "Long Walk Home", "Sidewalk", "Walkers", "Boardwalk", "Walk"]
    docs = [document(n, t, ["walk"] if t == "Sky" else ["x"]) for n, t in enumerate(titles)]
    await index.upsert(docs)
    seen, after = [], None
    while True:
        result = await index.search(SearchQuery(terms=tuple(terms("walk")), limit=3, after=after))
        seen += [hit.problem.title for hit in result.hits]
        if result.next is None:
            break
        after = result.next
    assert sorted(seen) == sorted(titles)  # each exactly once
    # Exact titles (newest first), then title words in windows of the 2 newest (bm25 within
    # each: the shorter title first), then the tag, then parts of words (bm25 again).
    assert seen == ["Walk", "Walk", "Walkers", "Walk Far", "Long Walk Home", "Sky", "Sidewalk", "Boardwalk"]
    with pytest.raises(InvalidCursor):
        await index.search(SearchQuery(terms=("walk",), after=(1, "x", 0)))
    await index.close()

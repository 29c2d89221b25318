"""``algoitny reindex``: the index rebuilt from the table, whatever it held before."""

from __future__ import annotations

import asyncio
import json

from algoitny import cli
from algoitny.search import SearchQuery, open_search_index
from algoitny.search.reindex import reindex
from algoitny.settings import get_settings
from tests import factories


async def test_reindex_rebuilds_a_lost_or_stale_index(problems, settings, monkeypatch, capsys):
    made = [
        await problems.create(factories.problem(title=f"잃어버린 색인 {n}", status="completed"))
        for n in range(3)
    ]
    await problems.delete(platform=made[2].platform, identifier=made[2].identifier)
    async with open_search_index(settings.search) as index:
        report = await reindex(problems, index)
        assert (report.problems, report.indexed) == (3, 3)
        result = await index.search(SearchQuery(terms=("색인",)))
        assert sorted(h.problem.identifier for h in result.hits) == sorted(p.identifier for p in made[:2])
    settings.search.path.unlink()  # lost: the command makes it again

    # The command itself, on a thread (it runs its own event loop), with the test's settings.
    for name, value in {
        "ALGOITNY_TABLE__NAME": settings.table.name,
        "ALGOITNY_TABLE__ENDPOINT_URL": settings.table.endpoint_url or "",
        "ALGOITNY_SEARCH__PATH": str(settings.search.path),
    }.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    try:
        assert await asyncio.to_thread(cli.main, ["reindex"]) == 0
    finally:
        get_settings.cache_clear()
    out = capsys.readouterr().out
    line = json.loads(out.strip().splitlines()[-1])
    assert line["backend"] == "fts5" and line["problems"] == 3 and line["indexed"] == 3
    async with open_search_index(settings.search) as index:
        result = await index.search(SearchQuery(terms=("잃어",), include_hidden=True))
        assert len(result.hits) == 3

"""End to end: problems created, renamed and deleted through the API reach search through
the real stream indexer (``algoitny.indexer.run``), no handler touching the index."""

from __future__ import annotations

import asyncio

from algoitny.indexer.run import run_indexer
from algoitny.settings import IndexerSettings
from tests import factories
from tests.conftest import app_client

SEARCH = "/api/search/problems"


async def found_eventually(api, q: str, expected: list[str], headers=None, timeout_s: float = 30) -> None:
    """Polls the route until it answers ``expected`` (the stream is asynchronous)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout_s
    while True:
        items = (await api.get(SEARCH, params={"q": q}, headers=headers)).json()["items"]
        if [i["problem_identifier"] for i in items] == expected or loop.time() > deadline:
            break
        await asyncio.sleep(0.05)
    assert [i["problem_identifier"] for i in items] == expected, q


async def test_api_changes_reach_search_through_the_indexer(settings, admin):
    fast = IndexerSettings(lease_s=2, poll_interval_s=0.05, discover_interval_s=0.2)
    settings = settings.model_copy(update={"indexer": fast})
    stop = asyncio.Event()
    indexer = asyncio.create_task(run_indexer(settings, stop))
    try:
        async with app_client(settings) as api:
            body = factories.problem_body(platform="baekjoon", problem_identifier="1753", title="최단경로")
            assert (await api.post("/api/problems", json=body, headers=admin)).status_code == 201
            await found_eventually(api, "경로", ["1753"])
            await found_eventually(api, "1753", ["1753"])
            patch = {"title": "최소 스패닝 트리"}
            assert (
                await api.patch("/api/problems/baekjoon/1753", json=patch, headers=admin)
            ).status_code == 200
            await found_eventually(api, "스패닝", ["1753"])
            await found_eventually(api, "경로", [])
            assert (await api.delete("/api/problems/baekjoon/1753", headers=admin)).status_code == 204
            await found_eventually(api, "스패닝", [])
            await found_eventually(api, "스패닝", ["1753"], headers=admin)
    finally:
        stop.set()
        await asyncio.wait_for(indexer, timeout=30)

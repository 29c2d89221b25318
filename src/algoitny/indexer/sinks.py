"""Which sinks an indexer feeds: one factory per sink, in ``SINKS``.

A factory gets the indexer's ``SinkContext`` (settings, the table, an exit stack for
anything it opens, such as a search index) and returns the sink. Adding a sink is one
line in ``SINKS`` (docs/indexer.md, Adding a sink).
"""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from algoitny.indexer.records import ChangeSink
from algoitny.indexer.statistics import StatisticsSink
from algoitny.search import open_search_index
from algoitny.search.sink import SearchSink
from algoitny.settings import Settings
from algoitny.table.client import Table
from algoitny.table.stats import StatisticsRepository


@dataclass
class SinkContext:
    settings: Settings
    table: Table
    stack: contextlib.AsyncExitStack  # closed when the indexer stops


SinkFactory = Callable[[SinkContext], Awaitable[ChangeSink]]


async def statistics_sink(context: SinkContext) -> ChangeSink:
    return StatisticsSink(
        StatisticsRepository(context.table), concurrency=context.settings.indexer.apply_concurrency
    )


async def search_sink(context: SinkContext) -> ChangeSink:
    index = await context.stack.enter_async_context(open_search_index(context.settings.search, create=True))
    return SearchSink(index)


SINKS: list[SinkFactory] = [statistics_sink, search_sink]


async def build_sinks(context: SinkContext, factories: list[SinkFactory] | None = None) -> list[ChangeSink]:
    return [await factory(context) for factory in (SINKS if factories is None else factories)]

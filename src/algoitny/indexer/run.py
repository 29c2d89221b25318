"""``algoitny indexer``: one stream reader feeding every sink, until SIGTERM/SIGINT."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal

import aioboto3

from algoitny.indexer.sinks import SinkContext, build_sinks
from algoitny.indexer.stream import StreamReader
from algoitny.resources import dynamodb_client_kwargs, open_dynamodb
from algoitny.settings import Settings
from algoitny.table.client import Table
from algoitny.table.stream_state import ShardStateRepository

log = logging.getLogger(__name__)


async def run_indexer(settings: Settings, stop: asyncio.Event, *, owner: str | None = None) -> None:
    async with contextlib.AsyncExitStack() as stack:
        dynamodb = await stack.enter_async_context(open_dynamodb(settings.table, settings.table.worker))
        streams = await stack.enter_async_context(
            aioboto3.Session().client(
                "dynamodbstreams", **dynamodb_client_kwargs(settings.table, settings.table.worker)
            )
        )
        table = Table(dynamodb, settings.table.name)
        sinks = await build_sinks(SinkContext(settings=settings, table=table, stack=stack))
        reader = StreamReader(
            dynamodb=dynamodb,
            streams=streams,
            table_name=settings.table.name,
            state=ShardStateRepository(table),
            sinks=sinks,
            settings=settings.indexer,
            owner=owner,
        )
        log.info(
            "indexer %s: table %s, sinks %s",
            reader.owner,
            settings.table.name,
            ", ".join(s.name for s in sinks),
        )
        await reader.run(stop)


def main() -> int:
    from algoitny.settings import get_settings

    async def serve() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stop.set)
        await run_indexer(get_settings(), stop)

    asyncio.run(serve())
    return 0

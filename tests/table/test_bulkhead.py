"""The bulkhead around the DynamoDB client (table/bulkhead.py): a call gives its slot
back however it ends; a call that finds no slot waits while the table keeps answering
and gives up once it has not answered for the bound."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import pytest
from botocore.exceptions import ClientError

from algoitny.resources import open_dynamodb
from algoitny.settings import TableClientSettings, TableSettings
from algoitny.table.bulkhead import TableBusy

ONE_SLOT = TableClientSettings(max_connections=1, connection_wait_s=5.0)


async def test_a_failed_call_gives_its_slot_back(services):
    table = TableSettings(endpoint_url=services.dynamodb_url)
    async with open_dynamodb(table, ONE_SLOT) as client:
        for _ in range(3):
            with pytest.raises(ClientError):
                await client.describe_table(TableName="no-such-table-anywhere")
        # With a slot leaked by a failed call this would be TableBusy.
        assert "TableNames" in await asyncio.wait_for(client.list_tables(), 10)


async def test_a_cancelled_call_gives_its_slot_back(services):
    table = TableSettings(endpoint_url=services.dynamodb_url)
    async with open_dynamodb(table, ONE_SLOT) as client:
        call = asyncio.create_task(client.list_tables())
        await asyncio.sleep(0)
        call.cancel()
        with pytest.raises(asyncio.CancelledError):
            await call
        assert "TableNames" in await asyncio.wait_for(client.list_tables(), 10)


async def test_a_call_that_finds_every_slot_taken_waits_for_a_turn_then_gives_up(services):
    table = TableSettings(endpoint_url=services.dynamodb_url)
    short_wait = TableClientSettings(max_connections=1, connection_wait_s=0.1)
    async with open_dynamodb(table, short_wait) as client:
        await client._slots.acquire()  # a call in flight that does not end
        with pytest.raises(TableBusy):
            await client.list_tables()
        client._slots.release()
        assert "TableNames" in await client.list_tables()


def test_the_pool_and_the_bulkhead_have_the_same_size():
    from algoitny.resources import dynamodb_client_kwargs

    settings = TableClientSettings(max_connections=7)
    assert dynamodb_client_kwargs(TableSettings(), settings)["config"].max_pool_connections == 7


@contextlib.asynccontextmanager
async def slow_table(delay_s: float) -> AsyncIterator[str]:
    """An HTTP server that answers every DynamoDB request with an empty ListTables,
    ``delay_s`` after it arrived: busy, but answering."""

    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        body = b'{"TableNames": []}'
        with contextlib.suppress(ConnectionError, asyncio.IncompleteReadError):
            while head := await reader.readuntil(b"\r\n\r\n"):
                length = next(
                    int(line.split(b":", 1)[1])
                    for line in head.lower().split(b"\r\n")
                    if line.startswith(b"content-length:")
                )
                await reader.readexactly(length)
                await asyncio.sleep(delay_s)
                writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/x-amz-json-1.0\r\n")
                writer.write(b"Content-Length: %d\r\n\r\n%s" % (len(body), body))
                await writer.drain()
        writer.close()

    server = await asyncio.start_server(answer, "127.0.0.1", 0)
    try:
        yield f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}"
    finally:
        server.close()


async def test_a_queue_behind_a_busy_table_waits_as_long_as_the_table_keeps_answering():
    """40 calls through one slot take about 40 × 30 ms, far past the 0.3 s bound, and
    every one is answered: the bound is on the table's silence, not on the queue."""
    settings = TableClientSettings(max_connections=1, connection_wait_s=0.3)
    async with (
        slow_table(0.03) as endpoint,
        open_dynamodb(TableSettings(endpoint_url=endpoint), settings) as client,
    ):
        answers = await asyncio.wait_for(asyncio.gather(*(client.list_tables() for _ in range(40))), 30)
    assert answers and all(answer["TableNames"] == [] for answer in answers)

"""The bulkhead around the DynamoDB client (table/bulkhead.py): a call gives its slot
back however it ends, and a call that finds no slot waits at most the bound."""

from __future__ import annotations

import asyncio

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

"""DynamoDB calls are counted by botocore's event hooks, Redis failures by the connection."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError, EndpointConnectionError
from redis.exceptions import ConnectionError as RedisConnectionError

from algoitny.localstack import free_port
from algoitny.observability.dynamodb import instrument
from algoitny.resources import open_dynamodb, open_redis
from algoitny.settings import RedisSettings, Settings, TableClientSettings, TableSettings
from algoitny.table.client import Table
from tests.observability.helpers import sample


async def test_dynamodb_calls_latency_and_capacity_are_counted(settings: Settings):
    before_ok = sample("algoitny_dynamodb_calls_total", operation="PutItem", outcome="ok")
    before_count = sample("algoitny_dynamodb_call_duration_seconds_count", operation="PutItem")
    before_units = sample("algoitny_dynamodb_consumed_capacity_units_total", operation="PutItem")
    async with open_dynamodb(settings.table) as client:
        table = Table(instrument(client), settings.table.name)
        await table.put({"PK": {"S": "OBS#1"}, "SK": {"S": "A"}})
        assert await table.get({"PK": "OBS#1", "SK": "A"}) is not None
        missing = Table(client, "no-such-table")
        with pytest.raises(ClientError):
            await missing.get({"PK": "x", "SK": "y"})
    assert sample("algoitny_dynamodb_calls_total", operation="PutItem", outcome="ok") == before_ok + 1
    assert sample("algoitny_dynamodb_call_duration_seconds_count", operation="PutItem") == before_count + 1
    # ReturnConsumedCapacity is asked for by the hook; DynamoDB Local reports 1 unit per small put.
    assert sample("algoitny_dynamodb_consumed_capacity_units_total", operation="PutItem") > before_units
    assert (
        sample("algoitny_dynamodb_calls_total", operation="GetItem", outcome="ResourceNotFoundException") >= 1
    )


async def test_an_unreachable_table_is_counted_with_its_exception():
    before = sample("algoitny_dynamodb_calls_total", operation="GetItem", outcome="EndpointConnectionError")
    table_settings = TableSettings(endpoint_url=f"http://127.0.0.1:{free_port()}")
    fail_fast = TableClientSettings(connect_timeout_s=0.5, read_timeout_s=0.5, max_attempts=1)
    async with open_dynamodb(table_settings, fail_fast) as client:
        with pytest.raises(EndpointConnectionError):
            await Table(instrument(client), "t").get({"PK": "x", "SK": "y"})
    assert (
        sample("algoitny_dynamodb_calls_total", operation="GetItem", outcome="EndpointConnectionError")
        == before + 1
    )


async def test_redis_connection_errors_are_counted_once():
    before = sample("algoitny_redis_errors_total", kind="connect", error="ConnectionError")
    redis = open_redis(Settings(redis=RedisSettings(url=f"redis://127.0.0.1:{free_port()}/0")))
    try:
        with pytest.raises(RedisConnectionError):
            await redis.ping()
    finally:
        await redis.aclose()
    assert sample("algoitny_redis_errors_total", kind="connect", error="ConnectionError") == before + 1
    assert sample("algoitny_redis_errors_total", kind="send", error="ConnectionError") == 0

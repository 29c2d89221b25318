from __future__ import annotations

import aioboto3
import pytest

from algoitny.resources import dynamodb_client_kwargs
from algoitny.settings import TableSettings
from algoitny.table import StatisticsRepository


@pytest.fixture(scope="session")
async def streams(services):
    table = TableSettings(endpoint_url=services.dynamodb_url)
    async with aioboto3.Session().client("dynamodbstreams", **dynamodb_client_kwargs(table)) as client:
        yield client


@pytest.fixture
def statistics(table) -> StatisticsRepository:
    return StatisticsRepository(table)

"""Helpers shared by migration steps."""

from __future__ import annotations

import asyncio
from typing import Any

from botocore.exceptions import ClientError


async def table_exists(client: Any, table_name: str) -> bool:
    try:
        await client.describe_table(TableName=table_name)
    except ClientError as exc:
        if exc.response["Error"]["Code"] == "ResourceNotFoundException":
            return False
        raise
    return True


async def wait_active(client: Any, table_name: str, timeout_s: float = 300) -> None:
    """Waits until the table and all its indexes are ACTIVE."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout_s
    while True:
        table = (await client.describe_table(TableName=table_name))["Table"]
        indexes = table.get("GlobalSecondaryIndexes", [])
        if table["TableStatus"] == "ACTIVE" and all(i["IndexStatus"] == "ACTIVE" for i in indexes):
            return
        if loop.time() > deadline:
            raise TimeoutError(f"table {table_name} did not become ACTIVE")
        await asyncio.sleep(1)

"""Turns on TTL on the ``ttl`` attribute (epoch seconds); readers still filter on it."""

from __future__ import annotations

from typing import Any

NAME = "enable TTL on attribute ttl"


async def apply(client: Any, table_name: str) -> None:
    described = await client.describe_time_to_live(TableName=table_name)
    status = described.get("TimeToLiveDescription", {}).get("TimeToLiveStatus")
    if status in ("ENABLED", "ENABLING"):
        return
    await client.update_time_to_live(
        TableName=table_name,
        TimeToLiveSpecification={"Enabled": True, "AttributeName": "ttl"},
    )

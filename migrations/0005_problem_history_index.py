"""Adds GSI3 (overloaded like GSI1/GSI2): first use, a problem's submissions visible to
a viewer (``table/keys.py``). Tables created since step 0001 learned of GSI3 already
have it, so this is a no-op for them; older tables get it by UpdateTable."""

from __future__ import annotations

from typing import Any

from migrations.steps import wait_active

NAME = "add GSI3 (a problem's submissions)"

INDEX = "GSI3"


def index_definition() -> dict[str, Any]:
    return {
        "IndexName": INDEX,
        "KeySchema": [
            {"AttributeName": f"{INDEX}PK", "KeyType": "HASH"},
            {"AttributeName": f"{INDEX}SK", "KeyType": "RANGE"},
        ],
        "Projection": {"ProjectionType": "ALL"},
    }


async def apply(client: Any, table_name: str) -> None:
    table = (await client.describe_table(TableName=table_name))["Table"]
    if any(index["IndexName"] == INDEX for index in table.get("GlobalSecondaryIndexes", [])):
        return
    await client.update_table(
        TableName=table_name,
        AttributeDefinitions=[
            {"AttributeName": f"{INDEX}PK", "AttributeType": "S"},
            {"AttributeName": f"{INDEX}SK", "AttributeType": "S"},
        ],
        GlobalSecondaryIndexUpdates=[{"Create": index_definition()}],
    )
    await wait_active(client, table_name)

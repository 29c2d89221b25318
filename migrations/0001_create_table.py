"""Creates the table: PK/SK strings, GSI1 and GSI2 (overloaded), stream with both images.

A table created now also gets the GSIs later steps add (GSI3, step 0005), so a new table
is whole at once (those steps find them and do nothing); UpdateTable is for old tables."""

from __future__ import annotations

from typing import Any

from migrations.steps import table_exists, wait_active

NAME = "create table with GSI1, GSI2 and a stream"

_STRING_ATTRIBUTES = ["PK", "SK", "GSI1PK", "GSI1SK", "GSI2PK", "GSI2SK", "GSI3PK", "GSI3SK"]


def _index(name: str) -> dict[str, Any]:
    return {
        "IndexName": name,
        "KeySchema": [
            {"AttributeName": f"{name}PK", "KeyType": "HASH"},
            {"AttributeName": f"{name}SK", "KeyType": "RANGE"},
        ],
        "Projection": {"ProjectionType": "ALL"},
    }


async def apply(client: Any, table_name: str) -> None:
    if not await table_exists(client, table_name):
        await client.create_table(
            TableName=table_name,
            BillingMode="PAY_PER_REQUEST",
            AttributeDefinitions=[{"AttributeName": a, "AttributeType": "S"} for a in _STRING_ATTRIBUTES],
            KeySchema=[
                {"AttributeName": "PK", "KeyType": "HASH"},
                {"AttributeName": "SK", "KeyType": "RANGE"},
            ],
            GlobalSecondaryIndexes=[_index("GSI1"), _index("GSI2"), _index("GSI3")],
            StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
        )
    await wait_active(client, table_name)

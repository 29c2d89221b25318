"""Gives the seeded plans a daily ``stress`` limit (counterexample searches asked for).

Only where the plan exists and has none yet: an admin's edit survives reruns, and a plan
an admin deleted is not brought back.
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from algoitny.table import keys
from algoitny.table.codec import PLAN

NAME = "plans get a daily stress limit"

LIMITS = {"free": 5, "pro": 100, "admin": 1_000_000}


async def apply(client: Any, table_name: str) -> None:
    for name, limit in LIMITS.items():
        key = keys.plan_key(name)
        try:
            await client.update_item(
                TableName=table_name,
                Key={"PK": {"S": key["PK"]}, "SK": {"S": key["SK"]}},
                UpdateExpression="SET #dst = :limit",
                ConditionExpression="attribute_exists(PK) AND attribute_not_exists(#dst)",
                ExpressionAttributeNames={"#dst": PLAN.short("daily_stress")},
                ExpressionAttributeValues={":limit": {"N": str(limit)}},
            )
        except ClientError as exc:
            if exc.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise

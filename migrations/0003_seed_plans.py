"""Seeds the Free, Pro and Admin plans (only where missing: admins' edits survive reruns)."""

from __future__ import annotations

import time
from typing import Any

from botocore.exceptions import ClientError

from algoitny.table import keys
from algoitny.table.codec import PLAN

NAME = "seed plans free, pro, admin"

PLANS = [
    {
        "name": "free",
        "display_name": "Free",
        "daily_executions": 50,
        "daily_hints": 5,
        "can_register_problems": False,
        "paid": False,
    },
    {
        "name": "pro",
        "display_name": "Pro",
        "daily_executions": 1000,
        "daily_hints": 100,
        "can_register_problems": True,
        "paid": True,
    },
    {
        "name": "admin",
        "display_name": "Admin",
        "daily_executions": 1_000_000,
        "daily_hints": 1_000_000,
        "can_register_problems": True,
        "paid": False,
    },
]


async def apply(client: Any, table_name: str) -> None:
    now = int(time.time() * 1000)
    for plan in PLANS:
        item = PLAN.encode(
            plan | {"created_at": now, "updated_at": now},
            keys.plan_key(plan["name"]) | keys.plan_list_keys(plan["name"]),
        )
        try:
            await client.put_item(
                TableName=table_name, Item=item, ConditionExpression="attribute_not_exists(PK)"
            )
        except ClientError as exc:
            if exc.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise

"""Plans: daily limits per action and what the plan allows."""

from __future__ import annotations

import time
from dataclasses import asdict

from algoitny.domain import Plan
from algoitny.errors import PlanNotFound
from algoitny.table import keys
from algoitny.table.client import Table
from algoitny.table.codec import PLAN


class PlanRepository:
    def __init__(self, table: Table) -> None:
        self.table = table

    async def get(self, name: str) -> Plan:
        item = await self.table.get(keys.plan_key(name))
        if item is None:
            raise PlanNotFound(f"No plan named {name!r}.")
        return Plan(**PLAN.decode(item))

    async def list_plans(self) -> list[Plan]:
        return [
            Plan(**PLAN.decode(item))
            async for item in self.table.query_all(
                IndexName=keys.GSI1,
                KeyConditionExpression="GSI1PK = :pk",
                ExpressionAttributeValues={":pk": {"S": keys.PLANS}},
            )
        ]

    async def save(self, plan: Plan) -> Plan:
        """Creates or replaces the plan (keeping its creation time)."""
        now = int(time.time() * 1000)
        try:
            plan.created_at = (await self.get(plan.name)).created_at
        except PlanNotFound:
            plan.created_at = now
        plan.updated_at = now
        await self.table.put(
            PLAN.encode(asdict(plan), keys.plan_key(plan.name) | keys.plan_list_keys(plan.name))
        )
        return plan

    async def delete(self, name: str) -> None:
        removed = await self.table.delete(keys.plan_key(name), ReturnValues="ALL_OLD")
        if not removed:
            raise PlanNotFound(f"No plan named {name!r}.")

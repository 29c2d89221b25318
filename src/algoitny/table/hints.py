"""Hints: a failed submission's (stored on the submission's own item) and a problem's
progressive hints (one item per problem)."""

from __future__ import annotations

import time
from dataclasses import asdict

from botocore.exceptions import ClientError

from algoitny.domain import ProblemHints, SubmissionHints
from algoitny.errors import SubmissionNotFound
from algoitny.table import keys
from algoitny.table.client import Table, typed_key
from algoitny.table.codec import PROBLEM_HINTS, SUBMISSION_HINTS, to_dynamo

_HINT_NAMES = {f"#{short}": short for short in SUBMISSION_HINTS.names.values()}


class HintRepository:
    def __init__(self, table: Table) -> None:
        self.table = table

    async def get_submission_hints(self, submission_id: str) -> SubmissionHints | None:
        item = await self.table.client.get_item(
            TableName=self.table.name,
            Key=typed_key(keys.submission_key(submission_id)),
            ProjectionExpression=", ".join(_HINT_NAMES),
            ExpressionAttributeNames=_HINT_NAMES,
            ConsistentRead=True,
        )
        fields = SUBMISSION_HINTS.decode(item.get("Item", {}))
        return SubmissionHints(**fields) if "hints" in fields else None

    async def save_submission_hints(self, submission_id: str, hints: SubmissionHints) -> bool:
        """Stores them unless the submission already has hints: False then (first writer wins)."""
        hints.created_at = hints.created_at or int(time.time() * 1000)
        fields = {SUBMISSION_HINTS.short(name): value for name, value in asdict(hints).items()}
        names = {f"#f{i}": short for i, short in enumerate(fields)}
        values = {f":v{i}": to_dynamo(value) for i, value in enumerate(fields.values())}
        try:
            await self.table.update(
                keys.submission_key(submission_id),
                UpdateExpression="SET " + ", ".join(f"#f{i} = :v{i}" for i in range(len(fields))),
                ConditionExpression="attribute_exists(PK) AND attribute_not_exists(#f0)",
                ExpressionAttributeNames=names,
                ExpressionAttributeValues=values,
            )
        except ClientError as exc:
            if exc.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise
            if await self.table.get(keys.submission_key(submission_id)) is None:
                raise SubmissionNotFound() from exc
            return False
        return True

    async def get_problem_hints(self, *, platform: str, identifier: str) -> ProblemHints | None:
        item = await self.table.get(keys.problem_hints_key(platform, identifier))
        return ProblemHints(**PROBLEM_HINTS.decode(item)) if item else None

    async def save_problem_hints(self, hints: ProblemHints) -> ProblemHints:
        hints.updated_at = int(time.time() * 1000)
        await self.table.put(
            PROBLEM_HINTS.encode(asdict(hints), keys.problem_hints_key(hints.platform, hints.identifier))
        )
        return hints

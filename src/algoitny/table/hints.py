"""Hints: a failed submission's (stored on the submission's own item) and a problem's
progressive hints (one item per problem)."""

from __future__ import annotations

import time
from dataclasses import asdict

from botocore.exceptions import ClientError

from algoitny.domain import ProblemHints, SubmissionHints
from algoitny.errors import SubmissionNotFound
from algoitny.table import keys
from algoitny.table.client import Table, condition_failed, typed_key
from algoitny.table.codec import PROBLEM_HINTS, SUBMISSION, SUBMISSION_HINTS, to_dynamo

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

    async def save_submission_hints(
        self,
        submission_id: str,
        hints: SubmissionHints,
        *,
        search_seen: tuple[str | None, int | None] = (None, None),
    ) -> bool:
        """Stores them unless the submission already has final hints: False then (first
        writer wins). Provisional hints replace none; final ones replace provisional ones,
        and only while the submission's counterexample search is still as the hints saw it
        (``search_seen``: its state and start time, None for none): hints made before a
        search started or ended lack its result and are not stored as final."""
        hints.created_at = hints.created_at or int(time.time() * 1000)
        fields = {SUBMISSION_HINTS.short(name): value for name, value in asdict(hints).items()}
        names = {f"#{short}": short for short in fields}
        values = {f":{short}": to_dynamo(value) for short, value in fields.items()}
        condition = "attribute_exists(PK) AND attribute_not_exists(#hnt)"
        if not hints.provisional:
            status, started_at = search_seen
            names |= {"#cxs": SUBMISSION.short("counterexample_status")}
            names |= {"#cxt": SUBMISSION.short("counterexample_started_at")}
            seen = "attribute_not_exists(#cxs)" if status is None else "#cxs = :cxs"
            seen += " AND " + ("attribute_not_exists(#cxt)" if started_at is None else "#cxt = :cxt")
            if status is not None:
                values[":cxs"] = {"S": status}
            if started_at is not None:
                values[":cxt"] = {"N": str(started_at)}
            values[":yes"] = {"BOOL": True}
            condition = f"attribute_exists(PK) AND (attribute_not_exists(#hnt) OR #hpv = :yes) AND {seen}"
        try:
            await self.table.update(
                keys.submission_key(submission_id),
                UpdateExpression="SET " + ", ".join(f"#{short} = :{short}" for short in fields),
                ConditionExpression=condition,
                ExpressionAttributeNames=names,
                ExpressionAttributeValues=values,
            )
        except ClientError as exc:
            if not condition_failed(exc):
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

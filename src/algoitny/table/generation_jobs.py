"""Generation jobs (test cases, reference solutions): status, progress, outcome.

One item per job (``GENJOB#{id}``), listed per problem through GSI1. Every
write after creation is conditioned on the job still being active (queued or
running), so a cancelled or finished job never comes back to life — not even
when a second run of the same arq job (a resumed one) is still busy.
"""

from __future__ import annotations

import time
from dataclasses import asdict
from typing import Any

from botocore.exceptions import ClientError

from algoitny.domain import GenerationJob, JobStatus, Page
from algoitny.errors import GenerationJobFinished, GenerationJobNotFound
from algoitny.table import keys
from algoitny.table.client import Item, Table
from algoitny.table.codec import GENERATION_JOB
from algoitny.table.cursor import CursorCodec, query_page


def _now_ms() -> int:
    return int(time.time() * 1000)


def _to_job(item: Item) -> GenerationJob:
    return GenerationJob(**GENERATION_JOB.decode(item))


_ACTIVE = {":queued": {"S": JobStatus.QUEUED.value}, ":running": {"S": JobStatus.RUNNING.value}}


class GenerationJobRepository:
    def __init__(self, table: Table, cursors: CursorCodec) -> None:
        self.table = table
        self.cursors = cursors

    async def create(self, job: GenerationJob) -> GenerationJob:
        job.created_at = job.updated_at = job.created_at or _now_ms()
        item_keys = keys.generation_job_key(job.job_id) | keys.generation_job_list_keys(
            job.platform, job.identifier, job.job_id, job.created_at
        )
        await self.table.put_new(GENERATION_JOB.encode(asdict(job), item_keys))
        return job

    async def get(self, job_id: str, *, consistent: bool = False) -> GenerationJob:
        item = await self.table.get(keys.generation_job_key(job_id), consistent=consistent)
        if item is None:
            raise GenerationJobNotFound()
        return _to_job(item)

    async def list_for_problem(
        self, *, platform: str, identifier: str, limit: int, cursor: str | None
    ) -> Page:
        partition = keys.problem_generation_jobs_partition(platform, identifier)
        query_id = f"genjobs:{partition}"
        request: dict[str, Any] = {
            "IndexName": keys.GSI1,
            "KeyConditionExpression": "GSI1PK = :pk",
            "ExpressionAttributeValues": {":pk": {"S": partition}},
            "ScanIndexForward": False,
            "Limit": limit,
        }
        items, next_cursor = await query_page(self.table, self.cursors, query_id, request, cursor)
        return Page(items=[_to_job(item) for item in items], next_cursor=next_cursor)

    async def update(self, job_id: str, changes: dict[str, Any]) -> GenerationJob:
        """Sets ``changes`` (``None`` removes) while the job is active; raises
        ``GenerationJobFinished`` once it is not (finished, or cancelled meanwhile)."""
        changes = changes | {"updated_at": _now_ms()}
        if changes.get("status") and not JobStatus(changes["status"]).active:
            changes.setdefault("finished_at", changes["updated_at"])
        expression, names, values = GENERATION_JOB.update_expression(changes)
        names["#sts"] = GENERATION_JOB.short("status")
        values |= _ACTIVE
        return await self._conditional_update(
            job_id,
            UpdateExpression=expression,
            ExpressionAttributeNames=names,
            ExpressionAttributeValues=values,
            ConditionExpression="attribute_exists(PK) AND #sts IN (:queued, :running)",
        )

    async def request_cancel(self, job_id: str) -> GenerationJob:
        """A queued job is cancelled at once; a running one is flagged and its worker stops
        at the next step. ``GenerationJobFinished`` when it already ended."""
        now = {"N": str(_now_ms())}
        names = {"#sts": GENERATION_JOB.short("status"), "#upd": GENERATION_JOB.short("updated_at")}
        try:
            return await self._conditional_update(
                job_id,
                UpdateExpression="SET #sts = :cancelled, #fin = :now, #upd = :now, #stp = :cancelled",
                ConditionExpression="#sts = :queued",
                ExpressionAttributeNames=names
                | {"#fin": GENERATION_JOB.short("finished_at"), "#stp": GENERATION_JOB.short("step")},
                ExpressionAttributeValues={
                    ":queued": _ACTIVE[":queued"],
                    ":now": now,
                    ":cancelled": {"S": JobStatus.CANCELLED.value},
                },
            )
        except GenerationJobFinished:
            pass
        return await self._conditional_update(
            job_id,
            UpdateExpression="SET #cxl = :true, #upd = :now",
            ConditionExpression="#sts = :running",
            ExpressionAttributeNames=names | {"#cxl": GENERATION_JOB.short("cancel_requested")},
            ExpressionAttributeValues={":running": _ACTIVE[":running"], ":true": {"BOOL": True}, ":now": now},
        )

    async def _conditional_update(self, job_id: str, **request: Any) -> GenerationJob:
        try:
            attributes = await self.table.update(
                keys.generation_job_key(job_id), ReturnValues="ALL_NEW", **request
            )
        except ClientError as exc:
            if exc.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise
            await self.get(job_id, consistent=True)  # GenerationJobNotFound if there is none
            raise GenerationJobFinished() from exc
        return _to_job(attributes)

"""``script_generation_jobs`` → finished generation jobs that keep their generator script."""

from __future__ import annotations

from typing import Any

from algoitny.domain import GenerationJob, JobKind, JobStatus
from algoitny.legacy.context import ImportContext, epoch_ms, legacy_task_id
from algoitny.legacy.problems import _IDENTIFIER, _PLATFORM
from algoitny.legacy.report import Skip, text_digest
from algoitny.legacy.source import Row

STATUSES = {
    "COMPLETED": JobStatus.SUCCEEDED,
    "FAILED": JobStatus.FAILED,
    # never finished in the old system: kept, as cancelled, so the script can be rerun
    "PENDING": JobStatus.CANCELLED,
    "PROCESSING": JobStatus.CANCELLED,
}
MAX_SCRIPT_BYTES = 200_000


class GenerationJobMapping:
    table = "script_generation_jobs"
    order = "id"

    async def map_row(self, row: Row, ctx: ImportContext) -> GenerationJob:
        status = STATUSES.get((row["status"] or "").upper())
        if status is None:
            raise Skip(f"unknown status {row['status']!r}")
        platform, identifier = (row["platform"] or "").strip().lower(), (row["problem_id"] or "").strip()
        if not _PLATFORM.match(platform) or not _IDENTIFIER.match(identifier):
            raise Skip(f"invalid platform or problem id {platform!r}/{identifier!r}")
        script = row["generator_code"] or None
        if script and len(script.encode()) > MAX_SCRIPT_BYTES:
            raise Skip("oversize generator_code")
        finished = epoch_ms(row["updated_at"])
        return GenerationJob(
            job_id=legacy_task_id("genjob", row["id"], row["created_at"]),
            kind=JobKind.TEST_CASES,
            platform=platform,
            identifier=identifier,
            created_by="legacy",
            status=status,
            step=status.value,
            script=script,
            script_source="ai" if script else None,
            error=(row["error_message"] or None) if status != JobStatus.SUCCEEDED else None,
            created_at=epoch_ms(row["created_at"]),
            updated_at=finished,
            finished_at=finished,
        )

    def canonical(self, job: GenerationJob) -> dict[str, Any]:
        return {
            "job_id": job.job_id,
            "platform": job.platform,
            "identifier": job.identifier,
            "status": job.status,
            "script": text_digest(job.script),
            "error": job.error,
            "created_at": job.created_at,
        }

    async def write(self, job: GenerationJob, ctx: ImportContext) -> bool:
        from algoitny.errors import DuplicateId

        try:
            await ctx.jobs_repo.create(job)
        except DuplicateId:
            return False
        return True

    async def read_back(self, job: GenerationJob, ctx: ImportContext) -> dict[str, Any] | None:
        from algoitny.errors import GenerationJobNotFound

        try:
            return self.canonical(await ctx.jobs_repo.get(job.job_id))
        except GenerationJobNotFound:
            return None

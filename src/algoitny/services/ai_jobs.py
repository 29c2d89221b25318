"""What every AI job (test-case generation, reference solution) shares: starting,
cancelling and retrying one, and ``JobRun`` — one run of the arq job in a worker.

A job's progress is an event stream (``EventLog``, keyed by the job id, like a
submission's): ``queued``, ``started``, step events, ``done``. Its record in the
table (``GenerationJobRepository``) is the truth; every write there is
conditioned on the job being active, so a cancelled or finished job stays so.

Safe to run more than once (arq may; a crashed worker's job is resumed by the
next one once its lease lapses — ``services/lease.py``): what a run learns that
costs money or time (the model's script or solution) is saved on the record
before it is used, so a resumed run reuses it; test cases are content-addressed,
so storing them twice adds nothing; ``done`` is published once.
"""

from __future__ import annotations

import logging
from dataclasses import asdict
from typing import Any

from algoitny.domain import Caller, GenerationJob, JobKind, JobStatus, Problem, TestCase
from algoitny.errors import GenerationJobFinished, GenerationJobNotRetryable
from algoitny.resources import Resources
from algoitny.services import lease
from algoitny.services.ids import new_task_id

log = logging.getLogger(__name__)

TEST_CASES_JOB = "generate_test_cases"
REFERENCE_JOB = "generate_reference_solution"
ARQ_JOBS = {JobKind.TEST_CASES: TEST_CASES_JOB, JobKind.REFERENCE_SOLUTION: REFERENCE_JOB}


class JobFailed(Exception):
    """The job cannot succeed; the message is stored as its error and fed back on retry."""


class JobCancelled(Exception):
    pass


def job_event(job: GenerationJob) -> dict[str, Any]:
    return {
        "type": "done",
        "status": job.status,
        "added": job.added,
        "existing": job.existing,
        "dropped": len(job.dropped),
        "error": job.error,
    }


async def start(resources: Resources, job: GenerationJob) -> GenerationJob:
    """Records the job, publishes ``queued`` and enqueues it (job id = arq job id)."""
    await resources.generation_jobs.create(job)
    await resources.events.publish(job.job_id, {"type": "queued", "job_id": job.job_id, "kind": job.kind})
    await resources.redis.enqueue_job(ARQ_JOBS[JobKind(job.kind)], job.job_id, _job_id=job.job_id)
    return job


def new_job(caller: Caller, kind: JobKind, problem: Problem, **fields: Any) -> GenerationJob:
    return GenerationJob(
        job_id=new_task_id(),
        kind=kind.value,
        platform=problem.platform,
        identifier=problem.identifier,
        created_by=caller.subject,
        **fields,
    )


async def retry(resources: Resources, caller: Caller, job_id: str) -> GenerationJob:
    """A new job like a failed or cancelled one; the model is told the old job's error."""
    old = await resources.generation_jobs.get(job_id, consistent=True)
    if old.status not in (JobStatus.FAILED, JobStatus.CANCELLED):
        raise GenerationJobNotRetryable()
    problem = await resources.problems.get(platform=old.platform, identifier=old.identifier)
    from_admin = old.script_source == "admin"
    job = new_job(
        caller,
        JobKind(old.kind),
        problem,
        counts=old.counts,
        max_attempts=old.max_attempts,
        retry_of=old.job_id,
        script=old.script if from_admin else None,
        script_source="admin" if from_admin else None,
        previous_error=None if from_admin else old.error,
        previous_answer=None if from_admin else old.script,
    )
    return await start(resources, job)


async def cancel(resources: Resources, job_id: str) -> GenerationJob:
    job = await resources.generation_jobs.request_cancel(job_id)
    if job.status == JobStatus.CANCELLED:  # it never started: nobody else will say so
        await resources.events.publish(job_id, job_event(job))
        await resources.events.retire(job_id)
    return job


def samples_of(test_cases: list[TestCase]) -> list[TestCase]:
    return [tc for tc in test_cases if tc.kind == "sample"]


class JobRun:
    """One run of a job in a worker. Subclasses implement ``steps()``."""

    def __init__(self, resources: Resources, job: GenerationJob) -> None:
        self.resources = resources
        self.job = job
        self.published: set[str] = set()

    async def publish(self, event: dict[str, Any]) -> None:
        await self.resources.events.publish(self.job.job_id, event)

    async def save(self, **changes: Any) -> GenerationJob:
        """Writes progress; stops the run when the job was cancelled meanwhile."""
        self.job = await self.resources.generation_jobs.update(self.job.job_id, changes)
        if self.job.cancel_requested:
            raise JobCancelled()
        return self.job

    async def progress(self, step: str, done: int, total: int) -> None:
        await self.save(step=step, done=done, total=total)
        await self.publish({"type": "progress", "step": step, "done": done, "total": total})

    async def steps(self) -> dict[str, Any]:
        raise NotImplementedError

    async def run(self) -> GenerationJob:
        events = self.resources.events
        self.published = {e["type"] for e in await events.history(self.job.job_id)}
        if not JobStatus(self.job.status).active:
            return await self._announce_end()
        resumed = self.job.status == JobStatus.RUNNING
        try:
            await self.save(status=JobStatus.RUNNING.value, worker=lease.worker_identity())
            await self.publish({"type": "started", "resumed": resumed, "attempts": self.job.attempts})
            outcome = await self.steps()
            self.job = await self.resources.generation_jobs.update(
                self.job.job_id,
                {"status": JobStatus.SUCCEEDED.value, "step": "done", "error": None, **outcome},
            )
        except JobCancelled:
            self.job = await self._end(JobStatus.CANCELLED, "Cancelled by an admin.")
        except JobFailed as exc:
            self.job = await self._end(JobStatus.FAILED, str(exc))
        except GenerationJobFinished:
            self.job = await self.resources.generation_jobs.get(self.job.job_id, consistent=True)
        except Exception as exc:
            log.exception("generation job %s failed", self.job.job_id)
            self.job = await self._end(JobStatus.FAILED, f"Internal error: {type(exc).__name__}")
        return await self._announce_end()

    async def _end(self, status: JobStatus, error: str) -> GenerationJob:
        try:
            return await self.resources.generation_jobs.update(
                self.job.job_id,
                {
                    "status": status.value,
                    "step": status.value,
                    "error": error[:8000],
                    "dropped": [asdict_safe(d) for d in self.job.dropped],
                },
            )
        except GenerationJobFinished:
            return await self.resources.generation_jobs.get(self.job.job_id, consistent=True)

    async def _announce_end(self) -> GenerationJob:
        if "done" not in self.published:
            await self.publish(job_event(self.job))
            self.published.add("done")
        await self.resources.events.retire(self.job.job_id)
        return self.job


def asdict_safe(value: Any) -> Any:
    return asdict(value) if hasattr(value, "__dataclass_fields__") else value


async def run_in_worker(resources: Resources, job_id: str, run_class: type[JobRun]) -> str | None:
    """The arq job body: hold the job's lease (heartbeat) while running it."""
    try:
        job = await resources.generation_jobs.get(job_id, consistent=True)
    except Exception:
        log.warning("generation job %s not found; nothing to do", job_id)
        return None
    async with lease.held(resources.redis, job_id, resources.settings.judge.lease_s):
        finished = await run_class(resources, job).run()
    return finished.status

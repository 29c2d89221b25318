"""AI test-case and reference-solution jobs (admin), and their live event stream."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated

from fastapi import APIRouter, Path, Query, WebSocket, status

from algoitny.deps import AdminDep, ProblemKeyDep, ResourcesDep
from algoitny.domain import GenerationJob
from algoitny.routes.responses import errors, json_body
from algoitny.routes.task_stream import stream_task
from algoitny.schemas.ai import GenerationJobCreate, GenerationJobPage, GenerationJobRead
from algoitny.schemas.common import PageLimit
from algoitny.schemas.events import GENERATION_EVENTS
from algoitny.services import ai_jobs, generation, reference
from algoitny.services.ids import TASK_ID_PATTERN
from algoitny.services.replay import job_events

router = APIRouter(tags=["ai generation"])
WS_PATH = "/ws/generation/{job_id}"

JobId = Annotated[str, Path(pattern=TASK_ID_PATTERN, description="The generation job's id.")]


def job_read(job: GenerationJob) -> GenerationJobRead:
    fields = asdict(job)
    fields["problem_identifier"] = fields.pop("identifier")
    for internal in ("created_by", "previous_answer", "worker"):
        fields.pop(internal)
    return GenerationJobRead(**fields, websocket=WS_PATH.format(job_id=job.job_id))


@router.post(
    "/api/problems/{platform}/{problem_identifier}/generation-jobs",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=GenerationJobRead,
    responses=errors(400, 401, 403, 404, 409, 413),
)
async def generate_test_cases(
    key: ProblemKeyDep, body: GenerationJobCreate, resources: ResourcesDep, admin: AdminDep
):
    """Generate test cases (admin): a generator script — yours in `generator_script`, or the AI
    model's — runs in the sandbox for inputs of sizes small, medium and max; the reference
    solution computes the expected outputs. Follow the `websocket` for progress.
    `400 reference_solution_missing`; `409 ai_unavailable` without a script and without a model."""
    job = await generation.start(
        resources,
        admin,
        platform=key.platform,
        identifier=key.identifier,
        script=body.generator_script,
        counts=body.counts.model_dump(),
    )
    return json_body(job_read(job), status.HTTP_202_ACCEPTED)


@router.post(
    "/api/problems/{platform}/{problem_identifier}/reference-solution/generate",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=GenerationJobRead,
    responses=errors(400, 401, 403, 404, 409),
)
async def generate_reference_solution(key: ProblemKeyDep, resources: ResourcesDep, admin: AdminDep):
    """Ask the AI model for a reference solution (admin); it is judged on the samples and stored
    on the problem only if it passes them. `409 ai_unavailable` without a model;
    `400 problem_has_no_samples`."""
    job = await reference.start(resources, admin, platform=key.platform, identifier=key.identifier)
    return json_body(job_read(job), status.HTTP_202_ACCEPTED)


@router.get(
    "/api/problems/{platform}/{problem_identifier}/generation-jobs",
    response_model=GenerationJobPage,
    responses=errors(400, 401, 403, 404),
)
async def list_generation_jobs(
    key: ProblemKeyDep,
    resources: ResourcesDep,
    admin: AdminDep,
    limit: PageLimit = 20,
    cursor: Annotated[str | None, Query(max_length=2048)] = None,
):
    """A problem's generation jobs, newest first (admin)."""
    page = await resources.generation_jobs.list_for_problem(
        platform=key.platform, identifier=key.identifier, limit=limit, cursor=cursor
    )
    return json_body(GenerationJobPage(items=[job_read(j) for j in page.items], next_cursor=page.next_cursor))


@router.get(
    "/api/generation-jobs/{job_id}", response_model=GenerationJobRead, responses=errors(401, 403, 404)
)
async def get_generation_job(job_id: JobId, resources: ResourcesDep, admin: AdminDep):
    """One job: status, step, progress, outcome (admin)."""
    return json_body(job_read(await resources.generation_jobs.get(job_id)))


@router.post(
    "/api/generation-jobs/{job_id}/cancel",
    response_model=GenerationJobRead,
    responses=errors(401, 403, 404, 409),
)
async def cancel_generation_job(job_id: JobId, resources: ResourcesDep, admin: AdminDep):
    """Cancel (admin): a queued job at once, a running one at its next step.
    `409 generation_job_finished` when it already ended."""
    return json_body(job_read(await ai_jobs.cancel(resources, job_id)))


@router.post(
    "/api/generation-jobs/{job_id}/retry",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=GenerationJobRead,
    responses=errors(401, 403, 404, 409),
)
async def retry_generation_job(job_id: JobId, resources: ResourcesDep, admin: AdminDep):
    """A new job like this failed or cancelled one (admin); the model is told the old error.
    `409 generation_job_not_retryable` otherwise."""
    return json_body(job_read(await ai_jobs.retry(resources, admin, job_id)), status.HTTP_202_ACCEPTED)


@router.websocket(WS_PATH, name="follow_generation_job")
async def follow_generation_job(websocket: WebSocket, job_id: str, last_event_id: str | None = None) -> None:
    """The job's events (docs/ai.md; `GenerationEvent` in the OpenAPI components), resumable
    with `last_event_id`; closes after `done`. Close codes: docs/events.md."""
    await stream_task(websocket, job_id, last_event_id, schema=GENERATION_EVENTS, rebuild=job_events)

"""Counterexample searches: a problem's stress setup (admin), a search for a finished
submission, and a search for code that is not submitted (``POST /api/stress/``)."""

from __future__ import annotations

from fastapi import APIRouter, Response, status

from algoitny.deps import AdminDep, CallerDep, ProblemKeyDep, ResourcesDep, VisibleSubmission
from algoitny.domain import Usage
from algoitny.errors import StressSetupNotFound
from algoitny.routes.executions import WS_PATH, _accepted
from algoitny.routes.responses import errors, json_body
from algoitny.schemas.executions import Accepted, QuotaUsage
from algoitny.schemas.stress import (
    CounterexampleSearchAccepted,
    StressRequest,
    StressSetupRead,
    StressSetupWrite,
    StressSizes,
)
from algoitny.services import counterexample, stress_task
from algoitny.stress.engine import StressSetup

router = APIRouter(tags=["stress"])

SETUP_PATH = "/api/problems/{platform}/{problem_identifier}/stress"


def _setup_read(setup: StressSetup) -> StressSetupRead:
    return StressSetupRead(
        generator=setup.generator,
        validator=setup.validator,
        sizes=StressSizes(min=setup.size_min, max=setup.size_max),
    )


@router.put(SETUP_PATH, response_model=StressSetupRead, responses=errors(401, 403, 404, 413))
async def put_stress_setup(
    key: ProblemKeyDep, body: StressSetupWrite, resources: ResourcesDep, admin: AdminDep
) -> Response:
    """Set or replace the problem's stress setup (admin): what counterexample searches
    generate inputs with. Never shown to anyone but admins."""
    await resources.problems.get(platform=key.platform, identifier=key.identifier, include_deleted=True)
    setup = StressSetup(
        generator=body.generator, validator=body.validator, size_min=body.sizes.min, size_max=body.sizes.max
    )
    await resources.stress.save_setup(
        platform=key.platform, identifier=key.identifier, setup=setup, source="admin"
    )
    return json_body(_setup_read(setup))


@router.get(SETUP_PATH, response_model=StressSetupRead, responses=errors(401, 403, 404))
async def get_stress_setup(key: ProblemKeyDep, resources: ResourcesDep, admin: AdminDep) -> Response:
    """The problem's stress setup (admin). `404 stress_setup_not_found` when it has none."""
    await resources.problems.get(platform=key.platform, identifier=key.identifier, include_deleted=True)
    setup = await resources.stress.get_setup(platform=key.platform, identifier=key.identifier)
    if setup is None:
        raise StressSetupNotFound()
    return json_body(_setup_read(setup))


@router.post(
    "/api/submissions/{submission_id}/counterexample",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=CounterexampleSearchAccepted,
    responses=errors(400, 401, 403, 404, 409, 429),
)
async def request_counterexample(
    submission: VisibleSubmission, resources: ResourcesDep, caller: CallerDep
) -> Response:
    """Search for a counterexample to a finished submission (its owner or an admin; one
    unit of the daily `stress` quota). Follow `websocket`: `counterexample_searching`,
    `counterexample_progress` …, then `counterexample` or `counterexample_none`; the result
    is stored on the submission. `409 counterexample_exists` while a search runs or once one
    was found; `400 stress_setup_missing` / `reference_solution_missing`."""
    usage: Usage = await counterexample.request(resources, caller, submission)
    body = CounterexampleSearchAccepted(
        status="searching",
        usage=QuotaUsage(current_count=usage.count, limit=usage.limit, resets_at=usage.resets_at),
        websocket=WS_PATH.format(task_id=submission.submission_id),
    )
    return json_body(body, status.HTTP_202_ACCEPTED)


@router.post(
    "/api/stress/",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=Accepted,
    responses=errors(400, 401, 404, 413, 429),
)
async def stress_code(
    body: StressRequest, resources: ResourcesDep, caller: CallerDep, response: Response
) -> Accepted:
    """Stress-test code before submitting: the problem's generator, its reference solution
    (kept secret) and its checker look for the smallest input the code gets wrong; the
    official tests are not run and nothing is stored. One unit of the daily `stress` quota.
    Follow `websocket`: `queued`, `counterexample_progress` …, then `counterexample` or
    `counterexample_none`."""
    accepted = await stress_task.start(
        resources,
        caller,
        platform=body.platform.value,
        identifier=body.problem_identifier,
        language=body.language,
        code=body.code,
    )
    return _accepted(accepted, response, resources)

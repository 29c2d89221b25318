"""Submitting code, running it on custom input, and following a task live."""

from __future__ import annotations

import logging

from fastapi import APIRouter, Response, WebSocket, status

from algoitny.client_identity import remember_anonymous_token
from algoitny.deps import CallerDep, ResourcesDep
from algoitny.domain import Usage
from algoitny.routes.responses import errors
from algoitny.routes.task_stream import stream_task
from algoitny.schemas.events import EXECUTION_EVENTS
from algoitny.schemas.executions import Accepted, ExecuteByLegacyId, ExecuteRequest, QuotaUsage, RunRequest
from algoitny.services import submit as submitting
from algoitny.services.replay import submission_events

log = logging.getLogger(__name__)

router = APIRouter(tags=["judging"])

WS_PATH = "/ws/executions/{task_id}"


def _accepted(accepted: submitting.Accepted, response: Response, resources) -> Accepted:
    usage: Usage = accepted.usage
    if accepted.anonymous_token is not None:
        remember_anonymous_token(response, accepted.anonymous_token, resources.settings.clients)
    return Accepted(
        task_id=accepted.task_id,
        usage=QuotaUsage(current_count=usage.count, limit=usage.limit, resets_at=usage.resets_at),
        websocket=WS_PATH.format(task_id=accepted.task_id),
        anonymous_token=accepted.anonymous_token,
    )


@router.post(
    "/api/execute/",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=Accepted,
    responses=errors(400, 401, 404, 413, 429),
)
async def execute_code(
    body: ExecuteRequest, resources: ResourcesDep, caller: CallerDep, response: Response
) -> Accepted:
    """Judge code against every test of a problem. Follow the returned `websocket` path
    for `queued`, `compiling`, `compiled`/`compile_error`, one `test` per test, `done`
    (event format: docs/events.md; the app description has a summary)."""
    if isinstance(body, ExecuteByLegacyId):
        platform, identifier = await resources.problems.resolve_legacy_id(body.problem_id)
    else:
        platform, identifier = body.platform.value, body.problem_identifier
    accepted = await submitting.submit(
        resources,
        caller,
        platform=platform,
        identifier=identifier,
        language=body.language,
        code=body.code,
        public=body.is_code_public,
    )
    return _accepted(accepted, response, resources)


@router.post(
    "/api/run/",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=Accepted,
    responses=errors(400, 401, 413, 429),
)
async def run_code(
    body: RunRequest, resources: ResourcesDep, caller: CallerDep, response: Response
) -> Accepted:
    """Run code once on your own stdin (no judging); streams `run` then `done`."""
    accepted = await submitting.start_run(
        resources, caller, language=body.language, code=body.code, stdin=body.stdin
    )
    return _accepted(accepted, response, resources)


@router.websocket(WS_PATH, name="follow_execution")
async def follow_execution(websocket: WebSocket, task_id: str, last_event_id: str | None = None) -> None:
    """Sends every event after `last_event_id` (all of them without it), then live ones, and
    closes after `done`. Events: `ExecutionEvent` in the OpenAPI components; close codes:
    docs/events.md."""
    await stream_task(websocket, task_id, last_event_id, schema=EXECUTION_EVENTS, rebuild=submission_events)

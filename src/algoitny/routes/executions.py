"""Submitting code, running it on custom input, and following a task live."""

from __future__ import annotations

import logging

from fastapi import APIRouter, Query, Response, WebSocket, WebSocketDisconnect, status

from algoitny.client_identity import remember_anonymous_token
from algoitny.deps import CallerDep, ResourcesDep
from algoitny.domain import Usage
from algoitny.errors import ProblemNotFound, SubmissionNotFound
from algoitny.routes.responses import errors
from algoitny.schemas.executions import Accepted, ExecuteByLegacyId, ExecuteRequest, QuotaUsage, RunRequest
from algoitny.services import submit as submitting
from algoitny.services.ids import is_task_id
from algoitny.services.replay import replay_from_table

log = logging.getLogger(__name__)

router = APIRouter(tags=["judging"])

WS_PATH = "/ws/executions/{task_id}"
CLOSE_NOT_FOUND = 4404
CLOSE_BAD_REQUEST = 4400


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
async def follow_execution(
    websocket: WebSocket,
    task_id: str,
    last_event_id: str | None = Query(default=None, max_length=40),
) -> None:
    """Sends every event after `last_event_id` (all of them without it), then live ones,
    and closes after `done`. Unknown task: close code 4404; a malformed id: 4400."""
    resources = websocket.app.state.resources
    await websocket.accept()
    if last_event_id is not None and not _is_stream_id(last_event_id):
        await websocket.close(CLOSE_BAD_REQUEST, "last_event_id is not an event id")
        return
    if not is_task_id(task_id):
        await websocket.close(CLOSE_NOT_FOUND, "unknown task")
        return
    try:
        if await resources.events.exists(task_id):
            async for event in resources.events.follow(task_id, after=last_event_id):
                await websocket.send_json(event)
        else:
            try:
                replay = await replay_from_table(resources, task_id, after=last_event_id)
            except (SubmissionNotFound, ProblemNotFound):
                await websocket.close(CLOSE_NOT_FOUND, "unknown task")
                return
            for event in replay:
                await websocket.send_json(event)
        await websocket.close()
    except WebSocketDisconnect:
        return


def _is_stream_id(text: str) -> bool:
    left, dash, right = text.partition("-")
    return bool(dash) and left.isdigit() and right.isdigit()

"""The one WebSocket adapter for a task's event stream (``/ws/executions``, ``/ws/generation``).

``stream_task`` accepts the socket, checks the handshake (close codes below, listed in
``docs/events.md``), sends the events after ``last_event_id`` — from Redis while the
stream lives, else rebuilt from the table — follows live ones until ``done``, and closes.
A receive loop runs beside the follower: when the client goes, or the server shuts down
(uvicorn then reports a disconnect), the follow is cancelled and its Redis connection
released at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import logging
from collections.abc import Awaitable, Callable
from typing import Any, cast

from fastapi import Request, WebSocket, WebSocketDisconnect
from fastapi.security import HTTPAuthorizationCredentials
from fastapi.security.utils import get_authorization_scheme_param
from pydantic import TypeAdapter, ValidationError

from algoitny.deps import current_caller
from algoitny.errors import InvalidToken, NotAuthenticated
from algoitny.events import UnknownEventId, stream_id
from algoitny.resources import Resources
from algoitny.services.ids import is_task_id
from algoitny.services.replay import NoSuchTask, events_after

log = logging.getLogger(__name__)

Rebuild = Callable[[Resources, str], Awaitable[list[dict[str, Any]]]]


class CloseCode(enum.IntEnum):
    NORMAL = 1000  # after ``done`` (or at once, for a client that already has it)
    SERVER_RESTART = 1012  # sent by uvicorn when the API shuts down: reconnect with ``last_event_id``
    INTERNAL_ERROR = 1011  # the event store failed; reconnect with ``last_event_id``
    BAD_EVENT_ID = 4400  # ``last_event_id`` malformed, or never sent on this task
    INVALID_TOKEN = 4401  # an ``Authorization`` header that does not verify
    NOT_FOUND = 4404  # no such task (or not a task id)


async def stream_task(
    websocket: WebSocket,
    task_id: str,
    last_event_id: str | None,
    *,
    schema: TypeAdapter[Any],
    rebuild: Rebuild,
) -> None:
    resources: Resources = websocket.app.state.resources
    await websocket.accept()
    code, reason = await _check_handshake(websocket, resources, task_id, last_event_id)
    if code is not None:
        await _close(websocket, code, reason)
        return
    follower = asyncio.ensure_future(
        _send_events(websocket, resources, task_id, last_event_id, schema, rebuild)
    )
    watcher = asyncio.ensure_future(_until_disconnect(websocket))
    try:
        await asyncio.wait((follower, watcher), return_when=asyncio.FIRST_COMPLETED)
    finally:
        client_gone = watcher.done()
        watcher.cancel()
        follower.cancel()
        outcome = (await asyncio.gather(follower, return_exceptions=True))[0]
    if client_gone or isinstance(outcome, (asyncio.CancelledError, WebSocketDisconnect)):
        return  # the client is gone, or the server is stopping: nobody to close for
    exc = outcome
    if isinstance(exc, UnknownEventId):
        await _close(websocket, CloseCode.BAD_EVENT_ID, "last_event_id was never sent on this task")
    elif isinstance(exc, NoSuchTask):
        await _close(websocket, CloseCode.NOT_FOUND, "unknown task")
    elif exc is not None:
        log.error("following task %s failed", task_id, exc_info=exc)
        await _close(websocket, CloseCode.INTERNAL_ERROR, "event store unavailable; reconnect to resume")
    else:
        await _close(websocket, CloseCode.NORMAL, "")


async def _check_handshake(
    websocket: WebSocket, resources: Resources, task_id: str, last_event_id: str | None
) -> tuple[CloseCode | None, str]:
    if last_event_id is not None:
        try:
            stream_id(last_event_id)
        except ValueError:
            return CloseCode.BAD_EVENT_ID, "last_event_id is not an event id"
    if not await _credentials_verify(websocket, resources):
        return CloseCode.INVALID_TOKEN, "the Authorization header does not verify"
    if not is_task_id(task_id):
        return CloseCode.NOT_FOUND, "unknown task"
    return None, ""


async def _credentials_verify(websocket: WebSocket, resources: Resources) -> bool:
    """Following needs no credentials (the task id is the secret), but ones that are sent
    must be good, as on HTTP routes."""
    header = websocket.headers.get("authorization")
    if header is None:
        return True
    scheme, token = get_authorization_scheme_param(header)
    if scheme.lower() != "bearer" or not token:
        return False
    credentials = HTTPAuthorizationCredentials(scheme=scheme, credentials=token)
    try:
        # ``current_caller`` reads only ``.client`` of the request, which a WebSocket has too.
        await current_caller(cast(Request, websocket), resources, credentials)
    except (InvalidToken, NotAuthenticated):
        return False
    return True


async def _send_events(
    websocket: WebSocket,
    resources: Resources,
    task_id: str,
    after: str | None,
    schema: TypeAdapter[Any],
    rebuild: Rebuild,
) -> None:
    if await resources.events.exists(task_id):
        async for event in resources.events.follow(task_id, after=after):
            await _send(websocket, schema, event)
        return
    for event in events_after(await rebuild(resources, task_id), after):
        await _send(websocket, schema, event)


async def _send(websocket: WebSocket, schema: TypeAdapter[Any], event: dict[str, Any]) -> None:
    try:
        schema.validate_python(event)
    except ValidationError as exc:  # still sent: a client may cope; the publisher is the bug
        log.error("event %s does not match the published schema: %s", event.get("type"), exc)
    await websocket.send_json(event)


async def _until_disconnect(websocket: WebSocket) -> None:
    """Reads (and ignores) client messages until the client or the server ends the socket."""
    while True:
        message = await websocket.receive()
        if message["type"] == "websocket.disconnect":
            return


async def _close(websocket: WebSocket, code: CloseCode, reason: str) -> None:
    with contextlib.suppress(WebSocketDisconnect, RuntimeError):
        await websocket.close(int(code), reason)

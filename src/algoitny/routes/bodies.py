"""Request bodies: a size limit per route, and a deadline for reading them.

Each route accepts what its request model can hold: test-case uploads are large, problem
writes and custom runs (statements, checker sources, 1 MiB of stdin) medium, the rest small.
The limit is checked against ``Content-Length`` before anything is read, then counted
chunk by chunk while the body streams in, so an oversize body is refused without being
buffered. A body that stalls (nothing for ``body_idle_timeout_s``) or drags on past
``body_timeout_s`` gets ``408``. Either answer closes the connection: the rest of the
body is never read.
"""

from __future__ import annotations

import asyncio
import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from algoitny.errors import AlgoItnyError, PayloadTooLarge, RequestTimeout
from algoitny.routes.errors import error_response
from algoitny.routes.paths import ROUTE_NAME_KEY
from algoitny.settings import ApiSettings

UPLOAD_ROUTES = frozenset({"add_test_cases", "replace_test_cases"})
PROBLEM_ROUTES = frozenset({"create_problem", "update_problem", "run_code"})


def body_limit(route_name: str | None, api: ApiSettings) -> int:
    if route_name in UPLOAD_ROUTES:
        return api.max_upload_bytes
    if route_name in PROBLEM_ROUTES:
        return api.max_problem_body_bytes
    return api.max_body_bytes


async def _refuse(error: AlgoItnyError, send: Send, scope: Scope) -> None:
    response = error_response(error.status, error.code, error.message, headers={"Connection": "close"})
    await response(scope, _no_body, send)


async def _no_body() -> Message:
    return {"type": "http.disconnect"}


class BodyGuard:
    def __init__(self, app: ASGIApp, api: ApiSettings) -> None:
        self.app = app
        self.api = api

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        limit = body_limit(scope.get(ROUTE_NAME_KEY), self.api)
        too_large = PayloadTooLarge(f"The body of this operation may hold at most {limit} bytes.")
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > limit):
            return await _refuse(too_large, send, scope)

        idle_s, deadline = self.api.body_idle_timeout_s, time.monotonic() + self.api.body_timeout_s
        received = 0
        complete = False
        failure: AlgoItnyError | None = None
        started = False

        async def guarded_receive() -> Message:
            nonlocal received, complete, failure
            if complete:  # later calls only wait for a disconnect: no deadline
                return await receive()
            if failure is not None:
                return {"type": "http.disconnect"}
            wait_s = min(idle_s, deadline - time.monotonic())
            try:
                async with asyncio.timeout(max(wait_s, 0)):
                    message = await receive()
            except TimeoutError:
                failure = RequestTimeout(f"The request body did not arrive in time (idle {idle_s:g} s).")
                return {"type": "http.disconnect"}
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    failure = too_large
                    return {"type": "http.disconnect"}
                complete = not message.get("more_body", False)
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if failure is not None and not started:
                return  # the app's answer to the cut-off body is replaced by ours
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, guarded_receive, guarded_send)
        except Exception:
            if failure is None or started:
                raise
        if failure is not None and not started:
            await _refuse(failure, send, scope)

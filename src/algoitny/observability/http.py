"""The API's side: one ASGI middleware for request ids, request metrics and the request log
line, and the ``GET /metrics`` route.

Why not ``prometheus-fastapi-instrumentator``: it would be a second middleware beside the one
we need anyway for ``X-Request-ID`` and the per-request log line (each layer costs on every
request), it does not count open WebSockets, and its labels come from its own route matching
where ``SlashAgnostic`` (``routes/paths.py``) has already named the route. This middleware
runs inside ``SlashAgnostic`` and takes that name, mapped to the route's path template, so a
label value is always one of the app's routes (``unmatched`` otherwise: 404 scans cannot blow
up the series count).

Request ids: a sane incoming ``X-Request-ID`` (1–64 of ``[A-Za-z0-9._:-]``, as proxies and
load balancers send) is kept, anything else replaced by a new random one; the response
carries it, every log line of the request has it (contextvars), and a submission's arq job
gets it (``services/submit.py``) so the worker's lines have it too.

Several API processes: with ``PROMETHEUS_MULTIPROC_DIR`` set, ``/metrics`` adds up every
process's files (prometheus_client's ``MultiProcessCollector``); any process can answer.
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
import secrets
import time
from collections.abc import Iterable

from fastapi import APIRouter, FastAPI, Response
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest
from prometheus_client.multiprocess import MultiProcessCollector
from starlette.routing import BaseRoute
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from algoitny.observability import logs, multiprocess
from algoitny.observability import metrics as m
from algoitny.routes.paths import ROUTE_NAME_KEY, flat_routes

log = logging.getLogger("algoitny.request")

REQUEST_ID_HEADER = "X-Request-ID"
_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")
UNMATCHED = "unmatched"
METRICS_PATH = "/metrics"


def new_request_id() -> str:
    return secrets.token_hex(8)


def request_id_from(headers: Iterable[tuple[bytes, bytes]]) -> str:
    for name, value in headers:
        if name == b"x-request-id":
            text = value.decode("latin-1")
            return text if _REQUEST_ID.fullmatch(text) else new_request_id()
    return new_request_id()


class Observed:
    """Request id, metrics and one log line per HTTP request or WebSocket session."""

    def __init__(self, app: ASGIApp, routes: list[BaseRoute], metrics: bool = True) -> None:
        self.app = app
        self.routes = routes
        self.metrics = metrics
        self._templates: dict[str, str] | None = None

    def _template(self, scope: Scope) -> str:
        if self._templates is None:  # built once all routes exist
            self._templates = {
                name: path
                for route in flat_routes(self.routes)
                if (name := getattr(route, "name", None)) and (path := getattr(route, "path", None))
            }
        name = scope.get(ROUTE_NAME_KEY)
        return self._templates.get(name, UNMATCHED) if name else UNMATCHED

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope["type"]
        if kind not in ("http", "websocket"):
            return await self.app(scope, receive, send)
        request_id = request_id_from(scope["headers"])
        route = self._template(scope)
        with logs.bound(request_id=request_id):
            if kind == "websocket":
                return await self._websocket(scope, receive, send, route)
            await self._http(scope, receive, send, route, request_id)

    async def _http(self, scope: Scope, receive: Receive, send: Send, route: str, request_id: str) -> None:
        started = time.perf_counter()
        status = 500  # an exception before the response started ends as the error handler's 500
        header = (b"x-request-id", request_id.encode())

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", ()), header]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except Exception:
            # The 500 itself is sent by Starlette's outermost middleware, outside this request's
            # context: the traceback is logged here so it carries the request id.
            log.exception("request failed", extra={"route": route})
            raise
        finally:
            elapsed = time.perf_counter() - started
            method = scope["method"]
            if self.metrics:
                m.http_requests.labels(route, method, str(status)).inc()
                m.http_request_duration.labels(route, method).observe(elapsed)
            log.info(
                "request",
                extra={
                    "method": method,
                    "route": route,
                    "path": scope["path"],  # the query string is left out: it may carry ids
                    "status": status,
                    "duration_ms": round(elapsed * 1000, 2),
                },
            )

    async def _websocket(self, scope: Scope, receive: Receive, send: Send, route: str) -> None:
        started = time.perf_counter()
        close_code: int | None = None

        async def send_seen(message: Message) -> None:
            nonlocal close_code
            if message["type"] == "websocket.close":
                close_code = message.get("code", 1000)
            await send(message)

        gauge = m.websockets_open.labels(route)
        if self.metrics:
            gauge.inc()
        try:
            await self.app(scope, receive, send_seen)
        finally:
            if self.metrics:
                gauge.dec()
            log.info(
                "websocket",
                extra={
                    "route": route,
                    "path": scope["path"],
                    "close_code": close_code,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 2),
                },
            )


def exposition() -> bytes:
    """The text exposition of this process's metrics, or of every API process's (multiprocess)."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        MultiProcessCollector(registry)
        return generate_latest(registry)
    return generate_latest(REGISTRY)


router = APIRouter()


@router.get(METRICS_PATH, include_in_schema=False, name="metrics")
async def metrics() -> Response:
    """Prometheus scrapes this (text exposition format 0.0.4)."""
    body = await asyncio.to_thread(exposition)  # multiprocess mode reads files
    return Response(body, media_type=CONTENT_TYPE_LATEST)


def install(app: FastAPI, *, enabled: bool) -> None:
    """Adds the middleware (call it between the body guard and ``SlashAgnostic``, so it sees the
    route name and the guard's refusals) and, when ``enabled``, ``GET /metrics``."""
    if enabled:
        app.include_router(router)
        multiprocess.mark_exit()
    app.add_middleware(Observed, routes=app.router.routes, metrics=enabled)

"""Turns every failure into ``{"error": {"code", "message", "details"}}``."""

from __future__ import annotations

import logging
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError
from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from redis.exceptions import RedisError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Route

from algoitny.errors import AlgoItnyError, RateLimited

log = logging.getLogger(__name__)

_TABLE_DOWN_CODES = {
    "ResourceNotFoundException",
    "ProvisionedThroughputExceededException",
    "ThrottlingException",
    "RequestLimitExceeded",
    "InternalServerError",
    "ServiceUnavailable",
}


def error_response(
    status: int, code: str, message: str, details: Any = None, headers: dict | None = None
) -> JSONResponse:
    body = {"error": {"code": code, "message": message, "details": jsonable_encoder(details)}}
    return JSONResponse(body, status_code=status, headers=headers)


def _field(location: tuple[Any, ...]) -> str:
    text = ""
    for part in location:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


async def _app_error(request: Request, exc: AlgoItnyError) -> JSONResponse:
    headers = {"Retry-After": str(exc.retry_after_s)} if isinstance(exc, RateLimited) else None
    return error_response(exc.status, exc.code, exc.message, exc.details, headers=headers)


async def _validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
    details = [
        {
            "field": _field(tuple(e.get("loc", ()))),
            "message": e.get("msg", "invalid"),
            "type": e.get("type", ""),
        }
        for e in exc.errors()
    ]
    summary = "; ".join(f"{d['field']}: {d['message']}" for d in details[:5])
    return error_response(422, "validation_error", f"Invalid request: {summary}", details)


async def _http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
    if exc.status_code == 404:
        return error_response(404, "route_not_found", f"No route for {request.url.path}.")
    if exc.status_code == 405:
        allowed = ", ".join(_allowed_methods(request))
        return error_response(
            405, "method_not_allowed", f"{request.method} is not allowed here.", headers={"Allow": allowed}
        )
    if exc.status_code == 400 and request.method in ("POST", "PUT", "PATCH"):
        # FastAPI's "error parsing the body" (bytes that are not text): a body error like any other.
        details = [{"field": "body", "message": str(exc.detail), "type": "body_invalid"}]
        return error_response(422, "validation_error", f"Invalid request: body: {exc.detail}", details)
    return error_response(
        exc.status_code,
        f"http_{exc.status_code}",
        str(exc.detail),
        headers=dict(exc.headers) if exc.headers else None,
    )


def _routes(routes):
    """Every route, including those of included routers (FastAPI keeps them wrapped)."""
    for route in routes:
        inner = getattr(route, "original_router", None)
        if inner is not None:
            yield from _routes(inner.routes)
        else:
            yield route


def _allowed_methods(request: Request) -> list[str]:
    """Every method some route serves at this path (Starlette names only the first route's)."""
    methods: set[str] = set()
    for route in _routes(request.app.routes):
        if isinstance(route, Route) and route.methods and route.path_regex.match(request.url.path):
            methods |= route.methods
    return sorted(methods)


async def _table_error(request: Request, exc: Exception) -> JSONResponse:
    code = exc.response["Error"]["Code"] if isinstance(exc, ClientError) else type(exc).__name__
    if isinstance(exc, ClientError) and code not in _TABLE_DOWN_CODES:
        log.exception("unexpected DynamoDB error", exc_info=exc)
        return error_response(500, "internal_error", "Something went wrong on our side.")
    log.warning("table unavailable: %s", code)
    return error_response(503, "service_unavailable", f"The table is unavailable ({code}).")


async def _redis_error(request: Request, exc: RedisError) -> JSONResponse:
    log.warning("redis unavailable: %s", exc)
    return error_response(503, "service_unavailable", "The queue is unavailable.")


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unhandled error", exc_info=exc)
    return error_response(500, "internal_error", "Something went wrong on our side.")


def install_error_handlers(app: FastAPI) -> None:
    # Starlette types handlers as taking any Exception; each of ours takes the class it is
    # registered for, which Starlette guarantees.
    handlers: list[tuple[type[Exception], Any]] = [
        (AlgoItnyError, _app_error),
        (RequestValidationError, _validation_error),
        (StarletteHTTPException, _http_error),
        (ClientError, _table_error),
        (BotoCoreError, _table_error),
        (RedisError, _redis_error),
        (Exception, _unexpected),
    ]
    for exc_class, handler in handlers:
        app.add_exception_handler(exc_class, handler)

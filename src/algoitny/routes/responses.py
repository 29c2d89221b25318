"""OpenAPI declarations of the error answers, so generated clients know them."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from fastapi import Response
from pydantic import BaseModel

from algoitny.errors import AlgoItnyError
from algoitny.schemas.errors import ErrorResponse

# What each status means; the codes under it come from the hierarchy in ``errors.py``,
# so a new error class shows up in the schema without anyone editing this list.
_MEANINGS = {
    400: "Bad request",
    401: "Not signed in",
    403: "Signed in without the right",
    404: "Not found",
    408: "The request body did not arrive in time",
    409: "Conflicts with the current state",
    413: "Request body too large",
    422: "A field is invalid; `details` says which and why",
    429: "Daily limit reached; `details` has the usage and `resets_at` (ISO 8601), "
    "`Retry-After` the wait in seconds",
    500: "Our fault",
    503: "A backing service is down",
}
# Codes made by the exception handlers in routes/errors.py, outside the hierarchy.
_HANDLER_CODES = {404: ["route_not_found"], 405: ["method_not_allowed"], 422: ["validation_error"]}


def _codes_by_status() -> dict[int, list[str]]:
    found: dict[int, list[str]] = {status: list(codes) for status, codes in _HANDLER_CODES.items()}
    pending: list[type[AlgoItnyError]] = [AlgoItnyError]
    while pending:
        cls = pending.pop(0)
        codes = found.setdefault(cls.status, [])
        if cls.code not in codes:
            codes.append(cls.code)
        pending.extend(cls.__subclasses__())
    return found


_CODES = _codes_by_status()
_DESCRIPTIONS = {
    status: f"{meaning} ({', '.join(f'`{code}`' for code in _CODES.get(status, []))})."
    for status, meaning in _MEANINGS.items()
}

ALWAYS = (408, 413, 422, 500, 503)  # any request: its body may stall or be too large


def errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """``responses=`` for an operation: the given statuses plus the ones any call can get."""
    return {
        status: {"model": ErrorResponse, "description": _DESCRIPTIONS[status]}
        for status in sorted({*statuses, *ALWAYS})
    }


def json_body(model: BaseModel, status_code: int = 200) -> Response:
    """Serializes a response model once, in Rust. Returning the model itself would
    have FastAPI validate it again first, which costs as much as the table read on
    the hot read paths."""
    return Response(model.model_dump_json(), status_code=status_code, media_type="application/json")


def json_list(models: Sequence[BaseModel], status_code: int = 200) -> Response:
    """``json_body`` for a JSON array of response models."""
    body = "[" + ",".join(model.model_dump_json() for model in models) + "]"
    return Response(body, status_code=status_code, media_type="application/json")

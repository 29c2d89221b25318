"""OpenAPI declarations of the error answers, so generated clients know them."""

from __future__ import annotations

from typing import Any

from fastapi import Response
from pydantic import BaseModel

from algoitny.schemas.errors import ErrorResponse

_DESCRIPTIONS = {
    400: "Bad request (`bad_request`, `invalid_cursor`, `unsupported_language`, `problem_has_no_tests`).",
    401: "Not signed in (`not_authenticated`, `invalid_token`).",
    403: "Signed in without the right (`admin_required`).",
    404: "Not found (`problem_not_found`, `test_case_not_found`, `submission_not_found`, `route_not_found`).",
    409: "Conflicts with the current state (`problem_exists`, `legacy_id_taken`).",
    413: "Request body too large (`payload_too_large`).",
    429: "Daily limit reached (`rate_limited`); `details` has the usage, `Retry-After` the wait.",
    422: "A field is invalid (`validation_error`); `details` says which and why.",
    500: "Our fault (`internal_error`).",
    503: "A backing service is down (`service_unavailable`, `not_ready`).",
}

ALWAYS = (422, 500, 503)


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

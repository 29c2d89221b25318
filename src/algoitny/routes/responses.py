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
    408: "The request body did not arrive in time (`request_timeout`).",
    429: "Daily limit reached (`rate_limited`); `details` has the usage and `resets_at` (ISO 8601), "
    "`Retry-After` the wait in seconds.",
    422: "A field is invalid (`validation_error`); `details` says which and why.",
    500: "Our fault (`internal_error`).",
    503: "A backing service is down (`service_unavailable`, `not_ready`).",
}

# The AI features' codes (issue 6), added to the descriptions above.
_AI_CODES = {
    400: ("reference_solution_missing", "problem_has_no_samples"),
    403: ("not_submission_owner",),
    404: ("generation_job_not_found", "hints_not_found"),
    409: (
        "ai_unavailable",
        "generation_job_finished",
        "generation_job_not_retryable",
        "submission_not_finished",
    ),
    503: ("ai_failed",),
}
for _status, _codes in _AI_CODES.items():
    _DESCRIPTIONS[_status] = _DESCRIPTIONS[_status].replace(
        ")", "".join(f", `{code}`" for code in _codes) + ")", 1
    )

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

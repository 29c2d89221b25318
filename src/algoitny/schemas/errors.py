"""The one error shape every operation may answer with."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field


class ErrorBody(BaseModel):
    code: str = Field(description="Stable, machine-readable code, e.g. `problem_not_found`.")
    message: str = Field(description="What went wrong, for people.")
    details: Any = Field(
        default=None,
        description="Extra structure for some codes: for `validation_error`, a list of "
        "`{field, message, type}`.",
    )


class ErrorResponse(BaseModel):
    error: ErrorBody


class FieldError(BaseModel):
    field: str = Field(description="Where: `body.tags[2]`, `query.limit`, `path.platform` …")
    message: str
    type: str

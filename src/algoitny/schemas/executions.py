"""Submission, custom-run, history and language API models."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, model_validator

from algoitny.domain import Platform
from algoitny.schemas.common import Identifier, LanguageName, LegacyId, StrictModel

CODE_MAX = 64 * 1024


Code = Annotated[
    str,
    Field(
        min_length=1,
        max_length=CODE_MAX,
        pattern=r"\S",
        description="Source text (not blank), at most 64 KiB.",
    ),
]


class ExecuteRequest(StrictModel):
    """Either `problem_id` (legacy integer id) or `platform` + `problem_identifier`."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "oneOf": [
                {
                    "required": ["problem_id"],
                    "not": {"anyOf": [{"required": ["platform"]}, {"required": ["problem_identifier"]}]},
                },
                {"required": ["platform", "problem_identifier"], "not": {"required": ["problem_id"]}},
            ]
        },
    )

    problem_id: LegacyId = Field(default=None)
    platform: Platform = Field(default=None)
    problem_identifier: Identifier = Field(default=None)
    code: Code
    language: LanguageName
    is_code_public: bool = False

    @model_validator(mode="after")
    def _one_addressing(self) -> ExecuteRequest:
        by_key = self.platform is not None or self.problem_identifier is not None
        if self.problem_id is not None and by_key:
            raise ValueError("give either `problem_id` or `platform` + `problem_identifier`, not both")
        if self.problem_id is None and (self.platform is None or self.problem_identifier is None):
            raise ValueError("give `problem_id`, or both `platform` and `problem_identifier`")
        return self


class RunRequest(StrictModel):
    code: Code
    language: LanguageName
    stdin: str = Field(default="", max_length=1024 * 1024)


class QuotaUsage(BaseModel):
    current_count: int
    limit: int
    resets_at: int = Field(description="Epoch seconds (next UTC midnight).")


class Accepted(BaseModel):
    task_id: str
    usage: QuotaUsage
    websocket: str = Field(description="Path of the WebSocket that streams this task's events.")
    anonymous_token: str | None = Field(
        default=None,
        description="Anonymous callers only: the owner token of this task. Send it back as "
        "`X-Anonymous-Token` (browsers also get it as an HttpOnly cookie) to list and open your "
        "anonymous submissions; keep it secret.",
    )


class LanguageRead(BaseModel):
    id: str
    name: str
    available: bool
    reason: str = Field(description="Why it is unavailable; empty when available.")


class SummaryRead(BaseModel):
    verdict: str | None
    passed: int
    failed: int
    total: int
    max_cpu_ms: int
    max_memory_kb: int


class SubmissionListItem(BaseModel):
    submission_id: str
    user_id: str
    platform: str
    problem_identifier: str
    problem_title: str
    language: str
    is_code_public: bool
    status: str
    summary: SummaryRead
    created_at: int
    finished_at: int | None


class SubmissionPage(BaseModel):
    items: list[SubmissionListItem]
    next_cursor: str | None


class Counterexample(BaseModel):
    input: str = Field(description="The test's input, cut to 4096 characters.")
    expected: str = Field(description="Expected output, cut to 4096 characters.")
    output: str = Field(description="The program's output, cut to 4096 characters.")
    input_url: str
    expected_url: str
    output_url: str = Field(description="The program's full output (up to 256 KiB).")


class TestResultRead(BaseModel):
    __test__ = False

    index: int
    test_case_id: str
    verdict: str
    passed: bool
    cpu_ms: int
    wall_ms: int
    memory_kb: int
    exit_code: int | None
    signal: str | None
    stderr_excerpt: str
    checker_message: str
    counterexample: Counterexample | None = Field(
        description="For the first failed tests: what went in, what was expected, what came out."
    )


class SubmissionRead(SubmissionListItem):
    code: str
    compile_message: str | None
    tests: list[TestResultRead]

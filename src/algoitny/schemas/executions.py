"""Submission, custom-run, history and language API models."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, Discriminator, Field, Tag

from algoitny.domain import Platform
from algoitny.executor.verdicts import Verdict
from algoitny.schemas.common import Identifier, LanguageName, LegacyId, StrictBool, StrictModel

CODE_MAX = 64 * 1024


def _code_bytes(code: str) -> str:
    # maxLength counts characters; the limit is on the bytes the judge stores and compiles.
    # Only a string of more than CODE_MAX/4 characters can be over it.
    if len(code) > CODE_MAX // 4 and len(code.encode("utf-8", "surrogatepass")) > CODE_MAX:
        raise ValueError(f"the code may hold at most {CODE_MAX} bytes (UTF-8)")
    return code


Code = Annotated[
    str,
    Field(
        min_length=1,
        max_length=CODE_MAX,
        pattern=r"\S",
        description="Source text (not blank), at most 64 KiB of UTF-8.",
    ),
    AfterValidator(_code_bytes),
]


class _Execution(StrictModel):
    code: Code
    language: LanguageName
    is_code_public: StrictBool = False


class ExecuteByProblemKey(_Execution):
    """Judge against a problem named by `platform` + `problem_identifier`."""

    platform: Platform
    problem_identifier: Identifier


class ExecuteByLegacyId(_Execution):
    """Judge against a problem named by its legacy integer id."""

    problem_id: LegacyId


def _addressing(value: Any) -> str:
    if isinstance(value, dict):
        return "legacy_id" if "problem_id" in value else "problem_key"
    return "legacy_id" if isinstance(value, ExecuteByLegacyId) else "problem_key"


ExecuteRequest = Annotated[
    Annotated[ExecuteByProblemKey, Tag("problem_key")] | Annotated[ExecuteByLegacyId, Tag("legacy_id")],
    Discriminator(_addressing),
]
"""Either `platform` + `problem_identifier`, or the legacy `problem_id`: two models, so
generated clients get a typed request (a hand-written `oneOf` gave them `Any`)."""


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


class FirstDifferenceRead(BaseModel):
    """Where a WA output first differs from the expected one, token by token."""

    line: int = Field(ge=1, description="1-based line of the differing token in the program's output.")
    column: int = Field(ge=1, description="1-based byte column of that token in its line.")
    expected: str = Field(description="The expected token (at most 64 bytes shown); empty if none.")
    found: str = Field(description="The program's token (at most 64 bytes shown); empty if missing.")
    expected_context: str = Field(description="Up to 80 bytes of the expected line around it.")
    found_context: str = Field(description="Up to 80 bytes of the output's line around it.")


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
    first_difference: FirstDifferenceRead | None = Field(
        default=None, description="WA by a built-in positional checker: where the outputs first differ."
    )


class CounterexampleRead(BaseModel):
    """The smallest input found on which the code fails, and what both programs printed."""

    input: str
    expected: str = Field(description="The reference solution's output on `input` (the only one shown).")
    output: str = Field(description="The code's output on `input` (a bounded head).")
    verdict: Verdict
    checker_message: str
    size: int = Field(description="The generator size it came from.")
    tries: int = Field(description="Sandbox runs spent until it was found and shrunk.")
    elapsed_ms: int


CounterexampleState = Literal["searching", "found", "none", "failed"]


class SubmissionRead(SubmissionListItem):
    code: str
    compile_message: str | None
    tests: list[TestResultRead]
    counterexample_status: CounterexampleState | None = Field(
        default=None,
        description="The counterexample search: running, found one, found none within its budget, "
        "or could not run (the problem's stress setup is broken); null when none was made.",
    )
    counterexample: CounterexampleRead | None = Field(
        default=None, description="The smallest failing input the search found (shown like the failed tests)."
    )

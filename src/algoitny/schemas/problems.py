"""Problem API models."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AnyHttpUrl, BaseModel, Field, TypeAdapter

from algoitny.domain import Platform, ProblemStatus
from algoitny.schemas.common import (
    Identifier,
    LanguageName,
    LegacyId,
    StrictFloat,
    StrictInt,
    StrictModel,
    Tag,
)


class SimpleChecker(StrictModel):
    """`lines` (the default) ignores trailing whitespace and trailing blank lines;
    `exact` compares bytes; `tokens` compares whitespace-separated tokens;
    `unordered` compares tokens as a multiset."""

    name: Literal["lines", "exact", "tokens", "unordered"]


class FloatChecker(StrictModel):
    """Tokens; numbers match within the absolute OR relative tolerance."""

    name: Literal["float"]
    abs_tol: StrictFloat = Field(default=1e-6, ge=0, le=1)
    rel_tol: StrictFloat = Field(default=1e-6, ge=0, le=1)


class CustomChecker(StrictModel):
    """A testlib-style program run as `checker input output answer` in the sandbox:
    exit 0 accepted, 1 wrong answer, 2 presentation error (wrong answer), 3 checker failure."""

    name: Literal["custom"]
    source: str = Field(min_length=1, max_length=256 * 1024)
    language: LanguageName


CheckerSpec = Annotated[SimpleChecker | FloatChecker | CustomChecker, Field(discriminator="name")]
checker_spec = TypeAdapter(CheckerSpec)


class ReferenceSolution(StrictModel):
    language: LanguageName
    code: str = Field(min_length=1, max_length=128 * 1024)


Title = Annotated[str, Field(min_length=1, max_length=200)]
Statement = Annotated[str, Field(max_length=100_000)]
Constraints = Annotated[str, Field(max_length=20_000)]
TimeLimit = Annotated[StrictInt, Field(ge=100, le=20_000, description="Per test, milliseconds of CPU time.")]
MemoryLimit = Annotated[StrictInt, Field(ge=16, le=2048, description="Per test, MiB.")]
ReviewFlag = Annotated[str, Field(min_length=1, max_length=64)]


class ProblemCreate(StrictModel):
    platform: Platform
    problem_identifier: Identifier
    legacy_id: LegacyId | None = None
    title: Title
    url: AnyHttpUrl | None = None
    tags: list[Tag] = Field(default_factory=list, max_length=20)
    statement: Statement | None = None
    constraints: Constraints | None = None
    time_limit_ms: TimeLimit = 2000
    memory_limit_mb: MemoryLimit = 256
    checker: CheckerSpec = Field(default_factory=lambda: SimpleChecker(name="lines"))
    reference_solution: ReferenceSolution | None = None
    status: ProblemStatus = ProblemStatus.DRAFT
    review_flags: list[ReviewFlag] = Field(default_factory=list, max_length=20)


class ProblemUpdate(StrictModel):
    """Only the fields present change. `null` clears the optional fields that accept it
    (`legacy_id`, `url`, `statement`, `constraints`, `reference_solution`)."""

    # `None` below means "absent" (see model_fields_set), not a value a client may send:
    # the published types stay non-nullable, hence the ignores.

    legacy_id: LegacyId | None = None
    title: Title = Field(default=None)  # type: ignore[assignment]
    url: AnyHttpUrl | None = None
    tags: list[Tag] = Field(default=None, max_length=20)  # type: ignore[arg-type]
    statement: Statement | None = None
    constraints: Constraints | None = None
    time_limit_ms: TimeLimit = Field(default=None)  # type: ignore[assignment]
    memory_limit_mb: MemoryLimit = Field(default=None)  # type: ignore[assignment]
    checker: CheckerSpec = Field(default=None)  # type: ignore[assignment]
    reference_solution: ReferenceSolution | None = None
    status: ProblemStatus = Field(default=None)  # type: ignore[assignment]
    review_flags: list[ReviewFlag] = Field(default=None, max_length=20)  # type: ignore[arg-type]


class ProblemRead(BaseModel):
    platform: Platform
    problem_identifier: str
    legacy_id: int | None
    title: str
    url: str | None
    tags: list[str]
    statement: str | None
    constraints: str | None
    time_limit_ms: int
    memory_limit_mb: int
    checker: CheckerSpec
    reference_solution: ReferenceSolution | None = Field(
        description="Shown to admins only; `null` for everyone else."
    )
    status: ProblemStatus
    review_flags: list[str]
    execution_count: int
    test_case_count: int
    created_at: int = Field(description="Epoch milliseconds.")
    updated_at: int = Field(description="Epoch milliseconds.")


class ProblemPage(BaseModel):
    items: list[ProblemRead]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; `null` at the end.")

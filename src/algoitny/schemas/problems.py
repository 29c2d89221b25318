"""Problem API models."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AnyHttpUrl, BaseModel, Field, model_validator

from algoitny.domain import Platform, ProblemStatus
from algoitny.schemas.common import Identifier, LegacyId, StrictModel, Tag

CheckerName = Literal["exact", "lines", "tokens", "float", "unordered", "custom"]


class CheckerSpec(StrictModel):
    """How output is compared. `lines` (default) ignores trailing whitespace and blank lines."""

    name: CheckerName = "lines"
    abs_tol: float | None = Field(default=None, ge=0, le=1, description="`float` only.")
    rel_tol: float | None = Field(default=None, ge=0, le=1, description="`float` only.")
    source: str | None = Field(
        default=None, max_length=256 * 1024, description="`custom` only: testlib-style checker program."
    )
    language: str | None = Field(default=None, max_length=32, description="`custom` only.")

    @model_validator(mode="after")
    def _fits_name(self) -> CheckerSpec:
        if self.name == "custom" and not (self.source and self.language):
            raise ValueError("a custom checker needs `source` and `language`")
        if self.name != "custom" and (self.source or self.language):
            raise ValueError("`source` and `language` are for the custom checker only")
        if self.name != "float" and (self.abs_tol is not None or self.rel_tol is not None):
            raise ValueError("`abs_tol` and `rel_tol` are for the float checker only")
        if self.name == "float" and self.abs_tol is None and self.rel_tol is None:
            self.abs_tol = self.rel_tol = 1e-6
        return self


class ReferenceSolution(StrictModel):
    language: str = Field(min_length=1, max_length=32)
    code: str = Field(min_length=1, max_length=128 * 1024)


Title = Annotated[str, Field(min_length=1, max_length=200)]
Statement = Annotated[str, Field(max_length=100_000)]
Constraints = Annotated[str, Field(max_length=20_000)]
TimeLimit = Annotated[int, Field(ge=100, le=20_000, description="Per test, milliseconds of CPU time.")]
MemoryLimit = Annotated[int, Field(ge=16, le=2048, description="Per test, MiB.")]
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
    checker: CheckerSpec = Field(default_factory=CheckerSpec)
    reference_solution: ReferenceSolution | None = None
    status: ProblemStatus = ProblemStatus.DRAFT
    review_flags: list[ReviewFlag] = Field(default_factory=list, max_length=20)


class ProblemUpdate(StrictModel):
    """Only the fields present change; `null` clears an optional field."""

    legacy_id: LegacyId | None = None
    title: Title | None = None
    url: AnyHttpUrl | None = None
    tags: list[Tag] | None = Field(default=None, max_length=20)
    statement: Statement | None = None
    constraints: Constraints | None = None
    time_limit_ms: TimeLimit | None = None
    memory_limit_mb: MemoryLimit | None = None
    checker: CheckerSpec | None = None
    reference_solution: ReferenceSolution | None = None
    status: ProblemStatus | None = None
    review_flags: list[ReviewFlag] | None = Field(default=None, max_length=20)

    @model_validator(mode="after")
    def _required_stay_set(self) -> ProblemUpdate:
        for name in ("title", "tags", "time_limit_ms", "memory_limit_mb", "checker", "status", "review_flags"):
            if name in self.model_fields_set and getattr(self, name) is None:
                raise ValueError(f"`{name}` cannot be null")
        return self


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

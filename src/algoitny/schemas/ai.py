"""API models of the AI features: generation jobs, submission hints, problem hints."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, Field

from algoitny.schemas.common import StrictInt, StrictModel

SizeCount = Annotated[StrictInt, Field(ge=0, le=50)]


class GenerationCounts(StrictModel):
    """How many inputs of each size; the generator gets `<size> <seed>` on stdin, seeds 1…n."""

    small: SizeCount = 4
    medium: SizeCount = 3
    max: SizeCount = 2


class GenerationJobCreate(StrictModel):
    generator_script: str | None = Field(
        default=None,
        min_length=1,
        max_length=64 * 1024,
        pattern=r"\S",
        description="Your own Python 3 generator (reads `<size> <seed>`, prints one input); it runs in the "
        "sandbox. Leave it out to have the AI model write one (needs an API key).",
    )
    counts: GenerationCounts = Field(default_factory=GenerationCounts)


class DroppedInput(BaseModel):
    size: str
    seed: int
    reason: str


class GenerationJobRead(BaseModel):
    job_id: str
    kind: Literal["test_cases", "reference_solution"]
    platform: str
    problem_identifier: str
    status: Literal["queued", "running", "succeeded", "failed", "cancelled"]
    step: str
    done: int = Field(description="Progress within the current step.")
    total: int
    script_source: str | None = Field(
        description="Test cases: `admin` or `ai`. Reference: the solution's language."
    )
    script: str | None = Field(description="The generator script (or the accepted solution) once known.")
    counts: dict[str, int]
    attempts: int = Field(description="Model answers tried so far.")
    max_attempts: int
    error: str | None
    previous_error: str | None = Field(description="The error this job was told about (a retry's).")
    added: int
    existing: int
    dropped: list[DroppedInput] = Field(
        description="Inputs left out because the reference solution failed on them."
    )
    cancel_requested: bool
    tokens: int = Field(description="Model tokens this job used.")
    retry_of: str | None
    created_at: int
    updated_at: int
    finished_at: int | None
    websocket: str = Field(description="Path of the WebSocket that streams this job's events.")


class GenerationJobPage(BaseModel):
    items: list[GenerationJobRead]
    next_cursor: str | None


class SubmissionHintsRead(BaseModel):
    submission_id: str
    hints: list[str] = Field(description="3–5 hints; empty when nothing failed.")
    source: Literal["ai", "results"] | None = Field(
        description="`ai` (the model), `results` (deterministic, from the judged results), none when nothing failed."
    )
    cached: bool = Field(description="True when these were made earlier (no quota was used).")
    provisional: bool = Field(
        default=False,
        description="Made while a counterexample search runs, so without its result: asking again"
        " after it ends replaces them (free).",
    )
    current_count: int | None = Field(
        default=None, description="Hints quota used today, when this call used one."
    )
    limit: int | None = None


class ProblemHintLevelBody(StrictModel):
    title: Literal["approach", "insight", "pitfalls", "implementation", "edge cases"]
    hint: str = Field(min_length=1, max_length=2000, pattern=r"\S")


class ProblemHintsUpdate(StrictModel):
    levels: list[ProblemHintLevelBody] = Field(min_length=3, max_length=5)


class ProblemHintsRead(BaseModel):
    platform: str
    problem_identifier: str
    levels: list[ProblemHintLevelBody] = Field(description="The first `levels` hints, in reveal order.")
    total_levels: int
    source: Literal["ai", "admin"]
    updated_at: int

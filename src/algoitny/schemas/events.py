"""The events a task's WebSocket sends (``docs/events.md``, ``docs/ai.md``), as API models.

Two streams, each a union discriminated on ``type``: ``ExecutionEvent`` on
``/ws/executions/{task_id}`` (judged submissions and custom runs) and ``GenerationEvent``
on ``/ws/generation/{job_id}`` (AI jobs). Both share ``type`` names (``queued``, ``done``)
with different fields, hence two unions. ``event_schemas()`` publishes their JSON Schemas
in the OpenAPI document's ``components/schemas``.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import FastAPI
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from algoitny.domain import JobKind, JobStatus
from algoitny.executor.verdicts import Verdict

EventId = Annotated[
    str,
    Field(
        pattern=r"^[0-9]{1,20}-[0-9]{1,20}$",
        description="Increases within a task; send it back as `last_event_id` to resume after it.",
        examples=["1795325683984-0"],
    ),
]


class _Event(BaseModel):
    # Unknown fields are tolerated: a newer worker may add some before the API knows them.
    model_config = ConfigDict(extra="allow")

    id: EventId


# --- /ws/executions/{task_id} ------------------------------------------------------------


class QueuedEvent(_Event):
    """The API accepted the task."""

    type: Literal["queued"]
    task_id: str


class CompilingEvent(_Event):
    """A worker picked the task up."""

    type: Literal["compiling"]


class CompiledEvent(_Event):
    """Compilation succeeded."""

    type: Literal["compiled"]
    message: str = Field(description="Compiler warnings, at most 4 KiB.")


class CompileErrorEvent(_Event):
    """Compilation failed; `done` follows."""

    type: Literal["compile_error"]
    verdict: Literal[Verdict.CE, Verdict.IE]
    message: str


class TestEvent(_Event):
    """One test finished (judge tasks), in completion order."""

    __test__ = False
    type: Literal["test"]
    index: int = Field(ge=0, description="0-based position in the problem's tests.")
    test_case_id: str
    verdict: Verdict
    passed: bool
    cpu_ms: int
    wall_ms: int
    memory_kb: int


class RunEvent(_Event):
    """The custom-input run finished (run tasks)."""

    type: Literal["run"]
    verdict: Verdict
    cpu_ms: int
    wall_ms: int
    memory_kb: int
    exit_code: int | None
    signal: int | None
    stdout: str = Field(description="At most 64 KiB.")
    stdout_truncated: bool
    stderr: str = Field(description="An excerpt.")
    message: str


class JudgeSummary(BaseModel):
    """A judged submission's outcome."""

    verdict: Verdict = Field(description="The first failed test's verdict by index; `AC` if none failed.")
    passed: int
    failed: int
    total: int
    max_cpu_ms: int
    max_memory_kb: int
    compile_message: str | None


class RunSummary(BaseModel):
    """A custom run's outcome: only `verdict` after a compile error."""

    verdict: Verdict
    cpu_ms: int | None = None
    wall_ms: int | None = None
    memory_kb: int | None = None
    exit_code: int | None = None
    signal: int | None = None


class DoneEvent(_Event):
    """The task is finished and stored; the socket closes after it, unless `counterexample`
    is `"searching"`: then a counterexample search follows and the socket closes after its
    `counterexample` or `counterexample_none`."""

    type: Literal["done"]
    summary: JudgeSummary | RunSummary
    counterexample: Literal["searching"] | None = Field(
        default=None, description='`"searching"`: a counterexample search follows (WA and RE only).'
    )


class CounterexampleSearchingEvent(_Event):
    """A search was asked for (`POST /api/submissions/{id}/counterexample`) after `done`."""

    type: Literal["counterexample_searching"]
    search: int = Field(description="Names this search; its final event carries the same.")


class CounterexampleProgressEvent(_Event):
    """The search is running: the size it is at, and the sandbox runs spent so far."""

    type: Literal["counterexample_progress"]
    size: int
    tries: int


class CounterexampleFound(BaseModel):
    input: str
    expected: str = Field(description="The reference solution's output on `input` (the only one shown).")
    output: str
    verdict: Verdict
    checker_message: str
    size: int
    tries: int
    elapsed_ms: int


class CounterexampleEvent(_Event):
    """The search found a counterexample (also stored on the submission); the socket closes."""

    type: Literal["counterexample"]
    search: int = Field(description="0 for `POST /api/stress/` tasks.")
    counterexample: CounterexampleFound


class CounterexampleNoneEvent(_Event):
    """The search ended without one; the socket closes. `reason`: `none` (budget spent or
    every size tried), `failed` (the stress setup is broken or the search could not run)."""

    type: Literal["counterexample_none"]
    search: int
    reason: Literal["none", "failed"]
    tries: int | None = None
    elapsed_ms: int | None = None
    exhausted: bool | None = None
    error: str | None = None


ExecutionEvent = Annotated[
    QueuedEvent
    | CompilingEvent
    | CompiledEvent
    | CompileErrorEvent
    | TestEvent
    | RunEvent
    | DoneEvent
    | CounterexampleSearchingEvent
    | CounterexampleProgressEvent
    | CounterexampleEvent
    | CounterexampleNoneEvent,
    Field(discriminator="type"),
]

# --- /ws/generation/{job_id} -------------------------------------------------------------


class JobQueuedEvent(_Event):
    type: Literal["queued"]
    job_id: str
    kind: JobKind


class JobStartedEvent(_Event):
    type: Literal["started"]
    resumed: bool = Field(description="A worker took over a dead one's job.")
    attempts: int


class ScriptEvent(_Event):
    type: Literal["script"]
    source: Literal["admin", "ai"]
    attempt: int


class SolutionEvent(_Event):
    type: Literal["solution"]
    attempt: int
    language: str


class AttemptFailedEvent(_Event):
    type: Literal["attempt_failed"]
    attempt: int
    error: str = Field(description="What is sent back to the model.")


class ProgressEvent(_Event):
    type: Literal["progress"]
    step: Literal["generate", "reference", "store", "judge"]
    done: int
    total: int


class DroppedInput(BaseModel):
    size: str
    seed: int
    reason: str


class DroppedEvent(_Event, DroppedInput):
    type: Literal["dropped"]


class StoredEvent(_Event):
    """Test-case jobs send `added`, `existing`, `dropped`; reference jobs send `language`."""

    type: Literal["stored"]
    added: int | None = None
    existing: int | None = None
    dropped: list[DroppedInput] | None = None
    language: str | None = None


class JobDoneEvent(_Event):
    type: Literal["done"]
    status: Literal[JobStatus.SUCCEEDED, JobStatus.FAILED, JobStatus.CANCELLED]
    added: int
    existing: int
    dropped: int
    error: str | None


GenerationEvent = Annotated[
    JobQueuedEvent
    | JobStartedEvent
    | ScriptEvent
    | SolutionEvent
    | AttemptFailedEvent
    | ProgressEvent
    | DroppedEvent
    | StoredEvent
    | JobDoneEvent,
    Field(discriminator="type"),
]

EXECUTION_EVENTS: TypeAdapter[Any] = TypeAdapter(ExecutionEvent)
GENERATION_EVENTS: TypeAdapter[Any] = TypeAdapter(GenerationEvent)
# Component names of the two unions in the OpenAPI document.
STREAMS = {"ExecutionEvent": EXECUTION_EVENTS, "GenerationEvent": GENERATION_EVENTS}

REF_TEMPLATE = "#/components/schemas/{model}"


def event_schemas() -> dict[str, dict[str, Any]]:
    """``components/schemas`` entries: both unions and every event model they reference."""
    components: dict[str, dict[str, Any]] = {}
    for name, adapter in STREAMS.items():
        schema = adapter.json_schema(ref_template=REF_TEMPLATE, mode="serialization")
        components.update(schema.pop("$defs", {}))
        components[name] = schema
    return components


def publish_event_schemas(app: FastAPI) -> None:
    """Adds ``event_schemas()`` to the app's OpenAPI ``components/schemas`` (existing names
    win: the enums they share, such as ``Verdict``, are the same schema)."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = generate()
            components = schema.setdefault("components", {}).setdefault("schemas", {})
            for name, definition in event_schemas().items():
                components.setdefault(name, definition)
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]

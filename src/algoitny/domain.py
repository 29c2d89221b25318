"""Domain objects returned by repositories; neither API models nor stored items."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from algoitny.errors import NotAuthenticated


class Platform(StrEnum):
    BAEKJOON = "baekjoon"
    CODEFORCES = "codeforces"
    LEETCODE = "leetcode"
    ATCODER = "atcoder"
    CUSTOM = "custom"


class ProblemStatus(StrEnum):
    DRAFT = "draft"
    COMPLETED = "completed"


class TestCaseKind(StrEnum):
    __test__ = False

    SAMPLE = "sample"
    GENERATED = "generated"
    MANUAL = "manual"

    @property
    def letter(self) -> str:
        """One letter in the sort key, so samples can be read with begins_with."""
        return self.value[0]


@dataclass
class Problem:
    platform: str
    identifier: str
    title: str
    legacy_id: int | None = None
    url: str | None = None
    tags: list[str] = field(default_factory=list)
    statement: str | None = None
    constraints: str | None = None
    time_limit_ms: int = 2000
    memory_limit_mb: int = 256
    checker: dict[str, Any] = field(default_factory=lambda: {"name": "lines"})
    solution_code: str | None = None
    solution_language: str | None = None
    status: str = ProblemStatus.DRAFT
    review_flags: list[str] = field(default_factory=list)
    created_by: str | None = None  # the user who registered it (plans with can_register_problems)
    deleted: bool = False
    execution_count: int = 0
    test_case_count: int = 0
    created_at: int = 0
    updated_at: int = 0


@dataclass
class TestCase:
    __test__ = False

    test_case_id: str
    kind: str
    position: int
    input: str
    output: str
    created_at: int = 0

    @property
    def input_size(self) -> int:
        return len(self.input.encode())

    @property
    def output_size(self) -> int:
        return len(self.output.encode())


@dataclass
class TestCaseSummary:
    """A test case with previews of its texts instead of the full texts."""

    __test__ = False

    test_case_id: str
    kind: str
    position: int
    input_preview: str
    output_preview: str
    input_size: int
    output_size: int
    created_at: int = 0


@dataclass
class NewTestCase:
    __test__ = False

    input: str
    output: str
    kind: str = TestCaseKind.MANUAL


@dataclass
class BulkAddResult:
    added: list[str]
    existing: list[str]
    test_case_count: int


@dataclass
class ProblemWithTestCases:
    problem: Problem
    test_cases: list[TestCase]


@dataclass
class Page:
    items: list[Any]
    next_cursor: str | None


class SubmissionStatus(StrEnum):
    QUEUED = "queued"
    DONE = "done"


@dataclass
class TestRecord:
    """One test's stored result (a ``trs`` entry of the seeds)."""

    __test__ = False

    index: int
    test_case_id: str
    verdict: str
    passed: bool
    cpu_ms: int
    wall_ms: int
    memory_kb: int
    exit_code: int | None = None
    signal: str | None = None
    output: str = ""  # excerpt
    error: str = ""  # stderr excerpt
    checker_message: str = ""
    input_excerpt: str | None = None  # failed tests only: the counterexample
    expected_excerpt: str | None = None
    full_output: str | None = None  # failed tests only, up to FULL_OUTPUT_MAX
    output_truncated: bool = False
    # WA only: the checker's FirstDifference as a dict (line, column, expected, found, contexts)
    first_difference: dict[str, Any] | None = None


@dataclass
class Summary:
    verdict: str
    passed: int
    failed: int
    total: int
    max_cpu_ms: int = 0
    max_memory_kb: int = 0
    compile_message: str | None = None


@dataclass
class Submission:
    submission_id: str
    user_id: str
    platform: str
    identifier: str
    problem_title: str
    language: str
    code: str
    public: bool
    status: str = SubmissionStatus.QUEUED
    verdict: str | None = None
    passed: int = 0
    failed: int = 0
    total: int = 0
    max_cpu_ms: int = 0
    max_memory_kb: int = 0
    compile_message: str | None = None
    created_at: int = 0
    finished_at: int | None = None
    # The counterexample search (services/counterexample.py): its state, when the current
    # search started (its job id), and what it found (the ``Counterexample`` fields).
    counterexample_status: str | None = None  # a CounterexampleStatus
    counterexample_started_at: int | None = None
    counterexample: dict[str, Any] | None = None

    def summary(self) -> Summary:
        """The stored verdict summary of a finished submission (IE if it has none)."""
        return Summary(
            self.verdict or "IE",
            self.passed,
            self.failed,
            self.total,
            self.max_cpu_ms,
            self.max_memory_kb,
            self.compile_message,
        )


class CounterexampleStatus(StrEnum):
    SEARCHING = "searching"
    FOUND = "found"
    NONE = "none"  # the budget ran out (or every size was tried) without one
    FAILED = "failed"  # the setup is broken (generator does not compile, …)

    @property
    def finished(self) -> bool:
        return self is not CounterexampleStatus.SEARCHING


@dataclass
class SubmissionWithResults:
    submission: Submission
    results: list[TestRecord]


@dataclass
class Usage:
    action: str
    count: int
    limit: int
    resets_at: int  # epoch seconds


class UserRole(StrEnum):
    USER = "user"
    ADMIN = "admin"


@dataclass
class User:
    user_id: str
    email: str
    name: str = ""
    google_id: str | None = None
    role: str = UserRole.USER
    plan: str = "free"
    privacy_consent_at: int | None = None
    terms_consent_at: int | None = None
    code_ownership_consent_at: int | None = None
    created_at: int = 0
    last_login_at: int = 0
    active: bool = True  # an inactive user cannot sign in or refresh (imported from the old system)


@dataclass
class Plan:
    name: str
    display_name: str
    daily_executions: int
    daily_hints: int
    can_register_problems: bool = False
    paid: bool = False
    daily_stress: int | None = None  # counterexample searches a day; None: the settings decide
    created_at: int = 0
    updated_at: int = 0


# Who is asking: built by the API's dependencies, used by services (which never import FastAPI).
class Role(StrEnum):
    ANONYMOUS = "anonymous"
    USER = "user"
    ADMIN = "admin"


@dataclass(frozen=True)
class Caller:
    role: Role
    subject: str  # who is counted against quotas: a user id, or ``ip:{client address}``
    user: User | None = None
    plan: Plan | None = None
    # Who owns submissions: the user id, or for anonymous callers the hash of the owner
    # token they presented (``anon:{sha256}``); None for an anonymous caller without one.
    owner: str | None = None
    anonymous_token: str | None = None  # the token itself, to hand back at submit

    def __post_init__(self) -> None:
        if self.role != Role.ANONYMOUS and self.owner is None:
            object.__setattr__(self, "owner", self.subject)

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    @property
    def account(self) -> User:
        """The signed-in user (``SignedInDep`` guarantees one)."""
        if self.user is None:
            raise NotAuthenticated()
        return self.user


# Generation jobs (test cases, reference solutions).
class JobKind(StrEnum):
    TEST_CASES = "test_cases"
    REFERENCE_SOLUTION = "reference_solution"


class JobStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"

    @property
    def active(self) -> bool:
        return self in (JobStatus.QUEUED, JobStatus.RUNNING)


@dataclass
class GenerationJob:
    job_id: str
    kind: str
    platform: str
    identifier: str
    created_by: str
    status: str = JobStatus.QUEUED
    step: str = "queued"
    done: int = 0
    total: int = 0
    script: str | None = None  # the generator script (admin's or the model's), or the model's solution
    script_source: str | None = None  # test cases: "admin" | "ai"; reference: the solution's language
    counts: dict[str, int] = field(default_factory=dict)  # size → how many inputs
    attempts: int = 0
    max_attempts: int = 1
    error: str | None = None
    previous_error: str | None = None  # fed back to the model (retry of a failed job)
    previous_answer: str | None = None
    added: int = 0
    existing: int = 0
    dropped: list[dict[str, Any]] = field(default_factory=list)
    cancel_requested: bool = False
    tokens: int = 0
    retry_of: str | None = None
    worker: str | None = None
    created_at: int = 0
    updated_at: int = 0
    finished_at: int | None = None


# Hints.
@dataclass
class SubmissionHints:
    hints: list[str]
    source: str  # "ai" | "results" (deterministic, from the judged results)
    tokens: int = 0
    created_at: int = 0
    # Made while a counterexample search ran, so without its result: served until the search
    # ends, then replaced by the first request after it (``services/hints.py``).
    provisional: bool = False


@dataclass
class ProblemHints:
    platform: str
    identifier: str
    levels: list[dict[str, str]]  # [{"title", "hint"}], in reveal order
    source: str  # "ai" | "admin"
    tokens: int = 0
    updated_at: int = 0

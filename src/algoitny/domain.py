"""Domain objects returned by repositories; neither API models nor stored items."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


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


@dataclass
class Plan:
    name: str
    display_name: str
    daily_executions: int
    daily_hints: int
    can_register_problems: bool = False
    paid: bool = False
    created_at: int = 0
    updated_at: int = 0

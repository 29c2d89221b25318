"""What every entity's mapping shares: the source, the repositories, and what earlier entities
of the run (or earlier runs) imported, so later ones can check their references."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from algoitny.errors import ProblemNotFound
from algoitny.legacy.report import EntityReport
from algoitny.table import (
    CursorCodec,
    GenerationJobRepository,
    LegacyImportRepository,
    PlanRepository,
    ProblemRepository,
    SubmissionRepository,
    Table,
    TestCaseRepository,
    UserRepository,
    keys,
)

if TYPE_CHECKING:  # psycopg is imported only when an import runs
    from algoitny.legacy.source import LegacySource, Row


class Entity(StrEnum):
    PLANS = "plans"
    USERS = "users"
    PROBLEMS = "problems"
    TEST_CASES = "test_cases"
    HISTORY = "history"
    USAGE = "usage"
    GENERATION_JOBS = "generation_jobs"


ORDER = tuple(Entity)


def epoch_ms(value: dt.datetime | None) -> int:
    return int(value.timestamp() * 1000) if value else 0


def legacy_hash(kind: str, legacy_id: int, length: int) -> str:
    return hashlib.sha256(f"algoitny-legacy:{kind}:{legacy_id}".encode()).hexdigest()[:length]


def legacy_user_id(legacy_id: int) -> str:
    """Same shape as ``users.new_user_id`` (``u`` + 20 hex digits), derived from the old id."""
    return "u" + legacy_hash("user", legacy_id, 20)


def legacy_task_id(kind: str, legacy_id: int, created: dt.datetime) -> str:
    """Same shape as task ids (12 hex digits of epoch ms + 16), derived from the old row."""
    return f"{epoch_ms(created):012x}" + legacy_hash(kind, legacy_id, 16)


ANONYMOUS_OWNER = "anonymous"


@dataclass
class ImportContext:
    source: LegacySource
    table: Table
    dry_run: bool = False
    concurrency: int = 16
    # what this run mapped (so a dry run's later entities see its earlier ones)
    users: dict[int, str] = field(default_factory=dict)  # legacy id → user id
    problems: dict[int, tuple[str, str]] = field(default_factory=dict)  # legacy id → (platform, ident)
    plan_names: dict[int, str] = field(default_factory=dict)  # legacy plan id → our plan name
    problem_keys: dict[tuple[str, str], int] = field(default_factory=dict)  # → first legacy id
    emails: dict[str, int] = field(default_factory=dict)  # lower-cased email → first legacy user id
    current: EntityReport | None = None
    test_case_ids: dict[int, str] = field(default_factory=dict)  # one history batch: legacy → ours
    _missing_users: set[int] = field(default_factory=set)
    _missing_problems: set[int] = field(default_factory=set)

    def __post_init__(self) -> None:
        cursors = CursorCodec("legacy-import")
        self.imports = LegacyImportRepository(self.table)
        self.plans_repo = PlanRepository(self.table)
        self.users_repo = UserRepository(self.table, cursors)
        self.problems_repo = ProblemRepository(self.table, cursors)
        self.test_cases_repo = TestCaseRepository(self.table, cursors)
        self.submissions_repo = SubmissionRepository(self.table, cursors)
        self.jobs_repo = GenerationJobRepository(self.table, cursors)

    def report_warning(self, table: str, row_id: int, reason: str) -> None:
        if self.current is not None:
            self.current.warn(table, row_id, reason)

    async def user_for(self, legacy_id: int) -> str | None:
        """The imported user's id, or None when that user was not imported."""
        if legacy_id in self.users:
            return self.users[legacy_id]
        if legacy_id in self._missing_users:
            return None
        user_id = legacy_user_id(legacy_id)
        if await self.table.get(keys.user_key(user_id)) is not None:
            self.users[legacy_id] = user_id
            return user_id
        self._missing_users.add(legacy_id)
        return None

    async def problem_for(self, legacy_id: int) -> tuple[str, str] | None:
        if legacy_id in self.problems:
            return self.problems[legacy_id]
        if legacy_id in self._missing_problems:
            return None
        try:
            found = await self.problems_repo.resolve_legacy_id(legacy_id)
        except ProblemNotFound:
            self._missing_problems.add(legacy_id)
            return None
        self.problems[legacy_id] = found
        return found

    async def load_plan_names(self) -> None:
        from algoitny.legacy.accounts import plan_slug

        for row in await self.source.rows("SELECT id, name FROM subscription_plans"):
            self.plan_names[row["id"]] = plan_slug(row["name"])


def json_list_of_strings(row: Row, column: str, *, nullable: bool = False) -> list[str]:
    from algoitny.legacy.report import Skip

    value = row[column]
    if value is None and nullable:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise Skip(f"invalid JSON in {column}: expected a list of strings")
    return value


def json_object(row: Row, column: str) -> dict[str, Any]:
    from algoitny.legacy.report import Skip

    value = row[column]
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise Skip(f"invalid JSON in {column}: expected an object")
    return value

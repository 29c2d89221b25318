"""Problems (keeping the legacy integer id) and their test cases, in the old order."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from typing import Any

from algoitny.domain import NewTestCase, Problem, ProblemStatus, TestCaseKind
from algoitny.errors import ProblemNotFound
from algoitny.executor.errors import UnknownLanguage
from algoitny.executor.languages import get_language
from algoitny.legacy.context import ImportContext, epoch_ms, json_list_of_strings, json_object
from algoitny.legacy.report import Skip, text_digest
from algoitny.legacy.source import Row
from algoitny.table import payloads

_PLATFORM = re.compile(r"^[a-z0-9][a-z0-9_.\-]{0,31}$")
_IDENTIFIER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,63}$")
MAX_PROBLEM_TEXT = 200_000  # bytes of solution + constraints kept on the problem's item
MAX_TAGS = 50
MAX_TEST_TEXT = 64 * 1024 * 1024
IMPORTED_KIND = TestCaseKind.GENERATED


def test_case_ids_sql(where: str) -> str:
    """``id, test_case_id`` of the old cases matching ``where``: the id our table gives each
    (``payloads.test_case_id``, computed in PostgreSQL), so nobody reads their texts here."""
    kind = IMPORTED_KIND.value
    return f"""
SELECT id, '{kind[0]}' || left(encode(sha256(
    int8send({len(kind.encode())}::bigint) || convert_to('{kind}', 'UTF8')
 || int8send(octet_length(convert_to(input, 'UTF8'))::bigint) || convert_to(input, 'UTF8')
 || int8send(octet_length(convert_to(output, 'UTF8'))::bigint) || convert_to(output, 'UTF8')
), 'hex'), 23) AS test_case_id
FROM test_cases WHERE {where}
"""


# Problems of a catch-up batch with a new case created before one imported earlier.
OUT_OF_ORDER_SQL = """
SELECT DISTINCT new.problem_id FROM test_cases new
WHERE new.id = ANY(%s) AND EXISTS (
    SELECT 1 FROM test_cases old
    WHERE old.problem_id = new.problem_id AND old.id <= %s AND old.created_at > new.created_at)
"""


def language_id(name: str | None) -> str:
    try:
        return get_language(name or "").id
    except UnknownLanguage:
        raise Skip(f"unknown language {name!r}") from None


class ProblemMapping:
    table = "problems"
    order = "id"

    async def map_row(self, row: Row, ctx: ImportContext) -> Problem:
        platform = (row["platform"] or "").strip().lower()
        identifier = (row["problem_id"] or "").strip()
        if not _PLATFORM.match(platform) or not _IDENTIFIER.match(identifier):
            raise Skip(f"invalid platform or problem id {platform!r}/{identifier!r}")
        first = ctx.problem_keys.setdefault((platform, identifier), row["id"])
        if first != row["id"]:
            raise Skip(f"duplicate of problem {first} ({platform}/{identifier})")
        tags = json_list_of_strings(row, "tags")
        metadata = json_object(row, "metadata")
        if len(tags) > MAX_TAGS or any(not 0 < len(t) <= 64 for t in tags):
            raise Skip("oversize tags")
        text = (row["solution_code"] or "") + (row["constraints"] or "")
        if len(text.encode()) > MAX_PROBLEM_TEXT:
            raise Skip("oversize solution_code/constraints")
        solution_language = None
        if row["solution_code"]:
            try:
                solution_language = language_id(row["language"])
            except Skip as unknown:
                raise Skip(f"{unknown.reason} of solution_code") from None
        executions = metadata.get("execution_count", 0)
        created = epoch_ms(row["created_at"])
        problem = Problem(
            platform=platform,
            identifier=identifier,
            title=row["title"] or identifier,
            legacy_id=row["id"],
            url=row["problem_url"] or None,
            tags=list(dict.fromkeys(tags)),
            constraints=row["constraints"] or None,
            solution_code=row["solution_code"] or None,
            solution_language=solution_language,
            status=ProblemStatus.COMPLETED if row["is_completed"] else ProblemStatus.DRAFT,
            review_flags=["needs_review"] if row["needs_review"] else [],
            deleted=bool(row["is_deleted"]),
            execution_count=executions if isinstance(executions, int) and executions >= 0 else 0,
            created_at=created,
            updated_at=created,
        )
        ctx.problems[row["id"]] = (platform, identifier)
        return problem

    def canonical(self, problem: Problem) -> dict[str, Any]:
        fields = asdict(problem)
        for volatile in (
            "test_case_count",
            "updated_at",
            "statement",
            "checker",
            "time_limit_ms",
            "memory_limit_mb",
        ):
            fields.pop(volatile)
        fields["solution_code"] = text_digest(problem.solution_code)
        return fields

    async def write(self, problem: Problem, ctx: ImportContext) -> bool:
        if await ctx.imports.create_problem(problem):
            return True
        owner = await ctx.problem_for(problem.legacy_id or 0)
        if owner != (problem.platform, problem.identifier):
            ctx.problems.pop(problem.legacy_id or 0, None)
            raise Skip(f"{problem.platform}/{problem.identifier} already exists with another legacy id")
        return False

    async def read_back(self, problem: Problem, ctx: ImportContext) -> dict[str, Any] | None:
        item = await ctx.table.get({"PK": f"PROB#{problem.platform}#{problem.identifier}", "SK": "META"})
        if item is None:
            return None
        from algoitny.table.codec import PROBLEM

        return self.canonical(Problem(**PROBLEM.decode(item)))


@dataclass
class MappedTestCase:
    legacy_id: int
    problem_legacy_id: int
    platform: str
    identifier: str
    case: NewTestCase
    created_at: int

    @property
    def test_case_id(self) -> str:
        return payloads.test_case_id(self.case)


class TestCaseMapping:
    """Read in ``(problem_id, created_at, id)`` order, so each problem's cases arrive in the
    old order and are appended after the ones an earlier run stored."""

    __test__ = False
    table = "test_cases"
    order = "problem_id, created_at, id"
    position_column = "problem_id"

    async def map_row(self, row: Row, ctx: ImportContext) -> MappedTestCase:
        found = await ctx.problem_for(row["problem_id"])
        if found is None:
            raise Skip(f"problem {row['problem_id']} was not imported")
        text_in, text_out = row["input"] or "", row["output"] or ""
        if len(text_in) > MAX_TEST_TEXT or len(text_out) > MAX_TEST_TEXT:
            raise Skip("oversize input or output")
        if not text_out.strip():
            ctx.report_warning(self.table, row["id"], "empty expected output (a failed reference run)")
        case = NewTestCase(input=text_in, output=text_out, kind=IMPORTED_KIND)
        return MappedTestCase(
            row["id"], row["problem_id"], found[0], found[1], case, epoch_ms(row["created_at"])
        )

    def canonical(self, mapped: MappedTestCase) -> dict[str, Any]:
        return {
            "problem": mapped.problem_legacy_id,
            "test_case_id": mapped.test_case_id,
            "input_size": len(mapped.case.input.encode()),
            "output_size": len(mapped.case.output.encode()),
            "created_at": mapped.created_at,
        }

    async def write_group(self, group: list[MappedTestCase], ctx: ImportContext) -> tuple[int, int]:
        """One problem's cases of a batch: (added, already there)."""
        first = group[0]
        try:
            result = await ctx.test_cases_repo.add_many(
                platform=first.platform,
                identifier=first.identifier,
                new_cases=[m.case for m in group],
                created_at=[m.created_at for m in group],
            )
        except ProblemNotFound:  # pragma: no cover - checked when mapping
            raise Skip(f"problem {first.problem_legacy_id} disappeared") from None
        return len(result.added), len(result.existing)

    async def keep_old_order(
        self, groups: dict[int, list[MappedTestCase]], *, done: int, high: int, ctx: ImportContext
    ) -> None:
        """After a catch-up batch (rows with ids above ``done``) was written.

        Appending a problem's new cases after its imported ones is the old order
        ``(created_at, id)`` unless a new case was created *before* an imported one: Django
        stamps ``created_at`` before the INSERT takes its id, so two inserts racing an import
        can land that way (or a row was inserted with an explicit time). Such a problem's
        imported cases are then put in the old order again, within the positions they hold."""
        if done == 0 or not groups:
            return
        new_ids = sorted(m.legacy_id for group in groups.values() for m in group)
        flagged = await ctx.source.rows(OUT_OF_ORDER_SQL, (new_ids, done))
        for row in flagged:
            first = groups[row["problem_id"]][0]
            ordered = await ctx.source.rows(
                test_case_ids_sql("problem_id = %s AND id <= %s ORDER BY created_at, id"),
                (row["problem_id"], high),
            )
            await ctx.imports.reorder_test_cases(
                first.platform, first.identifier, [r["test_case_id"] for r in ordered]
            )

    async def read_back(self, mapped: MappedTestCase, ctx: ImportContext) -> dict[str, Any] | None:
        from algoitny.errors import TestCaseNotFound

        try:
            found = await ctx.test_cases_repo.get(
                platform=mapped.platform, identifier=mapped.identifier, test_case_id=mapped.test_case_id
            )
        except TestCaseNotFound:
            return None
        case = NewTestCase(input=found.input, output=found.output, kind=found.kind)
        return self.canonical(
            MappedTestCase(mapped.legacy_id, mapped.problem_legacy_id, "", "", case, found.created_at)
        )

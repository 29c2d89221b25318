"""``search_history`` → submissions (done, with per-test results), owned by the imported user."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from algoitny.domain import Submission, SubmissionStatus, TestRecord
from algoitny.legacy.context import (
    ANONYMOUS_OWNER,
    ImportContext,
    epoch_ms,
    json_list_of_strings,
    legacy_task_id,
)
from algoitny.legacy.problems import language_id, test_case_ids_sql
from algoitny.legacy.report import Skip, text_digest
from algoitny.legacy.source import Row

MAX_CODE_BYTES = 256 * 1024
EXCERPT_CHARS = 4096  # as the judge keeps
FULL_OUTPUT_MAX = 256 * 1024
MAX_RESULTS = 10_000


@dataclass
class MappedSubmission:
    legacy_id: int
    submission: Submission
    results: list[TestRecord]
    hints: list[str]


def _verdict(entry: dict[str, Any]) -> str:
    if entry.get("passed") is True:
        return "AC"
    return "RE" if entry.get("status") == "error" or entry.get("error") else "WA"


class HistoryMapping:
    """Submissions go into the table a batch at a time, in shared transactions of conditional
    puts; ``row_by_row`` (a put per submission) is kept for the benchmark's side-by-side
    comparison only. Nothing here counts statistics: the stream indexer counts each
    submission from its INSERT record (docs/indexer.md)."""

    table = "search_history"
    order = "id"

    def __init__(self, *, row_by_row: bool = False) -> None:
        self.row_by_row = row_by_row

    async def prepare_batch(self, rows: list[Row], ctx: ImportContext) -> None:
        wanted = {
            entry["test_case_id"]
            for row in rows
            if isinstance(row["test_results"], list)
            for entry in row["test_results"]
            if isinstance(entry, dict) and isinstance(entry.get("test_case_id"), int)
        }
        ctx.test_case_ids = {}
        if wanted:
            found = await ctx.source.rows(test_case_ids_sql("id = ANY(%s)"), (sorted(wanted),))
            ctx.test_case_ids = {r["id"]: r["test_case_id"] for r in found}

    async def map_row(self, row: Row, ctx: ImportContext) -> MappedSubmission:
        if row["user_id"] is None:
            owner = ANONYMOUS_OWNER
        else:
            found_owner = await ctx.user_for(row["user_id"])
            if found_owner is None:
                raise Skip(f"user {row['user_id']} was not imported")
            owner = found_owner
        problem = await ctx.problem_for(row["problem_id"])
        if problem is None:
            raise Skip(f"problem {row['problem_id']} was not imported")
        language = language_id(row["language"])
        code = row["code"] or ""
        if len(code.encode()) > MAX_CODE_BYTES:
            raise Skip("oversize code")
        entries = row["test_results"] if row["test_results"] is not None else []
        if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
            raise Skip("invalid JSON in test_results: expected a list of objects")
        if len(entries) > MAX_RESULTS:
            raise Skip("oversize test_results")
        hints = json_list_of_strings(row, "hints", nullable=True)
        sid = legacy_task_id("history", row["id"], row["created_at"])
        results = [self._record(index, entry, ctx) for index, entry in enumerate(entries)]
        passed, failed, total = row["passed_count"], row["failed_count"], row["total_count"]
        first_failure = next((r.verdict for r in results if not r.passed), None)
        verdict = "AC" if total > 0 and failed == 0 and passed == total else (first_failure or "WA")
        created = epoch_ms(row["created_at"])
        submission = Submission(
            submission_id=sid,
            user_id=owner,
            platform=problem[0],
            identifier=problem[1],
            problem_title=row["problem_title"] or "",
            language=language,
            code=code,
            public=bool(row["is_code_public"]),
            status=SubmissionStatus.DONE,
            verdict=verdict,
            passed=passed,
            failed=failed,
            total=total,
            created_at=created,
            finished_at=created,
        )
        return MappedSubmission(row["id"], submission, results, hints)

    def _record(self, index: int, entry: dict[str, Any], ctx: ImportContext) -> TestRecord:
        output = entry.get("output")
        output = output if isinstance(output, str) else ""
        error = entry.get("error")
        passed = entry.get("passed") is True
        legacy_case = entry.get("test_case_id")
        case_id = ctx.test_case_ids.get(legacy_case, "") if isinstance(legacy_case, int) else ""
        return TestRecord(
            index=index,
            test_case_id=case_id,
            verdict=_verdict(entry),
            passed=passed,
            cpu_ms=0,
            wall_ms=0,
            memory_kb=0,
            output=output[:EXCERPT_CHARS],
            error=(error if isinstance(error, str) else "")[:EXCERPT_CHARS],
            full_output=None if passed else output[:FULL_OUTPUT_MAX],
            output_truncated=len(output) > EXCERPT_CHARS,
        )

    def canonical(self, mapped: MappedSubmission) -> dict[str, Any]:
        fields = asdict(mapped.submission)
        fields["code"] = text_digest(mapped.submission.code)
        fields["results"] = [
            [r.test_case_id, r.verdict, r.passed, text_digest(r.output)] for r in mapped.results
        ]
        return fields

    async def before_writes(self, batch: list[MappedSubmission], ctx: ImportContext) -> None:
        """The batch's results first, in shared 25-item requests: a submission is listed only
        once its results are all there (and rewriting a result is harmless)."""
        records = [(m.submission.submission_id, r) for m in batch for r in m.results]
        await ctx.imports.save_results(records, concurrency=ctx.concurrency)

    async def write(self, mapped: MappedSubmission, ctx: ImportContext) -> bool:
        return await ctx.imports.create_submission(mapped.submission, mapped.hints)

    async def write_batch(self, batch: list[MappedSubmission], ctx: ImportContext) -> list[bool] | None:
        """All of a batch's submissions in shared transactions (None: write them row by row)."""
        if self.row_by_row:
            return None
        return await ctx.imports.create_submissions([(m.submission, m.hints) for m in batch])

    async def read_back(self, mapped: MappedSubmission, ctx: ImportContext) -> dict[str, Any] | None:
        from algoitny.errors import SubmissionNotFound

        try:
            found = await ctx.submissions_repo.get_with_results(mapped.submission.submission_id)
        except SubmissionNotFound:
            return None
        results = sorted(found.results, key=lambda r: r.index)
        return self.canonical(MappedSubmission(mapped.legacy_id, found.submission, results, []))

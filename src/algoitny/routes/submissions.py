"""History: my submissions, the public feed, one submission's detail with counterexamples."""

from __future__ import annotations

from typing import Annotated, Literal, cast

from fastapi import APIRouter, Path, Query
from fastapi.responses import PlainTextResponse

from algoitny.client_identity import is_anonymous_owner
from algoitny.deps import CallerDep, SubmissionsDep, TestCasesDep, VisibleSubmission
from algoitny.domain import Submission, TestRecord
from algoitny.errors import NotFound
from algoitny.routes.responses import errors, json_body
from algoitny.schemas.common import PageLimit
from algoitny.schemas.executions import (
    Counterexample,
    CounterexampleRead,
    CounterexampleState,
    FirstDifferenceRead,
    SubmissionListItem,
    SubmissionPage,
    SubmissionRead,
    SummaryRead,
    TestResultRead,
)

router = APIRouter(prefix="/api/submissions", tags=["history"])

ANONYMOUS = "anonymous"

Cursor = Annotated[str | None, Query(max_length=2048)]


def _list_item(submission: Submission) -> dict:
    return {
        "submission_id": submission.submission_id,
        # Anonymous owners are token hashes (older ones client IPs): never shown.
        "user_id": ANONYMOUS if is_anonymous_owner(submission.user_id) else submission.user_id,
        "platform": submission.platform,
        "problem_identifier": submission.identifier,
        "problem_title": submission.problem_title,
        "language": submission.language,
        "is_code_public": submission.public,
        "status": submission.status,
        "summary": SummaryRead(
            verdict=submission.verdict,
            passed=submission.passed,
            failed=submission.failed,
            total=submission.total,
            max_cpu_ms=submission.max_cpu_ms,
            max_memory_kb=submission.max_memory_kb,
        ),
        "created_at": submission.created_at,
        "finished_at": submission.finished_at,
    }


def _page(page) -> SubmissionPage:
    return SubmissionPage(
        items=[SubmissionListItem(**_list_item(s)) for s in page.items], next_cursor=page.next_cursor
    )


@router.get("/mine", response_model=SubmissionPage, responses=errors(400, 401))
async def list_my_submissions(
    submissions: SubmissionsDep, caller: CallerDep, limit: PageLimit = 20, cursor: Cursor = None
):
    """The caller's submissions, newest first. Anonymous callers see the ones made with the
    owner token they send (`X-Anonymous-Token` or the cookie set at submit); none without it."""
    if caller.owner is None:
        return json_body(SubmissionPage(items=[], next_cursor=None))
    return json_body(_page(await submissions.list_mine(caller.owner, limit=limit, cursor=cursor)))


@router.get("/public", response_model=SubmissionPage, responses=errors(400, 401))
async def list_public_submissions(submissions: SubmissionsDep, limit: PageLimit = 20, cursor: Cursor = None):
    """Every public submission ever, newest first."""
    return json_body(_page(await submissions.list_public(limit=limit, cursor=cursor)))


def _test_read(submission_id: str, record: TestRecord) -> TestResultRead:
    counterexample = None
    if record.input_excerpt is not None:
        base = f"/api/submissions/{submission_id}/tests/{record.index}"
        counterexample = Counterexample(
            input=record.input_excerpt,
            expected=record.expected_excerpt or "",
            output=record.output,
            input_url=f"{base}/input",
            expected_url=f"{base}/expected",
            output_url=f"{base}/output",
        )
    return TestResultRead(
        index=record.index,
        test_case_id=record.test_case_id,
        verdict=record.verdict,
        passed=record.passed,
        cpu_ms=record.cpu_ms,
        wall_ms=record.wall_ms,
        memory_kb=record.memory_kb,
        exit_code=record.exit_code,
        signal=record.signal,
        stderr_excerpt=record.error,
        checker_message=record.checker_message,
        counterexample=counterexample,
        first_difference=FirstDifferenceRead(**record.first_difference) if record.first_difference else None,
    )


@router.get("/{submission_id}", response_model=SubmissionRead, responses=errors(401, 404))
async def get_submission(submission: VisibleSubmission, submissions: SubmissionsDep):
    """One submission with every test's result; failed tests show their counterexample."""
    found = await submissions.get_with_results(submission.submission_id)
    tests = [_test_read(submission.submission_id, r) for r in sorted(found.results, key=lambda r: r.index)]
    read = SubmissionRead(
        **_list_item(found.submission),
        code=found.submission.code,
        compile_message=found.submission.compile_message,
        tests=tests,
        # Whoever sees the failed tests above sees the counterexample too.
        counterexample_status=cast(CounterexampleState | None, found.submission.counterexample_status),
        counterexample=CounterexampleRead(**found.submission.counterexample)
        if found.submission.counterexample
        else None,
    )
    return json_body(read)


@router.get(
    "/{submission_id}/tests/{index}/{part}",
    response_model=None,
    responses=errors(401, 404)
    | {200: {"content": {"text/plain": {"schema": {"type": "string"}}}, "description": "The full text."}},
)
async def get_counterexample_text(
    submission: VisibleSubmission,
    index: Annotated[int, Path(ge=0, le=1_000_000)],
    part: Literal["input", "expected", "output"],
    submissions: SubmissionsDep,
    test_cases: TestCasesDep,
) -> PlainTextResponse:
    """The full input, expected output or program output of a failed test."""
    record = await submissions.get_result(submission.submission_id, index)
    if record.input_excerpt is None:
        raise NotFound("Only failed tests with a counterexample have full texts.")
    if part == "output":
        return PlainTextResponse(record.full_output or "")
    test_case = await test_cases.get(
        platform=submission.platform, identifier=submission.identifier, test_case_id=record.test_case_id
    )
    return PlainTextResponse(test_case.input if part == "input" else test_case.output)

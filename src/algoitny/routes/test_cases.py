"""Test cases of a problem. Samples are public; everything else is for admins."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Response, status

from algoitny.deps import (
    AdminDep,
    CallerDep,
    ProblemKeyDep,
    ProblemsDep,
    TestCasesDep,
    VisibleProblem,
    admin_user,
)
from algoitny.domain import NewTestCase, TestCaseKind
from algoitny.routes.responses import errors, json_body, json_list
from algoitny.schemas.common import PageLimit
from algoitny.schemas.presenters import problem_read, test_case_read
from algoitny.schemas.test_cases import (
    BulkAddRead,
    ProblemWithTestCasesRead,
    TestCaseBulkCreate,
    TestCasePage,
    TestCaseRead,
    TestCaseSummaryRead,
)

router = APIRouter(prefix="/api/problems/{platform}/{problem_identifier}", tags=["test cases"])

TestCaseId = Annotated[
    str,
    Path(pattern=r"^[sgm][0-9a-f]{23}$", description="Content-addressed id; its first letter is the kind."),
]


def _new_cases(body: TestCaseBulkCreate) -> list[NewTestCase]:
    return [NewTestCase(input=c.input, output=c.output, kind=c.kind.value) for c in body.test_cases]


@router.post(
    "/test-cases",
    status_code=status.HTTP_201_CREATED,
    response_model=BulkAddRead,
    responses=errors(401, 403, 404, 413),
)
async def add_test_cases(
    key: ProblemKeyDep,
    body: TestCaseBulkCreate,
    problems: ProblemsDep,
    test_cases: TestCasesDep,
    admin: AdminDep,
) -> BulkAddRead:
    """Add up to 5000 test cases at once (admin). Idempotent: ids are content hashes,
    so retrying the same request adds nothing and reports the ids under `existing`."""
    await problems.get(platform=key.platform, identifier=key.identifier, consistent=True)
    result = await test_cases.add_many(
        platform=key.platform, identifier=key.identifier, new_cases=_new_cases(body)
    )
    return BulkAddRead(added=result.added, existing=result.existing, test_case_count=result.test_case_count)


@router.put("/test-cases", response_model=BulkAddRead, responses=errors(401, 403, 404, 413))
async def replace_test_cases(
    key: ProblemKeyDep,
    body: TestCaseBulkCreate,
    problems: ProblemsDep,
    test_cases: TestCasesDep,
    admin: AdminDep,
) -> BulkAddRead:
    """Replace every test case of the problem with these (admin)."""
    await problems.get(platform=key.platform, identifier=key.identifier, consistent=True)
    result = await test_cases.replace_all(
        platform=key.platform, identifier=key.identifier, new_cases=_new_cases(body)
    )
    return BulkAddRead(added=result.added, existing=result.existing, test_case_count=result.test_case_count)


@router.get("/test-cases", response_model=TestCasePage, responses=errors(400, 401, 403, 404))
async def list_test_cases(
    key: ProblemKeyDep,
    problems: ProblemsDep,
    test_cases: TestCasesDep,
    admin: AdminDep,
    limit: PageLimit = 100,
    cursor: Annotated[str | None, Query(max_length=2048)] = None,
) -> Response:
    """All test cases with 1 KiB previews, a page at a time, in id order (admin).
    `position` gives the judging order."""
    await problems.get(platform=key.platform, identifier=key.identifier)
    page = await test_cases.list_test_cases(
        platform=key.platform, identifier=key.identifier, limit=limit, cursor=cursor
    )
    items = [TestCaseSummaryRead(**vars(s)) for s in page.items]
    return json_body(TestCasePage(items=items, next_cursor=page.next_cursor))


async def _may_read_test_case(test_case_id: TestCaseId, caller: CallerDep) -> str:
    """Samples are public; other kinds need an admin (checked before any read)."""
    if not test_case_id.startswith(TestCaseKind.SAMPLE.letter):
        await admin_user(caller)
    return test_case_id


@router.get("/test-cases/{test_case_id}", response_model=TestCaseRead, responses=errors(401, 403, 404))
async def get_test_case(
    key: ProblemKeyDep,
    test_case_id: Annotated[str, Depends(_may_read_test_case)],
    problem: VisibleProblem,
    test_cases: TestCasesDep,
) -> Response:
    """One test case in full. Samples of released problems are readable by anyone."""
    found = await test_cases.get(platform=key.platform, identifier=key.identifier, test_case_id=test_case_id)
    return json_body(test_case_read(found))


@router.delete(
    "/test-cases/{test_case_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    responses=errors(401, 403, 404),
)
async def delete_test_case(
    key: ProblemKeyDep, test_case_id: TestCaseId, test_cases: TestCasesDep, admin: AdminDep
) -> Response:
    """Delete one test case (admin)."""
    await test_cases.delete(platform=key.platform, identifier=key.identifier, test_case_id=test_case_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/samples", response_model=list[TestCaseRead], responses=errors(404))
async def list_samples(key: ProblemKeyDep, problem: VisibleProblem, test_cases: TestCasesDep) -> Response:
    """The problem's sample test cases, in full, for anyone (drafts: admins only)."""
    samples = await test_cases.list_samples(platform=key.platform, identifier=key.identifier)
    return json_list([test_case_read(s) for s in samples])


@router.get("/with-test-cases", response_model=ProblemWithTestCasesRead, responses=errors(401, 403, 404))
async def get_problem_with_test_cases(key: ProblemKeyDep, problems: ProblemsDep, admin: AdminDep) -> Response:
    """The problem and every test case in full, read with one Query (admin)."""
    found = await problems.get_with_test_cases(platform=key.platform, identifier=key.identifier)
    return json_body(
        ProblemWithTestCasesRead(
            problem=problem_read(found.problem, admin_view=True),
            test_cases=[test_case_read(t) for t in found.test_cases],
        )
    )

"""Test-case API models."""

from __future__ import annotations

from pydantic import BaseModel, Field

from algoitny.domain import TestCaseKind
from algoitny.schemas.common import StrictModel
from algoitny.schemas.problems import ProblemRead

TEXT_MAX = 8 * 1024 * 1024


class TestCaseCreate(StrictModel):
    __test__ = False

    input: str = Field(max_length=TEXT_MAX)
    output: str = Field(max_length=TEXT_MAX, description="Expected output.")
    kind: TestCaseKind = TestCaseKind.MANUAL


class TestCaseBulkCreate(StrictModel):
    __test__ = False

    test_cases: list[TestCaseCreate] = Field(min_length=1, max_length=5000)


class BulkAddRead(BaseModel):
    added: list[str] = Field(description="Ids of the test cases this request created.")
    existing: list[str] = Field(description="Ids already present (a retried request adds nothing).")
    test_case_count: int


class TestCaseRead(BaseModel):
    __test__ = False

    test_case_id: str
    kind: TestCaseKind
    position: int
    input: str
    output: str
    created_at: int


class TestCaseSummaryRead(BaseModel):
    __test__ = False

    test_case_id: str
    kind: TestCaseKind
    position: int
    input_preview: str = Field(description="The first 1024 characters.")
    output_preview: str = Field(description="The first 1024 characters.")
    input_size: int = Field(description="Bytes (UTF-8).")
    output_size: int = Field(description="Bytes (UTF-8).")
    created_at: int


class TestCasePage(BaseModel):
    __test__ = False

    items: list[TestCaseSummaryRead]
    next_cursor: str | None


class ProblemWithTestCasesRead(BaseModel):
    problem: ProblemRead
    test_cases: list[TestCaseRead]

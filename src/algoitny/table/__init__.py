"""The single DynamoDB table: keys, codec, client wrapper and one repository per entity."""

from algoitny.table.client import Table
from algoitny.table.cursor import CursorCodec
from algoitny.table.migration_log import MigrationLog
from algoitny.table.problems import ProblemRepository
from algoitny.table.submissions import SubmissionRepository
from algoitny.table.test_cases import TestCaseRepository
from algoitny.table.usage import QuotaExceeded, UsageRepository
from algoitny.table.generation_jobs import GenerationJobRepository
from algoitny.table.hints import HintRepository

__all__ = [
    "CursorCodec", "MigrationLog", "ProblemRepository", "QuotaExceeded", "SubmissionRepository", "Table",
    "TestCaseRepository", "UsageRepository",
]

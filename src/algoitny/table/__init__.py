"""The single DynamoDB table: keys, codec, client wrapper and one repository per entity."""

from algoitny.table.client import Table
from algoitny.table.cursor import CursorCodec
from algoitny.table.daily_stats import StatsRepository
from algoitny.table.generation_jobs import GenerationJobRepository
from algoitny.table.hints import HintRepository
from algoitny.table.legacy_import import LegacyImportRepository
from algoitny.table.migration_log import MigrationLog
from algoitny.table.plans import PlanRepository
from algoitny.table.problems import ProblemRepository
from algoitny.table.stats import StatisticsRepository
from algoitny.table.stream_state import ShardStateRepository
from algoitny.table.stress import StressRepository
from algoitny.table.submissions import SubmissionRepository
from algoitny.table.test_cases import TestCaseRepository
from algoitny.table.tokens import RefreshReused, TokenRepository
from algoitny.table.usage import QuotaExceeded, UsageRepository
from algoitny.table.users import UserRepository

__all__ = [
    "CursorCodec",
    "GenerationJobRepository",
    "HintRepository",
    "LegacyImportRepository",
    "MigrationLog",
    "PlanRepository",
    "ProblemRepository",
    "QuotaExceeded",
    "RefreshReused",
    "ShardStateRepository",
    "StatisticsRepository",
    "StatsRepository",
    "StressRepository",
    "SubmissionRepository",
    "Table",
    "TestCaseRepository",
    "TokenRepository",
    "UsageRepository",
    "UserRepository",
]

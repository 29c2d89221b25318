"""Statistics kept by the stream indexer (docs/indexer.md): numbers only, never code or
problem names, so a user's are public."""

from __future__ import annotations

from pydantic import BaseModel, Field

from algoitny.table.stats import ProblemStatistics, SubmissionTotals, UserStatistics


class UserStatsRead(BaseModel):
    """One user's judged submissions, kept from the table's change stream: a just-finished
    submission shows up after the indexer's lag (`/health/ready`)."""

    user_id: str
    submissions: int
    accepted: int
    problems_tried: int = Field(description="Distinct problems with at least one judged submission.")
    problems_solved: int = Field(description="Distinct problems with at least one accepted submission.")
    by_language: dict[str, int]
    by_platform: dict[str, int]
    by_verdict: dict[str, int]
    first_activity_at: int | None = Field(description="Epoch ms of the first judged submission.")
    last_activity_at: int | None = Field(description="Epoch ms of the latest judged submission.")
    current_streak_days: int = Field(
        description="Consecutive UTC days with an accepted submission, ending today or yesterday."
    )
    longest_streak_days: int


class ProblemStatsRead(BaseModel):
    """One problem's judged submissions (from the change stream, like a user's)."""

    platform: str
    problem_identifier: str
    submissions: int
    accepted: int
    acceptance_rate: float = Field(description="accepted / submissions (0 without submissions).")
    users_tried: int
    users_solved: int
    by_language: dict[str, int]
    by_verdict: dict[str, int]


class SubmissionTotalsRead(BaseModel):
    """Every judged submission (from the change stream)."""

    submissions: int
    accepted: int
    by_language: dict[str, int]
    by_platform: dict[str, int]
    by_verdict: dict[str, int]


def user_stats_read(stats: UserStatistics) -> UserStatsRead:
    return UserStatsRead(**vars(stats))


def problem_stats_read(stats: ProblemStatistics) -> ProblemStatsRead:
    fields = vars(stats) | {"acceptance_rate": round(stats.acceptance_rate, 4)}
    fields["problem_identifier"] = fields.pop("identifier")
    return ProblemStatsRead(**fields)


def totals_read(totals: SubmissionTotals) -> SubmissionTotalsRead:
    return SubmissionTotalsRead(**vars(totals))

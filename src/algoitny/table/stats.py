"""Statistics kept by the stream indexer: per user, per problem, and in total.

Each finished submission is counted by one transaction (``count_submission``) whose
first operation puts a ``COUNTED#{sid}`` marker if it is absent, so a record delivered
twice changes nothing. A problem counts once per user through a user × problem item
(``USERPROB#…``); it is read first and the transaction is conditioned on what was read,
so a race with another indexer is retried, never double-counted. See docs/indexer.md.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import ClientError

from algoitny.table import keys
from algoitny.table.client import Item, Table, typed_key
from algoitny.table.codec import (
    PROBLEM_STATS,
    STATS_COUNTED,
    SUBMISSION_TOTALS,
    USER_COUNTS,
    USER_PROBLEM,
    from_dynamo,
)

MAX_ATTEMPTS = 20
BY_LANGUAGE, BY_PLATFORM, BY_VERDICT = "lng:", "plt:", "vrd:"


@dataclass(frozen=True, slots=True)
class FinishedSubmission:
    submission_id: str
    user_id: str
    platform: str
    identifier: str
    language: str
    verdict: str
    created_at: int  # epoch ms: the activity time, and its UTC day for streaks

    @property
    def accepted(self) -> bool:
        return self.verdict == "AC"

    @property
    def day(self) -> str:
        return dt.datetime.fromtimestamp(self.created_at / 1000, dt.UTC).date().isoformat()


@dataclass
class UserStatistics:
    user_id: str
    submissions: int = 0
    accepted: int = 0
    problems_tried: int = 0
    problems_solved: int = 0
    by_language: dict[str, int] = field(default_factory=dict)
    by_platform: dict[str, int] = field(default_factory=dict)
    by_verdict: dict[str, int] = field(default_factory=dict)
    first_activity_at: int | None = None
    last_activity_at: int | None = None
    current_streak_days: int = 0
    longest_streak_days: int = 0


@dataclass
class ProblemStatistics:
    platform: str
    identifier: str
    submissions: int = 0
    accepted: int = 0
    users_tried: int = 0
    users_solved: int = 0
    by_language: dict[str, int] = field(default_factory=dict)
    by_verdict: dict[str, int] = field(default_factory=dict)

    @property
    def acceptance_rate(self) -> float:
        return self.accepted / self.submissions if self.submissions else 0.0


@dataclass
class SubmissionTotals:
    submissions: int = 0
    accepted: int = 0
    by_language: dict[str, int] = field(default_factory=dict)
    by_platform: dict[str, int] = field(default_factory=dict)
    by_verdict: dict[str, int] = field(default_factory=dict)


def streaks(days: set[str], today: dt.date) -> tuple[int, int]:
    """(current, longest) runs of consecutive UTC days; the current run ends today or
    yesterday (today is not over yet), else it is 0."""
    ordinals = sorted({dt.date.fromisoformat(day).toordinal() for day in days})
    longest = run = 0
    previous: int | None = None
    for ordinal in ordinals:
        run = run + 1 if previous is not None and ordinal == previous + 1 else 1
        longest = max(longest, run)
        previous = ordinal
    current = run if previous is not None and previous >= today.toordinal() - 1 else 0
    return current, longest


def _counters(item: Item, prefix: str) -> dict[str, int]:
    return {
        name[len(prefix) :]: from_dynamo(value) for name, value in item.items() if name.startswith(prefix)
    }


class _Update:
    """One Update operation's expression, built clause by clause with safe placeholders."""

    def __init__(self) -> None:
        self.adds: list[str] = []
        self.sets: list[str] = []
        self.conditions: list[str] = []
        self.names: dict[str, str] = {}
        self.values: dict[str, Any] = {}

    def _name(self, name: str) -> str:
        placeholder = f"#n{len(self.names)}"
        self.names[placeholder] = name
        return placeholder

    def _value(self, value: Any) -> str:
        placeholder = f":v{len(self.values)}"
        self.values[placeholder] = value
        return placeholder

    def add(self, name: str, amount: int = 1) -> None:
        self.adds.append(f"{self._name(name)} {self._value({'N': str(amount)})}")

    def add_to_set(self, name: str, member: str) -> None:
        self.adds.append(f"{self._name(name)} {self._value({'SS': [member]})}")

    def set(self, name: str, value: Any) -> None:
        self.sets.append(f"{self._name(name)} = {self._value(value)}")

    def set_if(self, name: str, value: int, *, replaces: str) -> None:
        """SET name = value, if the stored one is absent or ``replaces`` (``>``/``<``) it."""
        alias, placeholder = self._name(name), self._value({"N": str(value)})
        self.sets.append(f"{alias} = {placeholder}")
        self.conditions.append(f"(attribute_not_exists({alias}) OR {alias} {replaces} {placeholder})")

    def operation(self, key: dict[str, str]) -> Item:
        expression = " ".join(
            part
            for part in ("ADD " + ", ".join(self.adds) if self.adds else "", "SET " + ", ".join(self.sets))
            if part
        )
        body: Item = {
            "Key": typed_key(key),
            "UpdateExpression": expression,
            "ExpressionAttributeNames": self.names,
            "ExpressionAttributeValues": self.values,
        }
        if self.conditions:
            body["ConditionExpression"] = " AND ".join(self.conditions)
        return {"Update": body}


class StatisticsRepository:
    def __init__(self, table: Table) -> None:
        self.table = table

    async def count_submission(self, submission: FinishedSubmission) -> bool:
        """Counts it everywhere, once. False if it had been counted already."""
        s = submission
        for _ in range(MAX_ATTEMPTS):
            pair, counts = await asyncio.gather(
                self.table.get(keys.user_problem_key(s.user_id, s.platform, s.identifier), consistent=True),
                self.table.get(keys.user_counts_key(s.user_id), consistent=True),
            )
            operations = [self._marker(s)]
            tried = pair is None
            solved = s.accepted and (pair is None or not from_dynamo(pair.get("sol", {"BOOL": False})))
            if tried or solved:
                operations.append(self._user_problem(s, exists=pair is not None))
            operations += [
                self._user_counts(s, counts or {}, tried=tried, solved=solved),
                self._problem_stats(s, tried=tried, solved=solved),
                self._totals(s),
            ]
            try:
                await self.table.transact_write(operations)
            except ClientError as exc:
                reasons = exc.response.get("CancellationReasons", [])
                codes = [reason.get("Code") for reason in reasons]
                if codes[:1] == ["ConditionalCheckFailed"]:
                    return False  # the marker exists: counted before
                if "ConditionalCheckFailed" in codes or "TransactionConflict" in codes:
                    continue  # raced with another submission of this user: read again
                raise
            return True
        raise RuntimeError(f"submission {s.submission_id}: statistics kept racing; retry the batch")

    @staticmethod
    def _marker(s: FinishedSubmission) -> Item:
        return {
            "Put": {
                "Item": STATS_COUNTED.encode(
                    {"submission_id": s.submission_id}, keys.counted_key(s.submission_id)
                ),
                "ConditionExpression": "attribute_not_exists(PK)",
            }
        }

    @staticmethod
    def _user_problem(s: FinishedSubmission, *, exists: bool) -> Item:
        key = keys.user_problem_key(s.user_id, s.platform, s.identifier)
        if not exists:
            fields = {"user_id": s.user_id, "platform": s.platform, "identifier": s.identifier}
            return {
                "Put": {
                    "Item": USER_PROBLEM.encode(fields | ({"solved": True} if s.accepted else {}), key),
                    "ConditionExpression": "attribute_not_exists(PK)",
                }
            }
        return {
            "Update": {
                "Key": typed_key(key),
                "UpdateExpression": "SET #sol = :true",
                "ConditionExpression": "attribute_exists(PK) AND attribute_not_exists(#sol)",
                "ExpressionAttributeNames": {"#sol": USER_PROBLEM.short("solved")},
                "ExpressionAttributeValues": {":true": {"BOOL": True}},
            }
        }

    @staticmethod
    def _common(update: _Update, s: FinishedSubmission, codec: Any) -> None:
        update.add(codec.short("submissions"))
        update.add(codec.short("accepted"), int(s.accepted))
        update.add(BY_LANGUAGE + s.language)
        update.add(BY_VERDICT + s.verdict)
        update.set("tp", {"S": codec.entity_type})

    def _user_counts(self, s: FinishedSubmission, stored: Item, *, tried: bool, solved: bool) -> Item:
        update = _Update()
        self._common(update, s, USER_COUNTS)
        update.add(BY_PLATFORM + s.platform)
        update.add(USER_COUNTS.short("problems_tried"), int(tried))
        update.add(USER_COUNTS.short("problems_solved"), int(solved))
        if s.accepted:
            update.add_to_set(USER_COUNTS.short("accepted_days"), s.day)
        update.set(USER_COUNTS.short("user_id"), {"S": s.user_id})
        first, last = USER_COUNTS.short("first_activity_at"), USER_COUNTS.short("last_activity_at")
        if first not in stored or from_dynamo(stored[first]) > s.created_at:
            update.set_if(first, s.created_at, replaces=">")
        if last not in stored or from_dynamo(stored[last]) < s.created_at:
            update.set_if(last, s.created_at, replaces="<")
        return update.operation(keys.user_counts_key(s.user_id))

    def _problem_stats(self, s: FinishedSubmission, *, tried: bool, solved: bool) -> Item:
        update = _Update()
        self._common(update, s, PROBLEM_STATS)
        update.add(PROBLEM_STATS.short("users_tried"), int(tried))
        update.add(PROBLEM_STATS.short("users_solved"), int(solved))
        update.set(PROBLEM_STATS.short("platform"), {"S": s.platform})
        update.set(PROBLEM_STATS.short("identifier"), {"S": s.identifier})
        return update.operation(keys.problem_stats_key(s.platform, s.identifier))

    def _totals(self, s: FinishedSubmission) -> Item:
        update = _Update()
        self._common(update, s, SUBMISSION_TOTALS)
        update.add(BY_PLATFORM + s.platform)
        return update.operation(keys.totals_key())

    async def get_user(self, user_id: str, *, today: dt.date | None = None) -> UserStatistics:
        item = await self.table.get(keys.user_counts_key(user_id)) or {}
        fields = USER_COUNTS.decode(item)
        current, longest = streaks(
            fields.pop("accepted_days", set()), today or dt.datetime.now(dt.UTC).date()
        )
        fields.pop("user_id", None)
        return UserStatistics(
            user_id=user_id,
            **fields,
            by_language=_counters(item, BY_LANGUAGE),
            by_platform=_counters(item, BY_PLATFORM),
            by_verdict=_counters(item, BY_VERDICT),
            current_streak_days=current,
            longest_streak_days=longest,
        )

    async def get_problem(self, platform: str, identifier: str) -> ProblemStatistics:
        item = await self.table.get(keys.problem_stats_key(platform, identifier)) or {}
        fields = PROBLEM_STATS.decode(item) | {"platform": platform, "identifier": identifier}
        return ProblemStatistics(
            **fields, by_language=_counters(item, BY_LANGUAGE), by_verdict=_counters(item, BY_VERDICT)
        )

    async def get_totals(self) -> SubmissionTotals:
        item = await self.table.get(keys.totals_key()) or {}
        return SubmissionTotals(
            **SUBMISSION_TOTALS.decode(item),
            by_language=_counters(item, BY_LANGUAGE),
            by_platform=_counters(item, BY_PLATFORM),
            by_verdict=_counters(item, BY_VERDICT),
        )

"""Writes only the legacy importer needs: checkpoints, imported problems and submissions, and
usage counters applied once per import window.

Every write here is idempotent: conditional puts on deterministic keys, and counter additions
guarded by the import window they belong to (``lgw``), so a re-run after ``kill -9`` adds nothing
twice. The ordinary repositories (plans, users, test cases, results, jobs) do the rest.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict
from typing import Any

from botocore.exceptions import ClientError

from algoitny.domain import Problem, Submission, TestRecord
from algoitny.table import keys
from algoitny.table.client import Item, Table, typed_key
from algoitny.table.codec import (
    DAILY_STATS,
    ENTITY_TYPE,
    IMPORT_CHECKPOINT,
    LEGACY_ID,
    PROBLEM,
    PROBLEM_TAG,
    SUBMISSION,
    SUBMISSION_HINTS,
    USAGE,
    USER_STATS,
    from_dynamo,
)
from algoitny.table.submissions import encode_result

_TTL_GRACE_S = 2 * 86400
# Legacy daily totals live on one shard of the day; readers sum every shard.
LEGACY_STATS_SHARD = 0


def _conditional_failed(exc: ClientError) -> bool:
    code = exc.response.get("Error", {}).get("Code")
    if code == "ConditionalCheckFailedException":
        return True
    reasons = exc.response.get("CancellationReasons", [])
    return code == "TransactionCanceledException" and reasons[0].get("Code") == "ConditionalCheckFailed"


class LegacyImportRepository:
    def __init__(self, table: Table) -> None:
        self.table = table

    async def get_checkpoint(self, entity: str) -> dict[str, Any]:
        item = await self.table.get(keys.import_checkpoint_key(entity), consistent=True)
        return IMPORT_CHECKPOINT.decode(item) if item else {}

    async def save_checkpoint(self, entity: str, checkpoint: dict[str, Any]) -> None:
        fields = {"entity": entity} | checkpoint
        await self.table.put(IMPORT_CHECKPOINT.encode(fields, keys.import_checkpoint_key(entity)))

    async def create_problem(self, problem: Problem) -> bool:
        """Puts the problem as it was (creation time, counts, deleted flag) with its tags and
        legacy-id pointer; False when its key or legacy id is already taken (nothing written)."""
        key = keys.problem_key(problem.platform, problem.identifier)
        list_keys = (
            {}
            if problem.deleted
            else keys.problem_list_keys(problem.platform, problem.identifier, problem.created_at)
        )
        operations: list[Item] = [
            {
                "Put": {
                    "Item": PROBLEM.encode(asdict(problem), key | list_keys),
                    "ConditionExpression": "attribute_not_exists(PK)",
                }
            },
            {
                "Put": {
                    "Item": LEGACY_ID.encode(
                        {
                            "platform": problem.platform,
                            "identifier": problem.identifier,
                            "legacy_id": problem.legacy_id,
                        },
                        keys.legacy_id_key(problem.legacy_id or 0),
                    ),
                    "ConditionExpression": "attribute_not_exists(PK)",
                }
            },
        ]
        if not problem.deleted:
            operations += [
                {
                    "Put": {
                        "Item": PROBLEM_TAG.encode(
                            {"tag": tag},
                            keys.tag_item_keys(problem.platform, problem.identifier, tag, problem.created_at),
                        )
                    }
                }
                for tag in problem.tags
            ]
        try:
            await self.table.transact_write(operations)
        except ClientError as exc:
            if _conditional_failed(exc):
                return False
            raise
        return True

    async def create_submission(self, submission: Submission, hints: list[str] | None) -> bool:
        """Puts a finished submission and counts it in its owner's statistics, once; False if it
        was already there. Problem execution counts are not touched (they come from the old row)."""
        sid = submission.submission_id
        list_keys = keys.submission_list_keys(
            submission.user_id, sid, submission.created_at, submission.public
        )
        item = SUBMISSION.encode(asdict(submission), keys.submission_key(sid) | list_keys)
        if hints:
            hint_item = SUBMISSION_HINTS.encode(
                {"hints": hints, "source": "legacy", "tokens": 0, "created_at": submission.created_at}
            )
            item |= {name: value for name, value in hint_item.items() if name != ENTITY_TYPE}
        accepted = submission.verdict == "AC"
        stats_add = {
            USER_STATS.short("executions"): 1,
            f"lng:{submission.language}": 1,
            f"plt:{submission.platform}": 1,
            USER_STATS.short("accepted"): int(accepted),
        }
        names = {f"#s{i}": name for i, name in enumerate(stats_add)} | {"#tried": "tried", "#tp": "tp"}
        values: dict[str, Any] = {f":s{i}": {"N": str(v)} for i, v in enumerate(stats_add.values())}
        expression = "ADD " + ", ".join(f"#s{i} :s{i}" for i in range(len(stats_add))) + ", #tried :problem"
        if accepted:
            expression += ", #solved :problem"
            names["#solved"] = "solved"
        names["#uid"] = USER_STATS.short("user_id")
        values |= {
            ":problem": {"SS": [f"{submission.platform}#{submission.identifier}"]},
            ":tp": {"S": USER_STATS.entity_type},
            ":uid": {"S": submission.user_id},
        }
        operations: list[Item] = [
            {"Put": {"Item": item, "ConditionExpression": "attribute_not_exists(PK)"}},
            {
                "Update": {
                    "Key": typed_key(keys.user_stats_key(submission.user_id)),
                    "UpdateExpression": expression + " SET #tp = :tp, #uid = :uid",
                    "ExpressionAttributeNames": names,
                    "ExpressionAttributeValues": values,
                }
            },
        ]
        try:
            await self.table.transact_write(operations)
        except ClientError as exc:
            if _conditional_failed(exc):
                return False
            raise
        return True

    async def save_results(self, records: list[tuple[str, TestRecord]]) -> None:
        """Results of many submissions, ``(submission id, record)``, 25 items a request."""
        await self.table.batch_write(puts=[encode_result(sid, record) for sid, record in records])

    async def add_usage(self, *, subject: str, action: str, day: str, count: int, window: int) -> bool:
        """Adds an import window's uses to a day's quota counter, at most once per window."""
        ends = dt.datetime.combine(dt.date.fromisoformat(day) + dt.timedelta(days=1), dt.time(), dt.UTC)
        try:
            await self.table.update(
                keys.usage_key(subject, action, day),
                UpdateExpression="ADD #cnt :n SET #tp = :tp, #act = :act, #day = :day, #ttl = :ttl, #lgw = :w",
                ConditionExpression="attribute_not_exists(#lgw) OR #lgw < :w",
                ExpressionAttributeNames={
                    "#cnt": USAGE.short("count"),
                    "#tp": ENTITY_TYPE,
                    "#act": USAGE.short("action"),
                    "#day": USAGE.short("day"),
                    "#ttl": "ttl",
                    "#lgw": USAGE.short("legacy_window"),
                },
                ExpressionAttributeValues={
                    ":n": {"N": str(count)},
                    ":tp": {"S": USAGE.entity_type},
                    ":act": {"S": action},
                    ":day": {"S": day},
                    ":ttl": {"N": str(int(ends.timestamp()) + _TTL_GRACE_S)},
                    ":w": {"N": str(window)},
                },
            )
        except ClientError as exc:
            if _conditional_failed(exc):
                return False
            raise
        return True

    async def add_daily_totals(self, *, day: str, counters: dict[str, int], window: int) -> bool:
        """Adds an import window's daily totals (``executions``, ``hints``) once per window."""
        names = {f"#c{i}": counter for i, counter in enumerate(counters)}
        values = {f":c{i}": {"N": str(n)} for i, n in enumerate(counters.values())}
        try:
            await self.table.update(
                keys.daily_stats_key(day, LEGACY_STATS_SHARD),
                UpdateExpression="ADD "
                + ", ".join(f"#c{i} :c{i}" for i in range(len(counters)))
                + " SET #tp = :tp, #day = :day, #lgw = :w",
                ConditionExpression="attribute_not_exists(#lgw) OR #lgw < :w",
                ExpressionAttributeNames=names
                | {
                    "#tp": ENTITY_TYPE,
                    "#day": DAILY_STATS.short("day"),
                    "#lgw": DAILY_STATS.short("legacy_window"),
                },
                ExpressionAttributeValues=values
                | {":tp": {"S": DAILY_STATS.entity_type}, ":day": {"S": day}, ":w": {"N": str(window)}},
            )
        except ClientError as exc:
            if _conditional_failed(exc):
                return False
            raise
        return True

    async def get_daily_totals(self, day: str) -> dict[str, int]:
        """The legacy shard of a day's totals (what the importer added)."""
        item = await self.table.get(keys.daily_stats_key(day, LEGACY_STATS_SHARD), consistent=True)
        if item is None:
            return {}
        return {name: from_dynamo(value) for name, value in item.items() if name in ("executions", "hints")}

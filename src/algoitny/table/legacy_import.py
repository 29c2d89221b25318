"""Writes only the legacy importer needs: checkpoints, imported problems and submissions, and
usage counters applied once per import window.

Every write here is idempotent: conditional puts on deterministic keys, and counter additions
guarded by the import window they belong to (``lgw``), so a re-run after ``kill -9`` adds nothing
twice. The ordinary repositories (plans, users, test cases, results, jobs) do the rest.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import random
from dataclasses import asdict
from typing import Any

from botocore.exceptions import ClientError

from algoitny.domain import Problem, Submission, TestRecord
from algoitny.errors import ServiceUnavailable
from algoitny.table import keys, payloads
from algoitny.table.client import BATCH_WRITE_MAX, TRANSACT_MAX, Item, Table, condition_failed
from algoitny.table.codec import (
    DAILY_STATS,
    ENTITY_TYPE,
    IMPORT_CHECKPOINT,
    LEGACY_ID,
    PROBLEM,
    PROBLEM_TAG,
    SUBMISSION,
    SUBMISSION_HINTS,
    TEST_CASE,
    USAGE,
    from_dynamo,
)
from algoitny.table.submissions import encode_result

_TTL_GRACE_S = 2 * 86400
_CONFLICT_DELAYS = (0.02, 0.05, 0.1, 0.2, 0.4, 0.8, 1.6)
# Legacy daily totals live on one shard of the day; readers sum every shard.
LEGACY_STATS_SHARD = 0


def _groups(sizes: list[int], *, budget: int = 3_000_000) -> list[list[int]]:
    """Indexes in runs that fit one transaction: at most 100 operations, about ``budget`` bytes."""
    groups: list[list[int]] = []
    total = 0
    for index, size in enumerate(sizes):
        if not groups or len(groups[-1]) >= TRANSACT_MAX or total + size > budget:
            groups.append([])
            total = 0
        groups[-1].append(index)
        total += size
    return groups


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
            if condition_failed(exc):
                return False
            raise
        return True

    async def create_submission(self, submission: Submission, hints: list[str] | None) -> bool:
        """Puts a finished submission unless it is there; False if it was (nothing written).
        Statistics are the stream indexer's (its INSERT record counts it once); problem
        execution counts are not touched (they come from the old row)."""
        try:
            await self.table.put(
                self._submission_item(submission, hints), ConditionExpression="attribute_not_exists(PK)"
            )
        except ClientError as exc:
            if condition_failed(exc):
                return False
            raise
        return True

    async def create_submissions(self, batch: list[tuple[Submission, list[str] | None]]) -> list[bool]:
        """Puts those of the submissions not in the table yet, as conditional puts in shared
        transactions (up to 100 and about 3 MB each, as test-case heads are): one request per
        hundred rows instead of one per row. True for each put, False for each already there.
        An item the table rejects fails its whole transaction (``ValidationException``): the
        caller then writes that batch row by row."""
        items = [self._submission_item(submission, hints) for submission, hints in batch]
        sizes = [
            len(submission.code.encode()) + sum(len(h.encode()) for h in hints or ()) + 4096
            for submission, hints in batch
        ]
        outcomes = [True] * len(batch)
        for group in _groups(sizes):
            puts = {
                i: {"Put": {"Item": items[i], "ConditionExpression": "attribute_not_exists(PK)"}}
                for i in group
            }
            for i in await self._transact_each(puts):
                outcomes[i] = False
        return outcomes

    async def _transact_each(self, operations: dict[int, Item]) -> set[int]:
        """Runs the conditional operations in one transaction; those whose condition fails are
        left out and the rest run again. Returns the indexes that failed their condition."""
        failed: set[int] = set()
        pending = dict(operations)
        conflicts = 0
        while pending:
            try:
                await self.table.transact_write(list(pending.values()))
                return failed
            except ClientError as exc:
                if exc.response.get("Error", {}).get("Code") != "TransactionCanceledException":
                    raise
                codes = [r.get("Code") for r in exc.response.get("CancellationReasons", [])]
                if set(codes) - {None, "None", "ConditionalCheckFailed", "TransactionConflict"}:
                    raise  # e.g. an item the table rejects: not for retrying
            lost = {i for i, code in zip(pending, codes, strict=False) if code == "ConditionalCheckFailed"}
            if not lost:  # a conflict with another writer of one of the items: back off, retry
                conflicts += 1
                if conflicts > len(_CONFLICT_DELAYS):
                    raise ServiceUnavailable("Imported items kept conflicting with other writes.")
                await asyncio.sleep(_CONFLICT_DELAYS[conflicts - 1] * (1 + random.random()))
                continue
            failed |= lost
            pending = {i: op for i, op in pending.items() if i not in lost}
        return failed

    @staticmethod
    def _submission_item(submission: Submission, hints: list[str] | None) -> Item:
        sid = submission.submission_id
        list_keys = keys.submission_list_keys(
            submission.user_id, sid, submission.created_at, submission.public
        ) | keys.problem_history_keys(
            submission.platform,
            submission.identifier,
            submission.user_id,
            sid,
            submission.created_at,
            submission.public,
        )
        item = SUBMISSION.encode(asdict(submission), keys.submission_key(sid) | list_keys)
        if hints:
            hint_item = SUBMISSION_HINTS.encode(
                {"hints": hints, "source": "legacy", "tokens": 0, "created_at": submission.created_at}
            )
            item |= {name: value for name, value in hint_item.items() if name != ENTITY_TYPE}
        return item

    async def reorder_test_cases(self, platform: str, identifier: str, ordered: list[str]) -> int:
        """Gives the problem's test cases listed in ``ordered`` (ids, in the order wanted) the
        positions they hold between them, in that order; other cases keep theirs. Returns how
        many moved."""
        pk = keys.problem_pk(platform, identifier)
        held: dict[str, int] = {}
        async for item in self.table.query_all(
            KeyConditionExpression="PK = :pk AND begins_with(SK, :tc)",
            ProjectionExpression="SK, #tp, #id, #pos",
            ExpressionAttributeNames={
                "#tp": ENTITY_TYPE,
                "#id": TEST_CASE.short("test_case_id"),
                "#pos": TEST_CASE.short("position"),
            },
            ExpressionAttributeValues={":pk": {"S": pk}, ":tc": {"S": keys.TEST_CASE_PREFIX}},
            ConsistentRead=True,
        ):
            if payloads.is_head(item):
                fields = TEST_CASE.decode(item)
                held[fields["test_case_id"]] = fields["position"]
        wanted = [case_id for case_id in dict.fromkeys(ordered) if case_id in held]
        moves = {
            case_id: position
            for case_id, position in zip(wanted, sorted(held[c] for c in wanted), strict=True)
            if held[case_id] != position
        }
        for case_id, position in moves.items():
            expression, names, values = TEST_CASE.update_expression({"position": position})
            await self.table.update(
                {"PK": pk, "SK": keys.test_case_sk(case_id)},
                UpdateExpression=expression,
                ConditionExpression="attribute_exists(PK)",
                ExpressionAttributeNames=names,
                ExpressionAttributeValues=values,
            )
        return len(moves)

    async def save_results(self, records: list[tuple[str, TestRecord]], *, concurrency: int = 1) -> None:
        """Results of many submissions, ``(submission id, record)``, 25 items a request, up to
        ``concurrency`` requests at a time."""
        items = [encode_result(sid, record) for sid, record in records]
        gate = asyncio.Semaphore(concurrency)

        async def write(chunk: list[Item]) -> None:
            async with gate:
                await self.table.batch_write(puts=chunk)

        chunks = [items[i : i + BATCH_WRITE_MAX] for i in range(0, len(items), BATCH_WRITE_MAX)]
        await asyncio.gather(*(write(chunk) for chunk in chunks))

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
            if condition_failed(exc):
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
            if condition_failed(exc):
                return False
            raise
        return True

    async def get_daily_totals(self, day: str) -> dict[str, int]:
        """The legacy shard of a day's totals (what the importer added)."""
        item = await self.table.get(keys.daily_stats_key(day, LEGACY_STATS_SHARD), consistent=True)
        if item is None:
            return {}
        return {name: from_dynamo(value) for name, value in item.items() if name in ("executions", "hints")}

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
from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any

from botocore.exceptions import ClientError

from algoitny.domain import Problem, Submission, TestRecord
from algoitny.errors import ServiceUnavailable
from algoitny.table import keys, payloads
from algoitny.table.client import BATCH_WRITE_MAX, TRANSACT_MAX, Item, Table, condition_failed, typed_key
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
    USER_STATS,
    from_dynamo,
)
from algoitny.table.submissions import encode_result

_TTL_GRACE_S = 2 * 86400
_STATS_ATTEMPTS = 5
_CONFLICT_DELAYS = (0.02, 0.05, 0.1, 0.2, 0.4, 0.8, 1.6)
# Legacy daily totals live on one shard of the day; readers sum every shard.
LEGACY_STATS_SHARD = 0


@dataclass
class OwnerStats:
    """What some submissions add to their owner's statistics (the judge's counters)."""

    executions: int = 0
    accepted: int = 0
    languages: Counter[str] = field(default_factory=Counter)
    platforms: Counter[str] = field(default_factory=Counter)
    tried: set[str] = field(default_factory=set)
    solved: set[str] = field(default_factory=set)

    def add(self, submission: Submission) -> None:
        problem = f"{submission.platform}#{submission.identifier}"
        self.executions += 1
        self.languages[submission.language] += 1
        self.platforms[submission.platform] += 1
        self.tried.add(problem)
        if submission.verdict == "AC":
            self.accepted += 1
            self.solved.add(problem)


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
        Its owner's statistics are counted per batch by ``add_owner_stats``; problem execution
        counts are not touched (they come from the old row)."""
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

    async def create_submission_with_stats(self, submission: Submission, hints: list[str] | None) -> bool:
        """The first implementation, one transaction per submission (put + its owner's counts).
        Kept only for ``benchmarks/legacy_import.py``'s side-by-side comparison: with few users,
        concurrent transactions of a batch collide on the same statistics item."""
        stats = OwnerStats()
        stats.add(submission)
        update = self._stats_update(submission.user_id, stats, condition=None, values={})
        operations: list[Item] = [
            {
                "Put": {
                    "Item": self._submission_item(submission, hints),
                    "ConditionExpression": "attribute_not_exists(PK)",
                }
            },
            {"Update": update},
        ]
        try:
            await self.table.transact_write(operations)
        except ClientError as exc:
            if condition_failed(exc):
                return False
            raise
        return True

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

    async def add_owners_stats(self, owners: dict[str, list[tuple[int, Submission]]]) -> None:
        """``add_owner_stats`` for many owners, up to 100 updates a transaction. Each update's
        first try assumes none of its rows is counted yet (``lgh`` below them); an owner whose
        condition fails (a batch redone after a kill) goes through ``add_owner_stats``."""
        updates: dict[int, Item] = {}
        names = list(owners)
        for index, user_id in enumerate(names):
            counted = owners[user_id]
            updates[index] = {"Update": self._owner_update(user_id, counted, seen=None)}
        retry: set[int] = set()
        for group in _groups([1] * len(names)):
            retry |= await self._transact_each({i: updates[i] for i in group})
        for index in sorted(retry):
            await self.add_owner_stats(names[index], owners[names[index]])

    async def add_owner_stats(self, user_id: str, counted: list[tuple[int, Submission]]) -> int:
        """Counts one owner's imported submissions of a batch, ``(legacy id, submission)`` in
        id order, in their statistics with one update; returns how many were counted.

        Exactly once whatever the batch boundaries of earlier (killed) runs: the item keeps
        ``lgh``, the largest legacy id counted, and an update only adds the submissions above
        it, conditioned on ``lgh`` being what it read. Rows of a user are counted in id order,
        so every id up to ``lgh`` is in."""
        seen: int | None = None
        for _ in range(_STATS_ATTEMPTS):
            pending = [(lid, s) for lid, s in counted if seen is None or lid > seen]
            if not pending:
                return 0
            update = self._owner_update(user_id, pending, seen=seen)
            try:
                await self.table.update(
                    keys.user_stats_key(user_id),
                    **{name: value for name, value in update.items() if name != "Key"},
                )
                return len(pending)
            except ClientError as exc:
                if not condition_failed(exc):
                    raise
            item = await self.table.get(keys.user_stats_key(user_id), consistent=True)
            marker = USER_STATS.short("legacy_history")
            seen = int(item[marker]["N"]) if item and marker in item else 0
        raise RuntimeError(f"statistics of {user_id} kept changing under the importer")

    def _owner_update(self, user_id: str, pending: list[tuple[int, Submission]], *, seen: int | None) -> Item:
        """The update counting ``pending`` (legacy id order) and moving ``lgh`` to the last;
        conditioned on ``lgh`` being ``seen``, or (``seen`` None) below the first."""
        stats = OwnerStats()
        for _, submission in pending:
            stats.add(submission)
        if seen is None:
            condition = "attribute_not_exists(#lgh) OR #lgh < :first"
            values = {":first": {"N": str(pending[0][0])}}
        else:
            condition, values = "#lgh = :seen", {":seen": {"N": str(seen)}}
        update = self._stats_update(user_id, stats, condition=condition, values=values)
        update["UpdateExpression"] += ", #lgh = :last"
        update["ExpressionAttributeNames"]["#lgh"] = USER_STATS.short("legacy_history")
        update["ExpressionAttributeValues"][":last"] = {"N": str(pending[-1][0])}
        return update

    @staticmethod
    def _stats_update(
        user_id: str, stats: OwnerStats, *, condition: str | None, values: dict[str, Any]
    ) -> dict[str, Any]:
        """The ``Update`` adding ``stats`` to the owner's statistics item (the judge's fields)."""
        added = {
            USER_STATS.short("executions"): stats.executions,
            USER_STATS.short("accepted"): stats.accepted,
        }
        added |= {f"lng:{language}": n for language, n in stats.languages.items()}
        added |= {f"plt:{platform}": n for platform, n in stats.platforms.items()}
        names = {f"#s{i}": name for i, name in enumerate(added)} | {"#tried": "tried", "#tp": "tp"}
        values = values | {f":s{i}": {"N": str(n)} for i, n in enumerate(added.values())}
        expression = "ADD " + ", ".join(f"#s{i} :s{i}" for i in range(len(added))) + ", #tried :tried"
        values[":tried"] = {"SS": sorted(stats.tried)}
        if stats.solved:
            expression += ", #solved :solved"
            names["#solved"] = "solved"
            values[":solved"] = {"SS": sorted(stats.solved)}
        names["#uid"] = USER_STATS.short("user_id")
        values |= {":tp": {"S": USER_STATS.entity_type}, ":uid": {"S": user_id}}
        update: dict[str, Any] = {
            "Key": typed_key(keys.user_stats_key(user_id)),
            "UpdateExpression": expression + " SET #tp = :tp, #uid = :uid",
            "ExpressionAttributeNames": names,
            "ExpressionAttributeValues": values,
        }
        if condition:
            update["ConditionExpression"] = condition
        return update

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

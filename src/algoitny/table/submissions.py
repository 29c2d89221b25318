"""Submissions (the history) and their per-test results.

A submission is one small item; each test's result is an item of its own in
the same partition (``RES#{index}``), written 25 to a request, so a
submission with thousands of tests and long outputs never outgrows an item,
and the detail page is one Query. Finishing is one transaction that also
counts the problem's executions, conditioned on the submission not being
finished yet, so a rerun of the job counts nothing twice. User statistics are
kept by the stream indexer from the finished submission (docs/indexer.md).
"""

from __future__ import annotations

import time
import zlib
from dataclasses import asdict
from typing import Any

from botocore.exceptions import ClientError

from algoitny.domain import Page, Submission, SubmissionStatus, SubmissionWithResults, Summary, TestRecord
from algoitny.errors import InvalidCursor, NotFound, SubmissionNotFound
from algoitny.table import keys
from algoitny.table.client import Item, Table, typed_key
from algoitny.table.codec import COUNTEREXAMPLE, PROBLEM, SUBMISSION, TEST_RECORD
from algoitny.table.cursor import CursorCodec, query_page


def _to_submission(item: Item) -> Submission:
    fields = SUBMISSION.decode(item)
    if "counterexample" in fields:
        fields["counterexample"] = COUNTEREXAMPLE.lengthen(fields["counterexample"])
    return Submission(**fields)


def encode_result(submission_id: str, record: TestRecord) -> Item:
    fields = asdict(record)
    if record.full_output is not None:
        fields["full_output"] = zlib.compress(record.full_output.encode(), 6)
    return TEST_RECORD.encode(fields, keys.result_key(submission_id, record.index))


def decode_result(item: Item) -> TestRecord:
    fields = TEST_RECORD.decode(item)
    if "full_output" in fields:
        fields["full_output"] = zlib.decompress(fields["full_output"]).decode(errors="replace")
    return TestRecord(**fields)


class SubmissionRepository:
    def __init__(self, table: Table, cursors: CursorCodec) -> None:
        self.table = table
        self.cursors = cursors

    async def create(self, submission: Submission) -> Submission:
        submission.created_at = submission.created_at or int(time.time() * 1000)
        list_keys = keys.submission_list_keys(
            submission.user_id, submission.submission_id, submission.created_at, submission.public
        ) | keys.problem_history_keys(
            submission.platform,
            submission.identifier,
            submission.user_id,
            submission.submission_id,
            submission.created_at,
            submission.public,
        )
        item = SUBMISSION.encode(
            asdict(submission), keys.submission_key(submission.submission_id) | list_keys
        )
        await self.table.put_new(item)
        return submission

    async def discard(self, submission_id: str) -> bool:
        """Deletes a submission that was never queued (its enqueue failed); False if it is gone
        or already past ``queued``."""
        try:
            await self.table.delete(
                keys.submission_key(submission_id),
                ConditionExpression="#sts = :queued",
                ExpressionAttributeNames={"#sts": SUBMISSION.short("status")},
                ExpressionAttributeValues={":queued": {"S": SubmissionStatus.QUEUED.value}},
            )
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException":
                return False
            raise
        return True

    async def get(self, submission_id: str, *, consistent: bool = False) -> Submission:
        item = await self.table.get(keys.submission_key(submission_id), consistent=consistent)
        if item is None:
            raise SubmissionNotFound()
        return _to_submission(item)

    async def get_with_results(self, submission_id: str) -> SubmissionWithResults:
        items = [
            item
            async for item in self.table.query_all(
                KeyConditionExpression="PK = :pk",
                ExpressionAttributeValues={":pk": {"S": keys.submission_pk(submission_id)}},
            )
        ]
        if not items or items[0]["SK"]["S"] != keys.META:
            raise SubmissionNotFound()
        results = [
            decode_result(item) for item in items[1:] if item["SK"]["S"].startswith(keys.RESULT_PREFIX)
        ]
        return SubmissionWithResults(_to_submission(items[0]), results)

    async def get_result(self, submission_id: str, index: int) -> TestRecord:
        item = await self.table.get(keys.result_key(submission_id, index))
        if item is None:
            raise NotFound("No such test result.")
        return decode_result(item)

    async def save_results(self, submission_id: str, records: list[TestRecord]) -> None:
        """Idempotent: a result's key is its index, so a rerun overwrites, never duplicates."""
        await self.table.batch_write(puts=[encode_result(submission_id, r) for r in records])

    async def finish(self, submission: Submission, summary: Summary) -> bool:
        """Marks it done and counts the problem's executions, once. False if it was already done.
        User and problem statistics come from the stream (``indexer/statistics.py``)."""
        now = int(time.time() * 1000)
        names = {"#sts": SUBMISSION.short("status")}
        values: dict[str, Any] = {":done": {"S": SubmissionStatus.DONE.value}}
        sets = []
        for index, (name, value) in enumerate(
            {
                "status": SubmissionStatus.DONE.value,
                "verdict": summary.verdict,
                "passed": summary.passed,
                "failed": summary.failed,
                "total": summary.total,
                "max_cpu_ms": summary.max_cpu_ms,
                "max_memory_kb": summary.max_memory_kb,
                "finished_at": now,
                "compile_message": summary.compile_message,
            }.items()
        ):
            if value is None:
                continue
            names[f"#f{index}"] = SUBMISSION.short(name)
            values[f":v{index}"] = {"S": value} if isinstance(value, str) else {"N": str(value)}
            sets.append(f"#f{index} = :v{index}")
        operations = [
            {
                "Update": {
                    "Key": typed_key(keys.submission_key(submission.submission_id)),
                    "UpdateExpression": "SET " + ", ".join(sets),
                    "ConditionExpression": "attribute_exists(PK) AND #sts <> :done",
                    "ExpressionAttributeNames": names,
                    "ExpressionAttributeValues": values,
                }
            },
            {
                "Update": {
                    "Key": typed_key(keys.problem_key(submission.platform, submission.identifier)),
                    "UpdateExpression": "ADD #exc :one",
                    "ConditionExpression": "attribute_exists(PK)",
                    "ExpressionAttributeNames": {"#exc": PROBLEM.short("execution_count")},
                    "ExpressionAttributeValues": {":one": {"N": "1"}},
                }
            },
        ]
        try:
            await self.table.transact_write(operations)
        except ClientError as exc:
            reasons = exc.response.get("CancellationReasons", [])
            if reasons and reasons[0].get("Code") == "ConditionalCheckFailed":
                return False
            raise
        return True

    async def list_mine(self, user_id: str, *, limit: int, cursor: str | None) -> Page:
        return await self._list(keys.GSI1, f"{keys.USER_HISTORY_PREFIX}{user_id}", limit, cursor)

    async def list_public(self, *, limit: int, cursor: str | None) -> Page:
        return await self._list(keys.GSI2, keys.PUBLIC_HISTORY, limit, cursor)

    async def _list(self, index: str, partition: str, limit: int, cursor: str | None) -> Page:
        query_id = f"hist:{index}:{partition}"
        request: dict[str, Any] = {
            "IndexName": index,
            "KeyConditionExpression": f"{index}PK = :pk",
            "ExpressionAttributeValues": {":pk": {"S": partition}},
            "ScanIndexForward": False,
            "Limit": limit,
        }
        items, next_cursor = await query_page(self.table, self.cursors, query_id, request, cursor)
        return Page(items=[_to_submission(item) for item in items], next_cursor=next_cursor)

    async def list_for_problem(
        self, platform: str, identifier: str, *, viewer: str | None, limit: int, cursor: str | None
    ) -> Page:
        """The problem's submissions ``viewer`` may see (its own and every public one), newest
        first: one Query per GSI3 partition, merged by sort key. The one cursor holds each
        partition's position (the last sort key taken, or ``None`` once it is exhausted)."""
        owners: list[str | None] = [None] if viewer is None else [None, viewer]
        partitions = [keys.problem_history_partition(platform, identifier, owner) for owner in owners]
        query_id = f"probhist:{platform}#{identifier}:{viewer or ''}"
        positions: dict[str, Any] = {p: "" for p in partitions}  # "" = from the newest
        if cursor:
            positions = self.cursors.decode(cursor, query_id)
            if set(positions) != set(partitions):
                raise InvalidCursor()
        fetched: dict[str, tuple[list[Item], bool]] = {}
        for partition, after in positions.items():
            if after is None:
                fetched[partition] = ([], True)
                continue
            condition = "GSI3PK = :pk" + (" AND GSI3SK < :after" if after else "")
            values = {":pk": {"S": partition}} | ({":after": {"S": after}} if after else {})
            items, last_key = await self.table.query_page(
                IndexName=keys.GSI3,
                KeyConditionExpression=condition,
                ExpressionAttributeValues=values,
                ScanIndexForward=False,
                Limit=limit,
            )
            fetched[partition] = (items, last_key is None)
        merged = sorted(
            (
                (item["GSI3SK"]["S"], partition, item)
                for partition, (items, _) in fetched.items()
                for item in items
            ),
            key=lambda entry: entry[0],
            reverse=True,
        )[:limit]
        for partition, (items, exhausted) in fetched.items():
            taken = [sort for sort, source, _ in merged if source == partition]
            if taken:
                positions[partition] = None if exhausted and len(taken) == len(items) else taken[-1]
            elif exhausted and not items:
                positions[partition] = None
        more = any(position is not None for position in positions.values())
        return Page(
            items=[_to_submission(item) for _, _, item in merged],
            next_cursor=self.cursors.encode(positions, query_id) if more else None,
        )

"""Test cases of a problem: bulk add, list, get, delete, replace all.

Test cases live in their problem's partition (see ``keys.py``) under
content-addressed ids, so retrying a bulk add rewrites nothing and adds
nothing twice. Large texts are split by ``payloads.py``.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Iterator, Sequence
from typing import Any

from botocore.exceptions import ClientError

from algoitny.domain import BulkAddResult, NewTestCase, Page, TestCase, TestCaseSummary
from algoitny.errors import ProblemNotFound, ServiceUnavailable, TestCaseNotFound
from algoitny.table import keys, payloads
from algoitny.table.client import TRANSACT_MAX, Item, Table, typed_key
from algoitny.table.codec import ENTITY_TYPE, PROBLEM, TEST_CASE
from algoitny.table.cursor import CursorCodec

# On the problem's META item: the next unused test-case position (an atomic counter).
# Outside the PROBLEM codec on purpose: it is an allocator, not a field of a Problem.
NEXT_POSITION = "nxp"
_CONDITION_FAILED = "ConditionalCheckFailed"
_CONFLICT_DELAYS = (0.02, 0.05, 0.1, 0.2, 0.4, 0.8, 1.6)
_TRANSACTION_BYTES = 3_000_000  # DynamoDB's limit is 4 MB per transaction


def _transaction_groups(heads: list[Item]) -> Iterator[list[Item]]:
    """Heads in groups that fit one transaction next to the count update."""
    group: list[Item] = []
    size = 0
    for head in heads:
        head_size = payloads.item_size(head)
        if group and (len(group) >= TRANSACT_MAX - 1 or size + head_size > _TRANSACTION_BYTES):
            yield group
            group, size = [], 0
        group.append(head)
        size += head_size
    if group:
        yield group


class TestCaseRepository:
    __test__ = False

    def __init__(self, table: Table, cursors: CursorCodec) -> None:
        self.table = table
        self.cursors = cursors

    async def add_many(
        self,
        *,
        platform: str,
        identifier: str,
        new_cases: Sequence[NewTestCase],
        created_at: Sequence[int] | None = None,
    ) -> BulkAddResult:
        """Adds the cases not already present, after the existing ones, in request order.
        ``created_at`` (one per case) keeps given creation times (an import); default now.

        Safe against concurrent adds to the same problem: positions come from an atomic
        counter on the problem (``ADD nxp :n`` returns a range only this call owns), and each
        head is put only if absent, in the same transaction that ``ADD``s its count, so the
        count is exact and a case two requests add at once is added (and counted) once."""
        pk = keys.problem_pk(platform, identifier)
        positions = await self._existing_positions(pk)
        ids = await payloads.offload(
            payloads.total_chars(new_cases), lambda: [payloads.test_case_id(new) for new in new_cases]
        )
        added: list[str] = []
        existing: list[str] = []
        now = int(time.time() * 1000)
        times = created_at or [now] * len(new_cases)
        fresh: list[tuple[str, NewTestCase, int]] = []
        for case_id, new, created in zip(ids, new_cases, times, strict=True):
            if case_id in positions or case_id in added:
                existing.append(case_id)
                continue
            added.append(case_id)
            fresh.append((case_id, new, created))
        if fresh:
            first = await self._allocate_positions(platform, identifier, positions, len(fresh))
            encoded = await payloads.offload(
                sum(len(new.input) + len(new.output) for _, new, _ in fresh),
                lambda: [
                    payloads.encode_test_case(pk, case_id, new, first + offset, created)
                    for offset, (case_id, new, created) in enumerate(fresh)
                ],
            )
            # Chunks first (content-addressed: rewriting one is harmless); a case exists once
            # its head does, so a failure in between leaves nothing visible half-written.
            await self.table.batch_write(puts=[item for items in encoded for item in items[1:]])
            lost = await self._put_heads(platform, identifier, [items[0] for items in encoded])
            if lost:  # another request added these first
                added = [case_id for case_id in added if case_id not in lost]
                existing += [case_id for case_id in ids if case_id in lost]
        count = await self._count(platform, identifier)
        return BulkAddResult(added=added, existing=existing, test_case_count=count)

    async def _allocate_positions(
        self, platform: str, identifier: str, positions: dict[str, int], n: int
    ) -> int:
        """The first of ``n`` positions no other call will get. Problems written before the
        counter existed start it after their highest position (set once, conditionally)."""
        key = keys.problem_key(platform, identifier)
        try:
            await self.table.update(
                key,
                UpdateExpression="SET #nxp = :start",
                ConditionExpression="attribute_exists(PK) AND attribute_not_exists(#nxp)",
                ExpressionAttributeNames={"#nxp": NEXT_POSITION},
                ExpressionAttributeValues={":start": {"N": str(max(positions.values(), default=-1) + 1)}},
            )
        except ClientError as exc:
            if exc.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise
        attributes = await self.table.update(
            key,
            UpdateExpression="ADD #nxp :n",
            ConditionExpression="attribute_exists(PK)",
            ExpressionAttributeNames={"#nxp": NEXT_POSITION},
            ExpressionAttributeValues={":n": {"N": str(n)}},
            ReturnValues="UPDATED_NEW",
        )
        return int(attributes[NEXT_POSITION]["N"]) - n

    async def _put_heads(self, platform: str, identifier: str, heads: list[Item]) -> set[str]:
        """Puts each head if absent, counting the ones put; returns the ids already present."""
        lost: set[str] = set()
        for group in _transaction_groups(heads):
            pending = list(group)
            while pending:
                operations: list[Item] = [
                    {"Put": {"Item": head, "ConditionExpression": "attribute_not_exists(PK)"}}
                    for head in pending
                ]
                operations.append(self._count_update(platform, identifier, len(pending)))
                failed = await self._transact(operations)
                if not failed:
                    break
                if failed[-1] == _CONDITION_FAILED:
                    raise ProblemNotFound()
                # Another request added these first: leave them out and put the rest.
                present = {i for i, code in enumerate(failed[:-1]) if code == _CONDITION_FAILED}
                lost |= {TEST_CASE.decode(pending[i])["test_case_id"] for i in present}
                pending = [head for i, head in enumerate(pending) if i not in present]
        return lost

    async def _transact(self, operations: list[Item]) -> list[str | None]:
        """Runs the transaction, retrying while another one holds its items (DynamoDB's
        TransactionConflict). Returns ``[]`` when it went through, else the per-operation
        cancellation codes of a failed condition."""
        for delay in (*_CONFLICT_DELAYS, None):
            try:
                await self.table.transact_write(operations)
                return []
            except ClientError as exc:
                if exc.response["Error"]["Code"] != "TransactionCanceledException":
                    raise
                codes = [r.get("Code") for r in exc.response.get("CancellationReasons", [])]
                if _CONDITION_FAILED in codes:
                    return codes
                if delay is None:
                    raise ServiceUnavailable("Concurrent writes to this problem kept conflicting.") from exc
                await asyncio.sleep(delay * (1 + random.random()))
        raise AssertionError("unreachable")

    def _count_update(self, platform: str, identifier: str, delta: int) -> Item:
        return {
            "Update": {
                "Key": typed_key(keys.problem_key(platform, identifier)),
                "UpdateExpression": "ADD #tcc :n",
                "ConditionExpression": "attribute_exists(PK)",
                "ExpressionAttributeNames": {"#tcc": PROBLEM.short("test_case_count")},
                "ExpressionAttributeValues": {":n": {"N": str(delta)}},
            }
        }

    async def _count(self, platform: str, identifier: str) -> int:
        item = await self.table.get(keys.problem_key(platform, identifier), consistent=True)
        if item is None:
            raise ProblemNotFound()
        return int(PROBLEM.decode(item).get("test_case_count", 0))

    async def _existing_positions(self, pk: str) -> dict[str, int]:
        positions: dict[str, int] = {}
        async for item in self.table.query_all(
            KeyConditionExpression="PK = :pk AND begins_with(SK, :tc)",
            ProjectionExpression="#tp, #id, #ord",
            ExpressionAttributeNames={
                "#tp": ENTITY_TYPE,
                "#id": TEST_CASE.short("test_case_id"),
                "#ord": TEST_CASE.short("position"),
            },
            ExpressionAttributeValues={
                ":pk": {"S": pk},
                ":tc": {"S": keys.TEST_CASE_PREFIX},
            },
            ConsistentRead=True,
        ):
            if payloads.is_head(item):
                fields = TEST_CASE.decode(item)
                positions[fields["test_case_id"]] = fields["position"]
        return positions

    async def list_test_cases(
        self, *, platform: str, identifier: str, limit: int, cursor: str | None
    ) -> Page:
        """Summaries (previews, sizes) in sort-key order, a page at a time."""
        pk = keys.problem_pk(platform, identifier)
        query_id = f"tc:{pk}"
        request: dict[str, Any] = {
            "KeyConditionExpression": "PK = :pk AND begins_with(SK, :tc)",
            "FilterExpression": "#tp = :head",
            "ExpressionAttributeNames": {"#tp": ENTITY_TYPE},
            "ExpressionAttributeValues": {
                ":pk": {"S": pk},
                ":tc": {"S": keys.TEST_CASE_PREFIX},
                ":head": {"S": TEST_CASE.entity_type},
            },
        }
        start_key = self.cursors.decode(cursor, query_id) if cursor else None
        summaries: list[TestCaseSummary] = []
        while len(summaries) < limit:
            if start_key:
                request["ExclusiveStartKey"] = start_key
            request["Limit"] = limit - len(summaries)
            found, start_key = await self.table.query_page(**request)
            summaries += [payloads.summarize(item) for item in found]
            if not start_key:
                break
        next_cursor = self.cursors.encode(start_key, query_id) if start_key else None
        return Page(items=summaries, next_cursor=next_cursor)

    async def list_samples(self, *, platform: str, identifier: str) -> list[TestCase]:
        prefix = keys.test_case_sk("s")
        return await self._read(keys.problem_pk(platform, identifier), prefix)

    async def get(self, *, platform: str, identifier: str, test_case_id: str) -> TestCase:
        found = await self._read(keys.problem_pk(platform, identifier), keys.test_case_sk(test_case_id))
        # begins_with on a prefix of another id could match it too; keep the exact one.
        for test_case in found:
            if test_case.test_case_id == test_case_id:
                return test_case
        raise TestCaseNotFound()

    async def _read(self, pk: str, sk_prefix: str) -> list[TestCase]:
        items = [
            item
            async for item in self.table.query_all(
                KeyConditionExpression="PK = :pk AND begins_with(SK, :p)",
                ExpressionAttributeValues={":pk": {"S": pk}, ":p": {"S": sk_prefix}},
            )
        ]
        return await payloads.offload(payloads.stored_bytes(items), lambda: payloads.decode_test_cases(items))

    async def delete(self, *, platform: str, identifier: str, test_case_id: str) -> int:
        """Deletes the case and its chunks; returns the new test-case count."""
        pk = keys.problem_pk(platform, identifier)
        sort_keys = await self._sort_keys(pk, keys.test_case_sk(test_case_id))
        exact = keys.test_case_sk(test_case_id)
        mine = [sk for sk in sort_keys if sk == exact or sk.startswith(exact + "#")]
        if not mine:
            raise TestCaseNotFound()
        head = {"PK": pk, "SK": exact}
        if exact in mine:
            # The head goes with its count in one transaction: two deletes never count twice.
            failed = await self._transact(
                [
                    {"Delete": {"Key": typed_key(head), "ConditionExpression": "attribute_exists(PK)"}},
                    self._count_update(platform, identifier, -1),
                ]
            )
            if failed:
                raise TestCaseNotFound()
        await self.table.batch_write(deletes=[{"PK": pk, "SK": sk} for sk in mine if sk != exact])
        if exact not in mine:
            raise TestCaseNotFound()  # only leftover chunks of a half-written case: swept
        return await self._count(platform, identifier)

    async def replace_all(
        self, *, platform: str, identifier: str, new_cases: Sequence[NewTestCase]
    ) -> BulkAddResult:
        pk = keys.problem_pk(platform, identifier)
        sort_keys = await self._sort_keys(pk, keys.TEST_CASE_PREFIX)
        await self.table.batch_write(deletes=[{"PK": pk, "SK": sk} for sk in sort_keys])
        # Not safe against adds running at the same time (a replace means "exactly these").
        await self.table.update(
            keys.problem_key(platform, identifier),
            UpdateExpression="SET #tcc = :zero, #nxp = :zero",
            ConditionExpression="attribute_exists(PK)",
            ExpressionAttributeNames={"#tcc": PROBLEM.short("test_case_count"), "#nxp": NEXT_POSITION},
            ExpressionAttributeValues={":zero": {"N": "0"}},
        )
        return await self.add_many(platform=platform, identifier=identifier, new_cases=new_cases)

    async def _sort_keys(self, pk: str, prefix: str) -> list[str]:
        return [
            item["SK"]["S"]
            async for item in self.table.query_all(
                KeyConditionExpression="PK = :pk AND begins_with(SK, :p)",
                ProjectionExpression="SK",
                ExpressionAttributeValues={":pk": {"S": pk}, ":p": {"S": prefix}},
                ConsistentRead=True,
            )
        ]

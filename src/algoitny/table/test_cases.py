"""Test cases of a problem: bulk add, list, get, delete, replace all.

Test cases live in their problem's partition (see ``keys.py``) under
content-addressed ids, so retrying a bulk add rewrites nothing and adds
nothing twice. Large texts are split by ``payloads.py``.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

from algoitny.domain import BulkAddResult, NewTestCase, Page, TestCase, TestCaseSummary
from algoitny.errors import TestCaseNotFound
from algoitny.table import keys, payloads
from algoitny.table.client import Table
from algoitny.table.codec import ENTITY_TYPE, PROBLEM, TEST_CASE
from algoitny.table.cursor import CursorCodec


class TestCaseRepository:
    __test__ = False

    def __init__(self, table: Table, cursors: CursorCodec) -> None:
        self.table = table
        self.cursors = cursors

    async def add_many(
        self, *, platform: str, identifier: str, new_cases: Sequence[NewTestCase]
    ) -> BulkAddResult:
        """Adds the cases not already present, after the existing ones, in request order."""
        pk = keys.problem_pk(platform, identifier)
        positions = await self._existing_positions(pk)
        next_position = max(positions.values(), default=-1) + 1
        now = int(time.time() * 1000)
        added: list[str] = []
        existing: list[str] = []
        items = []
        for new in new_cases:
            case_id = payloads.test_case_id(new)
            if case_id in positions:
                existing.append(case_id)
                continue
            positions[case_id] = next_position
            items += payloads.encode_test_case(pk, case_id, new, next_position, now)
            next_position += 1
            added.append(case_id)
        await self.table.batch_write(puts=items)
        count = len(positions)
        await self._set_count(platform, identifier, count)
        return BulkAddResult(added=added, existing=existing, test_case_count=count)

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

    async def _set_count(self, platform: str, identifier: str, count: int) -> None:
        await self.table.update(
            keys.problem_key(platform, identifier),
            UpdateExpression="SET #tcc = :n",
            ExpressionAttributeNames={"#tcc": PROBLEM.short("test_case_count")},
            ExpressionAttributeValues={":n": {"N": str(count)}},
        )

    async def list_test_cases(
        self, *, platform: str, identifier: str, limit: int, cursor: str | None
    ) -> Page:
        """Summaries (previews, sizes) in sort-key order, a page at a time."""
        pk = keys.problem_pk(platform, identifier)
        query_id = f"tc:{pk}"
        request = {
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
        return payloads.decode_test_cases(items)

    async def delete(self, *, platform: str, identifier: str, test_case_id: str) -> int:
        """Deletes the case and its chunks; returns the new test-case count."""
        pk = keys.problem_pk(platform, identifier)
        sort_keys = await self._sort_keys(pk, keys.test_case_sk(test_case_id))
        exact = keys.test_case_sk(test_case_id)
        mine = [sk for sk in sort_keys if sk == exact or sk.startswith(exact + "#")]
        if not mine:
            raise TestCaseNotFound()
        await self.table.batch_write(deletes=[{"PK": pk, "SK": sk} for sk in mine])
        count = len(await self._existing_positions(pk))
        await self._set_count(platform, identifier, count)
        return count

    async def replace_all(
        self, *, platform: str, identifier: str, new_cases: Sequence[NewTestCase]
    ) -> BulkAddResult:
        pk = keys.problem_pk(platform, identifier)
        sort_keys = await self._sort_keys(pk, keys.TEST_CASE_PREFIX)
        await self.table.batch_write(deletes=[{"PK": pk, "SK": sk} for sk in sort_keys])
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

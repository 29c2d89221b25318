"""Problems: create, read (by key or legacy id), update, soft-delete, list."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from dataclasses import asdict, fields
from typing import Any

from botocore.exceptions import ClientError

from algoitny.domain import Page, Problem, ProblemWithTestCases
from algoitny.errors import LegacyIdTaken, ProblemExists, ProblemNotFound
from algoitny.table import keys, payloads
from algoitny.table.client import Item, Table, typed_key
from algoitny.table.codec import ENTITY_TYPE, LEGACY_ID, PROBLEM, PROBLEM_TAG
from algoitny.table.cursor import CursorCodec

_IMMUTABLE = {
    "platform",
    "identifier",
    "created_at",
    "created_by",
    "execution_count",
    "test_case_count",
    "deleted",
}
_PROBLEM_FIELDS = {f.name for f in fields(Problem)}


def _now_ms() -> int:
    return int(time.time() * 1000)


def _to_problem(item: Item) -> Problem:
    return Problem(**PROBLEM.decode(item))


class ProblemRepository:
    def __init__(self, table: Table, cursors: CursorCodec) -> None:
        self.table = table
        self.cursors = cursors

    async def create(self, problem: Problem) -> Problem:
        now = _now_ms()
        problem.created_at = problem.updated_at = now
        problem.deleted, problem.execution_count, problem.test_case_count = False, 0, 0
        key = keys.problem_key(problem.platform, problem.identifier)
        list_keys = keys.problem_list_keys(problem.platform, problem.identifier, now)
        operations: list[Item] = [
            {
                "Put": {
                    "Item": PROBLEM.encode(asdict(problem), key | list_keys),
                    "ConditionExpression": "attribute_not_exists(PK)",
                }
            },
            *self._tag_puts(problem, problem.tags),
        ]
        if problem.legacy_id is not None:
            operations.append(self._legacy_put(problem))
        try:
            await self._transact(operations)
        except ProblemExists:
            old = await self.table.get(key, consistent=True)
            if old is not None and _to_problem(old).deleted:
                raise ProblemExists(
                    "A deleted problem holds this identifier: restore it "
                    "(POST /api/problems/{platform}/{identifier}/restore) and update it instead."
                ) from None
            raise
        return problem

    def _tag_puts(self, problem: Problem, tags: list[str]) -> list[Item]:
        return [
            {
                "Put": {
                    "Item": PROBLEM_TAG.encode(
                        {"tag": tag},
                        keys.tag_item_keys(problem.platform, problem.identifier, tag, problem.created_at),
                    )
                }
            }
            for tag in tags
        ]

    def _legacy_put(self, problem: Problem) -> Item:
        assert problem.legacy_id is not None
        item = LEGACY_ID.encode(
            {"platform": problem.platform, "identifier": problem.identifier, "legacy_id": problem.legacy_id},
            keys.legacy_id_key(problem.legacy_id),
        )
        return {"Put": {"Item": item, "ConditionExpression": "attribute_not_exists(PK)"}}

    async def _transact(self, operations: list[Item]) -> None:
        try:
            await self.table.transact_write(operations)
        except ClientError as exc:
            if exc.response["Error"]["Code"] != "TransactionCanceledException":
                raise
            reasons = exc.response.get("CancellationReasons", [])
            for operation, reason in zip(operations, reasons, strict=False):
                if reason.get("Code") != "ConditionalCheckFailed":
                    continue
                ((kind, body),) = operation.items()
                pk = (body.get("Item") or body["Key"])["PK"]["S"]
                if pk.startswith(keys.LEGACY_ID_PREFIX):
                    raise LegacyIdTaken() from exc
                if kind == "Put":
                    raise ProblemExists() from exc
                raise ProblemNotFound() from exc
            raise

    async def get(
        self, *, platform: str, identifier: str, consistent: bool = False, include_deleted: bool = False
    ) -> Problem:
        """A live problem; a soft-deleted one too with ``include_deleted`` (for admins)."""
        item = await self.table.get(keys.problem_key(platform, identifier), consistent=consistent)
        if item is None:
            raise ProblemNotFound()
        problem = _to_problem(item)
        if problem.deleted and not include_deleted:
            raise ProblemNotFound()
        return problem

    async def resolve_legacy_id(self, legacy_id: int) -> tuple[str, str]:
        item = await self.table.get(keys.legacy_id_key(legacy_id))
        if item is None:
            raise ProblemNotFound(f"No problem has legacy id {legacy_id}.")
        pointer = LEGACY_ID.decode(item)
        return pointer["platform"], pointer["identifier"]

    async def get_by_legacy_id(self, legacy_id: int) -> Problem:
        platform, identifier = await self.resolve_legacy_id(legacy_id)
        return await self.get(platform=platform, identifier=identifier)

    async def update(self, *, platform: str, identifier: str, changes: dict[str, Any]) -> Problem:
        """Applies ``changes`` (domain field → value; ``None`` clears) to a live problem."""
        current = await self.get(platform=platform, identifier=identifier, consistent=True)
        changes = {k: v for k, v in changes.items() if k in _PROBLEM_FIELDS and k not in _IMMUTABLE}
        updated = Problem(**(asdict(current) | changes | {"updated_at": _now_ms()}))
        expression, names, values = PROBLEM.update_expression(changes | {"updated_at": updated.updated_at})
        names["#del"] = PROBLEM.short("deleted")
        values[":false"] = {"BOOL": False}
        key = keys.problem_key(platform, identifier)
        operations: list[Item] = [
            {
                "Update": {
                    "Key": typed_key(key),
                    "UpdateExpression": expression,
                    "ConditionExpression": "attribute_exists(PK) AND #del = :false",
                    "ExpressionAttributeNames": names,
                    "ExpressionAttributeValues": values,
                }
            }
        ]
        added_tags = [t for t in updated.tags if t not in current.tags]
        removed_tags = [t for t in current.tags if t not in updated.tags]
        operations += self._tag_puts(updated, added_tags)
        operations += [
            {"Delete": {"Key": typed_key({"PK": key["PK"], "SK": keys.tag_sk(t)})}} for t in removed_tags
        ]
        if updated.legacy_id != current.legacy_id:
            if updated.legacy_id is not None:
                operations.append(self._legacy_put(updated))
            if current.legacy_id is not None:
                operations.append({"Delete": {"Key": typed_key(keys.legacy_id_key(current.legacy_id))}})
        await self._transact(operations)
        return updated

    async def delete(self, *, platform: str, identifier: str) -> None:
        """Soft delete: the item stays (history points at it) but leaves every list."""
        current = await self.get(platform=platform, identifier=identifier, consistent=True)
        key = keys.problem_key(platform, identifier)
        operations: list[Item] = [
            {
                "Update": {
                    "Key": typed_key(key),
                    "UpdateExpression": "SET #del = :true, #upd = :now REMOVE GSI1PK, GSI1SK, GSI2PK, GSI2SK",
                    "ConditionExpression": "attribute_exists(PK)",
                    "ExpressionAttributeNames": {
                        "#del": PROBLEM.short("deleted"),
                        "#upd": PROBLEM.short("updated_at"),
                    },
                    "ExpressionAttributeValues": {":true": {"BOOL": True}, ":now": {"N": str(_now_ms())}},
                }
            }
        ]
        operations += [
            {"Delete": {"Key": typed_key({"PK": key["PK"], "SK": keys.tag_sk(t)})}} for t in current.tags
        ]
        await self._transact(operations)

    async def restore(self, *, platform: str, identifier: str) -> Problem:
        """Undoes a soft delete: back in every list, its tags indexed again. A live problem is
        returned as it is (restoring twice is harmless)."""
        current = await self.get(
            platform=platform, identifier=identifier, consistent=True, include_deleted=True
        )
        if not current.deleted:
            return current
        now = _now_ms()
        list_keys = keys.problem_list_keys(platform, identifier, current.created_at)
        names = {"#del": PROBLEM.short("deleted"), "#upd": PROBLEM.short("updated_at")}
        values: dict[str, Any] = {":false": {"BOOL": False}, ":true": {"BOOL": True}, ":now": {"N": str(now)}}
        sets = ["#del = :false", "#upd = :now"]
        for index, (name, value) in enumerate(list_keys.items()):
            names[f"#k{index}"] = name
            values[f":k{index}"] = {"S": value}
            sets.append(f"#k{index} = :k{index}")
        operations: list[Item] = [
            {
                "Update": {
                    "Key": typed_key(keys.problem_key(platform, identifier)),
                    "UpdateExpression": "SET " + ", ".join(sets),
                    "ConditionExpression": "attribute_exists(PK) AND #del = :true",
                    "ExpressionAttributeNames": names,
                    "ExpressionAttributeValues": values,
                }
            },
            *self._tag_puts(current, current.tags),
        ]
        try:
            await self._transact(operations)
        except ProblemNotFound:
            # Restored (or deleted for good) by someone else meanwhile: answer with what is there now.
            return await self.get(platform=platform, identifier=identifier, consistent=True)
        current.deleted, current.updated_at = False, now
        return current

    async def list_problems(
        self,
        *,
        platform: str | None = None,
        tag: str | None = None,
        status: str | None = None,
        flagged: bool | None = None,
        limit: int,
        cursor: str | None = None,
    ) -> Page:
        """Newest first. Tag, else platform, picks the index; other filters (status,
        review flags) apply to the items read, so a page may take several requests."""
        query_id = f"problems:{platform or ''}:{tag or ''}:{status or ''}:{flagged}"
        if tag:
            index, partition = keys.GSI1, f"{keys.TAG_PREFIX}{tag}"
        elif platform:
            index, partition = keys.GSI2, f"{keys.PLATFORM_PREFIX}{platform}"
        else:
            index, partition = keys.GSI1, keys.ALL_PROBLEMS
        request: dict[str, Any] = {
            "IndexName": index,
            "KeyConditionExpression": f"{index}PK = :pk",
            "ExpressionAttributeValues": {":pk": {"S": partition}},
            "ScanIndexForward": False,
        }
        start_key = self.cursors.decode(cursor, query_id) if cursor else None
        problems: list[Problem] = []
        while len(problems) < limit:
            if start_key:
                request["ExclusiveStartKey"] = start_key
            request["Limit"] = limit - len(problems)
            found, start_key = await self.table.query_page(**request)
            if tag:
                found = await self._metas_in_order(found)
            for item in found:
                problem = _to_problem(item)
                if problem.deleted:
                    continue
                if (platform and problem.platform != platform) or (status and problem.status != status):
                    continue
                if flagged is not None and bool(problem.review_flags) != flagged:
                    continue
                problems.append(problem)
            if not start_key:
                break
        next_cursor = self.cursors.encode(start_key, query_id) if start_key else None
        return Page(items=problems, next_cursor=next_cursor)

    async def _metas_in_order(self, tag_items: list[Item]) -> list[Item]:
        pks = [item["PK"]["S"] for item in tag_items]
        metas = await self.table.batch_get([{"PK": pk, "SK": keys.META} for pk in pks])
        by_pk = {item["PK"]["S"]: item for item in metas}
        return [by_pk[pk] for pk in pks if pk in by_pk]

    async def scan_for_reindex(self, *, page_size: int = 500) -> AsyncIterator[list[Problem]]:
        """Every problem (soft-deleted ones too), a page at a time: a Scan of the whole
        table filtered to problem META items. Offline only (``algoitny reindex``): it reads
        every item of the table, so it never runs on a request path."""
        request: dict[str, Any] = {
            "TableName": self.table.name,
            "FilterExpression": "#tp = :problem AND SK = :meta",
            "ExpressionAttributeNames": {"#tp": ENTITY_TYPE},
            "ExpressionAttributeValues": {":problem": {"S": PROBLEM.entity_type}, ":meta": {"S": keys.META}},
            "Limit": page_size,
        }
        while True:
            response = await self.table.client.scan(**request)
            found = [_to_problem(item) for item in response.get("Items", [])]
            if found:
                yield found
            if "LastEvaluatedKey" not in response:
                return
            request["ExclusiveStartKey"] = response["LastEvaluatedKey"]

    async def get_with_test_cases(self, *, platform: str, identifier: str) -> ProblemWithTestCases:
        """One Query over the problem's partition: META, tags, then every test case."""
        problem, packed = await self.get_for_judging(platform=platform, identifier=identifier)
        size = sum(len(p.packed_input) + len(p.packed_output) for p in packed)
        test_cases = await payloads.offload(size * 4, lambda: [p.unpack() for p in packed])
        return ProblemWithTestCases(problem=problem, test_cases=test_cases)

    async def get_for_judging(
        self, *, platform: str, identifier: str
    ) -> tuple[Problem, list[payloads.PackedTestCase]]:
        """The same Query, test cases left compressed: the judge unpacks one at a time."""
        items = [
            item
            async for item in self.table.query_all(
                KeyConditionExpression="PK = :pk",
                ExpressionAttributeValues={":pk": {"S": keys.problem_pk(platform, identifier)}},
            )
        ]
        if not items or items[0]["SK"]["S"] != keys.META:
            raise ProblemNotFound()
        problem = _to_problem(items[0])
        if problem.deleted:
            raise ProblemNotFound()
        heads = [item for item in items if item["SK"]["S"].startswith(keys.TEST_CASE_PREFIX)]
        del items
        return problem, payloads.pack_test_cases(heads)

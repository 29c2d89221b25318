"""A thin wrapper over one aioboto3 DynamoDB client bound to the table.

It knows pagination, batching limits and retries of unprocessed items; it knows
nothing of entities. Repositories build keys (``keys.py``) and items
(``codec.py``) and call these methods.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterable, Sequence
from typing import Any

from botocore.exceptions import ClientError

from algoitny.errors import DuplicateId, ServiceUnavailable

Item = dict[str, Any]

BATCH_WRITE_MAX = 25
BATCH_GET_MAX = 100
TRANSACT_MAX = 100
_RETRY_DELAYS = (0.05, 0.1, 0.2, 0.4, 0.8, 1.6, 3.2)


def typed_key(key: dict[str, str]) -> Item:
    return {name: {"S": value} for name, value in key.items()}


def condition_failed(exc: ClientError) -> bool:
    """Whether a write was refused by its ``ConditionExpression``: a single write's
    ``ConditionalCheckFailedException``, or a transaction cancelled by the condition of its
    first operation (the guarded item goes first). Any other error is the caller's to raise."""
    error = exc.response.get("Error", {})
    if error.get("Code") == "ConditionalCheckFailedException":
        return True
    reasons = exc.response.get("CancellationReasons") or [{}]
    return (
        error.get("Code") == "TransactionCanceledException"
        and reasons[0].get("Code") == "ConditionalCheckFailed"
    )


def _chunks(seq: Sequence[Any], size: int) -> Iterable[Sequence[Any]]:
    for start in range(0, len(seq), size):
        yield seq[start : start + size]


class Table:
    def __init__(self, client: Any, name: str) -> None:
        self.client = client
        self.name = name

    async def get(self, key: dict[str, str], *, consistent: bool = False) -> Item | None:
        response = await self.client.get_item(
            TableName=self.name, Key=typed_key(key), ConsistentRead=consistent
        )
        return response.get("Item")

    async def put(self, item: Item, **kwargs: Any) -> None:
        await self.client.put_item(TableName=self.name, Item=item, **kwargs)

    async def put_new(self, item: Item) -> None:
        """Put an item whose key must not exist yet; ``DuplicateId`` if it does."""
        try:
            await self.put(item, ConditionExpression="attribute_not_exists(PK)")
        except ClientError as exc:
            if condition_failed(exc):
                raise DuplicateId() from None
            raise

    async def update(self, key: dict[str, str], **kwargs: Any) -> Item:
        response = await self.client.update_item(TableName=self.name, Key=typed_key(key), **kwargs)
        return response.get("Attributes", {})

    async def delete(self, key: dict[str, str], **kwargs: Any) -> Item:
        response = await self.client.delete_item(TableName=self.name, Key=typed_key(key), **kwargs)
        return response.get("Attributes", {})

    async def query_page(self, **kwargs: Any) -> tuple[list[Item], Item | None]:
        """One Query request: its items and the LastEvaluatedKey (or None)."""
        response = await self.client.query(TableName=self.name, **kwargs)
        return response.get("Items", []), response.get("LastEvaluatedKey")

    async def query_all(self, **kwargs: Any) -> AsyncIterator[Item]:
        """Every item of a Query, following LastEvaluatedKey (DynamoDB pages at 1 MB)."""
        start_key = kwargs.pop("ExclusiveStartKey", None)
        while True:
            if start_key:
                kwargs["ExclusiveStartKey"] = start_key
            items, start_key = await self.query_page(**kwargs)
            for item in items:
                yield item
            if not start_key:
                return

    async def count(self, **kwargs: Any) -> int:
        total = 0
        start_key = None
        while True:
            if start_key:
                kwargs["ExclusiveStartKey"] = start_key
            response = await self.client.query(TableName=self.name, Select="COUNT", **kwargs)
            total += response["Count"]
            start_key = response.get("LastEvaluatedKey")
            if not start_key:
                return total

    async def batch_write(self, *, puts: Sequence[Item] = (), deletes: Sequence[dict[str, str]] = ()) -> None:
        """Writes in requests of 25, retrying unprocessed items with backoff."""
        requests = [{"PutRequest": {"Item": item}} for item in puts]
        requests += [{"DeleteRequest": {"Key": typed_key(key)}} for key in deletes]
        for chunk in _chunks(requests, BATCH_WRITE_MAX):
            pending: list[Item] = list(chunk)
            for delay in (*_RETRY_DELAYS, None):
                response = await self.client.batch_write_item(RequestItems={self.name: pending})
                pending = response.get("UnprocessedItems", {}).get(self.name, [])
                if not pending:
                    break
                if delay is None:
                    raise ServiceUnavailable("The table kept throttling a batch write.")
                await asyncio.sleep(delay)

    async def batch_get(self, keys: Sequence[dict[str, str]]) -> list[Item]:
        """Items for the keys, in no particular order; missing keys are left out."""
        found: list[Item] = []
        for chunk in _chunks(keys, BATCH_GET_MAX):
            pending: Item = {self.name: {"Keys": [typed_key(k) for k in chunk]}}
            for delay in (*_RETRY_DELAYS, None):
                response = await self.client.batch_get_item(RequestItems=pending)
                found.extend(response.get("Responses", {}).get(self.name, []))
                pending = response.get("UnprocessedKeys") or {}
                if not pending:
                    break
                if delay is None:
                    raise ServiceUnavailable("The table kept throttling a batch read.")
                await asyncio.sleep(delay)
        return found

    async def transact_write(self, operations: Sequence[Item]) -> None:
        """Operations are ``{"Put": {...}}`` etc. without TableName; it is added here."""
        if len(operations) > TRANSACT_MAX:
            raise ValueError("a transaction holds at most 100 operations")
        items = []
        for operation in operations:
            ((kind, body),) = operation.items()
            items.append({kind: {"TableName": self.name, **body}})
        await self.client.transact_write_items(TransactItems=items)

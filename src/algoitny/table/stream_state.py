"""The stream indexer's shard state: checkpoints and leases, one item per shard.

``PK=INDEXER``, ``SK=SHARD#{shard_id}``. A lease is an owner id with an expiry
(epoch ms); every write but the first is conditioned on still owning it, so two
indexers never both believe they read one shard. The checkpoint (``seq``, the last
applied sequence number) is written with each renewal. See docs/indexer.md.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

from algoitny.table import keys
from algoitny.table.client import Table, condition_failed
from algoitny.table.codec import SHARD_STATE


def now_ms() -> int:
    return int(time.time() * 1000)


@dataclass(frozen=True, slots=True)
class ShardState:
    shard_id: str
    stream_arn: str = ""
    owner: str | None = None
    lease_expires_at: int = 0  # epoch ms
    sequence: str | None = None  # last applied; None = nothing applied yet
    finished: bool = False
    lag_ms: int = 0
    lag_measured_at: int = 0  # epoch ms

    def leased(self, at_ms: int) -> bool:
        return self.owner is not None and self.lease_expires_at > at_ms


class ShardStateRepository:
    def __init__(self, table: Table) -> None:
        self.table = table

    async def list_shards(self) -> dict[str, ShardState]:
        """Every shard the indexers have seen (one Query, consistent)."""
        found = {}
        async for item in self.table.query_all(
            KeyConditionExpression="PK = :pk",
            ExpressionAttributeValues={":pk": {"S": keys.INDEXER_PK}},
            ConsistentRead=True,
        ):
            state = ShardState(**SHARD_STATE.decode(item))
            found[state.shard_id] = state
        return found

    async def acquire(
        self, shard_id: str, *, stream_arn: str, owner: str, lease_ms: int
    ) -> ShardState | None:
        """Takes the shard's lease if it is free, expired or already ours; None if another
        indexer holds it or the shard is finished."""
        now = now_ms()
        try:
            item = await self.table.update(
                keys.shard_state_key(shard_id),
                UpdateExpression="SET #own = :me, #exp = :exp, #tp = :tp, #sid = :sid, #str = :str",
                ConditionExpression="(attribute_not_exists(PK) OR attribute_not_exists(#own) "
                "OR #own = :me OR #exp < :now) AND attribute_not_exists(#fin)",
                ExpressionAttributeNames=self._names("owner", "lease_expires_at", "shard_id", "stream_arn")
                | {"#tp": "tp", "#fin": SHARD_STATE.short("finished")},
                ExpressionAttributeValues={
                    ":me": {"S": owner},
                    ":exp": {"N": str(now + lease_ms)},
                    ":now": {"N": str(now)},
                    ":tp": {"S": SHARD_STATE.entity_type},
                    ":sid": {"S": shard_id},
                    ":str": {"S": stream_arn},
                },
                ReturnValues="ALL_NEW",
            )
        except ClientError as exc:
            if condition_failed(exc):
                return None
            raise
        return ShardState(**SHARD_STATE.decode(item))

    async def renew(
        self, shard_id: str, *, owner: str, lease_ms: int, sequence: str | None, lag_ms: int
    ) -> bool:
        """Extends the lease and records the checkpoint and lag; False if the lease is lost."""
        now = now_ms()
        sets = ["#exp = :exp", "#lag = :lag", "#lat = :now"]
        fields = ["owner", "lease_expires_at", "lag_ms", "lag_measured_at"]
        values: dict[str, Any] = {
            ":me": {"S": owner},
            ":exp": {"N": str(now + lease_ms)},
            ":lag": {"N": str(lag_ms)},
            ":now": {"N": str(now)},
        }
        if sequence is not None:
            sets.append("#seq = :seq")
            values[":seq"] = {"S": sequence}
            fields.append("sequence")
        return await self._owned_update(shard_id, "SET " + ", ".join(sets), self._names(*fields), values)

    async def finish(self, shard_id: str, *, owner: str, sequence: str | None) -> bool:
        """The closed shard was read to its end: finished, lease given up (children may start)."""
        values: dict[str, Any] = {":me": {"S": owner}, ":true": {"BOOL": True}, ":zero": {"N": "0"}}
        expression = "SET #fin = :true, #lag = :zero"
        fields = ["owner", "finished", "lag_ms"]
        if sequence is not None:
            expression += ", #seq = :seq"
            values[":seq"] = {"S": sequence}
            fields.append("sequence")
        return await self._owned_update(shard_id, expression + " REMOVE #own", self._names(*fields), values)

    async def release(self, shard_id: str, *, owner: str) -> bool:
        """Gives the lease up (a clean stop), so another indexer need not wait for its expiry."""
        return await self._owned_update(shard_id, "REMOVE #own", self._names("owner"), {":me": {"S": owner}})

    async def _owned_update(
        self, shard_id: str, expression: str, names: dict[str, str], values: dict[str, Any]
    ) -> bool:
        try:
            await self.table.update(
                keys.shard_state_key(shard_id),
                UpdateExpression=expression,
                ConditionExpression="#own = :me",
                ExpressionAttributeNames=names,
                ExpressionAttributeValues=values,
            )
        except ClientError as exc:
            if condition_failed(exc):
                return False
            raise
        return True

    @staticmethod
    def _names(*fields: str) -> dict[str, str]:
        aliases = {
            "owner": "#own",
            "lease_expires_at": "#exp",
            "sequence": "#seq",
            "finished": "#fin",
            "lag_ms": "#lag",
            "lag_measured_at": "#lat",
            "shard_id": "#sid",
            "stream_arn": "#str",
        }
        return {aliases[f]: SHARD_STATE.short(f) for f in fields}

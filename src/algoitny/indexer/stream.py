"""Reading the table's stream: shard discovery, leases, checkpoints, retries.

One ``StreamReader`` per indexer process. Every ``discover_interval_s`` it lists the
stream's shards (DescribeStream, paged), and leases each shard that is not finished,
whose parent is finished (or trimmed away), and that no live indexer holds; each leased
shard gets a task that reads it from its checkpoint and hands every batch to the sinks,
then checkpoints. A background renewal keeps the lease while a batch is applied. Any
error (DynamoDB Local restarting, an expired iterator, a sink failing) ends in a retry
from the last checkpoint after a backoff; nothing is skipped. See docs/indexer.md.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import secrets
import socket
from collections.abc import Sequence
from typing import Any

from boto3.dynamodb.types import TypeDeserializer
from botocore.exceptions import ClientError

from algoitny.indexer.records import ChangeRecord, ChangeSink
from algoitny.settings import IndexerSettings
from algoitny.table.codec import SHARD_STATE
from algoitny.table.stream_state import ShardState, ShardStateRepository, now_ms

log = logging.getLogger(__name__)

BACKOFF_FIRST_S = 0.5
BACKOFF_MAX_S = 10.0
_deserializer = TypeDeserializer()


def new_owner_id() -> str:
    return f"{socket.gethostname()}-{os.getpid()}-{secrets.token_hex(3)}"


def _error_code(exc: BaseException) -> str | None:
    return exc.response.get("Error", {}).get("Code") if isinstance(exc, ClientError) else None


def _image(raw: dict[str, Any] | None) -> dict[str, Any] | None:
    return None if raw is None else {name: _deserializer.deserialize(value) for name, value in raw.items()}


def to_change_record(raw: dict[str, Any], shard_id: str) -> ChangeRecord:
    body = raw["dynamodb"]
    return ChangeRecord(
        event=raw["eventName"],
        keys=_image(body["Keys"]) or {},
        old=_image(body.get("OldImage")),
        new=_image(body.get("NewImage")),
        sequence=body["SequenceNumber"],
        shard_id=shard_id,
        created_at=body["ApproximateCreationDateTime"],
    )


class Backoff:
    def __init__(self) -> None:
        self.delay = 0.0

    def reset(self) -> None:
        self.delay = 0.0

    async def wait(self) -> None:
        self.delay = min(max(self.delay * 2, BACKOFF_FIRST_S), BACKOFF_MAX_S)
        await asyncio.sleep(self.delay)


class LeaseLost(Exception):
    pass


class ShardReader:
    """Reads one leased shard until it is finished, the lease is lost, or it is cancelled."""

    def __init__(self, reader: StreamReader, stream_arn: str, state: ShardState) -> None:
        self.reader = reader
        self.stream_arn = stream_arn
        self.shard_id = state.shard_id
        self.sequence = state.sequence  # last applied (and checkpointed or about to be)
        self.caught_up_at = 0  # epoch ms of the last read that found the shard's end
        self.oldest_unapplied: int | None = None  # epoch ms (see docs/indexer.md, Lag)
        self.lost = asyncio.Event()

    @property
    def lag_ms(self) -> int:
        return 0 if self.oldest_unapplied is None else max(0, now_ms() - self.oldest_unapplied)

    def _created(self, record: ChangeRecord) -> int:
        """Its creation time, bounded below by the last empty read (DynamoDB Local truncates
        ApproximateCreationDateTime to the minute)."""
        return max(int(record.created_at.timestamp() * 1000), self.caught_up_at)

    async def run(self) -> None:
        renewing = asyncio.ensure_future(self._renew_forever())
        lost = asyncio.ensure_future(self.lost.wait())
        reading = asyncio.ensure_future(self._read())
        try:
            await asyncio.wait([reading, lost], return_when=asyncio.FIRST_COMPLETED)
            if reading.done():
                reading.result()
            else:
                log.warning("shard %s: lease lost, another indexer reads it now", self.shard_id)
        finally:
            for task in (renewing, lost, reading):
                task.cancel()
            await asyncio.gather(renewing, lost, reading, return_exceptions=True)

    async def _renew_forever(self) -> None:
        settings = self.reader.settings
        backoff = Backoff()
        while True:
            await asyncio.sleep(settings.lease_s / 3)
            try:
                await self.checkpoint()
                backoff.reset()
            except LeaseLost:
                self.lost.set()
                return
            except Exception as exc:  # a table blip: keep trying while the lease lasts
                log.warning("shard %s: cannot renew the lease: %s", self.shard_id, exc)
                await backoff.wait()

    async def checkpoint(self) -> None:
        if not await self.reader.state.renew(
            self.shard_id,
            owner=self.reader.owner,
            lease_ms=int(self.reader.settings.lease_s * 1000),
            sequence=self.sequence,
            lag_ms=self.lag_ms,
        ):
            raise LeaseLost()

    async def _iterator(self) -> str:
        arguments: dict[str, Any] = {"StreamArn": self.stream_arn, "ShardId": self.shard_id}
        if self.sequence is None:
            arguments["ShardIteratorType"] = "TRIM_HORIZON"
        else:
            arguments |= {"ShardIteratorType": "AFTER_SEQUENCE_NUMBER", "SequenceNumber": self.sequence}
        response = await self.reader.streams.get_shard_iterator(**arguments)
        return response["ShardIterator"]

    async def _read(self) -> None:
        settings = self.reader.settings
        backoff = Backoff()
        iterator: str | None = None
        while True:
            try:
                if iterator is None:
                    iterator = await self._iterator()
                response = await self.reader.streams.get_records(
                    ShardIterator=iterator, Limit=settings.batch_limit
                )
                records = [to_change_record(raw, self.shard_id) for raw in response.get("Records", [])]
                next_iterator = response.get("NextShardIterator")
                if records:
                    await self._apply(records)
                else:
                    self.caught_up_at, self.oldest_unapplied = now_ms(), None
                iterator = next_iterator
                backoff.reset()
                if iterator is None:  # a closed shard, read to its end
                    await self.reader.state.finish(
                        self.shard_id, owner=self.reader.owner, sequence=self.sequence
                    )
                    log.info("shard %s finished", self.shard_id)
                    return
                if not records:
                    await asyncio.sleep(settings.poll_interval_s)
            except LeaseLost:
                self.lost.set()
                return
            except Exception as exc:
                code = _error_code(exc)
                iterator = None  # start again after the last applied record
                if code == "ExpiredIteratorException":
                    log.info("shard %s: iterator expired; reading on from the checkpoint", self.shard_id)
                    continue
                if code == "TrimmedDataAccessException":
                    log.error(
                        "shard %s: checkpoint %s was trimmed; some changes were lost",
                        self.shard_id,
                        self.sequence,
                    )
                    self.sequence = None
                    continue
                if code == "ResourceNotFoundException":
                    log.warning("shard %s: gone from the stream (%s); leaving it", self.shard_id, exc)
                    return
                log.warning(
                    "shard %s: %s: %s; retrying from the checkpoint", self.shard_id, type(exc).__name__, exc
                )
                await backoff.wait()

    async def _apply(self, records: Sequence[ChangeRecord]) -> None:
        self.oldest_unapplied = self._created(records[0])
        own_only = all(record.entity == SHARD_STATE.entity_type for record in records)
        if not own_only:
            for sink in self.reader.sinks:
                await sink.apply(records)
        self.sequence = records[-1].sequence
        # A full batch: more may wait, newer than its last record; else likely caught up.
        full = len(records) >= self.reader.settings.batch_limit
        self.oldest_unapplied = self._created(records[-1]) if full else None
        if not own_only:  # a batch of only checkpoints is not checkpointed (it would make more)
            await self.checkpoint()


class StreamReader:
    def __init__(
        self,
        *,
        dynamodb: Any,
        streams: Any,
        table_name: str,
        state: ShardStateRepository,
        sinks: Sequence[ChangeSink],
        settings: IndexerSettings,
        owner: str | None = None,
    ) -> None:
        self.dynamodb = dynamodb
        self.streams = streams
        self.table_name = table_name
        self.state = state
        self.sinks = list(sinks)
        self.settings = settings
        self.owner = owner or new_owner_id()
        self.readers: dict[str, asyncio.Task[None]] = {}
        self.closed = False  # set by close(): no shard is taken any more

    async def run(self, stop: asyncio.Event) -> None:
        """Until ``stop`` is set; then the readers stop and their leases are released."""
        backoff = Backoff()
        try:
            while not stop.is_set() and not self.closed:
                try:
                    await self.discover()
                    backoff.reset()
                    wait = self.settings.discover_interval_s
                except Exception as exc:  # DynamoDB Local restarting, a throttle: try again soon
                    log.warning("indexer %s: cannot list shards: %s: %s", self.owner, type(exc).__name__, exc)
                    backoff.delay = min(max(backoff.delay * 2, BACKOFF_FIRST_S), BACKOFF_MAX_S)
                    wait = backoff.delay
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), wait)
        finally:
            await self.close()

    async def close(self) -> None:
        """Stops reading for good: the readers stop, their leases are released, and no shard
        is taken again (another indexer takes them over)."""
        self.closed = True
        readers, self.readers = self.readers, {}
        for task in readers.values():
            task.cancel()
        await asyncio.gather(*readers.values(), return_exceptions=True)
        for shard_id in readers:
            with contextlib.suppress(Exception):
                await self.state.release(shard_id, owner=self.owner)

    async def _stream_shards(self) -> tuple[str | None, list[dict[str, Any]]]:
        table = (await self.dynamodb.describe_table(TableName=self.table_name))["Table"]
        arn = table.get("LatestStreamArn")
        if arn is None:
            return None, []
        shards: list[dict[str, Any]] = []
        arguments: dict[str, Any] = {"StreamArn": arn}
        while True:
            description = (await self.streams.describe_stream(**arguments))["StreamDescription"]
            shards += description.get("Shards", [])
            last = description.get("LastEvaluatedShardId")
            if not last:
                return arn, shards
            arguments["ExclusiveStartShardId"] = last

    async def discover(self) -> None:
        for shard_id, task in list(self.readers.items()):
            if task.done():
                del self.readers[shard_id]
                if not task.cancelled() and task.exception():
                    log.error("shard %s reader failed: %r", shard_id, task.exception())
        arn, shards = await self._stream_shards()
        if arn is None:
            return
        states = await self.state.list_shards()
        listed = {shard["ShardId"] for shard in shards}
        now = now_ms()
        for shard in shards:
            shard_id = shard["ShardId"]
            state = states.get(shard_id)
            if shard_id in self.readers or (
                state and (state.finished or state.leased(now) and state.owner != self.owner)
            ):
                continue
            parent = shard.get("ParentShardId")
            if parent in listed and not (parent in states and states[parent].finished):
                continue  # children after their parents: a key's changes stay in order
            if self.closed:  # closed while this pass was listing shards
                return
            acquired = await self.state.acquire(
                shard_id, stream_arn=arn, owner=self.owner, lease_ms=int(self.settings.lease_s * 1000)
            )
            if acquired is not None and self.closed:
                await self.state.release(shard_id, owner=self.owner)
                return
            if acquired is not None:
                log.info(
                    "indexer %s reads shard %s from %s",
                    self.owner,
                    shard_id,
                    acquired.sequence or "the start",
                )
                self.readers[shard_id] = asyncio.ensure_future(ShardReader(self, arn, acquired).run())

"""What the stream reader hands to each sink.

The reader turns every DynamoDB Stream record into a ``ChangeRecord`` (images already
deserialized to plain Python values: strings, ``Decimal`` numbers, sets, bytes) and
gives each sink the records of one GetRecords batch, in shard order. A sink must be
idempotent: the same record may be delivered again after a restart (the checkpoint is
written after the sinks applied the batch), and records of different shards may
interleave. A sink that raises makes the reader retry the batch; it never skips one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal, Protocol

EventName = Literal["INSERT", "MODIFY", "REMOVE"]


@dataclass(frozen=True, slots=True)
class ChangeRecord:
    event: EventName
    keys: Mapping[str, Any]  # PK, SK
    old: Mapping[str, Any] | None  # None for INSERT
    new: Mapping[str, Any] | None  # None for REMOVE
    sequence: str  # the shard's sequence number (decimal digits; compare as int)
    shard_id: str
    created_at: datetime  # ApproximateCreationDateTime, for lag

    @property
    def entity(self) -> str | None:
        """The item's ``tp`` (entity type), from whichever image exists."""
        image = self.new if self.new is not None else self.old
        return None if image is None else image.get("tp")


class ChangeSink(Protocol):
    """Something the indexer keeps up to date from the stream."""

    name: str  # stable: part of nothing persisted, used in logs and health details

    async def apply(self, records: Sequence[ChangeRecord]) -> None: ...

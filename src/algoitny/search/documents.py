"""What the index holds per problem, and what a search asks and answers.

A ``ProblemDocument`` is built from a problem's META item image (the stream's new image,
or an item read by ``reindex``): the whole problem, so a search answers without reading
the table, plus the ``version`` that makes writes idempotent. Backends keep, per
problem, the newest version they were given and ignore anything older, so a record
delivered twice, or an old image replayed after a newer one, leaves the newest.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from decimal import Decimal
from typing import Any

from algoitny.domain import Problem, ProblemStatus
from algoitny.table.codec import PROBLEM

_SHORT_TO_LONG = {short: long for long, short in PROBLEM.names.items()}
SEQUENCE_DIGITS = 40  # DynamoDB Streams sequence numbers are at most 40 decimal digits


@dataclass(frozen=True, order=True, slots=True)
class Version:
    """``updated_at`` first (every problem write sets it), then the stream's sequence
    number (zero-padded, so it compares as text) for writes that leave ``updated_at`` as it
    was (the judge's ``ADD`` of the execution count). One item's records come from one
    shard lineage, whose sequence numbers only grow; ``reindex`` uses sequence ``0``."""

    updated_at: int
    sequence: str = "0" * SEQUENCE_DIGITS

    @classmethod
    def of(cls, updated_at: int, sequence: str | int = 0) -> Version:
        return cls(int(updated_at), str(int(sequence)).zfill(SEQUENCE_DIGITS))


@dataclass(frozen=True, slots=True)
class ProblemDocument:
    problem: Problem
    version: Version

    @property
    def key(self) -> tuple[str, str]:
        return self.problem.platform, self.problem.identifier

    @property
    def visible_to_all(self) -> bool:
        return self.problem.status == ProblemStatus.COMPLETED and not self.problem.deleted

    def payload(self) -> dict[str, Any]:
        return dict(vars(self.problem))  # shallow: the values are JSON already (asdict deep-copies)


@dataclass(frozen=True, slots=True)
class Removal:
    """The problem's item is gone from the table (not a soft delete: those stay, for admins)."""

    platform: str
    identifier: str
    version: Version

    @property
    def key(self) -> tuple[str, str]:
        return self.platform, self.identifier


def _plain(value: Any) -> Any:
    """Stream images carry ``Decimal`` numbers and sets; the domain wants int/float/list."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, list | tuple | set | frozenset):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def problem_from_image(image: Mapping[str, Any]) -> Problem:
    """A problem META item with plain values (short attribute names) → the domain object."""
    fields = {
        _SHORT_TO_LONG[short]: _plain(value) for short, value in image.items() if short in _SHORT_TO_LONG
    }
    return Problem(**fields)


_PROBLEM_FIELDS = frozenset(f.name for f in fields(Problem))


def problem_from_payload(payload: Mapping[str, Any]) -> Problem:
    """A stored payload → the problem; fields a newer or older ``Problem`` lacks are dropped
    (defaults fill the new ones), so an index written by another version still answers."""
    return Problem(**{name: value for name, value in payload.items() if name in _PROBLEM_FIELDS})


Position = tuple[Any, ...]  # where a page starts: backend-made, JSON scalars, opaque to callers


@dataclass(frozen=True, slots=True)
class SearchQuery:
    """``terms`` are already normalised (``text.terms``); ``after`` is the ``next`` of the
    previous page (the cursor carries it)."""

    terms: tuple[str, ...]
    platform: str | None = None
    tag: str | None = None
    include_hidden: bool = False  # drafts and soft-deleted problems: admins only
    limit: int = 20
    after: Position | None = None


@dataclass(frozen=True, slots=True)
class SearchHit:
    problem: Problem
    score: float  # backend-specific; larger is better, only the order means anything


@dataclass(slots=True)
class SearchResult:
    hits: list[SearchHit] = field(default_factory=list)
    next: Position | None = None  # where the next page starts; None: this was the last

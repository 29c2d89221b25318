"""What a run did, per entity: rows read, imported, already there, skipped (with reasons),
warnings, and the verification's checksums. Serialised as the ``--report`` JSON."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from typing import Any

MAX_LISTED = 1000  # skipped rows / warnings listed per entity (all are counted)


class Skip(Exception):  # noqa: N818 - a verdict on a row, not a failure of the run
    """A row that cannot be imported; ``reason`` goes into the report."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass
class RowNote:
    table: str
    id: int
    reason: str


@dataclass
class EntityReport:
    entity: str
    source_rows: int = 0
    imported: int = 0
    existing: int = 0
    skipped: int = 0
    warnings: int = 0
    seconds: float = 0.0
    skipped_rows: list[RowNote] = field(default_factory=list)
    warning_rows: list[RowNote] = field(default_factory=list)
    verify: dict[str, Any] | None = None

    def skip(self, table: str, row_id: int, reason: str, *, rows: int = 1) -> None:
        self.skipped += rows
        if len(self.skipped_rows) < MAX_LISTED:
            self.skipped_rows.append(RowNote(table, row_id, reason))

    def warn(self, table: str, row_id: int, reason: str) -> None:
        self.warnings += 1
        if len(self.warning_rows) < MAX_LISTED:
            self.warning_rows.append(RowNote(table, row_id, reason))


@dataclass
class RunReport:
    dry_run: bool = False
    verify_only: bool = False
    entities: dict[str, EntityReport] = field(default_factory=dict)
    seconds: float = 0.0

    def entity(self, name: str) -> EntityReport:
        return self.entities.setdefault(name, EntityReport(name))

    @property
    def clean(self) -> bool:
        """Nothing skipped, and every verified entity matched."""
        return all(
            e.skipped == 0 and (e.verify is None or e.verify.get("ok", False)) for e in self.entities.values()
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "ok": self.clean,
            "dry_run": self.dry_run,
            "verify_only": self.verify_only,
            "seconds": round(self.seconds, 3),
            "entities": {name: asdict(e) for name, e in self.entities.items()},
        }

    def dumps(self) -> str:
        return json.dumps(self.to_json(), ensure_ascii=False, indent=2)


class Checksum:
    """SHA-256 over canonical JSON lines (sorted keys), one per row, in reading order."""

    def __init__(self) -> None:
        self._digest = hashlib.sha256()
        self.rows = 0

    def add(self, canonical: Any) -> None:
        self._digest.update(json.dumps(canonical, sort_keys=True, ensure_ascii=False).encode())
        self._digest.update(b"\n")
        self.rows += 1

    def hexdigest(self) -> str:
        return self._digest.hexdigest()


def text_digest(text: str | None) -> str | None:
    return None if text is None else hashlib.sha256(text.encode()).hexdigest()

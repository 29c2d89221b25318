"""One progress line on a terminal: entity, rows done / total, rows/s, ETA."""

from __future__ import annotations

import sys
import time
from typing import TextIO


class Progress:
    def __init__(self, stream: TextIO | None = None, *, every_s: float = 0.5) -> None:
        self.stream = stream or sys.stderr
        self.enabled = self.stream.isatty()
        self.every_s = every_s
        self._entity = ""
        self._total = 0
        self._done = 0
        self._started = 0.0
        self._shown = 0.0

    def start(self, entity: str, total: int) -> None:
        self._entity, self._total, self._done = entity, total, 0
        self._started = self._shown = time.monotonic()
        self._show(force=True)

    def advance(self, rows: int) -> None:
        self._done += rows
        self._show()

    def finish(self) -> None:
        self._show(force=True)
        if self.enabled:
            self.stream.write("\n")
            self.stream.flush()

    def line(self) -> str:
        elapsed = max(time.monotonic() - self._started, 1e-9)
        rate = self._done / elapsed
        left = max(self._total - self._done, 0)
        eta = f"{left / rate:.0f}s" if rate > 0 else "?"
        return f"{self._entity:<16} {self._done}/{self._total} rows  {rate:,.0f} rows/s  ETA {eta}"

    def _show(self, *, force: bool = False) -> None:
        now = time.monotonic()
        if not self.enabled or (not force and now - self._shown < self.every_s):
            return
        self._shown = now
        self.stream.write("\r\x1b[2K" + self.line())
        self.stream.flush()

"""Plain values exchanged with the executor: limits, test cases, results."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

from .output import Output
from .verdicts import Verdict

MIB = 1024 * 1024
EXCERPT_BYTES = 4096
OUTPUT_HEAD_BYTES = 256 * 1024  # what a failed test's result keeps of its output


@dataclass(frozen=True, slots=True)
class Limits:
    """Per-run limits. CPU time is the judged time; the wall clock is a backstop."""

    time_limit_s: float = 2.0
    memory_mb: int = 256
    output_bytes: int = 64 * MIB
    stderr_bytes: int = 4 * MIB
    processes: int = 64
    tmp_bytes: int = 64 * MIB  # size of the box's /tmp and working directory (tmpfs)
    wall_time_s: float | None = None  # default: 2 x time limit + 1 s

    @property
    def wall_limit_s(self) -> float:
        if self.wall_time_s is not None:
            return self.wall_time_s
        return self.time_limit_s * 2 + 1.0

    @property
    def time_limit_ms(self) -> int:
        return int(math.ceil(self.time_limit_s * 1000))

    @property
    def memory_bytes(self) -> int:
        return self.memory_mb * MIB


COMPILE_LIMITS = Limits(
    time_limit_s=20.0,
    memory_mb=1024,
    output_bytes=1 * MIB,
    stderr_bytes=1 * MIB,
    processes=128,
    tmp_bytes=256 * MIB,
    wall_time_s=30.0,
)


@dataclass(frozen=True, slots=True)
class TestCase:
    __test__ = False  # not a pytest class, despite the name

    name: str
    input: bytes
    expected: bytes


@dataclass(frozen=True, slots=True)
class FirstDifference:
    """Where a rejected output first differs from the answer, token by token.

    ``line``/``column`` (1-based; the column counts bytes) locate the differing token in
    the program's output; ``expected``/``found`` are the two tokens (``""`` for a token
    one side lacks), the contexts a window of their lines. Every text is bounded
    (``scanning.TOKEN_SHOWN``, ``scanning.CONTEXT_SHOWN``), whatever the outputs' size.
    """

    line: int
    column: int
    expected: str
    found: str
    expected_context: str
    found_context: str


@dataclass(frozen=True, slots=True)
class Checker:
    """Which checker judges the output.

    Either a built-in ``name`` (exact, lines, tokens, float, unordered) with ``args``
    (for example ``{"abs": "1e-6", "rel": "1e-6"}`` or ``{"precision": "6"}``), or a
    custom testlib-style checker given as ``source`` + ``language`` (+ ``files`` it
    includes, e.g. testlib.h). ``run_tests`` rejects an unknown name or option
    (``UnknownChecker``, ``BadCheckerOption``; both ``ValueError``) before running anything.
    """

    name: str = "lines"
    args: Mapping[str, str] = field(default_factory=dict)
    source: str | bytes | None = None
    language: str | None = None
    files: Mapping[str, bytes] = field(default_factory=dict)  # headers beside the source

    @property
    def is_custom(self) -> bool:
        return self.source is not None


@dataclass(slots=True)
class RunResult:
    """One sandboxed run. ``verdict`` is AC for a run that finished cleanly."""

    verdict: Verdict
    cpu_ms: int
    wall_ms: int
    memory_kb: int
    exit_code: int | None
    signal: str | None
    stdout: bytes
    stderr_excerpt: str
    stdout_truncated: bool = False
    message: str = ""

    @property
    def stdout_excerpt(self) -> str:
        return excerpt(self.stdout)


@dataclass(slots=True)
class TestResult:
    __test__ = False

    index: int
    name: str
    verdict: Verdict
    cpu_ms: int
    wall_ms: int
    memory_kb: int
    exit_code: int | None
    signal: str | None
    # The head of the program's output: up to OUTPUT_HEAD_BYTES for a failed test (the
    # counterexample), EXCERPT_BYTES for a passed one; ``stdout_size`` is its full size.
    stdout: bytes
    stdout_excerpt: str
    stderr_excerpt: str
    checker_message: str = ""
    stdout_size: int = 0
    first_difference: FirstDifference | None = None  # WA from a built-in positional checker

    @property
    def stdout_truncated(self) -> bool:
        return self.stdout_size > len(self.stdout)

    def to_json(self) -> dict:
        return {
            "test": self.name,
            "index": self.index,
            "verdict": self.verdict.value,
            "cpu_ms": self.cpu_ms,
            "wall_ms": self.wall_ms,
            "memory_kb": self.memory_kb,
            "exit_code": self.exit_code,
            "signal": self.signal,
            "stdout_excerpt": self.stdout_excerpt,
            "stderr_excerpt": self.stderr_excerpt,
            "checker_message": self.checker_message,
        }


def excerpt(data: bytes | Output, limit: int = EXCERPT_BYTES, *, total: int | None = None) -> str:
    """A bounded, printable view of program output (``total``: its size, if ``data`` is a head)."""
    size = len(data) if total is None else total
    text = data[:limit].decode("utf-8", errors="replace")
    if size > limit:
        text += f"\n… ({size - limit} more bytes)"
    return text

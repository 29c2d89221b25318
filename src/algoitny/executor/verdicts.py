"""Verdicts and the precedence rule that picks one when several apply.

Precedence, first match wins (documented in docs/executor.md):

1. IE  — the sandbox itself failed (could not start, could not account the run).
2. TLE — CPU time reached the limit, or the wall-clock limit fired.
3. MLE — the kernel's OOM killer hit the run's cgroup (``oom_kill`` in memory.oom_control
         or memory.events), or a failed run's runtime reported running out of memory (Java
         heap, V8 heap, MemoryError ...). Never from the exit status or the peak alone:
         ``exit(137)`` or a self-inflicted SIGKILL after the page cache filled the limit is
         the program's doing, RE.
4. OLE — stdout (or stderr) went past its cap and we stopped the program.
5. RE  — non-zero exit status or death by a signal.
6. the checker's answer: AC, WA, or IE when the checker itself failed.

CE belongs to compilation and never comes out of a run.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Verdict(enum.StrEnum):
    AC = "AC"
    WA = "WA"
    TLE = "TLE"
    MLE = "MLE"
    RE = "RE"
    OLE = "OLE"
    CE = "CE"
    IE = "IE"

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True, slots=True)
class RunFacts:
    """What the sandbox observed about one finished run, without interpretation."""

    internal_error: str | None
    cpu_ms: int
    wall_timed_out: bool
    oom_killed: bool
    memory_kb: int
    output_exceeded: bool
    exit_code: int | None
    signal: str | None
    runtime_out_of_memory: bool = False


def classify(facts: RunFacts, *, time_limit_ms: int, memory_limit_kb: int) -> Verdict | None:
    """The verdict forced by the run itself, or None when the checker must decide."""
    if facts.internal_error:
        return Verdict.IE
    if facts.wall_timed_out or facts.cpu_ms >= time_limit_ms:
        return Verdict.TLE
    if facts.oom_killed or facts.runtime_out_of_memory:
        return Verdict.MLE
    crashed = facts.signal is not None or (facts.exit_code or 0) != 0
    if facts.output_exceeded:
        return Verdict.OLE
    if crashed:
        return Verdict.RE
    return None

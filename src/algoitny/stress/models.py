"""The values exchanged between the counterexample search and its caller.

``engine`` re-exports them: the service imports everything from ``algoitny.stress.engine``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from algoitny.executor import Verdict


@dataclass(frozen=True, slots=True)
class StressSetup:
    """A problem's stress setup (admin-only): generator, optional validator, sizes.

    The generator is Python that reads ``"<size> <seed>\\n"`` on stdin and prints one
    input (the generation jobs' contract); the validator is Python that reads an input
    and exits 0 when it is valid.
    """

    generator: str
    validator: str | None
    size_min: int
    size_max: int


@dataclass(frozen=True, slots=True)
class Program:
    language: str
    code: str


@dataclass(frozen=True, slots=True)
class Budget:
    """When to stop: whichever runs out first. Counts every sandbox run."""

    runs: int
    cpu_seconds: float
    wall_seconds: float


@dataclass(frozen=True, slots=True)
class Progress:
    size: int
    tries: int


@dataclass(frozen=True, slots=True)
class Counterexample:
    input: str
    expected: str  # the reference's output on ``input``: the only reference output shown
    output: str  # the candidate's output (bounded head)
    verdict: Verdict  # WA, RE, TLE, MLE or OLE of the candidate on ``input``
    checker_message: str
    size: int
    tries: int  # sandbox runs spent until this one was found and shrunk
    elapsed_ms: int


@dataclass(frozen=True, slots=True)
class SearchOutcome:
    counterexample: Counterexample | None  # the best (smallest) found, if any
    tries: int
    elapsed_ms: int
    exhausted: bool  # the budget ran out before the search finished
    error: str | None = None  # the setup is broken (generator does not compile, …)
    # Added by the search (optional, defaulted): the candidate itself does not compile
    # (the user's fault, not the setup's); when the first counterexample turned up (before
    # shrinking); time spent compiling the four programs.
    candidate_error: str | None = None
    first_hit_ms: int | None = None
    first_hit_tries: int | None = None
    compile_ms: int = 0


ProgressCallback = Callable[[Progress], Awaitable[None]]

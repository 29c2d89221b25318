"""The bench the search works on: four compiled programs, the budget, and one step — put
inputs through validator → reference → candidate and say which the candidate fails.

Every sandbox run goes through ``Lab._run`` (or ``Lab._judge`` for a batch of candidate
runs), which reserves it against the budget first: the run count never exceeds
``Budget.runs``; CPU seconds are checked before each run starts, so in-flight runs may
overshoot them by at most one batch. The wall clock is the caller's (``engine`` wraps
the search in a deadline).

Runs of one batch go out together (``asyncio.gather``); the slot pool bounds how many
actually run at once. Results are read back in input order, never completion order, so
what the search decides does not depend on which run finished first.
"""

from __future__ import annotations

import asyncio
import dataclasses
import enum
import hashlib
import time
from dataclasses import dataclass

from algoitny.executor import (
    Checker,
    CompileResult,
    Limits,
    RunResult,
    TestCase,
    TestResult,
    Verdict,
    compile_source,
    run_once,
    run_tests,
)
from algoitny.executor.models import MIB

from .models import Budget, Program, StressSetup

# What a generator may print (one input) and how long it may take; a validator's answer
# is its exit status, so its output is capped small.
GENERATOR_LIMITS = Limits(time_limit_s=2.0, memory_mb=256, output_bytes=1 * MIB, wall_time_s=5.0)
VALIDATOR_LIMITS = Limits(time_limit_s=2.0, memory_mb=256, output_bytes=64 * 1024, wall_time_s=5.0)
FAILURES = frozenset({Verdict.WA, Verdict.RE, Verdict.TLE, Verdict.MLE, Verdict.OLE})


class Status(enum.Enum):
    INVALID = "invalid"  # the validator rejected it
    UNSOLVED = "unsolved"  # the reference failed on it: never shown
    PASSED = "passed"  # the candidate is right on it
    FAILED = "failed"  # a counterexample
    UNKNOWN = "unknown"  # not decided: budget out, or an internal error of the sandbox


@dataclass(frozen=True, slots=True)
class Trial:
    input: bytes
    status: Status
    expected: bytes = b""  # the reference's output (FAILED trials only)
    result: TestResult | None = None  # the candidate's judged run (FAILED trials only)


@dataclass(slots=True)
class Meter:
    """The budget and what has been spent of it (runs, CPU of every run, wall since start)."""

    budget: Budget
    started: float = dataclasses.field(default_factory=time.monotonic)
    runs: int = 0
    cpu_ms: int = 0

    @property
    def exhausted(self) -> bool:
        return (
            self.runs >= self.budget.runs
            or self.cpu_ms >= self.budget.cpu_seconds * 1000
            or self.elapsed_s >= self.budget.wall_seconds
        )

    @property
    def elapsed_s(self) -> float:
        return time.monotonic() - self.started

    @property
    def elapsed_ms(self) -> int:
        return int(self.elapsed_s * 1000)

    def reserve(self, wanted: int) -> int:
        """How many of ``wanted`` runs may start now (counted as spent at once)."""
        if self.cpu_ms >= self.budget.cpu_seconds * 1000:
            return 0
        granted = max(0, min(wanted, self.budget.runs - self.runs))
        self.runs += granted
        return granted


def digest(data: bytes) -> bytes:
    return hashlib.blake2b(data, digest_size=16).digest()


@dataclass(slots=True)
class Counts:
    """What the setup did so far: lets the search tell a broken setup from bad luck."""

    generated: int = 0
    generator_failed: int = 0
    last_generator_error: str = ""
    validated: int = 0
    rejected: int = 0
    solved: int = 0
    unsolved: int = 0
    last_reference_error: str = ""


class Lab:
    """Compiled programs + budget; ``open`` compiles, ``close`` removes the artifacts."""

    def __init__(
        self,
        *,
        limits: Limits,
        checker: Checker,
        meter: Meter,
        slots: int,
        generator_limits: Limits = GENERATOR_LIMITS,
    ) -> None:
        self.limits = limits
        self.checker = checker
        self.meter = meter
        self.slots = slots
        self.generator_limits = generator_limits
        self.generator: CompileResult | None = None
        self.validator: CompileResult | None = None
        self.reference: CompileResult | None = None
        self.candidate: CompileResult | None = None
        self.counts = Counts()
        # digest of an input -> its status, for inputs that are not counterexamples: the
        # same input (tiny sizes repeat themselves, shrinking revisits) is never rerun.
        self._known: dict[bytes, Status] = {}

    async def open(
        self, setup: StressSetup, reference: Program, candidate: Program
    ) -> tuple[str, str] | None:
        """Compile all four at once; (role, message) of the first that failed, else None."""
        sources = [("generator", Program("python", setup.generator))]
        if setup.validator is not None:
            sources.append(("validator", Program("python", setup.validator)))
        sources += [("reference", reference), ("candidate", candidate)]

        async def build(role: str, program: Program) -> CompileResult:
            result = await compile_source(program.language, program.code)
            setattr(self, role, result)  # at once: ``close`` removes it even if we are cancelled
            return result

        compiled = await asyncio.gather(
            *(build(role, program) for role, program in sources), return_exceptions=True
        )
        for (role, _), result in zip(sources, compiled, strict=True):
            if isinstance(result, BaseException):
                if isinstance(result, Exception):
                    return role, f"the {role} could not be compiled: {result}"
                raise result
            if not result.ok:
                return role, f"the {role} does not compile ({result.verdict}): {result.message[:2000]}"
        return None

    async def close(self) -> None:
        programs = [self.generator, self.validator, self.reference, self.candidate]
        await asyncio.gather(*(p.cleanup() for p in programs if p is not None), return_exceptions=True)

    async def _run(self, compiled: CompileResult, stdin: bytes, limits: Limits) -> RunResult | None:
        if not self.meter.reserve(1):
            return None
        result = await run_once(compiled, stdin, limits)
        self.meter.cpu_ms += result.cpu_ms
        return result

    async def generate(self, size: int, seed: int) -> bytes | None:
        """One input, or None when the generator crashed, flooded, or the budget is out."""
        assert self.generator is not None
        run = await self._run(self.generator, f"{size} {seed}\n".encode(), self.generator_limits)
        if run is None:
            return None
        if run.verdict is not Verdict.AC:
            self.counts.generator_failed += 1
            what = "printed more than its output cap" if run.verdict is Verdict.OLE else str(run.verdict)
            detail = run.stderr_excerpt.strip().splitlines()[-1:] or [run.message]
            self.counts.last_generator_error = f"size {size} seed {seed}: {what} {detail[0][:300]}".strip()
            return None
        self.counts.generated += 1
        return run.stdout

    async def try_inputs(self, inputs: list[bytes], *, validate_first: bool = True) -> list[Trial]:
        """Validate, solve and judge each input; trials in the order of ``inputs``.

        An input repeated in the batch is tried once. ``validate_first=False`` runs the
        validator only on the inputs the candidate fails (what the search returns is still
        always valid, and an input the candidate passes needs no verdict on its validity):
        the right order for generated inputs, which are nearly always valid; shrinking's
        variants are often invalid, and a rejection first saves two runs."""
        unique = list(dict.fromkeys(inputs))
        trials = dict(zip(unique, await self._try_unique(unique, validate_first), strict=True))
        return [trials[data] for data in inputs]

    async def _try_unique(self, inputs: list[bytes], validate_first: bool) -> list[Trial]:
        trials: list[Trial | None] = []
        for data in inputs:
            status = self._known.get(digest(data))
            trials.append(Trial(data, status) if status else None)
        todo = [i for i, trial in enumerate(trials) if trial is None]
        if validate_first:
            todo = await self._validate(inputs, todo, trials)
        expected = await self._solve(inputs, todo, trials)
        failed = []
        for i, result in await self._judge(inputs, expected):
            if result is None or result.verdict is Verdict.IE:
                trials[i] = Trial(inputs[i], Status.UNKNOWN)
            elif result.verdict in FAILURES:
                trials[i] = Trial(inputs[i], Status.FAILED, expected[i], result)
                failed.append(i)
            else:
                trials[i] = self._remember(Trial(inputs[i], Status.PASSED))
        if not validate_first:
            await self._validate(inputs, failed, trials)
        return [trial or Trial(data, Status.UNKNOWN) for trial, data in zip(trials, inputs, strict=True)]

    async def _validate(self, inputs: list[bytes], todo: list[int], trials: list[Trial | None]) -> list[int]:
        """The validator on ``inputs[i]`` for i in ``todo``; marks the rejected, returns the rest."""
        if self.validator is None or not todo:
            return todo
        validator = self.validator
        runs = await asyncio.gather(*(self._run(validator, inputs[i], VALIDATOR_LIMITS) for i in todo))
        accepted = []
        for i, run in zip(todo, runs, strict=True):
            if run is None or run.verdict is Verdict.IE:
                trials[i] = Trial(inputs[i], Status.UNKNOWN)
            elif run.verdict is not Verdict.AC:
                self.counts.rejected += 1
                trials[i] = self._remember(Trial(inputs[i], Status.INVALID))
            else:
                self.counts.validated += 1
                accepted.append(i)
        return accepted

    async def _solve(
        self, inputs: list[bytes], todo: list[int], trials: list[Trial | None]
    ) -> dict[int, bytes]:
        """The reference's output on each of ``todo`` it solves; marks the others."""
        assert self.reference is not None
        reference = self.reference
        runs = await asyncio.gather(*(self._run(reference, inputs[i], self.limits) for i in todo))
        expected: dict[int, bytes] = {}
        for i, run in zip(todo, runs, strict=True):
            if run is None or run.verdict is Verdict.IE:
                trials[i] = Trial(inputs[i], Status.UNKNOWN)
            elif run.verdict is not Verdict.AC or run.stdout_truncated:
                self.counts.unsolved += 1
                self.counts.last_reference_error = (
                    f"{run.verdict} {run.stderr_excerpt.strip()[-300:]}".strip()
                )
                trials[i] = self._remember(Trial(inputs[i], Status.UNSOLVED))
            else:
                self.counts.solved += 1
                expected[i] = run.stdout
        return expected

    async def _judge(
        self, inputs: list[bytes], expected: dict[int, bytes]
    ) -> list[tuple[int, TestResult | None]]:
        """The candidate on every solved input, judged by the problem's checker.

        One ``run_tests`` call for the batch: the executor's own judging (output cap that
        follows the answer, streaming checkers, custom checkers compiled once per call)."""
        order = sorted(expected)
        granted = self.meter.reserve(len(order))
        tests = [TestCase(str(i), inputs[i], expected[i]) for i in order[:granted]]
        results: dict[int, TestResult] = {}
        assert self.candidate is not None
        if tests:
            async for result in run_tests(self.candidate, tests, self.limits, self.checker, slots=self.slots):
                self.meter.cpu_ms += result.cpu_ms
                results[order[result.index]] = result
        return [(i, results.get(i)) for i in order]

    def _remember(self, trial: Trial) -> Trial:
        self._known[digest(trial.input)] = trial.status
        return trial

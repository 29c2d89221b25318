"""The contract of the counterexample search.

The service (worker job, routes, storage) calls ``find_counterexample`` and never looks
inside; the search owns generating, judging and shrinking. Inputs and outputs are text
(generators print text); what the search returns is always an input the validator (if
any) accepts and the reference solves.

    outcome = await find_counterexample(
        setup, reference, candidate,
        limits=problem_limits, checker=problem_checker, budget=settings_budget,
        on_progress=publish_progress,
    )

How it searches and shrinks: ``search`` (and docs/counterexample.md, "The search").
"Smallest" means smallest by (generator size, length of the input text).
"""

from __future__ import annotations

import asyncio

from algoitny.executor import Checker, Limits, TestResult, Verdict, get_runtime

from .models import (
    Budget,
    Counterexample,
    Program,
    Progress,
    ProgressCallback,
    SearchOutcome,
    StressSetup,
)
from .search import BrokenSetup, Found, OutOfBudget, Search
from .trials import GENERATOR_LIMITS, Lab, Meter

__all__ = [
    "Budget",
    "Counterexample",
    "Program",
    "Progress",
    "ProgressCallback",
    "SearchOutcome",
    "StressSetup",
    "find_counterexample",
]

_MESSAGE_CHARS = 2000


async def find_counterexample(
    setup: StressSetup,
    reference: Program,
    candidate: Program,
    *,
    limits: Limits,
    checker: Checker,
    budget: Budget,
    on_progress: ProgressCallback | None = None,
    seeds_per_size: int = 4,
    rounds: int = 3,
    extra_seeds: int = 4,
    progress_interval_s: float = 0.5,
    generator_limits: Limits = GENERATOR_LIMITS,
) -> SearchOutcome:
    """Search sizes from the smallest up, several seeds each; then shrink the first hit.

    ``seeds_per_size`` seeds per size while searching (``rounds`` times over the sizes,
    new seeds each round, until something fails), ``extra_seeds`` more at each
    smaller size once something failed; ``on_progress`` is awaited at most once per
    ``progress_interval_s`` (an exception it raises ends the search). Compiling counts
    against the wall budget, not the runs. Raises only what the executor raises for a
    broken host (``SandboxUnavailable``) or checker (``UnknownChecker``…).
    """
    if seeds_per_size < 1 or rounds < 1 or extra_seeds < 0:
        raise ValueError("seeds_per_size and rounds must be at least 1, extra_seeds at least 0")
    if not 0 <= setup.size_min <= setup.size_max:
        return SearchOutcome(None, 0, 0, False, error=f"bad size range {setup.size_min}..{setup.size_max}")
    meter = Meter(budget)
    runtime = await asyncio.to_thread(get_runtime)
    lab = Lab(
        limits=limits,
        checker=checker,
        meter=meter,
        slots=max(1, runtime.config.slots),
        generator_limits=generator_limits,
    )
    search = Search(
        lab,
        setup,
        seeds_per_size=seeds_per_size,
        rounds=rounds,
        extra_seeds=extra_seeds,
        on_progress=on_progress,
        progress_interval_s=progress_interval_s,
    )
    deadline = asyncio.timeout_at(asyncio.get_running_loop().time() + budget.wall_seconds)
    exhausted = False
    error = candidate_error = None
    compile_ms = 0
    try:
        try:
            async with deadline:
                failed = await lab.open(setup, reference, candidate)
                compile_ms = meter.elapsed_ms
                if failed is None:
                    await search.run()
                else:
                    role, error = failed
                    candidate_error = error if role == "candidate" else None
        except TimeoutError:
            if not deadline.expired():
                raise
            exhausted = True
        except OutOfBudget:
            exhausted = True
        except BrokenSetup as exc:
            error = str(exc)
    finally:
        await lab.close()
    return SearchOutcome(
        counterexample=_counterexample(search.best),
        tries=meter.runs,
        elapsed_ms=meter.elapsed_ms,
        exhausted=exhausted,
        error=error,
        candidate_error=candidate_error,
        first_hit_ms=search.first_hit.elapsed_ms if search.first_hit else None,
        first_hit_tries=search.first_hit.tries if search.first_hit else None,
        compile_ms=compile_ms,
    )


def _counterexample(found: Found | None) -> Counterexample | None:
    if found is None:
        return None
    result = found.trial.result
    assert result is not None
    return Counterexample(
        input=found.trial.input.decode("utf-8", errors="replace"),
        expected=found.trial.expected.decode("utf-8", errors="replace"),
        output=result.stdout.decode("utf-8", errors="replace"),
        verdict=result.verdict,
        checker_message=_message(result),
        size=found.size,
        tries=found.tries,
        elapsed_ms=found.elapsed_ms,
    )


def _message(result: TestResult) -> str:
    """The checker's message for WA; for a failed run, how it ended (and its stderr's tail)."""
    if result.verdict is Verdict.WA:
        return result.checker_message[:_MESSAGE_CHARS]
    if result.verdict is Verdict.RE:
        how = f"killed by {result.signal}" if result.signal else f"exit code {result.exit_code}"
        tail = result.stderr_excerpt.strip()[-_MESSAGE_CHARS:]
        return f"{how}\n{tail}".strip()
    return {
        Verdict.TLE: f"time limit exceeded ({result.cpu_ms} ms CPU)",
        Verdict.MLE: "memory limit exceeded",
        Verdict.OLE: "output limit exceeded",
    }.get(result.verdict, result.checker_message[:_MESSAGE_CHARS])

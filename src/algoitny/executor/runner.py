"""Run every test of a compiled submission, in parallel up to ``slots``, yielding each
result as soon as it is known.

Results come out in completion order (each carries its ``index``). Closing the
iterator early (``aclose()``, ``break`` in ``async for``) cancels the tests still
running; their sandboxes are killed and their slots returned.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterable

from .checkers import get_checker
from .compiler import CompileResult
from .custom_checker import CustomChecker
from .execution import execute, run_verdict
from .models import Checker, Limits, TestCase, TestResult, excerpt
from .runtime import get_runtime
from .verdicts import Verdict

_THREAD_CHECK_BYTES = 1 << 20  # check big outputs in a thread, off the event loop


async def run_tests(
    compiled: CompileResult,
    tests: Iterable[TestCase],
    limits: Limits,
    checker: Checker | None = None,
    slots: int | None = None,
) -> AsyncIterator[TestResult]:
    checker = checker or Checker()
    parallel = max(1, slots or get_runtime().config.slots)
    custom = await CustomChecker.build(checker) if checker.is_custom else None
    builtin = None if custom else get_checker(checker.name)
    args = dict(checker.args)

    async def judge(index: int, test: TestCase) -> TestResult:
        outcome = await execute(compiled, test.input, limits)
        verdict = run_verdict(outcome, compiled.language, limits)
        message = outcome.internal_error or ""
        if verdict is None:
            if custom is not None:
                verdict, message = await custom.check(test.input, outcome.stdout, test.expected)
            else:
                size = len(outcome.stdout) + len(test.expected)
                call = (builtin, test.input, outcome.stdout, test.expected, args)
                result = await asyncio.to_thread(*call) if size > _THREAD_CHECK_BYTES else call[0](*call[1:])
                verdict = Verdict.AC if result.ok else Verdict.WA
                message = result.message
        return TestResult(
            index=index,
            name=test.name,
            verdict=verdict,
            cpu_ms=outcome.cpu_ms,
            wall_ms=outcome.wall_ms,
            memory_kb=outcome.memory_kb,
            exit_code=outcome.exit_code,
            signal=outcome.signal,
            stdout=outcome.stdout,
            stdout_excerpt=excerpt(outcome.stdout),
            stderr_excerpt=excerpt(outcome.stderr),
            checker_message=message,
        )

    queue = iter(enumerate(tests))
    running: set[asyncio.Task[TestResult]] = set()

    def refill() -> None:
        while len(running) < parallel:
            item = next(queue, None)
            if item is None:
                return
            running.add(asyncio.ensure_future(judge(*item)))

    try:
        refill()
        while running:
            done, _ = await asyncio.wait(running, return_when=asyncio.FIRST_COMPLETED)
            for task in sorted(done, key=lambda t: id(t)):
                running.discard(task)
                yield task.result()
            refill()
    finally:
        for task in running:
            task.cancel()
        if running:
            await asyncio.gather(*running, return_exceptions=True)
        if custom is not None:
            await custom.cleanup()

"""Run every test of a compiled submission, in parallel up to ``slots``, yielding each
result as soon as it is known.

Results come out in completion order (each carries its ``index``). Closing the
iterator early (``aclose()``, ``break`` in ``async for``) cancels the tests still
running; their sandboxes are killed and their slots returned.

With a built-in checker a test's output cap follows its answer: ``output_cap``. Each
output is spooled (``output.Output``), checked by streaming, and closed as soon as the
test is judged: a result keeps only a bounded head of it.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import AsyncIterator, Iterable

from .checkers import canonical_name, check_options, get_checker
from .compiler import CompileResult
from .custom_checker import CustomChecker
from .errors import BadCheckerOption
from .execution import execute, run_verdict
from .models import EXCERPT_BYTES, MIB, OUTPUT_HEAD_BYTES, Checker, Limits, TestCase, TestResult, excerpt
from .runtime import get_runtime
from .verdicts import Verdict

_THREAD_CHECK_BYTES = 1 << 20  # check big outputs in a thread, off the event loop
_FOLLOWS_ANSWER = frozenset({"exact", "lines", "tokens", "unordered"})


def output_cap(limits: Limits, checker_name: str, answer: bytes) -> int:
    """The stdout cap of one test: ``min(limits.output_bytes, 2 × answer + 1 MiB)`` for the
    checkers whose accepted outputs are about the answer's size. ``float`` (an answer's
    ``0`` may be printed ``0.000000000``) and custom checkers (whose answer file may be
    anything) keep ``limits.output_bytes``."""
    if checker_name not in _FOLLOWS_ANSWER:
        return limits.output_bytes
    return min(limits.output_bytes, 2 * len(answer) + MIB)


def validate(checker: Checker) -> str:
    """The canonical built-in name; raises ``UnknownChecker``/``BadCheckerOption``."""
    if checker.is_custom:
        if checker.args:
            raise BadCheckerOption(
                f"a custom checker takes no options (got {', '.join(sorted(checker.args))})"
            )
        return "custom"
    check_options(checker.name, checker.args)
    return canonical_name(checker.name)


async def run_tests(
    compiled: CompileResult,
    tests: Iterable[TestCase],
    limits: Limits,
    checker: Checker | None = None,
    slots: int | None = None,
) -> AsyncIterator[TestResult]:
    checker = checker or Checker()
    name = validate(checker)
    parallel = max(1, slots or get_runtime().config.slots)
    custom = await CustomChecker.build(checker) if checker.is_custom else None
    builtin = None if custom else get_checker(checker.name)
    args = dict(checker.args)

    async def judge(index: int, test: TestCase) -> TestResult:
        cap = output_cap(limits, name, test.expected)
        run_limits = limits if cap == limits.output_bytes else dataclasses.replace(limits, output_bytes=cap)
        outcome = await execute(compiled, test.input, run_limits)
        release = True  # False while a checker thread reads the output: it is freed when that ends
        try:
            verdict = run_verdict(outcome, compiled.language, run_limits)
            message = outcome.internal_error or ""
            difference = None
            if verdict is None:
                if custom is not None:
                    verdict, message = await custom.check(test.input, outcome.stdout, test.expected)
                else:
                    assert builtin is not None
                    call = (test.input, outcome.stdout, test.expected, args)
                    if len(outcome.stdout) + len(test.expected) > _THREAD_CHECK_BYTES:
                        release = False
                        result = await asyncio.to_thread(builtin, *call)
                        release = True
                    else:
                        result = builtin(*call)
                    verdict = Verdict.AC if result.ok else Verdict.WA
                    message, difference = result.message, result.difference
            head = outcome.stdout[: EXCERPT_BYTES if verdict is Verdict.AC else OUTPUT_HEAD_BYTES]
            size = len(outcome.stdout)
        finally:
            if release:
                outcome.stdout.close()  # the whole output is never kept past its check
        return TestResult(
            index=index,
            name=test.name,
            verdict=verdict,
            cpu_ms=outcome.cpu_ms,
            wall_ms=outcome.wall_ms,
            memory_kb=outcome.memory_kb,
            exit_code=outcome.exit_code,
            signal=outcome.signal,
            stdout=head,
            stdout_size=size,
            stdout_excerpt=excerpt(head, total=size),
            stderr_excerpt=excerpt(outcome.stderr),
            checker_message=message,
            first_difference=difference,
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

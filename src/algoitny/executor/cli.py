"""``algoitny judge``: judge a source file against a directory of tests, or self-test.

Exit status: 0 when judging happened (whatever the verdicts) or the self-test passed;
1 when the self-test found a broken language; 2 for bad arguments; 3 when the sandbox
cannot run on this host (the message says why).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import sys
from collections import Counter
from pathlib import Path

from .checkers import check_options
from .compiler import compile_source
from .errors import BadCheckerOption, ExecutorError, SandboxUnavailable, UnknownChecker
from .models import Checker, Limits, TestCase
from .runner import run_tests
from .runtime import get_runtime
from .selftest import REQUIRED, self_test
from .verdicts import Verdict


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="algoitny judge", description=__doc__.split("\n")[0])
    p.add_argument("--self-test", action="store_true", help="compile and run every language")
    p.add_argument("--language", help="python, c, cpp, java, javascript, go, rust (or an alias)")
    p.add_argument("--source", type=Path, help="the solution's source file")
    p.add_argument("--tests", type=Path, help="directory of NAME.in + NAME.out (or .ans) pairs")
    p.add_argument("--time-limit", type=float, default=2.0, metavar="SEC", help="CPU seconds per test")
    p.add_argument("--memory-limit", type=int, default=256, metavar="MB")
    p.add_argument("--checker", help="exact, lines (default), tokens, float, unordered")
    p.add_argument(
        "--checker-arg",
        action="append",
        default=[],
        metavar="K=V",
        help="checker option (repeatable); float takes abs=, rel=, eps= and precision=N (error <= 10^-N)",
    )
    p.add_argument("--checker-source", type=Path, help="custom testlib-style checker source")
    p.add_argument("--checker-language", default="cpp")
    p.add_argument(
        "--checker-include",
        action="append",
        default=[],
        type=Path,
        metavar="FILE",
        help='a header the checker includes (repeatable); #include "X" files '
        "next to the checker source (testlib.h) are added by themselves",
    )
    p.add_argument("--jobs", type=int, default=None, help="tests run in parallel (default: CPUs)")
    p.add_argument("--json", action="store_true", help="one JSON object per line")
    return p


def _natural(name: str) -> list:
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", name)]


def load_tests(directory: Path) -> list[TestCase]:
    tests = []
    for inp in sorted(directory.glob("*.in"), key=lambda p: _natural(p.stem)):
        answer = next((p for p in (inp.with_suffix(".out"), inp.with_suffix(".ans")) if p.exists()), None)
        if answer is not None:
            tests.append(TestCase(inp.stem, inp.read_bytes(), answer.read_bytes()))
    return tests


def checker_includes(checker: Path, source: bytes, explicit: list[Path]) -> dict[str, bytes]:
    """Headers for the checker's box: the explicit ones, and every ``#include "X"`` found
    beside the checker source (a Polygon package keeps testlib.h next to checker.cpp)."""
    names = re.findall(rb'^\s*#\s*include\s*"([A-Za-z0-9_.+-]+)"', source, re.M)
    found = [checker.parent / n.decode() for n in names]
    return {p.name: p.read_bytes() for p in [*found, *explicit] if p.is_file()}


def _checker(args: argparse.Namespace, parser: argparse.ArgumentParser) -> Checker:
    """The checker the arguments ask for; a name or option we do not know exits 2 naming
    what is accepted (never silently ignored)."""
    options: dict[str, str] = {}
    for item in args.checker_arg:
        key, sep, value = item.partition("=")
        if not sep or not key:
            parser.error(f"--checker-arg expects K=V, got {item!r}")
        if key in options:
            parser.error(f"--checker-arg {key} given twice")
        options[key] = value
    if args.checker_source:
        if args.checker is not None or options:
            parser.error("--checker-source takes neither --checker nor --checker-arg")
        source = args.checker_source.read_bytes()
        return Checker(
            source=source,
            language=args.checker_language,
            files=checker_includes(args.checker_source, source, args.checker_include),
        )
    name = args.checker or "lines"
    try:
        check_options(name, options)
    except (UnknownChecker, BadCheckerOption) as exc:
        parser.error(str(exc))
    return Checker(name=name, args=options)


async def _judge(args: argparse.Namespace, checker: Checker, tests: list[TestCase]) -> int:
    out = sys.stdout
    compiled = await compile_source(args.language, args.source.read_bytes())
    if not compiled.ok:
        verdict = compiled.verdict or Verdict.CE
        if args.json:
            print(json.dumps({"compile": {"verdict": verdict.value, "message": compiled.message}}), file=out)
            print(
                json.dumps({"summary": {"verdict": verdict.value, "passed": 0, "total": len(tests)}}),
                file=out,
            )
        else:
            print(f"{verdict.value}: compilation failed\n{compiled.message}", file=out)
        await get_runtime().idle()  # the compile's cgroup removal, before asyncio.run cancels it
        return 0
    limits = Limits(time_limit_s=args.time_limit, memory_mb=args.memory_limit)
    results = []
    async with compiled:
        async for result in run_tests(compiled, tests, limits, checker, slots=args.jobs):
            results.append(result)
            if args.json:
                print(json.dumps(result.to_json()), file=out, flush=True)
            else:
                print(
                    f"{result.name:>12}  {result.verdict.value:<3}  {result.cpu_ms:>6} ms  "
                    f"{result.memory_kb:>8} KB  {result.checker_message}",
                    file=out,
                    flush=True,
                )
    results.sort(key=lambda r: r.index)
    first_failure = next((r for r in results if r.verdict is not Verdict.AC), None)
    summary = {
        "verdict": (first_failure.verdict if first_failure else Verdict.AC).value,
        "passed": sum(r.verdict is Verdict.AC for r in results),
        "total": len(results),
        "counts": dict(Counter(r.verdict.value for r in results)),
        "max_cpu_ms": max((r.cpu_ms for r in results), default=0),
        "max_memory_kb": max((r.memory_kb for r in results), default=0),
        "compile_ms": compiled.wall_ms,
    }
    if first_failure:
        summary["first_failed_test"] = first_failure.name
    print(
        json.dumps({"summary": summary})
        if args.json
        else f"{summary['verdict']}: {summary['passed']}/{summary['total']} passed",
        file=out,
    )
    await get_runtime().idle()
    return 0


async def _self_test(as_json: bool) -> int:
    results = await self_test()
    for r in results:
        if as_json:
            print(json.dumps(r.to_json()))
        else:
            state = "available" if r.available else "unavailable"
            print(f"{r.id:<11} {r.name:<22} {state:<12} {r.path:<6} {r.detail}")
    broken = [r.id for r in results if r.id in REQUIRED and not r.ok]
    return 1 if broken else 0


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        if args.self_test:
            return asyncio.run(_self_test(args.json))
        missing = [f"--{n}" for n in ("language", "source", "tests") if getattr(args, n) is None]
        if missing:
            parser.error("missing " + ", ".join(missing) + " (or use --self-test)")
        if not args.source.is_file():
            parser.error(f"--source {args.source} is not a file")
        if not args.tests.is_dir():
            parser.error(f"--tests {args.tests} is not a directory")
        checker = _checker(args, parser)
        tests = load_tests(args.tests)
        if not tests:
            parser.error(f"--tests {args.tests} holds no NAME.in + NAME.out/.ans pairs")
        return asyncio.run(_judge(args, checker, tests))
    except BrokenPipeError:  # the reader went away (`| head`): no traceback
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except SandboxUnavailable as exc:
        print(f"algoitny judge: the sandbox cannot run here: {exc}", file=sys.stderr)
        return 3
    except ExecutorError as exc:
        print(f"algoitny judge: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

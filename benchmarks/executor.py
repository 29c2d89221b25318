"""Executor overhead, side by side: the same a+b program run bare and sandboxed.

    .venv/bin/python benchmarks/executor.py [--tests 200]

For C and for Python: the median time per test when run as a plain subprocess
("bare") and through the executor (sandbox + cgroup + seccomp + checker), one test
at a time, on the warm path (C: a warm box; Python: a fork of the submission's zygote
in one) and on the cold path (a new bwrap per run), one right after the other. Then
sandboxed tests per second with as many slots as CPUs, both ways. The last line is one JSON object; targets
(issue 14): c_overhead_ms <= 2, python_ratio <= 1.0, c_tests_per_s >= 600 (2 cores);
the ``_cold`` figures beside them. Only ratios measured in the same run mean anything
on a shared host (``load_1m`` in the JSON says how quiet it was): on 2 cores a busy
neighbour doubles the sandboxed times.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import time

from algoitny.executor import Limits, TestCase, compile_source, get_runtime, run_tests
from algoitny.executor.languages import get_language

SOURCES = {
    "c": '#include <stdio.h>\nint main(void){long a,b;if(scanf("%ld %ld",&a,&b)!=2)return 1;'
    'printf("%ld\\n",a+b);return 0;}\n',
    "python": "import sys\na, b = map(int, sys.stdin.read().split())\nprint(a + b)\n",
}


def make_tests(n: int) -> list[TestCase]:
    return [TestCase(str(i), f"{i} {i * 7}\n".encode(), f"{i * 8}\n".encode()) for i in range(n)]


async def bare(argv: list[str], tests: list[TestCase]) -> list[float]:
    times = []
    for test in tests:
        started = time.perf_counter()
        proc = await asyncio.create_subprocess_exec(
            *argv,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            env={"PATH": "/usr/bin:/bin"},
        )
        out, _ = await proc.communicate(test.input)
        times.append(time.perf_counter() - started)
        assert out == test.expected, (out, test.expected)
    return times


async def sandboxed(compiled, tests: list[TestCase], slots: int) -> tuple[list[float], float]:
    """Per-test times (one slot: time between consecutive results) and the total."""
    times = []
    started = last = time.perf_counter()
    async for result in run_tests(compiled, tests, Limits(time_limit_s=2), slots=slots):
        now = time.perf_counter()
        times.append(now - last)
        last = now
        assert result.verdict.value == "AC", result
    return times, time.perf_counter() - started


def bare_argv(language_id: str, compiled) -> list[str]:
    argv = get_language(language_id).run_argv(compiled.entry, Limits())
    return [a.replace("/prog", str(compiled.artifact_dir)) for a in argv]


async def main(n: int) -> dict:
    runtime = get_runtime()
    cores = os.cpu_count() or 1
    tests = make_tests(n)
    paths = ("warm", "cold") if runtime.warm is not None else ("cold",)
    figures: dict[str, float] = {}

    def use(path: str) -> None:
        runtime.use_warm = path == "warm"

    for language_id in ("c", "python"):
        language = get_language(language_id)
        forked = language.zygote and runtime.warm is not None and runtime.warm.hook is not None
        lang_paths = paths if language.warm or forked else ("cold",)
        async with await compile_source(language_id, SOURCES[language_id]) as compiled:
            assert compiled.ok, compiled.message
            await bare(bare_argv(language_id, compiled), tests[:10])  # warm caches
            for path in lang_paths:
                use(path)
                await sandboxed(compiled, tests[:10], 1)
            bare_ms = statistics.median(await bare(bare_argv(language_id, compiled), tests)) * 1000
            figures[f"{language_id}_bare_ms"] = round(bare_ms, 2)
            for path in lang_paths:  # side by side: the same tests, one path right after the other
                use(path)
                boxed_ms = statistics.median((await sandboxed(compiled, tests, 1))[0]) * 1000
                figures[f"{language_id}_{path}_ms"] = round(boxed_ms, 2)
                print(
                    f"{language_id:<7} {path}  bare {bare_ms:7.2f} ms   sandboxed {boxed_ms:7.2f} ms   "
                    f"overhead {boxed_ms - bare_ms:6.2f} ms   ratio {boxed_ms / bare_ms:5.2f}"
                )
            for path in lang_paths:
                use(path)
                _, total = await sandboxed(compiled, tests, cores)
                figures[f"{language_id}_{path}_tests_per_s"] = round(n / total, 1)
                print(
                    f"{language_id:<7} {path}  {n} tests with {cores} slots: {total:.2f} s, "
                    f"{n / total:.1f} tests/s"
                )
    use(paths[0])
    await runtime.idle()
    best = paths[0]
    python_best = "warm" if "python_warm_ms" in figures else "cold"
    result: dict = {
        "c_overhead_ms": round(figures[f"c_{best}_ms"] - figures["c_bare_ms"], 2),
        "c_overhead_ms_cold": round(figures["c_cold_ms"] - figures["c_bare_ms"], 2),
        "python_ratio": round(figures[f"python_{python_best}_ms"] / figures["python_bare_ms"], 3),
        "python_ratio_cold": round(figures["python_cold_ms"] / figures["python_bare_ms"], 3),
        "python_path": "zygote" if python_best == "warm" else "cold",
        "c_tests_per_s": figures[f"c_{best}_tests_per_s"],
        "c_tests_per_s_cold": figures["c_cold_tests_per_s"],
        "path": best,
        "path_reason": runtime.warm_reason,
        "warm_boxes_started": runtime.warm.started if runtime.warm is not None else 0,
        **figures,
        "tests": n,
        "slots": cores,
        "load_1m": round(os.getloadavg()[0], 2),  # other work on the host skews every figure
        "cgroups": runtime.cgroups.version,
    }
    return result


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tests", type=int, default=200)
    result = asyncio.run(main(parser.parse_args().tests))
    print(json.dumps(result))

"""The counterexample finder on buggy solutions whose smallest failing size is known.

    .venv/bin/python benchmarks/counterexample.py [--only NAME] [--runs 3000] [--wall 60]

For every bug of every problem in ``stress_cases`` (5 problems, 20 bugs, in Python, C++,
Java, C and JavaScript): one search with the problem's generator, validator, reference,
limits and checker, one at a time. Each case prints a line on stderr; the last line on
stdout is one JSON object:

- ``found_rate``: share of bugs for which a counterexample was found;
- ``size_ratio_median`` / ``_max``: the counterexample's size (the problem's ``size_of``
  the input shown, after shrinking) over the smallest known failing size;
- ``time_to_find_median_s``: from the call to the first failing input (compiling the four
  programs included); ``total_median_s``: until the search ended (shrinking included);
- ``runs_to_find_median`` / ``runs_total_median``: sandbox runs until the first failing
  input / until the end (figures the host's load does not change);
- ``compile_median_s``: compiling the four programs (at once), part of the time to find;
  ``find_after_compile_median_s``: the time to find without it (the search's own part);
- ``runs_per_s``: sandbox runs per second of searching (all cases, compiling excluded).

Targets: found >= 0.95, median size ratio <= 1.5, median time to find <= 3 s. The host is
shared: ``load_1m`` says how busy it was.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import time

from algoitny.executor import get_runtime
from algoitny.stress.engine import Budget, Program, StressSetup, find_counterexample
from stress_cases import PROBLEMS


async def main(only: str | None, budget: Budget) -> dict:
    await asyncio.to_thread(get_runtime)
    ratios: list[float] = []
    to_find: list[float] = []
    runs_to_find: list[int] = []
    after_compile: list[float] = []
    runs_total: list[int] = []
    compiles: list[float] = []
    totals: list[float] = []
    runs = 0
    search_s = 0.0
    cases = found = 0
    languages: set[str] = set()
    for problem in PROBLEMS:
        setup = StressSetup(problem.generator, problem.validator, problem.size_min, problem.size_max)
        for bug in problem.bugs:
            name = f"{problem.name}/{bug.name}"
            if only and only not in name:
                continue
            cases += 1
            languages.add(bug.language)
            started = time.monotonic()
            outcome = await find_counterexample(
                setup,
                Program("python", problem.reference),
                Program(bug.language, bug.code),
                limits=problem.limits,
                checker=problem.checker,
                budget=budget,
            )
            wall = time.monotonic() - started
            runs += outcome.tries
            compiles.append(outcome.compile_ms / 1000)
            search_s += max(0.0, wall - outcome.compile_ms / 1000)
            line: dict = {
                "case": name,
                "language": bug.language,
                "smallest": bug.smallest,
                "tries": outcome.tries,
            }
            line |= {
                "total_s": round(wall, 2),
                "compile_s": outcome.compile_ms / 1000,
                "error": outcome.error,
            }
            example = outcome.counterexample
            if example is not None and outcome.first_hit_ms is not None:
                found += 1
                size = problem.size_of(example.input)
                ratios.append(size / bug.smallest)
                to_find.append(outcome.first_hit_ms / 1000)
                after_compile.append((outcome.first_hit_ms - outcome.compile_ms) / 1000)
                runs_to_find.append(outcome.first_hit_tries or 0)
                runs_total.append(outcome.tries)
                totals.append(wall)
                line |= {"size": size, "verdict": str(example.verdict), "input": example.input[:80]}
                line |= {
                    "time_to_find_s": outcome.first_hit_ms / 1000,
                    "runs_to_find": outcome.first_hit_tries,
                }
                line |= {"exhausted": outcome.exhausted}
            print(json.dumps(line), file=sys.stderr, flush=True)
    return {
        "cases": cases,
        "languages": sorted(languages),
        "found_rate": round(found / cases, 3) if cases else None,
        "size_ratio_median": round(statistics.median(ratios), 2) if ratios else None,
        "size_ratio_max": round(max(ratios), 2) if ratios else None,
        "time_to_find_median_s": round(statistics.median(to_find), 2) if to_find else None,
        "time_to_find_max_s": round(max(to_find), 2) if to_find else None,
        "find_after_compile_median_s": round(statistics.median(after_compile), 2) if after_compile else None,
        "total_median_s": round(statistics.median(totals), 2) if totals else None,
        "runs_to_find_median": statistics.median(runs_to_find) if runs_to_find else None,
        "runs_total_median": statistics.median(runs_total) if runs_total else None,
        "compile_median_s": round(statistics.median(compiles), 2) if compiles else None,
        "runs_per_s": round(runs / search_s, 1) if search_s else None,
        "slots": get_runtime().config.slots,
        "load_1m": round(os.getloadavg()[0], 2),
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--only", help="run the cases whose name contains this")
    parser.add_argument("--runs", type=int, default=3000, help="run budget per search")
    parser.add_argument("--cpu", type=float, default=300, help="CPU seconds per search")
    parser.add_argument("--wall", type=float, default=60, help="wall seconds per search")
    args = parser.parse_args()
    result = asyncio.run(
        main(args.only, Budget(runs=args.runs, cpu_seconds=args.cpu, wall_seconds=args.wall))
    )
    print(json.dumps(result))

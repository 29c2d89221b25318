"""The judging process's own memory while every test prints 60 MiB.

    .venv/bin/python benchmarks/checker_memory.py [--mib 60] [--tests 4] [--uid-base 64200]

A C program prints ``--mib`` MiB per test and the answer is as big, judged with two
slots. Each scenario runs in a fresh subprocess, so nothing measured before counts; its
figure is the peak RSS of that process (``ru_maxrss``), which includes the answer itself
(``--mib`` MiB held once, shared by every test). Scenarios:

- ``lines_same``: the default checker, output identical to the answer;
- ``lines_spaces``: output lines end in a tab where the answer's end in a space (same
  size, accepted only after the line-by-line comparison);
- ``tokens_layout``: the tokens checker, pairs on one line against one token per line.

The last line is one JSON object; target: ``peak_rss_mb`` < 200.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import subprocess
import sys
import tempfile
from pathlib import Path

# Prints n records of 9 bytes: "%07d<sep>\n", or with sep 'p' two numbers a line.
PRINTER = r"""
#include <stdio.h>
#include <stdlib.h>
int main(int argc, char **argv) {
    long n; char sep = argc > 1 ? argv[1][0] : ' ';
    if (scanf("%ld", &n) != 1) return 1;
    static char buf[1 << 16];
    setvbuf(stdout, buf, _IOFBF, sizeof buf);
    for (long i = 0; i < n; i++) {
        if (sep == 'p') printf(i % 2 ? "%07ld \n" : "%07ld  ", i);
        else printf("%07ld%c\n", i, sep);
    }
    return 0;
}
"""
LINE = 9
SCENARIOS = {
    # name: (checker, what the program prints, what the answer holds)
    "lines_same": ("lines", " ", " "),
    "lines_spaces": ("lines", "\t", " "),
    "tokens_layout": ("tokens", "p", "n"),
}


def answer_bytes(records: int, kind: str) -> bytes:
    end = "\n\n" if kind == "n" else kind + "\n"
    out = bytearray()
    for start in range(0, records, 100_000):
        out += "".join(f"{i:07d}{end}" for i in range(start, min(records, start + 100_000))).encode()
    return bytes(out)


async def child(args: argparse.Namespace, answer: bytes) -> dict:
    from algoitny.executor import Checker, Limits, TestCase, compile_source, run_tests

    checker, printed, _ = SCENARIOS[args.scenarios[0]]
    lines = len(answer) // LINE
    source = PRINTER.replace("argc > 1 ? argv[1][0] : ' '", repr(printed))
    verdicts = []
    async with await compile_source("c", source) as compiled:
        assert compiled.ok, compiled.message
        tests = (TestCase(str(i), f"{lines}\n".encode(), answer) for i in range(args.tests))
        limits = Limits(time_limit_s=10, memory_mb=64, wall_time_s=60)
        async for result in run_tests(compiled, tests, limits, Checker(name=checker), slots=2):
            verdicts.append(f"{result.verdict.value} {result.checker_message}"[:80])
    return {
        "scenario": args.scenarios[0],
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "verdicts": sorted(set(verdicts)),
    }


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--mib", type=int, default=60)
    p.add_argument("--tests", type=int, default=4)
    p.add_argument("--uid-base", type=int, default=64200)
    p.add_argument("--scenario", choices=list(SCENARIOS), action="append", dest="scenarios")
    p.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--answer", help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.child:
        print(json.dumps(asyncio.run(child(args, Path(args.answer).read_bytes()))))
        return
    root = Path(tempfile.mkdtemp(prefix="algoitny-checker-memory-"))
    os.chmod(root, 0o711)
    env = {
        **os.environ,
        "ALGOITNY_EXECUTOR_BOX_ROOT": str(root / "boxes"),
        "ALGOITNY_EXECUTOR_LOCK_DIR": str(root / "locks"),
        "ALGOITNY_EXECUTOR_UID_BASE": str(args.uid_base),
        "ALGOITNY_EXECUTOR_UID_COUNT": "4",
        "ALGOITNY_EXECUTOR_SLOTS": "2",
    }
    lines = args.mib * 1024 * 1024 // LINE
    figures = {}
    for name in args.scenarios or list(SCENARIOS):
        answer = root / f"{name}.ans"
        answer.write_bytes(answer_bytes(lines, SCENARIOS[name][2]))
        argv = [sys.executable, __file__, "--child", "--scenario", name, "--answer", str(answer)]
        argv += ["--tests", str(args.tests)]
        done = subprocess.run(argv, env=env, capture_output=True, text=True, check=False)
        answer.unlink()
        if done.returncode != 0:
            sys.exit(f"{name} failed:\n{done.stderr[-3000:]}")
        figures[name] = json.loads(done.stdout.splitlines()[-1])
        print(json.dumps(figures[name]), flush=True)
    subprocess.run(["rm", "-rf", str(root)], check=False)
    peak = max(f["peak_rss_mb"] for f in figures.values())
    summary = {"peak_rss_mb": peak, "mib_per_test": args.mib, "tests": args.tests, "slots": 2}
    summary |= {f"{name}_rss_mb": f["peak_rss_mb"] for name, f in figures.items()}
    print(json.dumps(summary))


if __name__ == "__main__":
    main()

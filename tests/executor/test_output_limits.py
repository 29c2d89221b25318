"""Outputs in the real sandbox: the cap follows the answer, results keep only a bounded
head, judging a big output does not grow the worker's heap, and checker names and
options are checked before anything runs (executor and CLI)."""

from __future__ import annotations

import asyncio
import json
import os

import pytest

from algoitny.executor import Checker, Limits, TestCase, TestResult, Verdict, compile_source, run_tests
from algoitny.executor.cli import main
from algoitny.executor.errors import BadCheckerOption, UnknownChecker
from algoitny.executor.models import EXCERPT_BYTES, MIB, OUTPUT_HEAD_BYTES
from algoitny.executor.runner import output_cap

# Prints a count of bytes given on stdin ('7' then newlines every 100 bytes).
PRINT_C = r"""
#include <stdio.h>
int main(void) {
    long n; if (scanf("%ld", &n) != 1) return 1;
    for (long i = 1; i <= n; i++) putchar(i % 100 == 0 ? '\n' : '7');
    return 0;
}
"""


def _lines_of(n: int) -> bytes:
    """What PRINT_C prints for n."""
    return (b"7" * 99 + b"\n") * (n // 100) + b"7" * (n % 100)


def test_the_cap_is_twice_the_answer_plus_a_mib_for_checkers_that_follow_the_answer():
    limits = Limits(output_bytes=64 * MIB)
    assert output_cap(limits, "lines", b"x" * 10) == 2 * 10 + MIB
    assert output_cap(limits, "exact", b"x" * (40 * MIB)) == 64 * MIB  # never above the maximum
    assert output_cap(limits, "float", b"0") == 64 * MIB  # 0 may be printed 0.000000000
    assert output_cap(limits, "custom", b"") == 64 * MIB  # its answer file may be anything


async def test_output_beyond_twice_the_answer_is_ole_and_results_keep_a_bounded_head(runtime):
    big = 3 * MIB
    tests = [
        TestCase("fits", f"{big}\n".encode(), _lines_of(big)),  # cap 7 MiB: AC
        TestCase("wrong", f"{big}\n".encode(), _lines_of(big - 1) + b"8"),  # WA, failing head kept
        TestCase("flood", f"{big}\n".encode(), b"7" * 1000 + b"\n"),  # cap 1 MiB + 2 KB: OLE
    ]
    async with await compile_source("c", PRINT_C) as compiled:
        got = {r.name: r async for r in run_tests(compiled, tests, Limits(), Checker("lines"), slots=2)}
    assert got["fits"].verdict is Verdict.AC and len(got["fits"].stdout) == EXCERPT_BYTES
    assert got["fits"].stdout_size == big and got["fits"].stdout_truncated
    assert got["wrong"].verdict is Verdict.WA and "line 31458" in got["wrong"].checker_message
    assert got["wrong"].stdout == _lines_of(OUTPUT_HEAD_BYTES) and got["wrong"].stdout_size == big
    assert got["flood"].verdict is Verdict.OLE
    assert got["flood"].stdout_size == 2 * 1001 + MIB


async def test_the_float_checker_keeps_the_configured_cap(runtime):
    source = "import sys\nsys.stdout.write('0.000000000\\n' * 200_000)\n"  # 2.4 MB against '0\n' x 200k
    tests = [TestCase("zeros", b"", b"0\n" * 200_000)]
    async with await compile_source("python", source) as compiled:
        [result] = [r async for r in run_tests(compiled, tests, Limits(), Checker("float"))]
    assert result.verdict is Verdict.AC, result.checker_message


def _reset_peak_kb() -> int:
    """Resets VmHWM to the current RSS, and returns that."""
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")
    return _status_kb("VmRSS")


def _status_kb(field: str) -> int:
    with open("/proc/self/status") as f:
        return int(next(line for line in f if line.startswith(field + ":")).split()[1])


async def test_judging_a_40_mib_output_does_not_put_it_on_the_heap(runtime):
    """The output goes from the pipe into a memfd and is checked in chunks: the judging
    process's peak RSS grows by a few MB, not by the output (before: 2 copies + lists)."""
    size = 40 * MIB
    answer = _lines_of(size).replace(b"\n", b" ")  # the same tokens, not the same bytes
    tests = [TestCase("big", f"{size}\n".encode(), answer)]
    async with await compile_source("c", PRINT_C) as compiled:
        base = _reset_peak_kb()
        [result] = [r async for r in run_tests(compiled, tests, Limits(), Checker("tokens"))]
        growth_mb = (_status_kb("VmHWM") - base) / 1024
    assert result.verdict is Verdict.AC and result.stdout_size == size
    assert growth_mb < 24, f"judging a 40 MiB output added {growth_mb:.0f} MB to the peak RSS"


async def test_unknown_checkers_and_options_are_rejected_before_anything_runs(runtime):
    async with await compile_source("python", "print(1)\n") as compiled:
        tests = [TestCase("1", b"", b"1\n")]
        for checker, error in [
            (Checker("lines", args={"precision": "2"}), BadCheckerOption),
            (Checker("nope"), UnknownChecker),
            (Checker(source="int main(){}", language="cpp", args={"abs": "1"}), BadCheckerOption),
        ]:
            with pytest.raises(error) as caught:
                [r async for r in run_tests(compiled, tests, Limits(), checker)]
            assert isinstance(caught.value, ValueError)
        [result] = [
            r async for r in run_tests(compiled, tests, Limits(), Checker("float", {"precision": "3"}))
        ]
        assert result.verdict is Verdict.AC


@pytest.fixture
def float_problem(tmp_path):
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "1.in").write_text("")
    (tmp_path / "tests" / "1.out").write_text("0.333333\n")
    (tmp_path / "third.py").write_text("print('0.334')\n")
    return tmp_path


def _cli(problem, *extra: str) -> list[str]:
    return [
        "--language",
        "python",
        "--source",
        str(problem / "third.py"),
        "--tests",
        str(problem / "tests"),
        *extra,
    ]


async def test_cli_checker_arg_precision_has_an_effect(float_problem, capsys, runtime):
    verdicts = []
    for extra in ([], ["--checker-arg", "precision=2"]):
        code = await asyncio.to_thread(main, _cli(float_problem, "--checker", "float", "--json", *extra))
        assert code == 0
        verdicts.append(json.loads(capsys.readouterr().out.splitlines()[-1])["summary"]["verdict"])
    assert verdicts == ["WA", "AC"]


@pytest.mark.parametrize(
    "extra, message",
    [
        (["--checker", "lines", "--checker-arg", "precision=2"], "checker 'lines' has no option precision"),
        (["--checker", "float", "--checker-arg", "tol=1"], "it accepts abs, eps, precision, rel"),
        (["--checker", "float", "--checker-arg", "precision=two"], "an integer 0..30"),
        (["--checker", "diffs"], "unknown checker 'diffs' (known: exact, lines, tokens, float, unordered"),
        (["--checker-source", os.devnull, "--checker-arg", "a=1"], "takes neither --checker nor"),
    ],
)
def test_cli_rejects_unknown_checkers_and_options_with_exit_2(float_problem, capsys, extra, message):
    with pytest.raises(SystemExit) as caught:
        main(_cli(float_problem, *extra))
    err = capsys.readouterr().err
    assert caught.value.code == 2 and message in err and "Traceback" not in err


def test_the_service_stores_a_bounded_full_output_and_says_it_was_cut():
    from algoitny.domain import TestCase as StoredTestCase
    from algoitny.services.judge import FULL_OUTPUT_MAX, to_record

    result = TestResult(0, "0", Verdict.WA, 1, 1, 1, 0, None, b"7" * OUTPUT_HEAD_BYTES, "", "", "", 50 * MIB)
    stored = StoredTestCase("tc", "manual", 0, "1\n", "2\n")
    record = to_record(result, stored, detailed=True)
    assert record.output_truncated and len(record.full_output) == FULL_OUTPUT_MAX

"""run_tests / run_once / compile_source against the real sandbox."""

from __future__ import annotations

import asyncio

import pytest

from algoitny.executor import (
    BadArtifact,
    Checker,
    Limits,
    TestCase,
    Verdict,
    compile_source,
    run_once,
    run_tests,
)

from .conftest import leftover_cgroups, processes_of, slot_uids

AB_PY = "import sys\na, b = map(int, sys.stdin.read().split())\nprint(a + b)\n"
# Sleeps for a while when a is 0, so a test can close the iterator mid-run.
SLOW_PY = (
    "import sys, time\na, b = map(int, sys.stdin.read().split())\nif a == 0: time.sleep(30)\nprint(a + b)\n"
)
CHECKER_CPP = r"""
#include <fstream>
#include <iostream>
int main(int argc, char **argv) {
    if (argc != 4) return 3;
    std::ifstream in(argv[1]), out(argv[2]), ans(argv[3]);
    long long a, b, got, want;
    if (!(in >> a >> b) || !(ans >> want)) { std::cerr << "bad test"; return 3; }
    if (!(out >> got)) { std::cerr << "no number"; return 2; }
    if (got != want) { std::cerr << "expected " << want << ", found " << got; return 1; }
    std::cerr << "ok " << got; return 0;
}
"""


def ab_tests(n: int) -> list[TestCase]:
    return [TestCase(f"t{i}", f"{i} {i * 2}\n".encode(), f"{i * 3}\n".encode()) for i in range(1, n + 1)]


async def test_every_result_comes_out_once_with_its_index(runtime):
    async with await compile_source("python3", AB_PY) as compiled:
        results = [r async for r in run_tests(compiled, ab_tests(6), Limits(), slots=2)]
    assert sorted(r.index for r in results) == list(range(6))
    assert {r.verdict for r in results} == {Verdict.AC}
    assert all(r.stdout.endswith(b"\n") and r.wall_ms >= 0 for r in results)


async def test_wrong_answer_keeps_the_output_for_the_counterexample(runtime):
    tests = [TestCase("bad", b"1 2\n", b"4\n")]
    async with await compile_source("python", AB_PY) as compiled:
        [result] = [r async for r in run_tests(compiled, tests, Limits())]
    assert result.verdict is Verdict.WA
    assert result.stdout == b"3\n" and "expected '4'" in result.checker_message


async def test_closing_early_kills_running_tests_and_frees_slots(runtime):
    tests = [TestCase("slow0", b"0 0\n", b"0\n"), TestCase("slow1", b"0 1\n", b"1\n")] + ab_tests(4)
    async with await compile_source("python", SLOW_PY) as compiled:
        results = run_tests(compiled, tests, Limits(time_limit_s=30), slots=2)
        # Both slots are busy with sleepers; wait until their processes exist.
        task = asyncio.ensure_future(results.__anext__())
        for _ in range(200):
            if len(processes_of(slot_uids(runtime))) >= 2:
                break
            await asyncio.sleep(0.05)
        assert processes_of(slot_uids(runtime)), "the sleepers never started"
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        await results.aclose()
    await runtime.idle()
    assert processes_of(slot_uids(runtime)) == []
    assert leftover_cgroups(runtime) == []
    assert len(runtime.pool._free) == len(runtime.pool.slots)


async def test_custom_checker_accepts_rejects_and_fails(runtime):
    checker = Checker(source=CHECKER_CPP, language="cpp")
    tests = [
        TestCase("right", b"1 2\n", b"3\n"),
        TestCase("wrong", b"1 2\n", b"4\n"),
        TestCase("broken", b"oops\n", b"3\n"),
    ]
    source = (
        "import sys\nt = sys.stdin.read().split()\nprint(int(t[0]) + int(t[1]) if t[0] != 'oops' else 0)\n"
    )
    async with await compile_source("python", source) as compiled:
        results = {r.name: r async for r in run_tests(compiled, tests, Limits(), checker)}
    assert results["right"].verdict is Verdict.AC
    assert results["wrong"].verdict is Verdict.WA and "expected 4" in results["wrong"].checker_message
    assert results["broken"].verdict is Verdict.IE


async def test_float_checker_with_arguments(runtime):
    tests = [TestCase("pi", b"", b"3.14159\n")]
    async with await compile_source("python", "print(3.1416)\n") as compiled:
        loose = [r async for r in run_tests(compiled, tests, Limits(), Checker("float", {"abs": "1e-3"}))]
        strict = [
            r
            async for r in run_tests(
                compiled, tests, Limits(), Checker("float", {"abs": "1e-6", "rel": "1e-9"})
            )
        ]
    assert loose[0].verdict is Verdict.AC and strict[0].verdict is Verdict.WA


async def test_compile_error_is_ce_with_a_bounded_message(runtime):
    compiled = await compile_source("cpp", "int main() { return undefined_name; }\n")
    assert not compiled.ok and compiled.verdict is Verdict.CE
    assert "undefined_name" in compiled.message and len(compiled.message) <= 64 * 1024
    with pytest.raises(BadArtifact):
        await run_once(compiled, b"", Limits())


async def test_syntax_errors_are_ce_for_interpreted_languages(runtime):
    for language, source in (("python", "def f(:\n"), ("javascript", "function (\n")):
        compiled = await compile_source(language, source)
        assert compiled.verdict is Verdict.CE, (language, compiled.message)


async def test_run_once_reports_a_clean_run_and_a_crash(runtime):
    async with await compile_source("c", '#include <stdio.h>\nint main(){puts("hi");return 0;}') as ok:
        run = await run_once(ok, b"", Limits())
    assert run.verdict is Verdict.AC and run.stdout == b"hi\n" and run.exit_code == 0
    async with await compile_source("c", "#include <stdlib.h>\nint main(){abort();}") as crash:
        run = await run_once(crash, b"", Limits())
    assert run.verdict is Verdict.RE and run.signal == "SIGABRT"


async def test_output_cap_keeps_exactly_the_cap(runtime):
    source = "import sys\nsys.stdout.write('x' * 5000)\n"
    async with await compile_source("python", source) as compiled:
        run = await run_once(compiled, b"", Limits(output_bytes=1000))
    assert run.verdict is Verdict.OLE and len(run.stdout) == 1000 and run.stdout_truncated


async def test_java_with_a_custom_class_name(runtime):
    source = (
        "public class Solution { public static void main(String[] a) {\n"
        "  System.out.println(new java.util.Scanner(System.in).nextInt() * 2); } }\n"
    )
    async with await compile_source("java", source) as compiled:
        run = await run_once(compiled, b"21\n", Limits(time_limit_s=5))
    assert run.verdict is Verdict.AC and run.stdout == b"42\n"


async def test_cleanup_removes_the_artifact(runtime):
    compiled = await compile_source("c", "int main(){return 0;}")
    artifact = compiled.artifact_dir
    assert artifact is not None and artifact.exists()
    await compiled.cleanup()
    assert not artifact.exists()


async def test_popen_fallback_without_the_launcher(runtime):
    """Hosts without a C compiler spawn bwrap through Popen: same isolation."""
    saved, runtime.launcher = runtime.launcher, None
    try:
        source = (
            "import socket\ntry:\n    socket.socket().connect(('127.0.0.1', 1))\n"
            "    print('escaped')\nexcept OSError:\n    print('blocked')\n"
        )
        async with await compile_source("python", source) as compiled:
            run = await run_once(compiled, b"", Limits())
    finally:
        runtime.launcher = saved
    assert run.verdict is Verdict.AC and run.stdout == b"blocked\n"


async def test_python_runs_the_precompiled_pyc_with_source_tracebacks(runtime):
    source = "import sys\ndef f(x):\n    return 1 // x\nprint(sys.argv[0])\nf(0)\n"
    async with await compile_source("python", source) as compiled:
        assert sorted(p.name for p in compiled.artifact_dir.iterdir()) == ["main.py", "main.pyc"]
        run = await run_once(compiled, b"", Limits())
    assert run.verdict is Verdict.RE and run.exit_code == 1
    assert run.stdout == b"/prog/main.pyc\n"
    assert 'File "/prog/main.py", line 3, in f' in run.stderr_excerpt
    assert "return 1 // x" in run.stderr_excerpt and "ZeroDivisionError" in run.stderr_excerpt

"""`algoitny judge` end to end (the CLI entry point the top-level CLI dispatches to)."""

from __future__ import annotations

import asyncio
import json

import pytest

from algoitny.executor.cli import main

AB_C = '#include <stdio.h>\nint main(){long a,b;scanf("%ld %ld",&a,&b);printf("%ld\\n",a+b);}\n'


@pytest.fixture
def problem(tmp_path):
    tests = tmp_path / "tests"
    tests.mkdir()
    for i, (a, b) in enumerate([(1, 2), (5, 7), (10, 20)], start=1):
        (tests / f"{i}.in").write_text(f"{a} {b}\n")
        suffix = ".ans" if i == 3 else ".out"
        (tests / f"{i}{suffix}").write_text(f"{a + b}\n")
    (tests / "10.in").write_text("2 2\n")
    (tests / "10.out").write_text("5\n")  # wrong on purpose
    source = tmp_path / "ab.c"
    source.write_text(AB_C)
    return tmp_path


async def run_cli(*argv: str) -> int:
    return await asyncio.to_thread(main, list(argv))


async def test_json_lines_then_a_summary(problem, capsys, runtime):
    code = await run_cli("--language", "c", "--source", str(problem / "ab.c"),
                         "--tests", str(problem / "tests"), "--json", "--jobs", "2")
    assert code == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    per_test, summary = lines[:-1], lines[-1]["summary"]
    assert {t["test"]: t["verdict"] for t in per_test} == {"1": "AC", "2": "AC", "3": "AC", "10": "WA"}
    assert all({"cpu_ms", "wall_ms", "memory_kb"} <= t.keys() for t in per_test)
    assert summary["verdict"] == "WA" and summary["passed"] == 3 and summary["total"] == 4
    assert summary["first_failed_test"] == "10"


async def test_compile_error_still_exits_zero(problem, capsys, runtime):
    (problem / "bad.c").write_text("int main( {")
    code = await run_cli("--language", "c", "--source", str(problem / "bad.c"),
                         "--tests", str(problem / "tests"), "--json")
    assert code == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert lines[0]["compile"]["verdict"] == "CE"
    assert lines[-1]["summary"]["verdict"] == "CE"


@pytest.mark.parametrize("argv", [
    ["--language", "c"],
    ["--language", "cobol", "--source", "{src}", "--tests", "{tests}"],
    ["--language", "c", "--source", "{src}", "--tests", "{tests}", "--checker", "nope"],
    ["--language", "c", "--source", "{src}", "--tests", "{tests}", "--checker-arg", "novalue"],
])
async def test_bad_arguments_exit_non_zero(problem, argv, runtime):
    filled = [a.format(src=problem / "ab.c", tests=problem / "tests") for a in argv]
    try:
        code = await run_cli(*filled)
    except SystemExit as exc:
        code = exc.code
    assert code not in (0, None)


async def test_self_test_reports_every_language(capsys, runtime):
    code = await run_cli("--self-test", "--json")
    report = {r["id"]: r for r in map(json.loads, capsys.readouterr().out.splitlines())}
    assert code == 0
    for language in ("python", "c", "cpp", "java", "javascript"):
        assert report[language]["ok"], report[language]
    assert set(report) >= {"go", "rust"}
    assert all(r["ok"] or r["detail"] for r in report.values())

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
    code = await run_cli(
        "--language",
        "c",
        "--source",
        str(problem / "ab.c"),
        "--tests",
        str(problem / "tests"),
        "--json",
        "--jobs",
        "2",
    )
    assert code == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    per_test, summary = lines[:-1], lines[-1]["summary"]
    assert {t["test"]: t["verdict"] for t in per_test} == {"1": "AC", "2": "AC", "3": "AC", "10": "WA"}
    assert all({"cpu_ms", "wall_ms", "memory_kb"} <= t.keys() for t in per_test)
    assert summary["verdict"] == "WA" and summary["passed"] == 3 and summary["total"] == 4
    assert summary["first_failed_test"] == "10"


async def test_compile_error_still_exits_zero(problem, capsys, runtime):
    (problem / "bad.c").write_text("int main( {")
    code = await run_cli(
        "--language", "c", "--source", str(problem / "bad.c"), "--tests", str(problem / "tests"), "--json"
    )
    assert code == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert lines[0]["compile"]["verdict"] == "CE"
    assert lines[-1]["summary"]["verdict"] == "CE"


@pytest.mark.parametrize(
    "argv",
    [
        ["--language", "c"],
        ["--language", "cobol", "--source", "{src}", "--tests", "{tests}"],
        ["--language", "c", "--source", "{src}", "--tests", "{tests}", "--checker", "nope"],
        ["--language", "c", "--source", "{src}", "--tests", "{tests}", "--checker-arg", "novalue"],
    ],
)
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
    # Which path runs each language, and why (the session's runtime has warm boxes on).
    assert report["c"]["path"] == report["cpp"]["path"] == "warm", report["c"]
    assert "warm:" in report["c"]["detail"]
    assert report["python"]["path"] == "zygote", report["python"]
    assert report["java"]["path"] == "cold"


async def test_a_source_that_is_not_utf8_is_judged(problem, capsys, runtime):
    """Sources from old judges' archives are often cp1251 or latin-1: never a traceback."""
    source = problem / "cp1251.c"
    source.write_bytes("/* решение */\n".encode("cp1251") + AB_C.encode())
    code = await run_cli(
        "--language", "c", "--source", str(source), "--tests", str(problem / "tests"), "--json"
    )
    assert code == 0
    summary = json.loads(capsys.readouterr().out.splitlines()[-1])["summary"]
    assert summary["passed"] == 3 and summary["total"] == 4


async def test_testlib_checker_reads_a_huge_output(problem, capsys, runtime):
    """A testlib-style checker (argv[1] input, argv[2] output, argv[3] answer; exit
    0/1/2/3) reading 20 MB of contestant output from its file."""
    tests = problem / "huge"
    tests.mkdir()
    (tests / "1.in").write_text("2000000\n")
    (tests / "1.ans").write_text("2000000\n")
    (tests / "2.in").write_text("5\n")
    (tests / "2.ans").write_text("6\n")
    source = problem / "count.c"
    source.write_text(
        '#include <stdio.h>\nint main(){long n;scanf("%ld",&n);for(long i=0;i<n;i++)printf("%ld\\n",i);}\n'
    )
    checker = problem / "checker.cpp"
    checker.write_text(r"""
#include <cstdio>
#include <cstdlib>
int main(int argc, char **argv) {
    if (argc != 4) return 3;
    FILE *inf = fopen(argv[1], "r"), *ouf = fopen(argv[2], "r"), *ans = fopen(argv[3], "r");
    if (!inf || !ouf || !ans) { fprintf(stderr, "cannot open"); return 3; }
    long n, want, got, count = 0;
    if (fscanf(ans, "%ld", &want) != 1 || fscanf(inf, "%ld", &n) != 1) return 3;
    for (long i = 0; fscanf(ouf, "%ld", &got) == 1; i++, count++)
        if (got != i) { fprintf(stderr, "wrong number %ld at %ld", got, i); return 1; }
    if (count != want) { fprintf(stderr, "expected %ld numbers, read %ld", want, count); return 2; }
    fprintf(stderr, "ok %ld numbers", count);
    return 0;
}
""")
    code = await run_cli(
        "--language",
        "c",
        "--source",
        str(source),
        "--tests",
        str(tests),
        "--checker-source",
        str(checker),
        "--json",
        "--time-limit",
        "5",
    )
    assert code == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    by_test = {line["test"]: line for line in lines[:-1]}
    assert by_test["1"]["verdict"] == "AC" and by_test["1"]["checker_message"] == "ok 2000000 numbers"
    assert by_test["2"]["verdict"] == "WA" and "expected 6 numbers, read 5" in by_test["2"]["checker_message"]


async def test_headers_next_to_the_checker_are_compiled_with_it(problem, capsys, runtime):
    """A Polygon package keeps testlib.h beside checker.cpp: #include "X" must resolve."""
    package = problem / "package"
    package.mkdir()
    (package / "judge_lib.h").write_text(
        "#include <cstdio>\n#include <cstdlib>\n"
        "static void verdict(int code, const char *m) { std::fputs(m, stderr); std::exit(code); }\n"
    )
    (package / "checker.cpp").write_text(r"""
#include "judge_lib.h"
int main(int argc, char **argv) {
    FILE *ouf = std::fopen(argv[2], "r"), *ans = std::fopen(argv[3], "r");
    long got, want;
    if (std::fscanf(ans, "%ld", &want) != 1) verdict(3, "bad answer");
    if (std::fscanf(ouf, "%ld", &got) != 1) verdict(2, "no number");
    if (got != want) verdict(1, "differs");
    verdict(0, "same");
}
""")
    code = await run_cli(
        "--language",
        "c",
        "--source",
        str(problem / "ab.c"),
        "--tests",
        str(problem / "tests"),
        "--json",
        "--checker-source",
        str(package / "checker.cpp"),
    )
    assert code == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    by_test = {line["test"]: line for line in lines[:-1]}
    assert by_test["1"]["verdict"] == "AC" and by_test["1"]["checker_message"] == "same"
    assert by_test["10"]["verdict"] == "WA" and by_test["10"]["checker_message"] == "differs"


async def test_extra_files_must_be_plain_names(runtime):
    from algoitny.executor import compile_source

    with pytest.raises(ValueError, match="plain file name"):
        await compile_source("cpp", "int main(){}", extra_files={"../escape.h": b""})

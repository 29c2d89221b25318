"""`algoitny judge` on sources that broke the host side of compiling: a verdict, never a traceback."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from .conftest import leftover_cgroups
from .test_cli import run_cli

CASES = Path(__file__).parent / "cases"


@pytest.mark.parametrize(
    ("source", "language", "verdict", "fragment"),
    [
        ("JavaDeepPackage.java", "java", "CE", "at most 32"),
        ("JavaLongName.java", "java", "CE", "too long"),
        ("JavaRegexBomb.java", "java", "CE", "unclosed comment"),
        ("JavaHiddenPackage.java", "java", "AC", ""),
        ("JavaCyrillic.java", "java", "AC", ""),
        ("go_not_main.go", "go", "CE", "main package"),
        ("huge_binary.cpp", "cpp", "CE", "compiled program too large"),
    ],
)
async def test_judge_gives_a_verdict(source, language, verdict, fragment, tmp_path, capsys, runtime):
    tests = tmp_path / "tests"
    tests.mkdir()
    (tests / "1.in").write_text("1 2\n")
    (tests / "1.out").write_text("3\n")
    code = await run_cli(
        "--language", language, "--source", str(CASES / source), "--tests", str(tests), "--json"
    )
    out = capsys.readouterr()
    assert code == 0 and "Traceback" not in out.err, out.err
    lines = [json.loads(line) for line in out.out.splitlines()]
    assert lines[-1]["summary"]["verdict"] == verdict, lines
    if verdict == "CE":
        assert fragment in lines[0]["compile"]["message"]
    else:
        assert lines[-1]["summary"]["passed"] == 1
    # The CLI's own event loop is gone: it must have removed its cgroups before ending.
    assert leftover_cgroups(runtime) == []

"""Hostile programs from cases/manifest.toml: each gets its verdict, the host is unchanged."""

from __future__ import annotations

import dataclasses
import os
import socket
import tomllib
import uuid
from pathlib import Path

import pytest

from algoitny.executor import (
    COMPILE_LIMITS,
    Checker,
    Limits,
    TestCase,
    Verdict,
    compile_source,
    run_tests,
)
from algoitny.executor.languages import get_language
from algoitny.executor.languages.c import C

from .conftest import leftover_cgroups, processes_of, slot_uids

CASES_DIR = Path(__file__).parent / "cases"
MANIFEST = tomllib.loads((CASES_DIR / "manifest.toml").read_text())
MARKERS = [
    Path("/tmp/algoitny-escape-marker"),
    Path("/tmp/algoitny-background-marker"),
    Path("/usr/escape"),
    Path("/etc/escape"),
    Path("/escape"),
    Path("/var/tmp/escape"),
    Path("/root/escape"),
    Path("/home/escape"),
    Path("/dev/shm/algoitny-escape-marker"),
]
SECRET = "ALGOITNY_TEST_SECRET"


@pytest.fixture(scope="module")
def listeners():
    """Sockets on the worker's side that a sandboxed program must not reach."""
    tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    tcp.bind(("127.0.0.1", 0))
    tcp.listen()
    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    udp.bind(("127.0.0.1", 0))
    unix_path = f"/tmp/algoitny-test-{uuid.uuid4().hex[:8]}.sock"
    unix = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    unix.bind(unix_path)
    os.chmod(unix_path, 0o777)
    unix.listen()
    abstract_name = f"algoitny-test-{uuid.uuid4().hex[:8]}"
    abstract = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    abstract.bind("\0" + abstract_name)
    abstract.listen()
    os.environ[SECRET] = "s3cr3t-" + uuid.uuid4().hex
    yield {
        "tcp_port": tcp.getsockname()[1],
        "udp_port": udp.getsockname()[1],
        "unix_path": unix_path,
        "abstract_name": abstract_name,
    }
    os.environ.pop(SECRET, None)
    for s in (tcp, udp, unix, abstract):
        s.close()
    os.unlink(unix_path)


@pytest.fixture(autouse=True)
def no_markers_before():
    for marker in MARKERS:
        assert not marker.exists(), f"{marker} exists before the case ran"


async def assert_host_clean(runtime) -> None:
    await runtime.idle()
    assert processes_of(slot_uids(runtime)) == []
    assert leftover_cgroups(runtime) == []
    assert [m for m in MARKERS if m.exists()] == []
    for slot in runtime.pool.slots:
        assert list(slot.box.iterdir()) == [], f"compile box {slot.box} not wiped"
    artifacts = runtime.config.box_root / "artifacts"
    assert not artifacts.exists() or list(artifacts.iterdir()) == []
    # The next run on every slot is clean.
    compiled = await compile_source("c", C.self_test_source)
    async with compiled:
        tests = [TestCase(f"ab{i}", b"1 2\n", b"3\n") for i in range(len(runtime.pool.slots))]
        results = [r async for r in run_tests(compiled, tests, Limits(), slots=len(tests))]
    assert [r.verdict for r in results] == [Verdict.AC] * len(tests)
    await runtime.idle()


def _generated(expression: str) -> bytes:
    """``input_expr`` / ``expected_expr``: a Python expression building big test data."""
    value = eval(expression, {"__builtins__": {"range": range, "str": str, "sum": sum}})
    return value.encode() if isinstance(value, str) else value


def _source(case: dict) -> bytes:
    source = (CASES_DIR / case["source"]).read_bytes()
    if "pad_source_bytes" in case:  # a huge but valid source: one long comment line
        comment = b"#" if case["language"] == "python" else b"//"
        source = comment + b"x" * int(case["pad_source_bytes"]) + b"\n" + source
    return source


def _cases() -> list:
    """Every case as the runtime runs it (warm boxes or zygotes where a language has them); the
    cases of those languages once more on the cold path: verdicts must not depend on it."""
    cases = [pytest.param(name, True, id=name) for name in sorted(MANIFEST)]
    for name in sorted(MANIFEST):
        case = MANIFEST[name]
        language = get_language(case["language"])
        if (language.warm or language.zygote) and case["verdict"] != "CE":
            cases.append(pytest.param(name, False, id=f"{name}-cold"))
    return cases


@pytest.mark.parametrize(("name", "warm"), _cases())
async def test_hostile_program(name, warm, runtime, listeners):
    runtime.use_warm = warm and runtime.warm is not None
    try:
        await _judge_case(name, runtime, listeners)
    finally:
        runtime.use_warm = runtime.warm is not None


async def _judge_case(name, runtime, listeners):
    case = MANIFEST[name]
    source = _source(case)
    expected_verdict = Verdict(case["verdict"])
    compile_limits = None
    if "compile_time_limit" in case:
        seconds = float(case["compile_time_limit"])
        compile_limits = dataclasses.replace(
            COMPILE_LIMITS, time_limit_s=seconds, wall_time_s=seconds * 2, memory_mb=512
        )
    compiled = await compile_source(case["language"], source, limits=compile_limits)
    for fragment in case.get("message_contains", []):
        assert fragment in compiled.message, compiled.message[:2000]
    for fragment in [*case.get("message_excludes", []), os.environ[SECRET]]:
        assert fragment not in compiled.message, compiled.message[:2000]
    if expected_verdict is Verdict.CE:
        assert not compiled.ok and compiled.verdict is Verdict.CE, compiled.message[:500]
        await assert_host_clean(runtime)
        return
    assert compiled.ok, compiled.message
    limits = Limits(time_limit_s=float(case.get("time_limit", 1)), memory_mb=int(case.get("memory_mb", 128)))
    stdin = (
        _generated(case["input_expr"])
        if "input_expr" in case
        else case.get("input", "").format(**listeners).encode()
    )
    expected = (
        _generated(case["expected_expr"])
        if "expected_expr" in case
        else (case.get("expected", "") + "\n").encode()
    )
    checker = Checker(case.get("checker", "lines"), case.get("checker_args", {}))
    async with compiled:
        [result] = [r async for r in run_tests(compiled, [TestCase(name, stdin, expected)], limits, checker)]
    assert result.verdict is expected_verdict, (
        f"{result.verdict} ({result.checker_message}) stdout={result.stdout_excerpt[:300]!r} "
        f"stderr={result.stderr_excerpt[:300]!r} cpu={result.cpu_ms} mem={result.memory_kb}"
    )
    if expected_verdict is Verdict.TLE:
        assert result.cpu_ms >= limits.time_limit_ms or result.wall_ms >= limits.wall_limit_s * 1000
    if expected_verdict is Verdict.MLE:
        assert result.memory_kb > 0
    if "signal" in case:
        assert result.signal == case["signal"] and result.exit_code is None
    if "exit_code" in case:
        assert result.exit_code == case["exit_code"] and result.signal is None
    await assert_host_clean(runtime)

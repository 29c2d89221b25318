"""The built-in checkers stream: same verdicts and messages as whole-output comparison,
on ``bytes`` and on a spooled ``Output``, across chunk boundaries, in memory that does not
grow with the output; and their options are checked."""

from __future__ import annotations

import math
import os
import random
import re

import pytest

from algoitny.executor import scanning
from algoitny.executor.checkers import (
    BUILTIN,
    CheckResult,
    check_options,
    exact,
    floats,
    get_checker,
    lines,
    tokens,
    unordered,
)
from algoitny.executor.errors import BadCheckerOption, UnknownChecker
from algoitny.executor.output import Output

# --- the checkers as they were (whole outputs split into lists): the oracle -------------

_NUMBER = re.compile(rb"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")


def _show(token: bytes, limit: int = 64) -> str:
    text = token[:limit].decode("utf-8", errors="replace")
    return text + ("…" if len(token) > limit else "")


def _old_lines_of(data: bytes) -> list[bytes]:
    found = [line.rstrip() for line in data.split(b"\n")]
    while found and not found[-1]:
        found.pop()
    return found


def _old_pairs(got: list[bytes], want: list[bytes], unit: str) -> CheckResult:
    for number, (a, b) in enumerate(zip(got, want, strict=False), start=1):
        if a != b:
            return CheckResult(False, f"{unit} {number}: expected {_show(b)!r}, found {_show(a)!r}")
    if len(got) != len(want):
        return CheckResult(False, f"expected {len(want)} {unit}s, found {len(got)}")
    return CheckResult(True, "ok")


def _old_float(token: bytes) -> float | None:
    return None if len(token) > 400 or not _NUMBER.fullmatch(token) else float(token)


def _old_floats(output: bytes, answer: bytes, eps: float = 1e-6) -> CheckResult:
    got, want = output.split(), answer.split()
    if len(got) != len(want):
        return CheckResult(False, f"expected {len(want)} tokens, found {len(got)}")
    bound = eps * (1 + 1e-12)
    for number, (a, b) in enumerate(zip(got, want, strict=True), start=1):
        y = _old_float(b)
        if y is None:
            if a != b:
                return CheckResult(False, f"token {number}: expected {_show(b)!r}, found {_show(a)!r}")
            continue
        x = _old_float(a)
        if x is None:
            return CheckResult(False, f"token {number}: expected a number, found {_show(a)!r}")
        if math.isinf(y) or math.isinf(x):
            if x != y:
                return CheckResult(False, f"token {number}: expected {_show(b)}, found {_show(a)}")
            continue
        diff = abs(x - y)
        if diff > bound and diff > bound * abs(y):
            return CheckResult(
                False, f"token {number}: expected {_show(b)}, found {_show(a)} (difference {diff:.3g})"
            )
    return CheckResult(True, "ok")


def _old_unordered(output: bytes, answer: bytes) -> CheckResult:
    got, want = sorted(output.split()), sorted(answer.split())
    if got == want:
        return CheckResult(True, "ok")
    if len(got) != len(want):
        return CheckResult(False, f"expected {len(want)} tokens, found {len(got)}")
    return CheckResult(False, "the tokens differ (order ignored)")


def _old_exact(output: bytes, answer: bytes) -> CheckResult:
    if output == answer:
        return CheckResult(True, "ok")
    n = next(
        (i for i, (a, b) in enumerate(zip(output, answer, strict=False)) if a != b),
        min(len(output), len(answer)),
    )
    return CheckResult(False, f"outputs differ at byte {n}")


ORACLE = {
    exact: _old_exact,
    lines: lambda o, a: _old_pairs(_old_lines_of(o), _old_lines_of(a), "line"),
    tokens: lambda o, a: _old_pairs(o.split(), a.split(), "token"),
    floats: _old_floats,
    unordered: _old_unordered,
}

# --- streamed == whole, on random texts cut into tiny chunks ---------------------------

PIECES = [
    b"1",
    b"22",
    b"0.5",
    b"1e3",
    b"-0",
    b"x",
    b"nan",
    b" ",
    b"  ",
    b"\t",
    b"\r",
    b"\n",
    b"\n\n",
    b"\x0b",
]


def _text(rng: random.Random, size: int) -> bytes:
    return b"".join(rng.choice(PIECES) for _ in range(size))


def _variant(rng: random.Random, text: bytes) -> bytes:
    """The same text, or one with whitespace changed, a piece changed or cut, or reordered."""
    kind = rng.randrange(5)
    if kind == 0:
        return text
    if kind == 1:
        return re.sub(rb"[ \t]+", lambda m: rng.choice([b" ", b"\t ", b"  "]), text)
    if kind == 2 and text:
        at = rng.randrange(len(text))
        return text[:at] + rng.choice(PIECES) + text[at + 1 :]
    if kind == 3:
        return text[: rng.randrange(len(text) + 1)]
    words = text.split()
    rng.shuffle(words)
    return b" ".join(words) + b"\n"


@pytest.fixture
def tiny_chunks(monkeypatch):
    """Chunks of 7 bytes and spans beyond 16, so that every boundary case occurs."""
    monkeypatch.setattr(scanning, "CHUNK_BYTES", 7)
    monkeypatch.setattr(scanning, "LONG_BYTES", 16)


def _spooled(data: bytes) -> Output:
    return Output(data)


@pytest.mark.parametrize("checker", list(ORACLE), ids=lambda c: c.__name__)
@pytest.mark.parametrize("wrap", [bytes, _spooled], ids=["bytes", "output"])
def test_streamed_verdicts_and_messages_equal_the_whole_output_comparison(checker, wrap, tiny_chunks):
    rng = random.Random(f"{checker.__name__}-{wrap.__name__}")
    for _ in range(400):
        answer = _text(rng, rng.randrange(0, 30))
        output = _variant(rng, answer)
        got = checker(b"", wrap(output), answer, {})
        assert got == ORACLE[checker](output, answer), (output, answer)


@pytest.mark.parametrize("checker", [lines, tokens, floats, unordered], ids=lambda c: c.__name__)
def test_long_lines_and_tokens_are_compared_and_shown_by_position(checker, tiny_chunks):
    long = b"7" * 40
    for output, answer in [
        (long + b"  \n", long + b"\n"),
        (long + b"8\n", long + b"9\n"),
        (b"1 " + long + b"\n", long + b" 1\n"),
        (long[:-1] + b"\n", long + b"\n"),
        (b" " * 40 + b"\n1\n", b"\n1\n"),
    ]:
        got = checker(b"", Output(output), answer, {})
        assert got == ORACLE[checker](output, answer), (output, answer)


def test_scanning_cuts_like_split_for_any_chunk_size(monkeypatch):
    text = b"ab  c\r\n\n d\t\te  \n\n\nfffffffffffffffffffffff gg \n   "
    for size in (1, 2, 3, 5, 8, 64):
        monkeypatch.setattr(scanning, "CHUNK_BYTES", size)
        monkeypatch.setattr(scanning, "LONG_BYTES", 4)
        spooled = Output(text)
        assert [bytes(t[:]) for t in scanning.tokens(spooled)] == text.split()
        assert scanning.count_tokens(spooled) == len(text.split())
        assert [bytes(t[:]) for t in scanning.lines(spooled)] == _old_lines_of(text)


# --- memory -----------------------------------------------------------------------------

MB = 1024 * 1024


def _numbers(count: int, end: bytes = b"\n") -> bytes:
    return b"".join(b"%07d%s" % (i, end) for i in range(count))


def _status_kb(field: str) -> int:
    with open("/proc/self/status") as f:
        line = next(line for line in f if line.startswith(field + ":"))
    return int(line.split()[1])


def _peak_growth_mb(call) -> tuple[CheckResult, float]:
    """What ``call()`` added to this process's peak RSS (the peak is reset first)."""
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")  # resets VmHWM to the current RSS
    base = _status_kb("VmRSS")
    result = call()
    return result, (_status_kb("VmHWM") - base) / 1024


@pytest.mark.parametrize(
    "checker, output_end, answer_end",
    [
        (lines, b"\t\n", b" \n"),  # accepted only line by line
        (tokens, b"\n", b" "),  # accepted only token by token
        (floats, b" ", b"\n"),
        (exact, b"\n", b"\n"),
    ],
    ids=lambda v: getattr(v, "__name__", repr(v)),
)
def test_checking_20_mb_adds_a_few_mb_to_peak_memory(checker, output_end, answer_end):
    """The old checkers made one object per line or token: ~16x the output (~300 MB here)."""
    count = (6 if checker is floats else 20) * MB // 9  # floats parses every token: smaller
    output = Output(_numbers(count, output_end))
    answer = _numbers(count, answer_end)
    result, growth = _peak_growth_mb(lambda: checker(b"", output, answer, {}))
    assert result.ok, result
    assert growth < 16, f"{checker.__name__} added {growth:.1f} MB to the peak for {len(output) // MB} MB"


def test_unordered_holds_only_the_answers_distinct_tokens():
    answer = b"1 2 3 4\n" * (2 * MB)  # 16 MB, four distinct tokens
    output = Output(b"4 3 2 1\n" * (2 * MB))
    result, growth = _peak_growth_mb(lambda: unordered(b"", output, answer, {}))
    assert result.ok and growth < 16, growth


def test_a_mismatch_early_in_a_huge_output_stops_there():
    output = Output(b"x\n" + b"1\n" * (10 * MB))
    result = lines(b"", output, b"y\n" + b"1\n" * (10 * MB), {})
    assert result == CheckResult(False, "line 1: expected 'y', found 'x'")


def test_an_output_spool_holds_nothing_on_the_heap_and_frees_its_memfd():
    before = set(os.listdir("/proc/self/fd"))
    spool = Output()
    assert len(spool) == 0 and not spool and set(os.listdir("/proc/self/fd")) == before  # no fd yet
    spool.append(b"abc")
    spool.append(memoryview(b"defgh")[1:])
    assert len(spool) == 7 and spool[:4] == b"abce" and spool[5:] == b"gh" and bytes(spool) == b"abcefgh"
    assert list(spool.chunks(3)) == [b"abc", b"efg", b"h"]
    assert len(set(os.listdir("/proc/self/fd")) - before) == 1
    spool.close()
    spool.close()
    assert set(os.listdir("/proc/self/fd")) == before and bytes(spool) == b""


# --- names and options ------------------------------------------------------------------


def test_an_unknown_checker_is_a_value_error_naming_the_known_ones():
    with pytest.raises(UnknownChecker) as caught:
        get_checker("diffs")
    assert isinstance(caught.value, ValueError)
    assert all(name in str(caught.value) for name in BUILTIN)


@pytest.mark.parametrize(
    "name, args, fragment",
    [
        ("lines", {"precision": "2"}, "it takes no options"),
        ("float", {"tolerance": "1e-3"}, "it accepts abs, eps, precision, rel"),
        ("float", {"precision": "x"}, "an integer 0..30"),
        ("float", {"precision": "-1"}, "an integer 0..30"),
        ("float", {"abs": "nan"}, "a number >= 0"),
        ("float", {"rel": "-1e-6"}, "a number >= 0"),
        ("float", {"eps": "1e-3", "precision": "3"}, "not both"),
    ],
)
def test_unknown_options_and_bad_values_are_rejected(name, args, fragment):
    with pytest.raises(BadCheckerOption) as caught:
        check_options(name, args)
    assert isinstance(caught.value, ValueError) and fragment in str(caught.value)
    if name == "float":
        with pytest.raises(BadCheckerOption):
            floats(b"", b"1\n", b"1\n", args)


def test_float_precision_sets_both_tolerances():
    assert check_options("float", {"precision": "2"}) == {"abs": 0.01, "rel": 0.01}
    assert check_options("double", {"precision": "3", "abs": "0"}) == {"abs": 0.0, "rel": 0.001}
    assert floats(b"", b"0.334\n", b"0.333333\n", {"precision": "2"}).ok
    assert not floats(b"", b"0.334\n", b"0.333333\n", {}).ok
    assert not floats(b"", b"0.35\n", b"0.333333\n", {"precision": "2"}).ok
    assert floats(b"", b"1010\n", b"1000\n", {"precision": "1"}).ok  # relative: 1% of 1000

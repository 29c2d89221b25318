"""Built-in checkers: pure functions with one signature.

    checker(input, output, answer, args) -> CheckResult

``output`` is what the program printed, ``answer`` the expected output, ``args`` the
checker's string options. No I/O, no state: each is tested accepting and rejecting.
The custom (testlib) checker program lives in ``custom_checker``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

Args = Mapping[str, str]


@dataclass(frozen=True, slots=True)
class CheckResult:
    ok: bool
    message: str = ""


CheckerFn = Callable[[bytes, bytes, bytes, Args], CheckResult]
AC = CheckResult(True, "ok")


def _show(token: bytes, limit: int = 64) -> str:
    text = token[:limit].decode("utf-8", errors="replace")
    return text + ("…" if len(token) > limit else "")


def exact(input: bytes, output: bytes, answer: bytes, args: Args) -> CheckResult:
    if output == answer:
        return AC
    n = next((i for i, (a, b) in enumerate(zip(output, answer)) if a != b), min(len(output), len(answer)))
    return CheckResult(False, f"outputs differ at byte {n}")


def _lines(data: bytes) -> list[bytes]:
    lines = [line.rstrip() for line in data.split(b"\n")]
    while lines and not lines[-1]:
        lines.pop()
    return lines


def lines(input: bytes, output: bytes, answer: bytes, args: Args) -> CheckResult:
    """Line by line, ignoring trailing whitespace on each line and trailing blank lines."""
    got, want = _lines(output), _lines(answer)
    for number, (a, b) in enumerate(zip(got, want), start=1):
        if a != b:
            return CheckResult(False, f"line {number}: expected {_show(b)!r}, found {_show(a)!r}")
    if len(got) != len(want):
        return CheckResult(False, f"expected {len(want)} lines, found {len(got)}")
    return AC


def tokens(input: bytes, output: bytes, answer: bytes, args: Args) -> CheckResult:
    """Whitespace-separated tokens, however they are spread over lines."""
    got, want = output.split(), answer.split()
    for number, (a, b) in enumerate(zip(got, want), start=1):
        if a != b:
            return CheckResult(False, f"token {number}: expected {_show(b)!r}, found {_show(a)!r}")
    if len(got) != len(want):
        return CheckResult(False, f"expected {len(want)} tokens, found {len(got)}")
    return AC


# A number as judges print it: decimal, optional sign, fraction and exponent. Not
# "nan", "inf", "0x10", "1_000" or " 1" (which Python's float() would all accept).
_NUMBER = re.compile(rb"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
_SLACK = 1e-12  # relative slack so that exactly-eps differences (1.000001 vs 1) pass


def _float(token: bytes) -> float | None:
    if len(token) > 400 or not _NUMBER.fullmatch(token):
        return None
    return float(token)


def floats(input: bytes, output: bytes, answer: bytes, args: Args) -> CheckResult:
    """Tokens; numbers match within absolute OR relative tolerance (default 1e-6).

    An expected token that is not a plain decimal number ("nan", "inf", "YES") must be
    matched exactly; an expected number needs a plain decimal number, never "nan".
    Numbers too big for a double compare as infinities of their sign.
    """
    abs_eps = float(args.get("abs", args.get("eps", "1e-6"))) * (1 + _SLACK)
    rel_eps = float(args.get("rel", args.get("eps", "1e-6"))) * (1 + _SLACK)
    got, want = output.split(), answer.split()
    if len(got) != len(want):
        return CheckResult(False, f"expected {len(want)} tokens, found {len(got)}")
    for number, (a, b) in enumerate(zip(got, want), start=1):
        y = _float(b)
        if y is None:
            if a != b:
                return CheckResult(False, f"token {number}: expected {_show(b)!r}, found {_show(a)!r}")
            continue
        x = _float(a)
        if x is None:
            return CheckResult(False, f"token {number}: expected a number, found {_show(a)!r}")
        if math.isinf(y) or math.isinf(x):
            if x != y:
                return CheckResult(False, f"token {number}: expected {_show(b)}, found {_show(a)}")
            continue
        diff = abs(x - y)
        if diff > abs_eps and diff > rel_eps * abs(y):
            return CheckResult(
                False, f"token {number}: expected {_show(b)}, found {_show(a)} (difference {diff:.3g})"
            )
    return AC


def unordered(input: bytes, output: bytes, answer: bytes, args: Args) -> CheckResult:
    """The same multiset of tokens, in any order."""
    got, want = sorted(output.split()), sorted(answer.split())
    if got == want:
        return AC
    if len(got) != len(want):
        return CheckResult(False, f"expected {len(want)} tokens, found {len(got)}")
    return CheckResult(False, "the tokens differ (order ignored)")


BUILTIN: dict[str, CheckerFn] = {
    "exact": exact,
    "lines": lines,
    "tokens": tokens,
    "float": floats,
    "unordered": unordered,
}
ALIASES = {
    "default": "lines",
    "line": "lines",
    "diff": "lines",
    "token": "tokens",
    "floats": "float",
    "double": "float",
    "unordered_tokens": "unordered",
    "multiset": "unordered",
}


def get_checker(name: str) -> CheckerFn:
    key = ALIASES.get(name, name)
    try:
        return BUILTIN[key]
    except KeyError:
        raise ValueError(f"unknown checker {name!r} (known: {', '.join(BUILTIN)})") from None

"""Built-in checkers: pure functions with one signature.

    checker(input, output, answer, args) -> CheckResult

``output`` is what the program printed (``bytes`` or a spooled ``Output``), ``answer`` the
expected output, ``args`` the checker's string options (``check_options`` says which are
accepted). No I/O beyond reading the output, no state: each is tested accepting and
rejecting. They stream (see ``scanning``): memory is a few chunks whatever the output's
size, and they stop at the first difference. ``unordered`` is the exception: it counts
the answer's distinct tokens in a dict, so it holds memory proportional to the answer
(never to the output). The custom (testlib) checker program lives in ``custom_checker``.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from itertools import zip_longest

from .errors import BadCheckerOption, UnknownChecker
from .scanning import Piece, Text, count_tokens, first_difference, same
from .scanning import lines as _lines
from .scanning import tokens as _tokens

Args = Mapping[str, str]


@dataclass(frozen=True, slots=True)
class CheckResult:
    ok: bool
    message: str = ""


CheckerFn = Callable[[bytes, Text, Text, Args], CheckResult]
AC = CheckResult(True, "ok")


def _show(token: Piece, limit: int = 64) -> str:
    text = token[:limit].decode("utf-8", errors="replace")
    return text + ("…" if len(token) > limit else "")


def exact(input: bytes, output: Text, answer: Text, args: Args) -> CheckResult:
    if same(output, answer):
        return AC
    return CheckResult(False, f"outputs differ at byte {first_difference(output, answer)}")


def _compare(got, want, unit: str) -> CheckResult:
    """Pairwise, stopping at the first difference; then the counts (streamed on)."""
    got, want = iter(got), iter(want)
    common = 0
    for a, b in zip_longest(got, want):
        if a is None or b is None:
            found = common + (a is not None) + sum(1 for _ in got)
            expected = common + (b is not None) + sum(1 for _ in want)
            return CheckResult(False, f"expected {expected} {unit}s, found {found}")
        common += 1
        if a != b:
            return CheckResult(False, f"{unit} {common}: expected {_show(b)!r}, found {_show(a)!r}")
    return AC


def lines(input: bytes, output: Text, answer: Text, args: Args) -> CheckResult:
    """Line by line, ignoring trailing whitespace on each line and trailing blank lines."""
    if same(output, answer):
        return AC
    return _compare(_lines(output), _lines(answer), "line")


def tokens(input: bytes, output: Text, answer: Text, args: Args) -> CheckResult:
    """Whitespace-separated tokens, however they are spread over lines."""
    if same(output, answer):
        return AC
    return _compare(_tokens(output), _tokens(answer), "token")


# A number as judges print it: decimal, optional sign, fraction and exponent. Not
# "nan", "inf", "0x10", "1_000" or " 1" (which Python's float() would all accept).
_NUMBER = re.compile(rb"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
_SLACK = 1e-12  # relative slack so that exactly-eps differences (1.000001 vs 1) pass


def _float(token: Piece) -> float | None:
    if not isinstance(token, bytes) or len(token) > 400 or not _NUMBER.fullmatch(token):
        return None
    return float(token)


def floats(input: bytes, output: Text, answer: Text, args: Args) -> CheckResult:
    """Tokens; numbers match within absolute OR relative tolerance (default 1e-6).

    An expected token that is not a plain decimal number ("nan", "inf", "YES") must be
    matched exactly; an expected number needs a plain decimal number, never "nan".
    Numbers too big for a double compare as infinities of their sign. ``precision=N``
    sets both tolerances to 10^-N; ``abs``/``rel`` still override it.
    """
    tolerance = check_options("float", args)
    abs_eps = tolerance["abs"] * (1 + _SLACK)
    rel_eps = tolerance["rel"] * (1 + _SLACK)
    found, expected = count_tokens(output), count_tokens(answer)
    if found != expected:
        return CheckResult(False, f"expected {expected} tokens, found {found}")
    for number, (a, b) in enumerate(zip(_tokens(output), _tokens(answer), strict=True), start=1):
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


def unordered(input: bytes, output: Text, answer: Text, args: Args) -> CheckResult:
    """The same multiset of tokens, in any order (the answer's tokens are counted in memory)."""
    found, expected = count_tokens(output), count_tokens(answer)
    if found != expected:
        return CheckResult(False, f"expected {expected} tokens, found {found}")
    if same(output, answer):
        return AC
    left: Counter[Piece] = Counter(_tokens(answer))
    for token in _tokens(output):
        if left[token] <= 0:
            return CheckResult(False, "the tokens differ (order ignored)")
        left[token] -= 1
    return AC


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


_NO_OPTIONS: frozenset[str] = frozenset()
OPTIONS: dict[str, frozenset[str]] = {
    "exact": _NO_OPTIONS,
    "lines": _NO_OPTIONS,
    "tokens": _NO_OPTIONS,
    "float": frozenset({"abs", "rel", "eps", "precision"}),
    "unordered": _NO_OPTIONS,
}
_MAX_PRECISION = 30


def canonical_name(name: str) -> str:
    """``name`` with aliases resolved; raises ``UnknownChecker``."""
    get_checker(name)
    return ALIASES.get(name, name)


def get_checker(name: str) -> CheckerFn:
    key = ALIASES.get(name, name)
    try:
        return BUILTIN[key]
    except KeyError:
        known = ", ".join([*BUILTIN, *ALIASES])
        raise UnknownChecker(f"unknown checker {name!r} (known: {known})") from None


def _tolerance(key: str, value: str) -> float:
    try:
        number = float(value) if _NUMBER.fullmatch(value.encode()) else math.nan
    except ValueError:
        number = math.nan
    if not math.isfinite(number) or number < 0:
        raise BadCheckerOption(f"float checker option {key}={value!r}: a number >= 0 is required")
    return number


def check_options(name: str, args: Args) -> dict[str, float]:
    """The options of checker ``name``, checked: an unknown option or a bad value raises
    ``BadCheckerOption`` (naming what is accepted), so a typo is never silently ignored.
    Returns the float checker's tolerances (``{"abs": …, "rel": …}``), else ``{}``."""
    key = ALIASES.get(name, name)
    get_checker(key)
    accepted = OPTIONS[key]
    unknown = sorted(set(args) - accepted)
    if unknown:
        takes = f"it accepts {', '.join(sorted(accepted))}" if accepted else "it takes no options"
        raise BadCheckerOption(f"checker {name!r} has no option {', '.join(unknown)} ({takes})")
    if key != "float":
        return {}
    if "eps" in args and "precision" in args:
        raise BadCheckerOption("float checker: give eps or precision, not both")
    default = 1e-6
    if "precision" in args:
        value = args["precision"]
        if not (value.isascii() and value.isdigit() and int(value) <= _MAX_PRECISION):
            raise BadCheckerOption(
                f"float checker option precision={value!r}: an integer 0..{_MAX_PRECISION} is required"
            )
        default = 10.0 ** -int(value)
    elif "eps" in args:
        default = _tolerance("eps", args["eps"])
    return {
        "abs": _tolerance("abs", args["abs"]) if "abs" in args else default,
        "rel": _tolerance("rel", args["rel"]) if "rel" in args else default,
    }

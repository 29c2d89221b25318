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
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field

from .errors import BadCheckerOption, UnknownChecker
from .models import FirstDifference
from .scanning import (
    Piece,
    Text,
    byte_difference,
    count_tokens,
    first_difference,
    line_batches,
    line_difference,
    same,
    token_batches,
    token_difference,
)
from .scanning import tokens as _tokens

Args = Mapping[str, str]


@dataclass(frozen=True, slots=True)
class CheckResult:
    ok: bool
    message: str = ""
    # Where a rejected output first differs (``None``: accepted, or no position, as for
    # ``unordered``). Built only on rejection, so accepting costs nothing more. Derived from
    # the outputs, so it takes no part in comparing results (the verdict and message do).
    difference: FirstDifference | None = field(default=None, compare=False)


CheckerFn = Callable[[bytes, Text, Text, Args], CheckResult]
AC = CheckResult(True, "ok")


def _show(token: Piece, limit: int = 64) -> str:
    text = token[:limit].decode("utf-8", errors="replace")
    return text + ("…" if len(token) > limit else "")


def exact(input: bytes, output: Text, answer: Text, args: Args) -> CheckResult:
    if same(output, answer):
        return AC
    offset = first_difference(output, answer)
    return CheckResult(False, f"outputs differ at byte {offset}", byte_difference(output, answer, offset))


def _compare(
    got: Iterator[list[Piece]],
    want: Iterator[list[Piece]],
    unit: str,
    locate: Callable[[int, Piece | None, Piece | None], FirstDifference],
) -> CheckResult:
    """Batch against batch (a list comparison, at C speed), stopping at the first
    difference; then the counts, streamed on. ``locate(number, found, expected)`` makes
    the ``FirstDifference`` of the first differing (or missing) piece."""
    a: list[Piece] = []
    b: list[Piece] = []
    ia = ib = common = 0
    while True:
        while ia == len(a) and (batch := next(got, None)) is not None:
            a, ia = batch, 0
        while ib == len(b) and (batch := next(want, None)) is not None:
            b, ib = batch, 0
        if ia == len(a) or ib == len(b):  # one side is exhausted (empty batches are skipped above)
            extra_found = a[ia] if ia < len(a) else None
            extra_expected = b[ib] if ib < len(b) else None
            found = common + len(a) - ia + sum(map(len, got))
            expected = common + len(b) - ib + sum(map(len, want))
            if found == expected:
                return AC
            return CheckResult(
                False,
                f"expected {expected} {unit}s, found {found}",
                locate(common + 1, extra_found, extra_expected),
            )
        k = min(len(a) - ia, len(b) - ib)
        if a[ia : ia + k] != b[ib : ib + k]:
            j = next(j for j in range(k) if a[ia + j] != b[ib + j])
            x, y = a[ia + j], b[ib + j]
            return CheckResult(
                False,
                f"{unit} {common + j + 1}: expected {_show(y)!r}, found {_show(x)!r}",
                locate(common + j + 1, x, y),
            )
        common, ia, ib = common + k, ia + k, ib + k


def lines(input: bytes, output: Text, answer: Text, args: Args) -> CheckResult:
    """Line by line, ignoring trailing whitespace on each line and trailing blank lines."""
    if same(output, answer):
        return AC
    return _compare(line_batches(output), line_batches(answer), "line", line_difference)


def tokens(input: bytes, output: Text, answer: Text, args: Args) -> CheckResult:
    """Whitespace-separated tokens, however they are spread over lines."""
    if same(output, answer):
        return AC
    return _compare(
        token_batches(output),
        token_batches(answer),
        "token",
        lambda number, found, expected: token_difference(output, answer, number),
    )


# A number as judges print it: decimal, optional sign, fraction and exponent. Not
# "nan", "inf", "0x10", "1_000" or " 1" (which Python's float() would all accept).
_NUMBER = re.compile(rb"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
_SLACK = 1e-12  # relative slack so that exactly-eps differences (1.000001 vs 1) pass


def _float(token: Piece) -> float | None:
    if len(token) > 400:
        return None
    raw = token if isinstance(token, bytes) else token[:]
    return float(raw) if _NUMBER.fullmatch(raw) else None


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

    def rejected(message: str, number: int) -> CheckResult:
        return CheckResult(False, message, token_difference(output, answer, number))

    if found != expected:
        return rejected(f"expected {expected} tokens, found {found}", min(found, expected) + 1)
    for number, (a, b) in enumerate(zip(_tokens(output), _tokens(answer), strict=True), start=1):
        y = _float(b)
        if y is None:
            if a != b:
                return rejected(f"token {number}: expected {_show(b)!r}, found {_show(a)!r}", number)
            continue
        x = _float(a)
        if x is None:
            return rejected(f"token {number}: expected a number, found {_show(a)!r}", number)
        if math.isinf(y) or math.isinf(x):
            if x != y:
                return rejected(f"token {number}: expected {_show(b)}, found {_show(a)}", number)
            continue
        diff = abs(x - y)
        if diff > abs_eps and diff > rel_eps * abs(y):
            return rejected(
                f"token {number}: expected {_show(b)}, found {_show(a)} (difference {diff:.3g})", number
            )
    return AC


def unordered(input: bytes, output: Text, answer: Text, args: Args) -> CheckResult:
    """The same multiset of tokens, in any order (the answer's tokens are counted in memory)."""
    found, expected = count_tokens(output), count_tokens(answer)
    if found != expected:
        return CheckResult(False, f"expected {expected} tokens, found {found}")
    if same(output, answer):
        return AC
    left: Counter[Piece] = Counter()
    for batch in token_batches(answer):
        left.update(batch)
    for batch in token_batches(output):
        for token, times in Counter(batch).items():
            left[token] -= times
            if left[token] < 0:
                return CheckResult(False, "the tokens differ (order ignored)")
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

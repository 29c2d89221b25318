"""What the judge needs from a Java source: its package and top-level classes, in one pass.

Untrusted input, so: no regular expression that can backtrack, no recursion, work and
memory linear in the source. Two linear steps, as javac does them (JLS 3.3, 3.7):

1. ``decode_unicode_escapes``: ``\\uXXXX`` (any number of ``u``) becomes its character,
   unless the backslash is itself escaped by an odd run of raw backslashes before it;
   a character produced by an escape never starts another one.
2. ``scan``: one left-to-right lexer over the decoded text that skips ``//`` and
   ``/* */`` comments, string, char and text-block literals, tracks brace depth, and
   records the ``package`` declaration, each top-level type's name and modifiers, and
   whether it declares ``static void main(``.

Each loop iteration consumes at least one character (``steps`` counts them), and the
only searches are ``str.find`` for a fixed terminator and single-class runs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_HEX = frozenset("0123456789abcdefABCDEF")
# One character class repeated: a linear run, nothing to backtrack into.
_WORD = re.compile(r"[\w$]+")
_SPACE = re.compile(r"\s+")
_TYPE_KEYWORDS = frozenset({"class", "interface", "enum", "record"})


def decode_unicode_escapes(text: str) -> str:
    """javac's first translation step: the text the lexer sees."""
    if "\\" not in text:
        return text
    out: list[str] = []
    start = 0  # text[start:i] is copied as is
    i = text.find("\\")
    n = len(text)
    while i != -1:
        j = i
        while j < n and text[j] == "\\":
            j += 1
        # text[i:j] is a maximal run of raw backslashes; only the last can start an escape,
        # and only if the run before it is even (the run's length is odd).
        last = j - 1
        k = j
        if (j - i) % 2 == 1 and k < n and text[k] == "u":
            while k < n and text[k] == "u":
                k += 1
            digits = text[k : k + 4]
            if len(digits) == 4 and all(c in _HEX for c in digits):
                out.append(text[start:last])
                out.append(chr(int(digits, 16)))
                start = k + 4
                i = text.find("\\", start)
                continue
        i = text.find("\\", j)
    out.append(text[start:])
    return "".join(out)


@dataclass(slots=True)
class TopLevelType:
    name: str
    public: bool
    has_main: bool = False


@dataclass(slots=True)
class JavaSource:
    package: list[str] = field(default_factory=list)  # components, empty: default package
    types: list[TopLevelType] = field(default_factory=list)
    steps: int = 0  # lexer iterations: never more than the decoded source's length


def _skip_string(code: str, i: int, quote: str) -> int:
    """Index after the literal opened at ``code[i]``: ``"…"``, ``'…'`` or a text block."""
    n = len(code)
    if quote == '"' and code.startswith('"""', i):
        j = i + 3
        while True:
            end = code.find('"""', j)
            if end == -1:
                return n
            backslashes = 0
            while code[end - 1 - backslashes] == "\\":
                backslashes += 1
            if backslashes % 2 == 0:
                return end + 3
            j = end + 1
    j = i + 1
    while j < n:
        c = code[j]
        if c == "\\":
            j += 2
        elif c == quote or c == "\n":
            return j + 1
        else:
            j += 1
    return n


def scan(code: str) -> JavaSource:
    """The package and top-level types of an already decoded source."""
    result = JavaSource()
    n = len(code)
    i = 0
    depth = 0  # braces
    parens = 0  # parentheses at depth 0 (annotation arguments may hold braces)
    # Since the last ; { } or literal: the previous word, and whether public/static came.
    prev, saw_public, saw_static = "", False, False
    current: TopLevelType | None = None  # the top-level type whose body we are in
    pending: TopLevelType | None = None  # declared at depth 0, body not opened yet
    in_package, package_done, expect_dot = False, False, False
    while i < n:
        result.steps += 1
        c = code[i]
        if c == "/" and code.startswith("//", i):
            end = code.find("\n", i)
            i = n if end == -1 else end + 1
            continue
        if c == "/" and code.startswith("/*", i):
            end = code.find("*/", i + 2)
            i = n if end == -1 else end + 2
            continue
        if c.isspace():
            m = _SPACE.match(code, i)
            i = m.end() if m else i + 1
            continue
        if c == "_" or c == "$" or c.isalnum():
            m = _WORD.match(code, i)
            word = m.group(0) if m else c
            i += len(word)
            if in_package:
                if expect_dot or word[0].isdigit():
                    in_package = False  # malformed: javac will say so
                else:
                    result.package.append(word)
                    expect_dot = True
            elif depth == 0 and parens == 0:
                if word == "package" and not package_done and not result.types and pending is None:
                    in_package, package_done = True, True
                elif prev in _TYPE_KEYWORDS and pending is None and not word[0].isdigit():
                    pending = TopLevelType(word, saw_public)
                saw_public = saw_public or word == "public"
            elif depth == 1 and current is not None:
                if word == "main" and prev == "void" and saw_static and _next_is_paren(code, i):
                    current.has_main = True
                saw_static = saw_static or word == "static"
            prev = word
            continue
        i += 1
        if c == '"' or c == "'":
            i = _skip_string(code, i - 1, c)
        if in_package:
            if c == "." and expect_dot:
                expect_dot = False
                continue
            in_package = False
            if c != ";" or not expect_dot:
                result.package.clear()  # malformed: javac will say so
        if depth == 0 and c == "(":
            parens += 1
        elif depth == 0 and c == ")":
            parens = max(0, parens - 1)
        elif depth == 0 and parens > 0:
            pass  # braces of an annotation's arguments
        elif c == "{":
            if depth == 0 and pending is not None:
                current, pending = pending, None
                result.types.append(current)
            depth += 1
        elif c == "}":
            depth = max(0, depth - 1)
            if depth == 0:
                current = None
        elif c not in "\"';":
            prev = c  # '<', ',', '[' ...: not a word before a name
            continue
        prev, saw_public, saw_static = "", False, False
    return result


def _next_is_paren(code: str, i: int) -> bool:
    m = _SPACE.match(code, i)
    j = m.end() if m else i
    return code.startswith("(", j)


def parse(source: str) -> JavaSource:
    """Decode escapes, then scan: what javac will see."""
    return scan(decode_unicode_escapes(source))

"""Structure-aware variants of an input, for shrinking it. Pure: no runs here.

An input is read as lines of whitespace-separated tokens (``parse``), and each pass
proposes smaller ones in a fixed order, each with a *cursor*:

- ``line_removals``: delta debugging over lines — chunks of half the lines, then a
  quarter, … then single lines;
- ``token_removals``: the same over the tokens of each line;
- ``number_lowerings``: each integer token towards 0 — ``0``, ``1`` (``-1``), half.

A removal may break a count the input declares (``3`` followed by two numbers), so each
removal below the first line comes first with variants whose count in the first line (or
the line above) is lowered by what was removed, then as it is. Nothing here knows the input format: the
validator decides which variant is valid, the reference and the candidate whether it is
still a counterexample. After an accepted variant the pass restarts from that variant's
cursor (the same chunk size and position), so a pass never revisits what it passed
before on the same input.

Every variant is strictly lighter than its source by ``weight`` (length of the rendered
input, then the sum of its integers' magnitudes), so shrinking always terminates.
"""

from __future__ import annotations

from collections.abc import Iterator

Doc = tuple[tuple[str, ...], ...]
Cursor = tuple[int, ...]
Variants = Iterator[tuple[Cursor, Doc]]
_MAX_DIGITS = 18
_MAX_COUNT_VARIANTS = 3


def parse(data: bytes) -> Doc:
    text = data.decode("utf-8", errors="surrogateescape")
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return tuple(tuple(line.split()) for line in lines)


def render(doc: Doc) -> bytes:
    text = "".join(" ".join(tokens) + "\n" for tokens in doc)
    return text.encode("utf-8", errors="surrogateescape")


def integer(token: str) -> int | None:
    digits = token[1:] if token.startswith("-") else token
    if not digits or len(digits) > _MAX_DIGITS or not digits.isascii() or not digits.isdigit():
        return None
    return int(token)


def weight(doc: Doc) -> tuple[int, int]:
    magnitude = sum(abs(value) for tokens in doc for t in tokens if (value := integer(t)) is not None)
    return len(render(doc)), magnitude


def _chunks(count: int, largest: int) -> list[int]:
    """Chunk sizes, halving from ``count // 2`` (at least 1) down to 1, none above ``largest``."""
    sizes = []
    size = max(1, count // 2)
    while size >= 1:
        if size <= largest:
            sizes.append(size)
        size //= 2
    return sizes


def _recount(doc: Doc, count_lines: list[int], old_count: int, removed: int) -> list[Doc]:
    """``doc`` with one declared count lowered by ``removed``: first the integers equal to
    ``old_count`` (what was counted), else any integer at least ``removed``."""
    matches: list[tuple[int, int]] = []
    others: list[tuple[int, int]] = []
    for line in count_lines:
        for position, token in enumerate(doc[line]):
            value = integer(token)
            if value is None or value < removed:
                continue
            (matches if value == old_count else others).append((line, position))
    variants = []
    for line, position in (matches or others)[:_MAX_COUNT_VARIANTS]:
        tokens = list(doc[line])
        tokens[position] = str(int(tokens[position]) - removed)
        variants.append(doc[:line] + (tuple(tokens),) + doc[line + 1 :])
    return variants


def line_removals(doc: Doc, start: Cursor = ()) -> Variants:
    """Cursor ``(-chunk, first line removed, variant)``."""
    lines = len(doc)
    largest = -start[0] if start else lines
    for chunk in _chunks(lines, largest):
        first = start[1] if start and -start[0] == chunk else 0
        for i in range(first, lines, chunk):
            removed = doc[:i] + doc[i + chunk :]
            recounted = _recount(removed, [0], lines - 1, min(chunk, lines - i)) if i >= 1 else []
            for j, variant in enumerate([*recounted, removed]):
                yield (-chunk, i, j), variant


def token_removals(doc: Doc, start: Cursor = ()) -> Variants:
    """Cursor ``(line, -chunk, first token removed, variant)``."""
    for line in range(start[0] if start else 0, len(doc)):
        tokens = doc[line]
        resume = start and start[0] == line
        largest = -start[1] if resume else len(tokens)
        for chunk in _chunks(len(tokens), largest):
            first = start[2] if resume and -start[1] == chunk else 0
            for i in range(first, len(tokens), chunk):
                removed = doc[:line] + (tokens[:i] + tokens[i + chunk :],) + doc[line + 1 :]
                recounted = []
                if line >= 1:
                    count_lines = [0] + ([line - 1] if line >= 2 else [])
                    recounted = _recount(removed, count_lines, len(tokens), min(chunk, len(tokens) - i))
                for j, variant in enumerate([*recounted, removed]):
                    yield (line, -chunk, i, j), variant


def _lower(value: int) -> list[int]:
    sign = -1 if value < 0 else 1
    options = []
    for option in (0, sign, sign * (abs(value) // 2)):
        if abs(option) < abs(value) and option not in options:
            options.append(option)
    return options


def number_lowerings(doc: Doc, start: Cursor = ()) -> Variants:
    """Cursor ``(line, token, option)``."""
    for line in range(start[0] if start else 0, len(doc)):
        tokens = doc[line]
        first = start[1] if start and start[0] == line else 0
        for position in range(first, len(tokens)):
            value = integer(tokens[position])
            if value is None:
                continue
            for k, option in enumerate(_lower(value)):
                changed = tokens[:position] + (str(option),) + tokens[position + 1 :]
                yield (line, position, k), doc[:line] + (changed,) + doc[line + 1 :]


PASSES = (line_removals, token_removals, number_lowerings)

"""Lines and tokens of an output, streamed: what the built-in checkers read.

An output is ``bytes`` or a spooled ``Output``; both answer ``len()`` and slicing, and
both are read here in chunks of ``CHUNK_BYTES``. Lines and tokens come out one at a
time (as ``bytes``), so the memory a checker uses is a few chunks (plus the per-chunk
list of pieces ``bytes.split`` makes: at most ~20× one chunk), never one object per line
of the whole output. A line or token longer than ``LONG_BYTES`` is not copied at all: it
comes out as a ``Span`` (its position), compared and shown by reading it again.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from itertools import chain, zip_longest

from .models import FirstDifference
from .output import CHUNK_BYTES, Output

LONG_BYTES = 1 << 20
_SPACE = frozenset(b" \t\n\r\x0b\x0c")  # what bytes.split() and bytes.rstrip() strip

Text = bytes | Output


class Span:
    """``text[start:end]`` by position: a line or token too long to copy."""

    __slots__ = ("text", "start", "end")

    def __init__(self, text: Text, start: int, end: int) -> None:
        self.text, self.start, self.end = text, start, end

    def __len__(self) -> int:
        return self.end - self.start

    def __getitem__(self, key: slice) -> bytes:
        first, last, _ = key.indices(len(self))
        return self.text[self.start + first : self.start + max(first, last)]

    def pieces(self) -> Iterator[bytes]:
        for at in range(self.start, self.end, CHUNK_BYTES):
            yield self.text[at : min(self.end, at + CHUNK_BYTES)]

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, (bytes, Span)) or len(other) != len(self):
            return False
        for at, piece in zip(range(0, len(self), CHUNK_BYTES), self.pieces(), strict=False):
            if piece != other[at : at + CHUNK_BYTES]:
                return False
        return True

    def __hash__(self) -> int:
        digest = hashlib.blake2b(digest_size=16)
        for piece in self.pieces():
            digest.update(piece)
        return hash(digest.digest())

    def __repr__(self) -> str:
        return f"<Span {self.start}:{self.end}>"


Piece = bytes | Span


def chunks(text: Text) -> Iterator[bytes]:
    if isinstance(text, Output):
        yield from text.chunks(CHUNK_BYTES)
    else:
        for at in range(0, len(text), CHUNK_BYTES):
            yield text[at : at + CHUNK_BYTES]


def same(a: Text, b: Text) -> bool:
    if isinstance(a, bytes) and isinstance(b, bytes):
        return a == b
    return len(a) == len(b) and all(x == y for x, y in zip(chunks(a), chunks(b), strict=False))


def first_difference(a: Text, b: Text) -> int:
    """The offset of the first differing byte (the shorter length if one is a prefix)."""
    for at, (x, y) in enumerate(zip(chunks(a), chunks(b), strict=False)):
        if x != y:
            offset = at * CHUNK_BYTES
            return offset + next(
                (i for i, (p, q) in enumerate(zip(x, y, strict=False)) if p != q), min(len(x), len(y))
            )
    return min(len(a), len(b))


def _rstripped(text: Text, start: int, end: int) -> Span:
    while end > start:
        window = text[max(start, end - CHUNK_BYTES) : end]
        kept = len(window.rstrip())
        end -= len(window) - kept
        if kept:
            break
    return Span(text, start, end)


def _raw_line_batches(text: Text) -> Iterator[list[Piece]]:
    """Every piece between newlines (as ``bytes.split(b"\n")``), right-stripped, a chunk's
    worth at a time."""
    if isinstance(text, bytes) and len(text) <= CHUNK_BYTES:
        yield [line.rstrip() for line in text.split(b"\n")]
        return
    carry = bytearray()  # the unfinished line, while it is short
    start = offset = 0  # where it began; where this chunk begins
    long = False
    for chunk in chunks(text):
        first = chunk.find(b"\n")
        if first < 0:
            if not long:
                carry += chunk
                long = len(carry) > LONG_BYTES
                if long:
                    carry.clear()
            offset += len(chunk)
            continue
        batch: list[Piece]
        if long:
            batch = [_rstripped(text, start, offset + first)]
            long = False
        elif carry:
            carry += chunk[:first]
            batch = [bytes(carry.rstrip())]
            carry.clear()
        else:
            batch = [chunk[:first].rstrip()]
        last = chunk.rfind(b"\n")
        if last > first:
            batch += [line.rstrip() for line in chunk[first + 1 : last].split(b"\n")]
        yield batch
        carry += chunk[last + 1 :]
        start = offset + last + 1
        offset += len(chunk)
    yield [_rstripped(text, start, offset) if long else bytes(carry.rstrip())]


def line_batches(text: Text) -> Iterator[list[Piece]]:
    """Lines without trailing whitespace, trailing empty lines dropped, in batches."""
    empty = 0  # empty lines held back: they count only if a non-empty line follows
    for batch in _raw_line_batches(text):
        end = len(batch)
        while end and not batch[end - 1]:
            end -= 1
        if end == 0:
            empty += len(batch)
            continue
        while empty:
            run = min(empty, CHUNK_BYTES)
            yield [b""] * run
            empty -= run
        yield batch if end == len(batch) else batch[:end]
        empty = len(batch) - end


def lines(text: Text) -> Iterator[Piece]:
    return chain.from_iterable(line_batches(text))


class _Pending:
    """The token cut by a chunk's end: its bytes while short, else only its start."""

    __slots__ = ("carry", "start", "long")

    def __init__(self, piece: bytes, start: int) -> None:
        self.carry, self.start, self.long = bytearray(piece), start, False

    def extend(self, piece: bytes) -> None:
        if not self.long:
            self.carry += piece
            self.long = len(self.carry) > LONG_BYTES
            if self.long:
                self.carry = bytearray()

    def finish(self, text: Text, end: int) -> Piece:
        return Span(text, self.start, end) if self.long else bytes(self.carry)


def token_batches(text: Text) -> Iterator[list[Piece]]:
    """Whitespace-separated tokens, as ``bytes.split()`` gives them, in batches."""
    if isinstance(text, bytes) and len(text) <= CHUNK_BYTES:
        yield list(text.split())
        return
    pending: _Pending | None = None
    offset = 0
    for chunk in chunks(text):
        parts: list[Piece] = list(chunk.split())
        if pending is not None:
            if chunk[0] not in _SPACE:
                head = parts[0]
                assert isinstance(head, bytes)
                pending.extend(head)
                if len(parts) == 1 and chunk[-1] not in _SPACE:
                    offset += len(chunk)
                    continue
                parts[0] = pending.finish(text, offset + len(head))
            else:
                yield [pending.finish(text, offset)]
            pending = None
        stop = len(parts)
        if stop and chunk[-1] not in _SPACE:  # the last token may go on in the next chunk
            stop -= 1
            tail = parts[stop]
            assert isinstance(tail, bytes)
            pending = _Pending(tail, offset + len(chunk) - len(tail))
        yield parts if stop == len(parts) else parts[:stop]
        offset += len(chunk)
    if pending is not None:
        yield [pending.finish(text, offset)]


def tokens(text: Text) -> Iterator[Piece]:
    return chain.from_iterable(token_batches(text))


def count_tokens(text: Text) -> int:
    if isinstance(text, bytes) and len(text) <= CHUNK_BYTES:
        return len(text.split())
    count, open_end = 0, False
    for chunk in chunks(text):
        parts = len(chunk.split())
        count += parts - (1 if open_end and parts and chunk[0] not in _SPACE else 0)
        open_end = chunk[-1] not in _SPACE
    return count


# --- locating the first difference (``FirstDifference``), for rejected outputs only -------

TOKEN_SHOWN = 64  # bytes of a differing token shown
CONTEXT_SHOWN = 80  # bytes of its line shown around it
_TOKEN = re.compile(rb"\S+")  # the tokens bytes.split() gives; linear, no backtracking


def _head(piece: Piece) -> bytes:
    """A line as bytes: a long one (a ``Span``) only up to ``LONG_BYTES``."""
    return piece if isinstance(piece, bytes) else piece[:LONG_BYTES]


def _show(data: bytes, limit: int = TOKEN_SHOWN) -> str:
    return data[:limit].decode("utf-8", errors="replace") + ("…" if len(data) > limit else "")


def _context(line: bytes, at: int) -> str:
    start = max(0, min(at - CONTEXT_SHOWN // 4, len(line) - CONTEXT_SHOWN))
    return line[start : start + CONTEXT_SHOWN].decode("utf-8", errors="replace")


def _nth_token(line: bytes, n: int) -> tuple[int, bytes]:
    """The ``n``-th (0-based) token of ``line`` and where it starts; past the end: ``(len, b"")``."""
    for k, match in enumerate(_TOKEN.finditer(line)):
        if k == n:
            return match.start(), match.group()
    return len(line.rstrip()), b""


def _difference(line: int, found: tuple[bytes, int, bytes], expected: tuple[bytes, int, bytes]):
    (found_line, found_at, found_token), (expected_line, expected_at, expected_token) = found, expected
    return FirstDifference(
        line=line,
        column=found_at + 1,
        expected=_show(expected_token),
        found=_show(found_token),
        expected_context=_context(expected_line, expected_at),
        found_context=_context(found_line, found_at),
    )


def line_difference(number: int, found: Piece | None, expected: Piece | None) -> FirstDifference:
    """Line ``number`` (1-based) of the output and the answer differ (``None``: that side has
    no such line): their first differing token."""
    a, b = _head(found or b""), _head(expected or b"")
    pa, xa, pb, xb = len(a.rstrip()), b"", len(b.rstrip()), b""
    for ma, mb in zip_longest(_TOKEN.finditer(a), _TOKEN.finditer(b)):
        if ma is None or mb is None or ma.group() != mb.group():
            if ma is not None:
                pa, xa = ma.start(), ma.group()
            if mb is not None:
                pb, xb = mb.start(), mb.group()
            break
    else:  # the same tokens, spaced differently: the first differing byte
        at = next((i for i, (p, q) in enumerate(zip(a, b, strict=False)) if p != q), min(len(a), len(b)))
        pa = pb = at
        xa, xb = a[at : at + 1], b[at : at + 1]
    return _difference(number, (a, pa, xa), (b, pb, xb))


def _locate_token(text: Text, number: int) -> tuple[int, bytes, int, bytes]:
    """The ``number``-th (1-based) token: its line number, that line, where it starts, itself.
    Past the last token: the line after the last one, empty."""
    seen, line_number = 0, 0
    for line_number, piece in enumerate(lines(text), start=1):
        line = _head(piece)
        count = len(line.split())
        if seen + count >= number:
            at, token = _nth_token(line, number - seen - 1)
            return line_number, line, at, token
        seen += count
    return line_number + 1, b"", 0, b""


def token_difference(output: Text, answer: Text, number: int) -> FirstDifference:
    """Token ``number`` (1-based) of the output and the answer differ (or one side lacks it)."""
    line, found_line, found_at, found = _locate_token(output, number)
    _, expected_line, expected_at, expected = _locate_token(answer, number)
    return _difference(line, (found_line, found_at, found), (expected_line, expected_at, expected))


def byte_difference(output: Text, answer: Text, offset: int) -> FirstDifference:
    """The outputs differ at byte ``offset``: its line and column, a few bytes of each side."""
    newlines, line_start = 0, 0
    for at, chunk in enumerate(chunks(output[:offset] if isinstance(output, bytes) else output)):
        base = at * CHUNK_BYTES
        if base >= offset:
            break
        chunk = chunk[: offset - base]
        newlines += chunk.count(b"\n")
        last = chunk.rfind(b"\n")
        if last >= 0:
            line_start = base + last + 1
    start = max(line_start, offset - CONTEXT_SHOWN // 4)
    found_line = output[start : start + CONTEXT_SHOWN]
    expected_line = answer[start : start + CONTEXT_SHOWN]
    return FirstDifference(
        line=newlines + 1,
        column=offset - line_start + 1,
        expected=_show(answer[offset : offset + 16]),
        found=_show(output[offset : offset + 16]),
        expected_context=_show(expected_line, CONTEXT_SHOWN),
        found_context=_show(found_line, CONTEXT_SHOWN),
    )

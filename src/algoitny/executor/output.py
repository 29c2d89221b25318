"""A program's stdout, spooled into a memfd as it arrives instead of a growing bytearray.

The worker never holds a whole output on its heap: the bytes live in an anonymous
in-memory file (``memfd_create``; shared memory, counted in the worker's memory cgroup,
not in its RSS) from the moment they leave the pipe until the test has been checked,
and are read back in bounded chunks (``os.pread``). At most ``slots`` outputs exist at a
time, each at most the run's output cap; ``close()`` frees one at once (and dropping the
last reference does too).

Reading is bytes-like where callers need it: ``len(output)``, ``output[:n]`` (a bounded
head), ``bytes(output)`` (the whole of it, for callers that really want it: a custom input
run, a custom checker's file).
"""

from __future__ import annotations

import os
import weakref
from collections.abc import Iterator

CHUNK_BYTES = 128 * 1024


class Output:
    __slots__ = ("_fd", "_size", "_finalizer", "__weakref__")

    def __init__(self, data: bytes = b"") -> None:
        self._fd: int | None = None  # created on the first byte: most outputs of failed runs are empty
        self._size = 0
        self._finalizer: weakref.finalize | None = None
        if data:
            self.append(data)

    def append(self, data: bytes | memoryview) -> None:
        if not data:
            return
        if self._fd is None:
            self._fd = os.memfd_create("algoitny-stdout", os.MFD_CLOEXEC)
            self._finalizer = weakref.finalize(self, os.close, self._fd)
        view = memoryview(data)
        while view:
            written = os.pwrite(self._fd, view, self._size)
            self._size += written
            view = view[written:]

    def __len__(self) -> int:
        return self._size

    def __bool__(self) -> bool:
        return self._size > 0

    def read(self, start: int, end: int) -> bytes:
        """Bytes ``[start, end)``, clipped to the output (a short read only at the end)."""
        start, end = max(0, start), min(end, self._size)
        if self._fd is None or end <= start:
            return b""
        parts = []
        while start < end:
            got = os.pread(self._fd, end - start, start)
            if not got:
                break
            parts.append(got)
            start += len(got)
        return parts[0] if len(parts) == 1 else b"".join(parts)

    def __getitem__(self, key: slice) -> bytes:
        if not isinstance(key, slice) or key.step not in (None, 1):
            raise TypeError("an Output can only be sliced, with step 1")
        start, end, _ = key.indices(self._size)
        return self.read(start, end)

    def chunks(self, size: int = CHUNK_BYTES) -> Iterator[bytes]:
        for start in range(0, self._size, size):
            yield self.read(start, start + size)

    def __bytes__(self) -> bytes:
        return self.read(0, self._size)

    def close(self) -> None:
        if self._finalizer is not None:
            self._finalizer()  # closes the memfd once, whoever calls first
        self._fd = None
        self._size = 0

    def __repr__(self) -> str:
        return f"<Output {self._size} bytes>"

"""Executor tests run the real sandbox: bubblewrap, cgroups, seccomp, slot uids.

The session configures the executor once with its own box root (a temporary
directory) and its own uid range, so a worker running on the same host is never
disturbed. Nothing here skips: a missing tool fails loudly.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

import pytest

# The session-wide ``executor_runtime`` fixture (box root, uid range, slots) lives in
# tests/conftest.py: the in-process workers of other test folders share it.


@pytest.fixture
async def runtime(executor_runtime):
    yield executor_runtime
    await executor_runtime.idle()


def slot_uids(runtime) -> list[int]:
    return [slot.uid for slot in runtime.pool.slots]


def warm_boxes() -> tuple[set[int], set[Path]]:
    """The live warm boxes' bwrap + supervisor PIDs and cgroups: what may stay between runs.

    Exactly two processes per box; anything else of a slot's uid (a process a run left in
    its box included: the box's processes are the slot uid's) is still reported.
    """
    from algoitny.executor.runtime import get_runtime

    pool = get_runtime().warm
    return (pool.pids(), pool.group_dirs()) if pool is not None else (set(), set())


def processes_of(uids: list[int]) -> list[tuple[int, int, str]]:
    """(pid, uid, command) of every live process owned by one of ``uids``, warm boxes aside."""
    found = []
    boxes, _ = warm_boxes()
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) in boxes:
            continue
        try:
            with open(f"/proc/{entry}/status") as f:
                status = f.read()
            with open(f"/proc/{entry}/cmdline", "rb") as f:
                cmd = f.read().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        for line in status.splitlines():
            if line.startswith("Uid:"):
                uid = int(line.split()[1])
                state = next((row for row in status.splitlines() if row.startswith("State:")), "")
                if uid in uids and "Z" not in state.split()[1:2]:
                    found.append((int(entry), uid, cmd[:100]))
    return found


def leftover_cgroups(runtime) -> list[Path]:
    """Run cgroups of this session's slots (other executor processes may share the parent);
    the live warm boxes' own groups aside."""
    prefixes = tuple(f"u{uid}-" for uid in slot_uids(runtime))
    _, boxes = warm_boxes()
    return [
        child
        for parent in runtime.cgroups.parents
        for child in parent.iterdir()
        if child.is_dir() and child.name.startswith(prefixes) and child not in boxes
    ]


@pytest.fixture
async def warm(runtime):
    assert runtime.warm is not None and runtime.use_warm, runtime.warm_reason
    yield runtime


@contextlib.asynccontextmanager
async def one_slot(runtime):
    """Every run inside goes to the same slot (so the same box while it lives)."""
    held = [await runtime.pool.acquire() for _ in range(len(runtime.pool.slots) - 1)]
    try:
        yield next(s for s in runtime.pool.slots if s not in held)
    finally:
        for slot in held:
            runtime.pool.release(slot)


@contextlib.contextmanager
def cold(runtime):
    runtime.use_warm = False
    try:
        yield
    finally:
        runtime.use_warm = True

"""Slots under concurrency: several run_tests calls in one process, and several worker
processes on one host sharing a uid range. No two runs in flight ever share a uid."""

from __future__ import annotations

import asyncio
import dataclasses
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from algoitny.executor import Limits, SandboxUnavailable, TestCase, Verdict, compile_source, run_tests
from algoitny.executor.slots import SlotPool

from .conftest import leftover_cgroups, processes_of, slot_uids

# Prints the uid it ran as and the number it was given, after a short pause so that
# runs overlap.
UID_PY = "import os, sys, time\nn = sys.stdin.read().strip()\ntime.sleep(0.05)\nprint(os.getuid(), n)\n"


async def test_concurrent_run_tests_calls_never_share_a_slot(runtime, monkeypatch):
    pool = runtime.pool
    in_use: set[int] = set()
    overlaps: list[int] = []
    acquire, release = pool.acquire, pool.release

    async def tracked_acquire():
        slot = await acquire()
        if slot.uid in in_use:
            overlaps.append(slot.uid)
        in_use.add(slot.uid)
        return slot

    def tracked_release(slot):
        in_use.discard(slot.uid)
        release(slot)

    monkeypatch.setattr(pool, "acquire", tracked_acquire)
    monkeypatch.setattr(pool, "release", tracked_release)

    async def one_call(call: int) -> list:
        tests = [TestCase(f"{call}-{i}", f"{call * 100 + i}\n".encode(), b"") for i in range(6)]
        return [r async for r in run_tests(compiled, tests, Limits(time_limit_s=5), slots=2)]

    async with await compile_source("python", UID_PY) as compiled:
        batches = await asyncio.gather(*(one_call(call) for call in range(4)))
    assert overlaps == []
    uids = set(slot_uids(runtime))
    for call, results in enumerate(batches):
        assert len(results) == 6
        for r in results:
            uid, number = r.stdout.split()
            assert int(uid) in uids
            assert int(number) == call * 100 + int(r.name.split("-")[1])
            assert r.verdict is Verdict.WA  # the expected output is empty on purpose
    await runtime.idle()
    assert processes_of(slot_uids(runtime)) == []
    assert leftover_cgroups(runtime) == []
    assert len(pool._free) == len(pool.slots)


def test_a_second_pool_in_this_process_gets_other_uids(runtime):
    config = dataclasses.replace(runtime.config, box_root=Path(tempfile.mkdtemp()), slots=2)
    other = SlotPool(config)
    try:
        assert not {s.uid for s in other.slots} & set(slot_uids(runtime))
    finally:
        other.close()


def test_an_exhausted_uid_range_is_refused_clearly(runtime):
    # A range holding only a uid this process already claimed.
    config = dataclasses.replace(
        runtime.config, box_root=Path(tempfile.mkdtemp()), uid_base=runtime.pool.slots[0].uid, uid_count=1
    )
    with pytest.raises(SandboxUnavailable, match="claimed by other executor processes"):
        SlotPool(config)


CHILD = """
import sys
from pathlib import Path
from algoitny.executor.config import ExecutorConfig
from algoitny.executor.slots import SlotPool
base, count, root, lock_dir = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4]
pool = SlotPool(ExecutorConfig(box_root=Path(root), uid_base=base, uid_count=count, slots=2,
                               lock_dir=Path(lock_dir)))
print(" ".join(str(s.uid) for s in pool.slots), flush=True)
sys.stdin.read()  # hold the claims until the parent closes our stdin
"""


def test_another_worker_process_with_another_box_root_gets_other_uids(runtime):
    """The lock directory is host-wide: a different box root does not mean other uids."""
    config = runtime.config
    root = tempfile.mkdtemp()
    child = subprocess.Popen(
        [
            sys.executable,
            "-c",
            CHILD,
            str(config.uid_base),
            str(config.uid_count),
            root,
            str(config.lock_dir),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        theirs = {int(u) for u in child.stdout.readline().split()}
        assert len(theirs) == 2
        assert not theirs & set(slot_uids(runtime))
        # While the child holds its uids, a third claimant gets yet other ones.
        third = SlotPool(dataclasses.replace(config, box_root=Path(tempfile.mkdtemp()), slots=2))
        try:
            assert not {s.uid for s in third.slots} & (theirs | set(slot_uids(runtime)))
        finally:
            third.close()
    finally:
        child.stdin.close()
        child.wait(timeout=30)


def test_a_forked_child_claims_its_own_uids(runtime):
    """A pre-forking server or multiprocessing child inherits the runtime: it must not
    keep using the parent's slots (two boxes under one uid)."""
    import os

    from algoitny.executor import get_runtime

    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: report its slots' uids, then leave without cleanup hooks
        try:
            os.close(read_end)
            uids = " ".join(str(s.uid) for s in get_runtime().pool.slots)
            os.write(write_end, uids.encode())
        finally:
            os._exit(0)
    os.close(write_end)
    with os.fdopen(read_end) as pipe:
        child_uids = {int(u) for u in pipe.read().split()}
    os.waitpid(pid, 0)
    assert child_uids and not child_uids & set(slot_uids(runtime))
    assert get_runtime() is runtime


async def test_runs_whose_event_loop_closes_at_once_leave_no_cgroup(runtime):
    """`algoitny judge` (any `asyncio.run`) closes its loop as soon as its last run returns,
    e.g. right after a compile error: the runs' cgroups must still be removed, not cancelled
    with the loop (they used to stay behind, and fail later tests' leftover checks)."""

    def compile_on_a_loop_of_its_own(source: str) -> bool:
        async def compile_only() -> bool:
            return (await compile_source("c", source)).ok

        return asyncio.run(compile_only())

    for _ in range(3):
        assert await asyncio.to_thread(compile_on_a_loop_of_its_own, "int main( {") is False
    await runtime.idle()
    assert processes_of(slot_uids(runtime)) == []
    assert leftover_cgroups(runtime) == []

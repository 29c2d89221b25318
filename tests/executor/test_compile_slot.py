"""compile_source around the sandbox: slots come back, boxes are wiped, artifacts never leak,
the event loop keeps running while a source is parsed."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

from algoitny.executor import ExecutorConfig, Limits, TestCase, Verdict, compile_source, run_tests
from algoitny.executor.compile_box import BOX_BYTES
from algoitny.executor.compile_box import finish as _finish
from algoitny.executor.languages.c import C
from algoitny.executor.slots import SlotPool

from .test_compile_box import deep_tree

CASES = Path(__file__).parent / "cases"
JAVA_AB = (
    "import java.util.Scanner;\npublic class Main { public static void main(String[] a) {"
    " Scanner s = new Scanner(System.in); System.out.println(s.nextLong() + s.nextLong()); } }\n"
)


async def all_slots_free(runtime) -> None:
    """Wait (bounded) until every slot is back in the pool."""
    for _ in range(3000):
        if len(runtime.pool._free) == len(runtime.pool.slots):
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"slots not returned: {len(runtime.pool._free)}/{len(runtime.pool.slots)} free")


async def until(condition) -> None:
    for _ in range(100_000):
        if condition():
            return
        await asyncio.sleep(0.001)
    raise AssertionError("condition never met")


def artifacts(runtime) -> list[str]:
    root = runtime.config.box_root / "artifacts"
    return sorted(os.listdir(root)) if root.exists() else []


async def test_a_deep_tree_left_in_every_box_is_wiped_and_the_slots_work(runtime):
    """A crashed compile left 1,500 nested directories: the old recursive wipe raised
    RecursionError before the compile and never released the slot."""
    for slot in runtime.pool.slots:
        deep_tree(slot.box, 1500)
    compiled = await compile_source("c", C.self_test_source)
    async with compiled:
        assert compiled.ok, compiled.message
        tests = [TestCase(f"ab{i}", b"1 2\n", b"3\n") for i in range(len(runtime.pool.slots))]
        results = [r async for r in run_tests(compiled, tests, Limits(), slots=len(tests))]
    assert {r.verdict for r in results} == {Verdict.AC}
    for _ in runtime.pool.slots:  # a compile on each slot: every leftover tree is gone
        compiled = await compile_source("c", C.self_test_source)
        await compiled.cleanup()
    await all_slots_free(runtime)
    for slot in runtime.pool.slots:
        assert list(slot.box.iterdir()) == []
    assert artifacts(runtime) == []


async def test_the_compile_box_is_a_size_capped_tmpfs(runtime):
    compiled = await compile_source("c", C.self_test_source)
    await compiled.cleanup()
    used = [slot for slot in runtime.pool.slots if await asyncio.to_thread(os.path.ismount, slot.box)]
    assert used
    for slot in used:
        st = os.statvfs(slot.box)
        assert st.f_blocks * st.f_frsize == BOX_BYTES
        assert os.stat(slot.box).st_uid == slot.uid


def test_a_box_that_cannot_be_wiped_is_quarantined(tmp_path):
    uid = int(os.environ.get("ALGOITNY_TEST_UID_BASE", "61000")) + 900
    config = ExecutorConfig(
        box_root=tmp_path / "boxes", uid_base=uid, uid_count=1, slots=1, lock_dir=tmp_path / "locks"
    )
    (tmp_path / "boxes").mkdir()
    pool = SlotPool(config)
    try:
        [slot] = pool.slots
        pool._free.clear()  # acquired
        slot.box.rmdir()  # the wipe fails: no such directory
        _finish(pool, slot)
        assert pool.quarantined == [slot]
        assert list(pool._free) == []  # never handed out again
        slot.box.mkdir()
        _finish(pool, slot)  # a box that can be wiped goes back
        assert list(pool._free) == [slot]
    finally:
        pool.close()


async def cancelled(task: asyncio.Future) -> None:
    task.cancel()
    try:
        compiled = await task
    except asyncio.CancelledError:
        return
    await compiled.cleanup()  # it finished first: fine too


async def assert_nothing_left(runtime) -> None:
    await all_slots_free(runtime)
    await runtime.idle()
    assert artifacts(runtime) == []
    for slot in runtime.pool.slots:
        assert await asyncio.to_thread(lambda box=slot.box: list(box.iterdir())) == []


async def test_cancelling_while_the_box_is_prepared_writes_nothing_after_the_wipe(runtime):
    """A cancelled compile's thread used to write the source after the slot was wiped and
    handed on. (Cancelling while bwrap starts is the sandbox's business, not tested here.)"""
    for steps in (0, 1, 2):
        held = [await runtime.pool.acquire() for _ in runtime.pool.slots]
        task = asyncio.ensure_future(compile_source("java", JAVA_AB))
        await until(lambda: bool(runtime.pool._waiters))  # parsed; waits for a slot
        for slot in held:
            runtime.pool.release(slot)
        for _ in range(steps):
            await asyncio.sleep(0)
        await cancelled(task)
        await assert_nothing_left(runtime)


async def test_cancelling_while_artifacts_are_collected_leaves_none(runtime):
    classes = "".join(f"class C{i} {{}}\n" for i in range(1500))
    for _ in range(2):
        task = asyncio.ensure_future(compile_source("java", JAVA_AB + classes))
        await until(lambda task=task: task.done() or bool(artifacts(runtime)))  # collecting
        await cancelled(task)
        await assert_nothing_left(runtime)


async def test_the_event_loop_runs_while_a_hostile_java_source_is_parsed(runtime):
    """The old parser ran on the loop (30 s of regex on this file): nothing else ran."""
    source = (CASES / "JavaRegexBomb.java").read_text()
    ticks = 0
    stop = asyncio.Event()

    async def ticker() -> None:
        nonlocal ticks
        while not stop.is_set():
            ticks += 1
            await asyncio.sleep(0)

    held = [await runtime.pool.acquire() for _ in runtime.pool.slots]  # compile waits after parsing
    started: list[int] = []

    async def compile_marked():
        started.append(ticks)
        return await compile_source("java", source)

    tick_task = asyncio.ensure_future(ticker())
    task = asyncio.ensure_future(compile_marked())
    try:
        for _ in range(100_000):
            if runtime.pool._waiters:  # parsed, now waiting for a slot
                break
            await asyncio.sleep(0.001)
        assert runtime.pool._waiters, "the compile never got past parsing"
        assert ticks - started[0] > 0
    finally:
        for slot in held:
            runtime.pool.release(slot)
        compiled = await task
        stop.set()
        await tick_task
    assert compiled.verdict is Verdict.CE and "unclosed comment" in compiled.message
    await all_slots_free(runtime)

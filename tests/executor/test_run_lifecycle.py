"""How one sandboxed run is started, watched, reaped and classified (issue 9: 3, 6, 7, 8, 11, 12)."""

from __future__ import annotations

import asyncio
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from algoitny.executor import Limits, TestCase, Verdict, compile_source, run_once, run_tests
from algoitny.executor.bwrap import Layout
from algoitny.executor.execution import run_verdict
from algoitny.executor.sandbox import run_sandboxed

from .conftest import leftover_cgroups

AB_C = '#include <stdio.h>\nint main(void){long a,b;scanf("%ld %ld",&a,&b);printf("%ld\\n",a+b);return 0;}\n'

# Exits 1 after printing what bwrap prints when its own setup fails.
FORGE_C = r"""
#include <stdio.h>
int main(void) {
    fputs("bwrap: Can't mount proc on /newroot/proc: Operation not permitted\n", stderr);
    return 1;
}
"""

# The parent prints and exits; its child waits for that exit (re-parenting), then writes.
# SLEEP: the child also sleeps first, so its write always comes well after the exit.
ORPHAN_C = r"""
#include <stdio.h>
#include <unistd.h>
int main(void) {
    pid_t parent = getpid();
    fflush(stdout);
    if (fork() == 0) {
        while (getppid() == parent) usleep(100);
        if (SLEEP) usleep(100000);
        fputs("child\n", stdout);
        return 0;
    }
    fputs("parent\n", stdout);
    return 0;
}
"""

CAT_C = r"""
#include <stdio.h>
int main(int argc, char **argv) {
    FILE *f = fopen(argv[1], "rb");
    if (!f) { perror(argv[1]); return 2; }
    int c; long n = 0;
    while ((c = fgetc(f)) != EOF) { putchar(c); n++; }
    fprintf(stderr, "%ld bytes\n", n);
    return 0;
}
"""

ZOMBIE_PROBE = r"""
import asyncio, ctypes, json, os, sys
from pathlib import Path

import pytest

# A subreaper like the worker as a container's PID 1: what our runs orphan comes to us.
ctypes.CDLL(None).prctl(36, 1, 0, 0, 0)
from algoitny.executor import ExecutorConfig, Limits, TestCase, compile_source, configure, get_runtime, run_tests

base, count, root, lock_dir, source = sys.argv[1:6]
configure(ExecutorConfig(box_root=Path(root), uid_base=int(base), uid_count=int(count), slots=2,
                         lock_dir=Path(lock_dir)))


def zombies():
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    fields = f.read().rpartition(")")[2].split()
            except OSError:
                continue
            if fields[0] == "Z" and int(fields[1]) == os.getpid():
                found.append(int(entry))
    return found


async def main():
    rt = get_runtime()
    tests = [TestCase(str(i), f"{i} {i}\n".encode(), f"{2 * i}\n".encode()) for i in range(30)]
    async with await compile_source("c", source) as compiled:
        verdicts = [str(r.verdict) async for r in run_tests(compiled, tests, Limits())]
    await rt.idle()
    print(json.dumps({"verdicts": verdicts, "zombies": zombies()}))


asyncio.run(main())
"""


def test_thirty_runs_in_a_subreaper_leave_no_zombie(runtime):
    config = runtime.config
    root = tempfile.mkdtemp(prefix="algoitny-zombies-")
    os.chmod(root, 0o711)
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            ZOMBIE_PROBE,
            str(config.uid_base),
            str(config.uid_count),
            root,
            str(config.lock_dir),
            AB_C,
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout.splitlines()[-1])
    assert report["verdicts"] == ["AC"] * 30
    assert report["zombies"] == []


async def test_a_program_printing_a_bwrap_message_is_re_not_ie(runtime):
    async with await compile_source("c", FORGE_C) as compiled:
        result = await run_once(compiled, b"", Limits())
    assert result.verdict is Verdict.RE
    assert result.exit_code == 1 and result.message == ""


async def test_a_real_bwrap_setup_failure_is_ie(runtime):
    layout = Layout(argv=["/bin/true"], ro_binds=[("/nonexistent-algoitny-path", "/data")])
    slot = await runtime.pool.acquire()
    try:
        outcome = await run_sandboxed(layout, Limits(), b"", slot)
    finally:
        runtime.pool.release(slot)
    assert outcome.internal_error is not None and "/nonexistent-algoitny-path" in outcome.internal_error
    assert run_verdict(outcome, "c", Limits()) is Verdict.IE


async def test_a_program_that_cannot_be_executed_is_ie(runtime):
    layout = Layout(argv=["/box/no-such-program"])
    slot = await runtime.pool.acquire()
    try:
        outcome = await run_sandboxed(layout, Limits(), b"", slot)
    finally:
        runtime.pool.release(slot)
    assert outcome.internal_error is not None and "execvp" in outcome.internal_error


def _uncached_file(root: Path, size: int) -> Path:
    """A file on disk whose pages are not in the page cache: reading it charges the reader."""
    data_dir = Path(tempfile.mkdtemp(dir=root))
    os.chmod(data_dir, 0o755)
    path = data_dir / "big"
    block = os.urandom(1 << 20)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    try:
        for _ in range(size >> 20):
            os.write(fd, block)
        os.fdatasync(fd)
        os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
    finally:
        os.close(fd)
    return path


async def _run_after_cache_fill(runtime, tail: str):
    """Read 8x the memory limit of uncached file data (page cache: the cgroup reclaims it at
    the limit, nothing is OOM-killed), then end as ``tail`` says."""
    limits = Limits(memory_mb=16)
    path = _uncached_file(runtime.config.box_root, 128 << 20)
    layout = Layout(
        argv=["/bin/sh", "-c", f"cat /data/big > /dev/null && {tail}"], ro_binds=[(str(path.parent), "/data")]
    )
    slot = await runtime.pool.acquire()
    try:
        outcome = await run_sandboxed(layout, limits, b"", slot)
    finally:
        runtime.pool.release(slot)
        path.unlink()
        path.parent.rmdir()
    assert outcome.internal_error is None, outcome.internal_error
    # The situation of the report: the peak reached the limit (failcnt rose too, on kernels that
    # count reclaim there; this one does not), and nothing was OOM-killed.
    assert outcome.memory_kb >= limits.memory_mb * 1024
    assert not outcome.oom_killed
    return outcome, run_verdict(outcome, "c", limits)


async def test_exit_137_after_the_page_cache_hit_the_limit_is_re_not_mle(runtime):
    outcome, verdict = await _run_after_cache_fill(runtime, "exit 137")
    assert outcome.signal == "SIGKILL"  # bwrap's encoding: 137 = 128 + 9
    assert verdict is Verdict.RE


async def test_sigkill_by_the_program_itself_after_the_page_cache_hit_the_limit_is_re(runtime):
    outcome, verdict = await _run_after_cache_fill(runtime, "kill -KILL $$")
    assert outcome.signal == "SIGKILL"
    assert verdict is Verdict.RE


async def test_a_real_oom_kill_is_still_mle(runtime):
    source = r"""
#include <stdlib.h>
#include <string.h>
int main(void) { for (;;) { char *p = malloc(1 << 20); if (p) memset(p, 1, 1 << 20); } }
"""
    async with await compile_source("c", source) as compiled:
        result = await run_once(compiled, b"", Limits(memory_mb=32))
    assert result.verdict is Verdict.MLE and result.signal == "SIGKILL"


async def test_output_written_after_the_main_process_exits_counts_every_time(runtime):
    """Deterministic: the run lasts until its last process has exited (docs/executor.md)."""
    for sleep in (0, 1):
        async with await compile_source("c", f"#define SLEEP {sleep}\n" + ORPHAN_C) as compiled:
            tests = [TestCase(str(i), b"", b"parent\nchild\n") for i in range(20)]
            results = [r async for r in run_tests(compiled, tests, Limits(), slots=2)]
        assert [(r.verdict, r.stdout) for r in results] == [(Verdict.AC, b"parent\nchild\n")] * 20


async def test_leftovers_running_into_the_wall_limit_are_killed_without_changing_the_verdict(runtime):
    source = r"""
#include <stdio.h>
#include <unistd.h>
int main(void) {
    if (fork() == 0) { puts("child"); fflush(stdout); for (;;) pause(); }
    puts("parent");
    return 0;
}
"""
    async with await compile_source("c", source) as compiled:
        result = await run_once(compiled, b"", Limits(time_limit_s=0.5))
    assert result.verdict is Verdict.AC
    assert sorted(result.stdout.split()) == [b"child", b"parent"]
    await runtime.idle()
    assert leftover_cgroups(runtime) == []


async def test_proc_cmdline_in_the_box_is_empty(runtime):
    async with await compile_source("c", CAT_C) as compiled:
        from algoitny.executor.execution import execute

        outcome = await execute(compiled, b"", Limits(), args=["/proc/cmdline"])
    assert outcome.exit_code == 0 and outcome.stderr == b"0 bytes\n"
    assert bytes(outcome.stdout) == b""
    assert await asyncio.to_thread(Path("/proc/cmdline").read_bytes)  # the host's is not empty


async def _box_cgroups(runtime) -> dict[str, str]:
    """controller -> last path component of this run's cgroup, as the program sees it."""
    from algoitny.executor.execution import execute

    async with await compile_source("c", CAT_C) as compiled:
        outcome = await execute(compiled, b"", Limits(), args=["/proc/self/cgroup"])
    assert outcome.exit_code == 0, outcome.stderr
    groups = {}
    for line in bytes(outcome.stdout).decode().splitlines():
        _, controllers, path = line.split(":", 2)
        for controller in controllers.split(","):
            groups[controller] = path.rsplit("/", 1)[-1]
    return groups


async def test_run_cgroup_names_are_not_sequential(runtime):
    first = (await _box_cgroups(runtime))["memory"]
    second = (await _box_cgroups(runtime))["memory"]
    pattern = re.compile(r"u(\d+)-([0-9a-f]{16})")
    a, b = pattern.fullmatch(first), pattern.fullmatch(second)
    assert a and b, (first, second)
    assert int(a.group(1)) in {s.uid for s in runtime.pool.slots}
    assert a.group(2) != b.group(2)


async def test_each_run_has_a_cpu_group_of_its_own_with_its_weight(runtime):
    from algoitny.executor.cgroups import V1_CPU_SHARES, CgroupV1

    driver = runtime.cgroups
    assert isinstance(driver, CgroupV1) and driver.cpu_index is not None  # this host: v1, cpu mounted
    cpu_parent = driver.parents[driver.cpu_index]
    assert "cpu" in cpu_parent.parent.name.split(",")
    groups = await _box_cgroups(runtime)
    assert groups["cpu"] == groups["memory"] and groups["cpu"].startswith("u")
    group = driver.create(runtime.next_name(runtime.pool.slots[0].uid), memory_bytes=1 << 26, pids=4)
    try:
        cpu_dir = Path(group.paths[driver.cpu_index])
        assert cpu_dir.parent == cpu_parent
        assert (cpu_dir / "cpu.shares").read_text().strip() == str(V1_CPU_SHARES)
    finally:
        await group.remove()


async def test_a_box_abandoned_before_its_start_is_killed_and_reaped(runtime):
    """bwrap killed between its clone and its report: its PID 1 (now our child, as the slot's
    uid) would run the program outside the cgroup once the block pipe closes."""
    from algoitny.executor.process import reap
    from algoitny.executor.spawn import kill_orphans_of

    slot = await runtime.pool.acquire()
    try:
        # A bare spawn (it does not block); reaped below by pidfd, not by Popen or asyncio.
        stray = subprocess.Popen(  # noqa: ASYNC220
            ["/bin/sleep", "100"], user=slot.uid, group=slot.gid, extra_groups=[]
        )
        pidfds = kill_orphans_of(slot.uid)
        assert len(pidfds) == 1
        await asyncio.gather(*(reap(fd) for fd in pidfds))
        with pytest.raises(ProcessLookupError):  # a zombie could still be signalled
            os.kill(stray.pid, 0)
        stray.returncode = -9  # reaped by us, not by Popen
    finally:
        runtime.pool.release(slot)

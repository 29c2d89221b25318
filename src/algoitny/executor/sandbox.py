"""The only code that starts untrusted processes.

One call, one run: ``await run_sandboxed(layout, limits, stdin, slot)``. The sequence:

1. a fresh cgroup for the run (memory, pids, CPU accounting);
2. ``bwrap`` started as the slot's unprivileged uid, which builds the namespaces and
   mounts, reports the box's PID-1 on ``--json-status-fd``, then waits on ``--block-fd``;
3. we move that PID-1 into the cgroup and set its rlimits, then unblock it: every
   process of the program is born inside the cgroup, seccomp already applied;
4. stdout/stderr are read by us with hard caps; CPU time is watched from the cgroup;
   the wall clock is a backstop; the run lasts until its last process has exited;
5. the program's exit status comes from bwrap's status descriptor (no status there:
   bwrap itself failed, IE); every process left in the cgroup is killed, the cgroup's
   counters are read, it is removed, and the box's PID 1 is reaped, all off the
   run's path.

The sandbox knows nothing about languages or verdicts: it reports facts.
"""

from __future__ import annotations

import ctypes
import fcntl
import os
import resource
import signal
import stat
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .bwrap import Layout, build_argv
from .cgroups import CgroupStats
from .models import Limits
from .output import Output
from .process import Watch, decode_status, reap
from .runtime import get_runtime
from .seccomp import SEALS, filter_fd
from .slots import Slot
from .spawn import Child, child_fd_numbers, kill_orphans_of, launch, launch_popen, slot_netns

_STDERR_KEEP = 64 * 1024
_PR_SET_PDEATHSIG = 1
_empty_files: dict[str, str] = {}
_empty_lock = threading.Lock()


@dataclass(slots=True)
class Outcome:
    exit_code: int | None
    signal: str | None
    cpu_ms: int
    wall_ms: int
    memory_kb: int
    cpu_timed_out: bool
    wall_timed_out: bool
    oom_killed: bool
    memory_limit_hit: bool
    stdout: Output  # spooled in a memfd; whoever consumes the outcome closes it
    stdout_exceeded: bool
    stderr: bytes
    stderr_exceeded: bool
    internal_error: str | None = None


def _rlimits(limits: Limits) -> list[tuple[int, int]]:
    """Backstops only: the cgroup and our watchdog are the real limits."""
    cpu = int(limits.time_limit_s) + 2
    wanted = [
        (resource.RLIMIT_CPU, cpu),
        (resource.RLIMIT_CORE, 0),
        (resource.RLIMIT_FSIZE, limits.tmp_bytes),
        (resource.RLIMIT_STACK, limits.memory_bytes),
        (resource.RLIMIT_NOFILE, 4096),
        (resource.RLIMIT_MSGQUEUE, 0),
        (resource.RLIMIT_MEMLOCK, 0),
    ]
    result = []
    for which, value in wanted:
        hard = resource.getrlimit(which)[1]
        result.append((which, value if hard == resource.RLIM_INFINITY else min(value, hard)))
    return result


def _limit_self(rlimits: list[tuple[int, int]]) -> Callable[[], None]:
    """Runs in the forked child, already as the slot's uid, just before bwrap starts.

    Lowering one's own limits needs no privilege; raising another process's would
    need CAP_SYS_RESOURCE, which a worker in a container often lacks.
    """

    def apply() -> None:
        for which, value in rlimits:
            resource.setrlimit(which, (value, value))
        # After the uid change, which clears it: bwrap dies with the worker (see launcher).
        ctypes.CDLL(None).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)

    return apply


def _empty_file(box_root: Path) -> str:
    """A root-owned empty read-only file, bound over the box's ``/proc/cmdline``."""
    key = str(box_root)
    with _empty_lock:
        if key not in _empty_files:
            path = box_root / "empty"
            fd = os.open(path, os.O_RDONLY | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o444)
            try:
                st = os.fstat(fd)
                if st.st_size or st.st_uid != 0 or not stat.S_ISREG(st.st_mode):
                    raise OSError(f"{path} must be an empty root-owned file")
                os.fchmod(fd, 0o444)
            finally:
                os.close(fd)
            _empty_files[key] = str(path)
        return _empty_files[key]


def _memfd(data: bytes) -> int:
    """A read-only descriptor on a sealed in-memory file holding ``data``.

    Sealed, because a descriptor on a memfd can be reopened read-write through
    /proc/<pid>/fd by anyone who can see it (the box's PID 1 keeps stdin open).
    """
    fd = os.memfd_create("algoitny", os.MFD_CLOEXEC | os.MFD_ALLOW_SEALING)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
        fcntl.fcntl(fd, fcntl.F_ADD_SEALS, SEALS)
        return os.open(f"/proc/self/fd/{fd}", os.O_RDONLY | os.O_CLOEXEC)
    finally:
        os.close(fd)


async def run_sandboxed(
    layout: Layout, limits: Limits, stdin: bytes, slot: Slot, *, merge_stderr: bool = False
) -> Outcome:
    rt = get_runtime()
    await rt.sweep(slot.uid)
    group = rt.cgroups.create(
        rt.next_name(slot.uid), memory_bytes=limits.memory_bytes, pids=limits.processes + 1
    )
    parent_fds: list[int] = []  # ours, closed at the end
    child_fds: list[int] = []  # the child's copies, closed right after the spawn
    child: Child | None = None
    watch: Watch | None = None
    unblocked = False
    try:
        stdin_fd = _memfd(stdin)
        child_fds.append(stdin_fd)
        out_r, out_w = os.pipe2(os.O_CLOEXEC | os.O_NONBLOCK)
        parent_fds.append(out_r)
        child_fds.append(out_w)
        if merge_stderr:
            err_r, err_w = None, out_w
        else:
            err_r, err_w = os.pipe2(os.O_CLOEXEC | os.O_NONBLOCK)
            parent_fds.append(err_r)
            child_fds.append(err_w)
        status_r, status_w = os.pipe2(os.O_CLOEXEC)
        block_r, block_w = os.pipe2(os.O_CLOEXEC)
        parent_fds += [status_r, block_w]
        child_fds += [status_w, block_r]
        seccomp_fd = filter_fd()
        child_fds.append(seccomp_fd)
        file_fds = [_memfd(data) for data in layout.files.values()]
        child_fds += file_fds
        for fd in (out_w, err_w):
            if fd is not None:
                os.set_blocking(fd, True)
                # The program's own pipe: owned by its uid, so that reopening it by name
                # (/dev/stdout, /proc/self/fd/1: Node's writeFileSync('/dev/stdout')) works.
                os.fchown(fd, slot.uid, slot.gid)
        passed = [status_w, block_r, seccomp_fd, *file_fds]
        status_n, block_n, seccomp_n, *file_ns = child_fd_numbers(passed, rt.launcher)
        argv = build_argv(
            rt.bwrap,
            layout,
            tmp_bytes=limits.tmp_bytes,
            seccomp_fd=seccomp_n,
            status_fd=status_n,
            block_fd=block_n,
            empty_file=_empty_file(rt.config.box_root),
            file_fds=file_ns,
            new_netns=rt.launcher is None,
        )
        stdio = (stdin_fd, out_w, err_w if err_w is not None else out_w)
        if rt.launcher is not None:
            child = launch(
                rt.launcher,
                argv,
                uid=slot.uid,
                netns=slot_netns(slot.uid),
                stdio=stdio,
                fds=passed,
                rlimits=_rlimits(limits),
            )
        else:
            child = launch_popen(
                argv, uid=slot.uid, stdio=stdio, fds=passed, preexec=_limit_self(_rlimits(limits))
            )
        for fd in child_fds:
            os.close(fd)
        child_fds.clear()
        watch = Watch(child, group, limits, out_r, err_r, stderr_keep=_STDERR_KEEP)
        box_pid = await watch.box_pid(status_r)
        if box_pid is None:
            await watch.finish(grace=5.0)
            return _internal(watch, "bwrap failed to start: " + watch.stderr_text())
        try:
            group.add(box_pid)
        except ProcessLookupError:  # bwrap gave up during its setup
            await watch.finish(grace=5.0)
            return _internal(watch, "bwrap failed: " + watch.stderr_text())
        unblocked = True
        try:
            os.write(block_w, b"x")
        except BrokenPipeError:  # bwrap's setup already failed: run() collects its message
            pass
        await watch.run()
        stats = group.stats()
        status = watch.main_exit_code()
        if status is None:  # bwrap never exec'd the program: its own message is all stderr holds
            return _internal(watch, "bwrap failed: " + watch.stderr_text())
        return collected(watch, stats, status)
    except OSError as exc:
        return Outcome(
            None,
            None,
            0,
            0,
            0,
            False,
            False,
            False,
            False,
            Output(),
            False,
            b"",
            False,
            internal_error=f"sandbox: {exc}",
        )
    finally:
        for fd in child_fds:
            os.close(fd)
        box_fds = []
        if watch is not None:
            if not unblocked:  # PID 1 must die before the block pipe closes: see kill_orphans_of
                watch.kill()
            box_fd = watch.take_box_fd()
            box_fds += [box_fd] if box_fd is not None else []
            watch.close()
        if child is not None:
            child.kill_and_reap()
            if not unblocked and not box_fds:
                box_fds += kill_orphans_of(slot.uid)
        for fd in box_fds:  # bwrap is gone: its PID 1 is ours (or init's) to reap
            rt.in_background(reap(fd))
        for fd in parent_fds:
            try:
                os.close(fd)
            except OSError:
                pass
        # The slot is reused as soon as we return: nothing of this run may remain.
        group.kill()
        rt.remove_later(group)


def collected(watch: Watch, stats: CgroupStats, status: int) -> Outcome:
    """A finished run's facts: its exit (bwrap's encoding) and its cgroup's figures. Warm
    runs and zygote forks collect the same way (``warm_run.py``)."""
    exit_code, sig = decode_status(status)
    return Outcome(
        exit_code=exit_code,
        signal=sig,
        cpu_ms=stats.cpu_ns // 1_000_000,
        wall_ms=watch.wall_ms,
        memory_kb=stats.peak_bytes // 1024,
        cpu_timed_out=watch.cpu_timed_out,
        wall_timed_out=watch.wall_timed_out,
        # Only the kernel's word: a SIGKILL or exit(137) after the page cache reached the
        # limit (failcnt up, nothing killed) is the program's own doing.
        oom_killed=stats.oom_kills > 0,
        memory_limit_hit=stats.limit_hits > 0,
        stdout=watch.take_stdout(),
        stdout_exceeded=watch.stdout_exceeded,
        stderr=watch.stderr_bytes(),
        stderr_exceeded=watch.stderr_exceeded,
    )


def _internal(watch: Watch, message: str) -> Outcome:
    return Outcome(
        None,
        None,
        0,
        watch.wall_ms,
        0,
        False,
        False,
        False,
        False,
        Output(),
        False,
        watch.stderr_bytes(),
        False,
        internal_error=message,
    )

"""One run in a slot's warm box, and the process-wide pool of warm boxes (one per slot).

``run_warm`` gives the same ``Outcome`` as ``sandbox.run_sandboxed`` from the same facts:
the run's own cgroup (memory, pids, CPU weight and time), the same rlimits (set by the
box's child before its exec), the same pipes and caps, the same watch. The box is
reused only after its supervisor reported the run clean (``I0``); any other ending (a
dirty run, a supervisor that is gone or late, an exception, a cancelled run) destroys it.
"""

from __future__ import annotations

import asyncio
import os
import socket
from pathlib import Path

from .bwrap import BASE_ENV
from .models import Limits
from .output import Output
from .procstate import inherited_state
from .runtime import get_runtime
from .sandbox import _STDERR_KEEP, Outcome, _empty_file, _internal, _memfd, _rlimits, collected
from .slots import Slot
from .warm import Channel, WarmBox, WarmPool, WarmWatch, encode_request, host_pid
from .zygote import ZygoteLost, ZygoteWatch, ns_pid, retire, start_zygote

_REPLY_TIMEOUT = 10.0


def _supervisor_kept(box: WarmBox) -> bool:
    """A run can ``prlimit``, renice or pin the supervisor (its uid, no ptrace needed): every
    later run of every submission in the slot would inherit that. Such a box is not clean."""
    return box.state is not None and inherited_state(box.pid) == box.state


async def _clean(watch: WarmWatch) -> bool:
    """Whether the supervisor reported the box clean. Cancelled while waiting for that (a
    judge giving up), the box counts as dirty and the rest of the run's clean-up still
    happens: a box kept with its report unread would hand that report to its next run."""
    try:
        return await watch.finished_clean()
    except asyncio.CancelledError:
        current = asyncio.current_task()
        if current is not None:
            current.uncancel()  # the clean-up goes on; the caller sees the cancellation below
            current.cancel()
        return False


class WarmUnavailable(Exception):
    """A box could not be started on this host: the run goes cold, and so do later ones."""


async def run_warm(
    pool: WarmPool, slot: Slot, exe: Path, argv: list[str], env: dict[str, str], limits: Limits, stdin: bytes
) -> Outcome:
    rt = get_runtime()
    await rt.sweep(slot.uid)
    try:
        box = await pool.get(rt, slot.uid, limits.tmp_bytes, _empty_file(rt.config.box_root))
    except OSError as exc:  # nothing of the run has started: the caller runs it cold
        raise WarmUnavailable(f"a warm box failed to start: {exc}") from exc
    await retire(rt, pool, box)  # a zygote holds the supervisor: it serves Python only
    if not box.healthy:
        return await run_warm(pool, slot, exe, argv, env, limits, stdin)
    # The box's supervisor is not in this group: the program may start ``processes`` tasks,
    # as in a cold box, where bwrap's PID 1 is the extra one.
    group = rt.cgroups.create(rt.next_name(slot.uid), memory_bytes=limits.memory_bytes, pids=limits.processes)
    parent_fds: list[int] = []
    child_fds: list[int] = []
    channel = Channel(box.ctl)
    watch: WarmWatch | None = None
    finished = False
    try:
        stdin_fd = _memfd(stdin)
        child_fds.append(stdin_fd)
        out_r, out_w = os.pipe2(os.O_CLOEXEC | os.O_NONBLOCK)
        err_r, err_w = os.pipe2(os.O_CLOEXEC | os.O_NONBLOCK)
        block_r, block_w = os.pipe2(os.O_CLOEXEC)
        parent_fds += [out_r, err_r, block_w]
        child_fds += [out_w, err_w, block_r]
        for fd in (out_w, err_w):
            os.set_blocking(fd, True)
            os.fchown(fd, slot.uid, slot.gid)  # as cold: /dev/stdout can be reopened by the program
        exe_fd = os.open(exe, os.O_PATH | os.O_CLOEXEC)
        child_fds.append(exe_fd)
        # bwrap sets PWD after its --chdir: so does the warm path, last, as bwrap does.
        payload = encode_request(_rlimits(limits), argv, {**BASE_ENV, **env, "PWD": "/box"})
        socket.send_fds(box.ctl, [payload], [exe_fd, stdin_fd, out_w, err_w, block_r])
        for fd in child_fds:
            os.close(fd)
        child_fds.clear()
        data, fds = await channel.receive(_REPLY_TIMEOUT)
        if data != b"P" or len(fds) != 1:
            for fd in fds:
                os.close(fd)
            raise OSError(f"warm box: unexpected reply {data[:80]!r}")
        try:
            pid = host_pid(fds[0])
        finally:
            os.close(fds[0])
        watch = WarmWatch(pid, channel, group, limits, out_r, err_r, stderr_keep=_STDERR_KEEP)
        group.add(pid)
        os.write(block_w, b"x")
        await watch.run()
        stats = group.stats()
        status = watch.main_exit_code()
        finished = True
        if status is None:
            if watch.status is not None:
                return _internal(
                    watch, f"warm box: exec of the program failed: {os.strerror(watch.status[1])}"
                )
            return _internal(watch, "warm box: the supervisor ended during the run")
        return collected(watch, stats, status)
    except OSError as exc:
        finished = False
        return Outcome(
            None, None, 0, 0, 0, False, False, False, False, Output(), False, b"", False,
            internal_error=f"sandbox: {exc}",
        )  # fmt: skip
    finally:
        for fd in child_fds:
            os.close(fd)
        group.kill()  # the run is over: nothing of it may remain in the box
        clean = finished and watch is not None and await _clean(watch) and _supervisor_kept(box)
        if watch is not None:
            watch.close()
        channel.close()
        if clean:
            box.runs += 1
        else:
            pool.discard(box)
        for fd in parent_fds:
            try:
                os.close(fd)
            except OSError:
                pass
        rt.remove_later(group)


async def run_zygote(
    pool: WarmPool, slot: Slot, artifact_dir: Path, names: tuple[str, ...], argv: list[str],
    env: dict[str, str], limits: Limits, stdin: bytes,
) -> Outcome:  # fmt: skip
    """One Python test forked from the slot's zygote for this artifact (started if needed).

    Raises ``WarmUnavailable`` if no box starts here, ``ZygoteLost`` if the test must run
    cold instead (the zygote failed to start, or went away during the test).
    """
    rt = get_runtime()
    await rt.sweep(slot.uid)
    try:
        box = await pool.get(rt, slot.uid, limits.tmp_bytes, _empty_file(rt.config.box_root))
    except OSError as exc:
        raise WarmUnavailable(f"a warm box failed to start: {exc}") from exc
    rlimits = _rlimits(limits)
    made = os.stat(artifact_dir)  # a new artifact at a reused path is another one
    key = (
        str(artifact_dir),
        made.st_ino,
        made.st_ctime_ns,
        names,
        tuple(argv),
        tuple(env.items()),
        tuple(rlimits),
    )
    zygote = box.zygote
    if zygote is None or zygote.key != key or not zygote.alive():
        zygote = await start_zygote(
            rt, pool, box, key, artifact_dir, names, argv, env, rlimits, limits.memory_bytes
        )
    group = rt.cgroups.create(rt.next_name(slot.uid), memory_bytes=limits.memory_bytes, pids=limits.processes)
    parent_fds: list[int] = []
    child_fds: list[int] = []
    zchannel = Channel(zygote.channel)
    watch: ZygoteWatch | None = None
    finished = False
    try:
        stdin_fd = _memfd(stdin)
        child_fds.append(stdin_fd)
        out_r, out_w = os.pipe2(os.O_CLOEXEC | os.O_NONBLOCK)
        err_r, err_w = os.pipe2(os.O_CLOEXEC | os.O_NONBLOCK)
        block_r, block_w = os.pipe2(os.O_CLOEXEC)
        parent_fds += [out_r, err_r, block_w]
        child_fds += [out_w, err_w, block_r]
        for fd in (out_w, err_w):
            os.set_blocking(fd, True)
            os.fchown(fd, slot.uid, slot.gid)
        payload = b",".join(b"%d=%d" % (which, value) for which, value in rlimits)
        pool.forks += 1
        try:
            socket.send_fds(zygote.channel, [payload], [stdin_fd, out_w, err_w, block_r])
            data, fds = await zchannel.receive(_REPLY_TIMEOUT)
        except (OSError, TimeoutError) as exc:
            raise ZygoteLost(f"the zygote did not answer: {exc}") from exc
        for fd in child_fds:
            os.close(fd)
        child_fds.clear()
        if data != b"P" or len(fds) != 1:
            for fd in fds:
                os.close(fd)
            raise ZygoteLost(f"the zygote answered {data[:80]!r}")
        try:
            pid, box_pid = host_pid(fds[0]), ns_pid(fds[0])
        finally:
            os.close(fds[0])
        watch = ZygoteWatch(
            pid, box_pid, zygote.pid, zchannel, box, group, limits, out_r, err_r, stderr_keep=_STDERR_KEEP
        )
        group.add(pid)
        os.write(block_w, b"x")
        await watch.run()
        if watch.lost:
            raise ZygoteLost("the zygote went away during the test")
        stats = group.stats()
        status = watch.main_exit_code()
        finished = True
        if status is None:
            return _internal(watch, "zygote: the test's exit was not reported")
        return collected(watch, stats, status)
    except OSError as exc:
        raise ZygoteLost(f"sandbox: {exc}") from exc
    finally:
        for fd in child_fds:
            os.close(fd)
        group.kill()
        clean = (
            finished
            and watch is not None
            and await _clean(watch)
            and _supervisor_kept(box)
            and zygote.state is not None
            and inherited_state(zygote.pid) == zygote.state
        )
        if watch is not None:
            watch.close()
        zchannel.close()
        if clean:
            box.runs += 1
        else:
            pool.discard(box)
        for fd in parent_fds:
            try:
                os.close(fd)
            except OSError:
                pass
        rt.remove_later(group)

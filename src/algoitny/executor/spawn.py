"""Starting bwrap as a slot's uid: the launcher fast path, or Popen as a fallback.

Both return a ``Child`` (pid + non-blocking reap). Descriptors meant for bwrap are
given in a fixed order; ``child_fd_numbers`` says which numbers bwrap will see them
under, so the command line can be built before the spawn.
"""

from __future__ import annotations

import ctypes
import fcntl
import os
import signal
import subprocess
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

_CLONE_NEWNET = 0x40000000
_FIRST = 3  # first descriptor number handed to bwrap by the launcher
_netns: dict[int, int] = {}
_netns_lock = threading.Lock()


@dataclass(slots=True)
class Child:
    pid: int
    returncode: int | None = None

    def poll(self) -> int | None:
        if self.returncode is None:
            try:
                pid, status = os.waitpid(self.pid, os.WNOHANG)
            except ChildProcessError:
                self.returncode = -signal.SIGKILL
                return self.returncode
            if pid:
                self.returncode = os.waitstatus_to_exitcode(status)
        return self.returncode

    def kill_and_reap(self) -> None:
        if self.returncode is None:
            try:
                os.kill(self.pid, signal.SIGKILL)
                _, status = os.waitpid(self.pid, 0)
                self.returncode = os.waitstatus_to_exitcode(status)
            except (ProcessLookupError, ChildProcessError):
                self.returncode = -signal.SIGKILL


def kill_orphans_of(uid: int) -> list[int]:
    """SIGKILL our children running as ``uid`` that we did not start; return their pidfds.

    For a run abandoned before its program was unblocked: bwrap may have cloned the box's
    PID 1 without reporting it yet. Once bwrap is dead, that PID 1 is our child (we are a
    subreaper) and would start the program outside the run's cgroup when the block pipe
    closes. A slot uid is one run's at a time, so every such child is that run's.
    """
    pidfds = []
    me = os.getpid()
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            if os.stat(f"/proc/{entry}").st_uid != uid:
                continue
            with open(f"/proc/{entry}/stat", "rb") as f:
                state, ppid_field = f.read().rpartition(b")")[2].split()[:2]
            # A zombie is a run already over, whose PID 1 the run's own reaper collects.
            if int(ppid_field) != me or state == b"Z":
                continue
            pidfd = os.pidfd_open(int(entry))
        except (OSError, ValueError, IndexError):
            continue
        try:
            signal.pidfd_send_signal(pidfd, signal.SIGKILL)
        except ProcessLookupError:
            pass
        pidfds.append(pidfd)
    return pidfds


def slot_netns(uid: int) -> int:
    """A descriptor on the slot's own empty network namespace, made once per slot.

    Only runs of this slot ever enter it, one at a time; it has a loopback that is
    down and nothing else.
    """
    with _netns_lock:
        if uid not in _netns:
            result: list[int | BaseException] = []

            def make() -> None:  # unshare() changes only this short-lived thread
                try:
                    libc = ctypes.CDLL(None, use_errno=True)
                    if libc.unshare(_CLONE_NEWNET) != 0:
                        raise OSError(ctypes.get_errno(), "unshare(CLONE_NEWNET)")
                    result.append(os.open("/proc/thread-self/ns/net", os.O_RDONLY | os.O_CLOEXEC))
                except BaseException as exc:  # reported in the calling thread
                    result.append(exc)

            thread = threading.Thread(target=make, name="algoitny-netns")
            thread.start()
            thread.join()
            if isinstance(result[0], BaseException):
                raise result[0]
            _netns[uid] = result[0]
        return _netns[uid]


def forget_netns() -> None:
    """After a fork: the namespaces belong to the parent's slots (closed, not reused)."""
    global _netns_lock
    _netns_lock = threading.Lock()
    for fd in _netns.values():
        try:
            os.close(fd)
        except OSError:
            pass
    _netns.clear()


def child_fd_numbers(fds: list[int], launcher: Path | None) -> list[int]:
    return [_FIRST + i for i in range(len(fds))] if launcher else list(fds)


def launch(
    launcher: Path,
    bwrap_argv: list[str],
    *,
    uid: int,
    netns: int | None,
    stdio: tuple[int, int, int],
    fds: list[int],
    rlimits: list[tuple[int, int]],
) -> Child:
    """``netns`` None: bwrap builds the box's own network namespace (``--unshare-all``)."""
    high: list[int] = []
    try:
        # Move every source above the target numbers so no dup2 clobbers another.
        for fd in (*stdio, *fds, *([netns] if netns is not None else [])):
            high.append(fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 64))
        sources = high[: 3 + len(fds)]
        actions = [(os.POSIX_SPAWN_DUP2, src, n) for n, src in enumerate(sources[:3])]
        actions += [(os.POSIX_SPAWN_DUP2, src, _FIRST + i) for i, src in enumerate(sources[3:])]
        max_fd = _FIRST + len(fds) - 1
        netns_child = -1
        if netns is not None:
            netns_child = _FIRST + len(fds)  # above max_fd: closed once joined
            actions.append((os.POSIX_SPAWN_DUP2, high[-1], netns_child))
        argv = [str(launcher), str(uid), str(uid), str(netns_child), str(max_fd), str(len(rlimits))]
        for which, value in rlimits:
            argv += [str(which), str(value)]
        argv += bwrap_argv
        pid = os.posix_spawn(
            str(launcher),
            argv,
            {},
            file_actions=actions,
            setsid=True,
            setsigdef=(signal.SIGPIPE, signal.SIGXFSZ),
        )
        return Child(pid)
    finally:
        for fd in high:
            os.close(fd)


def launch_popen(
    bwrap_argv: list[str],
    *,
    uid: int,
    stdio: tuple[int, int, int],
    fds: list[int],
    preexec: Callable[[], None],
) -> Child:
    proc = subprocess.Popen(
        bwrap_argv,
        stdin=stdio[0],
        stdout=stdio[1],
        stderr=stdio[2],
        env={},
        pass_fds=fds,
        user=uid,
        group=uid,
        extra_groups=[],
        cwd="/",
        start_new_session=True,
        preexec_fn=preexec,
    )
    proc.returncode = 0  # we reap it ourselves through Child; keep Popen from trying
    return Child(proc.pid)

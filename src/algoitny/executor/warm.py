"""Warm boxes: one long-lived sandbox per slot that runs many programs, one after another.

A cold run pays a new ``bwrap`` (namespaces, mounts: ~5 ms) per test. A warm box is
built once per slot exactly like a cold one (same launcher, uid, network namespace,
mounts, seccomp filter), except that its command is the ``supervisor`` as PID 1 and it
mounts no ``/prog``: each run's artifact is handed in as an ``O_PATH`` descriptor and
``execveat``ed, so a run needs no mount. See ``supervisor.py`` for the protocol and
docs/executor.md, "Warm boxes", for why between two runs nothing of the first survives.

Per run, the executor side (``run_warm``): a fresh run cgroup (as cold), the request
with five descriptors, the child's pidfd back (its host PID from the pidfd's fdinfo),
the child moved into the cgroup, the go, then the same ``Watch`` as cold (pipes with
caps, CPU timer, wall limit), with the exit and "no process left" coming from the
supervisor's messages instead of bwrap's. A box whose run was not reported clean
(``I0``), or whose supervisor misbehaves in any way, is destroyed; the next run of the
slot starts a new one.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import resource
import select
import signal
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from .bwrap import Layout, build_argv
from .cgroups import RunGroup
from .models import MIB, Limits
from .process import Watch
from .procstate import inherited_state
from .seccomp import filter_fd
from .spawn import Child, child_fd_numbers, launch

if TYPE_CHECKING:
    from .zygote import Zygote

_BOX_MEMORY = 64 * MIB  # the supervisor, and a forked child until it joins its run's cgroup
_BOX_PIDS = 8
_START_TIMEOUT = 10.0
_IDLE_TIMEOUT = 5.0
_MESSAGE = 4096
MAX_REQUEST = 60 * 1024  # the supervisor's buffer is 64 KiB: a longer request runs cold


@dataclass(slots=True)
class WarmBox:
    uid: int
    tmp_bytes: int
    ctl: socket.socket
    group: RunGroup
    bwrap: Child
    pid: int  # the supervisor's host PID
    pidfd: int
    prog: Path  # the host directory bound at /prog (see zygote.py)
    healthy: bool = True
    runs: int = 0
    stderr: list[bytes] = field(default_factory=list)
    zygote: Zygote | None = None  # a Python zygote serving in this box
    state: tuple | None = None  # the supervisor's ``inherited_state`` once it was ready

    def quiet(self) -> bool:
        """Nothing unread from the supervisor between runs (a zygote that ended on its own
        leaves its ``X`` and ``I``): otherwise what the next run reads would not be its own."""
        return not select.select([self.ctl], [], [], 0)[0]

    def pids(self) -> set[int]:
        zygote = {self.zygote.pid} if self.zygote is not None else set()
        return {self.bwrap.pid, self.pid} | zygote

    def group_dirs(self) -> set[Path]:
        zygote = set(self.zygote.group.dirs) if self.zygote is not None else set()
        return set(self.group.dirs) | zygote

    def destroy(self) -> None:
        """Kill the box (its PID namespace dies with its PID 1) and everything in its cgroup."""
        self.healthy = False
        if self.zygote is not None:
            self.zygote.close()
        with contextlib.suppress(FileNotFoundError):  # swept already (a test's session root)
            for entry in os.scandir(self.prog):  # a zygote's submission, copied in (zygote.py)
                os.unlink(entry.path)
        try:
            signal.pidfd_send_signal(self.pidfd, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.group.kill()
        self.bwrap.kill_and_reap()
        try:
            os.waitid(os.P_PIDFD, self.pidfd, os.WEXITED)  # SIGKILLed: at once; ECHILD if bwrap reaped it
        except ChildProcessError:
            pass
        os.close(self.pidfd)
        self.ctl.close()


def prog_dir(box_root: Path, uid: int) -> Path:
    """The host directory bound at a warm box's ``/prog``: empty unless a zygote serves."""
    path = box_root / "warm-prog" / str(uid)
    path.mkdir(mode=0o755, parents=True, exist_ok=True)
    os.chmod(path, 0o755)
    return path


def box_rlimits(tmp_bytes: int) -> list[tuple[int, int]]:
    """The box's ceiling: each run lowers CPU and STACK to its own (soft = hard)."""
    inf = resource.RLIM_INFINITY
    wanted = [
        (resource.RLIMIT_CPU, inf),
        (resource.RLIMIT_CORE, 0),
        (resource.RLIMIT_FSIZE, tmp_bytes),
        (resource.RLIMIT_STACK, inf),
        (resource.RLIMIT_NOFILE, 4096),
        (resource.RLIMIT_MSGQUEUE, 0),
        (resource.RLIMIT_MEMLOCK, 0),
    ]
    return [(which, value if value != inf else resource.getrlimit(which)[1]) for which, value in wanted]


class WarmPool:
    """The live warm boxes of this process, by slot uid."""

    def __init__(
        self,
        supervisor: Path,
        remove_later: Callable[[RunGroup], None],
        hook: tuple[Path, str] | None = None,
    ) -> None:
        self.supervisor = supervisor
        self.remove_later = remove_later
        self.hook = hook  # (host file, box path) of the Python zygote's hook; None: no zygotes
        self.boxes: dict[int, WarmBox] = {}
        self._lock = threading.Lock()
        self.started = 0  # boxes started so far (tests and the benchmark read it)
        self.forks = 0  # tests forked from a zygote so far (likewise)

    def pids(self) -> set[int]:
        """Host PIDs of every box's bwrap, supervisor and zygote: the only slot processes between runs."""
        with self._lock:
            return {pid for box in self.boxes.values() for pid in box.pids()}

    def group_dirs(self) -> set[Path]:
        with self._lock:
            return {d for box in self.boxes.values() for d in box.group_dirs()}

    async def get(self, rt, uid: int, tmp_bytes: int, empty_file: str) -> WarmBox:
        with self._lock:
            box = self.boxes.get(uid)
        if box is not None and box.healthy and box.tmp_bytes == tmp_bytes and box.quiet():
            return box
        if box is not None:
            self.discard(box)
        box = await start_box(rt, uid, tmp_bytes, self.supervisor, empty_file, self.hook)
        with self._lock:
            self.boxes[uid] = box
            self.started += 1
        return box

    def discard(self, box: WarmBox) -> None:
        with self._lock:
            if self.boxes.get(box.uid) is box:
                del self.boxes[box.uid]
        zygote = box.zygote
        box.destroy()
        self.remove_later(box.group)
        if zygote is not None:
            self.remove_later(zygote.group)

    def forget_artifact(self, artifact_dir: Path) -> None:
        """A compiled artifact was removed: no zygote serves it again (each is stopped on
        its box's next use)."""
        with self._lock:
            for box in self.boxes.values():
                if box.zygote is not None and box.zygote.key[0] == str(artifact_dir):
                    box.zygote.stale = True

    def shutdown(self) -> None:
        with self._lock:
            boxes = list(self.boxes.values())
        for box in boxes:
            self.discard(box)

    def forget(self) -> None:
        """After a fork: the boxes are the parent's; close our copies, kill nothing."""
        for box in self.boxes.values():
            box.ctl.close()
            os.close(box.pidfd)
            if box.zygote is not None:
                box.zygote.channel.close()
                os.close(box.zygote.pidfd)
        self.boxes.clear()


_readers: dict[int, Channel] = {}  # which channel's reader the loop holds, by number


class Channel:
    """The executor's end of the control socket, read from the event loop for one run."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        # The number, kept: removing the reader must work even once the socket is closed,
        # or the loop keeps a registration that a new socket with the same number inherits
        # without the kernel's (its reader would never fire). For the same reason a new
        # channel first drops whatever the loop still holds for its number.
        self.fd = sock.fileno()
        self.loop = asyncio.get_running_loop()
        self.messages: asyncio.Queue[tuple[bytes, list[int]]] = asyncio.Queue()
        self.loop.remove_reader(self.fd)
        self.loop.add_reader(self.fd, self._on_readable)
        _readers[self.fd] = self
        self.closed = False

    def _on_readable(self) -> None:
        try:
            data, fds, _, _ = socket.recv_fds(
                self.sock, _MESSAGE, 1, socket.MSG_DONTWAIT | socket.MSG_CMSG_CLOEXEC
            )
        except BlockingIOError:
            return
        except OSError:
            data, fds = b"", []
        if not data:  # the supervisor is gone
            self._unregister()
            self.closed = True
        self.messages.put_nowait((data, fds))

    async def receive(self, within_s: float | None = None) -> tuple[bytes, list[int]]:
        return await asyncio.wait_for(self.messages.get(), within_s)

    def _unregister(self) -> None:
        if _readers.get(self.fd) is self:  # not a later channel's, on a reused number
            del _readers[self.fd]
            self.loop.remove_reader(self.fd)

    def close(self) -> None:
        if not self.closed:
            self._unregister()
            self.closed = True
        while not self.messages.empty():
            for fd in self.messages.get_nowait()[1]:
                os.close(fd)


async def start_box(
    rt, uid: int, tmp_bytes: int, supervisor: Path, empty_file: str, hook: tuple[Path, str] | None
) -> WarmBox:
    """A new box for slot ``uid``, its supervisor ready; raises ``OSError`` if it cannot start."""
    group = rt.cgroups.create(rt.next_name(uid), memory_bytes=_BOX_MEMORY, pids=_BOX_PIDS)
    ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    fds: list[int] = []
    box: WarmBox | None = None
    child: Child | None = None
    try:
        status_r, status_w = os.pipe2(os.O_CLOEXEC | os.O_NONBLOCK)
        block_r, block_w = os.pipe2(os.O_CLOEXEC)
        err_r, err_w = os.pipe2(os.O_CLOEXEC | os.O_NONBLOCK)
        fds += [status_r, status_w, block_r, block_w, err_r, err_w]
        seccomp_fd = filter_fd()
        fds.append(seccomp_fd)
        exe_fd = os.open(supervisor, os.O_RDONLY | os.O_CLOEXEC)
        fds.append(exe_fd)
        devnull = os.open("/dev/null", os.O_RDWR | os.O_CLOEXEC)
        fds.append(devnull)
        passed = [status_w, block_r, seccomp_fd, theirs.fileno(), exe_fd]
        status_n, block_n, seccomp_n, ctl_n, exe_n = child_fd_numbers(passed, rt.launcher)
        prog = prog_dir(rt.config.box_root, uid)
        layout = Layout(
            argv=[f"/proc/self/fd/{exe_n}", str(ctl_n), str(exe_n)],
            program_dir=prog,  # empty unless a zygote serves: no mount per run
            ro_binds=[(str(hook[0]), hook[1])] if hook is not None else [],
        )
        argv = build_argv(
            rt.bwrap,
            layout,
            tmp_bytes=tmp_bytes,
            seccomp_fd=seccomp_n,
            status_fd=status_n,
            block_fd=block_n,
            empty_file=empty_file,
            file_fds=[],
            new_netns=True,  # its own: abstract unix sockets die with the box (see supervisor.py)
            as_pid_1=True,
        )
        child = launch(
            rt.launcher,
            argv,
            uid=uid,
            netns=None,
            stdio=(devnull, devnull, err_w),
            fds=passed,
            rlimits=box_rlimits(tmp_bytes),
        )
        theirs.close()
        for fd in (status_w, block_r, err_w):
            os.close(fd)
            fds.remove(fd)
        pid = await _first_line_pid(status_r, err_r)
        pidfd = os.pidfd_open(pid)
        box = WarmBox(uid, tmp_bytes, ours, group, child, pid, pidfd, prog)
        group.add(pid)
        os.write(block_w, b"x")
        channel = Channel(ours)
        try:
            data, extra = await channel.receive(_START_TIMEOUT)
        finally:
            channel.close()
        for fd in extra:
            os.close(fd)
        if data != b"R":
            raise OSError(f"warm box did not start: {_text(err_r)}")
        box.state = inherited_state(pid)
        return box
    except BaseException:
        if box is not None:
            box.destroy()
        else:
            if child is not None:
                child.kill_and_reap()
            ours.close()
        group.kill()
        rt.remove_later(group)
        raise
    finally:
        theirs.close()
        for fd in fds:
            os.close(fd)


async def _first_line_pid(status_r: int, err_r: int) -> int:
    loop = asyncio.get_running_loop()
    got = bytearray()
    done = loop.create_future()

    def on_status() -> None:
        try:
            chunk = os.read(status_r, 4096)
        except BlockingIOError:
            return
        got.extend(chunk)
        if (not chunk or b"\n" in got) and not done.done():
            done.set_result(None)

    loop.add_reader(status_r, on_status)
    try:
        await asyncio.wait_for(done, _START_TIMEOUT)
    finally:
        loop.remove_reader(status_r)
    try:
        return int(json.loads(bytes(got).partition(b"\n")[0])["child-pid"])
    except (ValueError, KeyError, TypeError):
        raise OSError(f"warm box: bwrap failed: {_text(err_r)}") from None


def _text(fd: int) -> str:
    try:
        return os.read(fd, 4096).decode(errors="replace").strip()
    except OSError:
        return ""


def encode_request(rlimits: list[tuple[int, int]], argv: list[str], env: dict[str, str]) -> bytes:
    items = [str(len(rlimits))]
    for which, value in rlimits:
        items += [str(which), str(value)]
    items += [str(len(argv)), *argv]
    pairs = [f"{key}={value}" for key, value in env.items()]
    items += [str(len(pairs)), *pairs]
    return b"".join(item.encode() + b"\0" for item in items)


def host_pid(pidfd: int) -> int:
    """The PID a pidfd refers to, in our PID namespace (the fdinfo's ``Pid:`` line)."""
    with open(f"/proc/self/fdinfo/{pidfd}") as f:
        for line in f:
            if line.startswith("Pid:"):
                pid = int(line.split()[1])
                if pid > 0:
                    return pid
    raise OSError("warm box: the run's process is already gone")


class WarmWatch(Watch):
    """``Watch`` with the exit and the end of the run reported by the supervisor."""

    def __init__(
        self, pid: int, channel: Channel, group: RunGroup, limits: Limits, out_r: int, err_r: int, **kw
    ) -> None:
        super().__init__(Child(pid), group, limits, out_r, err_r, **kw)
        self.channel = channel
        self.status: tuple[int, int] | None = None  # (wait status, exec errno)
        self.report: bytes | None = None  # b"I0" clean, b"I1<why>", b"" supervisor gone
        self._idle = self.loop.create_future()
        self._timers: list[asyncio.TimerHandle] = []
        self._pump = asyncio.ensure_future(self._read_messages())

    def _on_exit(self) -> None:
        """The main process has exited (its pidfd, not ours to wait): the supervisor's ``X``
        says how. Should that not come, the box is given up on rather than the slot hung."""
        self._remove_reader(self._pidfd)
        self._timers.append(self.loop.call_later(_IDLE_TIMEOUT, self._no_exit_status))

    def _no_exit_status(self) -> None:
        if self.status is None:
            self._give_up()

    def kill(self) -> None:
        """Everything of the run dies at once: the supervisor's ``I`` must follow soon."""
        super().kill()
        self._timers.append(self.loop.call_later(_IDLE_TIMEOUT, self._give_up))

    def _give_up(self) -> None:
        if self.report is None and not self._idle.done():
            self.report = b""
        for future in (self._exited, self._idle):
            if not future.done():
                future.set_result(None)

    async def _read_messages(self) -> None:
        try:
            while self.report is None:
                data, fds = await self.channel.receive()
                for fd in fds:
                    os.close(fd)
                if data.startswith(b"X"):
                    status, _, errno = data[1:].partition(b" ")
                    self.status = (int(status), int(errno))
                    if not self._exited.done():
                        self._exited.set_result(None)
                else:
                    self.report = data if data.startswith(b"I") else b""
        except ValueError:  # not the supervisor's protocol: the box is not trusted any more
            self.report = b""
        finally:
            self._give_up()

    async def run(self) -> None:
        """As ``Watch.run``; leftovers: until the supervisor has reaped the last one."""
        self._start = time.monotonic()
        self._schedule(self.limits.time_limit_s / max(1, os.cpu_count() or 1))
        await self._exited
        self.wall_ms = int((time.monotonic() - self._start) * 1000)
        if self.report is None and self.group.procs():
            self._main_done = True
            await self._idle
            _, pending = await asyncio.wait({self._out_eof, self._err_eof}, timeout=5)
            if pending:
                self.kill()
        if self._timer is not None:
            self._timer.cancel()
        for fd in (self.out_r, self.err_r):
            if fd is not None:
                self._drain(fd)

    def main_exit_code(self) -> int | None:
        """In bwrap's encoding (128 + N for signal N), so verdicts match the cold path's."""
        if self.status is None or self.status[1]:
            return None
        status = self.status[0]
        if os.WIFSIGNALED(status):
            return 128 + os.WTERMSIG(status)
        return os.WEXITSTATUS(status)

    async def finished_clean(self) -> bool:
        """After the run's cgroup was killed: did the supervisor report the box clean?"""
        try:
            await asyncio.wait_for(asyncio.shield(self._idle), _IDLE_TIMEOUT)
        except TimeoutError:
            return False
        return self.report == b"I0"

    def close(self) -> None:
        self._pump.cancel()
        for timer in self._timers:
            timer.cancel()
        super().close()

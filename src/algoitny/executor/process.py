"""Watching one sandboxed process from the event loop, without threads.

Exit is noticed through a pidfd, output through non-blocking pipes, CPU time by
reading the run's cgroup on a timer that only fires when the limit could have been
reached (never for a test that finishes early). Everything is driven by loop readers,
so a run costs no thread and no polling while the program works.
"""

from __future__ import annotations

import asyncio
import fcntl
import json
import os
import signal as signals
import time

from .cgroups import RunGroup
from .models import Limits
from .output import Output
from .spawn import Child

_F_SETPIPE_SZ = 1031
_PIPE_BYTES = 1 << 20
_DRAIN_BYTES = 2 * _PIPE_BYTES
_CPUS = max(1, os.cpu_count() or 1)


def signal_name(number: int) -> str:
    try:
        return signals.Signals(number).name
    except ValueError:
        return f"SIG{number}"


def decode_status(returncode: int | None) -> tuple[int | None, str | None]:
    """bwrap exits with the program's status, or 128 + N when signal N killed it."""
    if returncode is None:
        return None, None
    if returncode < 0:
        return None, signal_name(-returncode)
    if 128 < returncode <= 128 + 64:
        return None, signal_name(returncode - 128)
    return returncode, None


class Watch:
    def __init__(
        self, proc: Child, group: RunGroup, limits: Limits, out_r: int, err_r: int | None, *, stderr_keep: int
    ) -> None:
        self.loop = asyncio.get_running_loop()
        self.proc, self.group, self.limits = proc, group, limits
        self.out_r, self.err_r = out_r, err_r
        self.stderr_keep = stderr_keep
        self._out = Output()  # spooled out of our heap: see output.py
        self._err = bytearray()
        self._err_total = 0
        self.stdout_exceeded = self.stderr_exceeded = False
        self.cpu_timed_out = self.wall_timed_out = self.killed_by_us = False
        self.box = None  # type: int | None
        self._box_fd: int | None = None
        self._status_r: int | None = None
        self._status = bytearray()
        self._main_done = False
        self.wall_ms = 0
        self._start = time.monotonic()
        self._timer: asyncio.TimerHandle | None = None
        self._exited = self.loop.create_future()
        self._out_eof = self.loop.create_future()
        self._err_eof = self.loop.create_future()
        self._readers: list[int] = []
        self._pidfd = os.pidfd_open(proc.pid)
        self._add_reader(self._pidfd, self._on_exit)
        for fd in (out_r, err_r):
            if fd is not None:
                try:
                    fcntl.fcntl(fd, _F_SETPIPE_SZ, _PIPE_BYTES)
                except OSError:
                    pass
        self._add_reader(out_r, self._on_output, out_r)
        if err_r is None:
            self._err_eof.set_result(None)
        else:
            self._add_reader(err_r, self._on_output, err_r)

    def _add_reader(self, fd: int, callback, *args) -> None:
        self.loop.add_reader(fd, callback, *args)
        self._readers.append(fd)

    def _remove_reader(self, fd: int) -> None:
        if fd in self._readers:
            self.loop.remove_reader(fd)
            self._readers.remove(fd)

    async def box_pid(self, status_r: int) -> int | None:
        """The PID (on the host) of the box's PID-1: the first line of bwrap's --json-status-fd."""
        self._status_r = status_r
        done = self.loop.create_future()

        def on_status() -> None:
            if (not self._read_status(status_r) or b"\n" in self._status) and not done.done():
                done.set_result(None)

        self._add_reader(status_r, on_status)
        try:
            await asyncio.wait({done, self._exited}, timeout=10, return_when=asyncio.FIRST_COMPLETED)
        finally:
            self._remove_reader(status_r)
        try:
            self.box = int(json.loads(bytes(self._status).partition(b"\n")[0])["child-pid"])
            # A pidfd: once reaped, the box's PID 1's number may be reused.
            self._box_fd = os.pidfd_open(self.box)
        except (ValueError, KeyError, TypeError, ProcessLookupError):
            return None
        return self.box

    def _read_status(self, fd: int) -> int:
        try:
            chunk = os.read(fd, 4096)
        except BlockingIOError:
            return -1
        except OSError:
            chunk = b""
        if len(self._status) < 65536:  # bwrap writes two short lines
            self._status += chunk
        return len(chunk)

    def main_exit_code(self) -> int | None:
        """The program's exit status as bwrap reported it (128 + N for signal N), out of band.

        bwrap writes it only if it got as far as exec'ing the program, and before it exits,
        so once it has exited the line is in the pipe. None: bwrap failed on its own (its
        message is on stderr, which nothing of the program wrote to). The program's own
        stderr never decides this: it cannot reach the status descriptor.
        """
        if self._status_r is None:
            return None
        os.set_blocking(self._status_r, False)
        while self._read_status(self._status_r) > 0:
            pass
        for line in bytes(self._status).splitlines()[1:]:
            try:
                report = json.loads(line)
            except ValueError:
                continue
            if isinstance(report, dict) and isinstance(report.get("exit-code"), int):
                return int(report["exit-code"])
        return None

    async def run(self) -> None:
        """Until every process of the run has ended; then take what they wrote and end the box.

        bwrap exits as soon as its PID 1 has reaped the main process. If nothing else is
        left in the cgroup (the box's PID 1 aside), everything the run wrote is in our
        pipes by then: we drain them without waiting for EOF, which PID 1's namespace
        teardown delays (an RCU grace period or more). If processes the program started
        are still running, the run is not over: the box's PID 1 outlives bwrap until the
        last of them exits, and we keep reading until then, so their output always counts,
        under the same CPU, output and process limits. The wall limit still holds: whatever
        is left when it fires is killed, and the main process's status decides the verdict.
        """
        self._start = time.monotonic()
        self._schedule(self.limits.time_limit_s / _CPUS)
        await self._exited
        self.wall_ms = int((time.monotonic() - self._start) * 1000)
        if self._box_fd is not None and any(pid != self.box for pid in self.group.procs()):
            self._main_done = True
            await self._wait_leftovers()
        if self._timer is not None:
            self._timer.cancel()
        self._signal_box()
        for fd in (self.out_r, self.err_r):
            if fd is not None:
                self._drain(fd)

    async def _wait_leftovers(self) -> None:
        """The slow path: the box's PID 1 exits when its last process has; then the pipes close."""
        assert self._box_fd is not None
        box_gone = self.loop.create_future()

        def on_box_exit() -> None:
            if not box_gone.done():
                box_gone.set_result(None)

        self._add_reader(self._box_fd, on_box_exit)
        try:
            await box_gone
        finally:
            self._remove_reader(self._box_fd)
        eof = {self._out_eof, self._err_eof}
        _, pending = await asyncio.wait(eof, timeout=5)
        if pending:  # cannot happen once every writer is gone; never hang a slot on it
            self.kill()

    def _drain(self, fd: int) -> None:
        budget = _DRAIN_BYTES  # what one pipe can hold; more would come from orphans
        while budget > 0 and fd in self._readers:
            got = self._on_output(fd)
            if not got:
                break
            budget -= got

    async def finish(self, grace: float) -> None:
        """Wait for the pipes to close; whatever still holds them is killed."""
        pending = {self._out_eof, self._err_eof, self._exited}
        _, pending = await asyncio.wait(pending, timeout=grace)
        if pending:
            self.kill()
            await asyncio.wait(pending, timeout=5)

    def _schedule(self, delay: float) -> None:
        self._timer = self.loop.call_later(max(delay, 0.005), self._check_time)

    def _check_time(self) -> None:
        limit_ns = self.limits.time_limit_s * 1e9
        cpu = self.group.cpu_ns()
        elapsed = time.monotonic() - self._start
        if cpu >= limit_ns:
            self.cpu_timed_out = True
            self.kill()
        elif elapsed >= self.limits.wall_limit_s:
            # Past the main process's exit, leftovers running into the wall limit are just
            # stopped: the main process's status has decided the run already.
            self.wall_timed_out = not self._main_done
            self.kill()
        else:
            cpu_left = (limit_ns - cpu) / 1e9 / _CPUS
            self._schedule(min(cpu_left, self.limits.wall_limit_s - elapsed))

    def kill(self) -> None:
        self.killed_by_us = True
        self._signal_box()
        self.group.kill()

    def _signal_box(self) -> None:
        """SIGKILL the box's PID 1: its PID namespace, and every process in it, die."""
        if self._box_fd is not None:
            try:
                signals.pidfd_send_signal(self._box_fd, signals.SIGKILL)
            except ProcessLookupError:
                pass

    def _on_exit(self) -> None:
        if self.proc.poll() is not None:
            self._remove_reader(self._pidfd)
            if not self._exited.done():
                self._exited.set_result(None)

    def _on_output(self, fd: int) -> int:
        """Read one chunk; returns its size (0 at EOF or when nothing is there yet)."""
        try:
            chunk = os.read(fd, 1 << 16)
        except BlockingIOError:
            return 0
        except OSError:
            chunk = b""
        is_out = fd == self.out_r
        if not chunk:
            self._remove_reader(fd)
            eof = self._out_eof if is_out else self._err_eof
            if not eof.done():
                eof.set_result(None)
        elif is_out:
            room = self.limits.output_bytes - len(self._out)
            if len(chunk) > room and not self.stdout_exceeded:
                self._out.append(chunk[:room])
                self.stdout_exceeded = True
                self.kill()
            elif not self.stdout_exceeded:
                self._out.append(chunk)
        else:
            self._err_total += len(chunk)
            if len(self._err) < self.stderr_keep:
                self._err += chunk[: self.stderr_keep - len(self._err)]
            if self._err_total > self.limits.stderr_bytes and not self.stderr_exceeded:
                self.stderr_exceeded = True
                self.kill()
        return len(chunk)

    def take_stdout(self) -> Output:
        """The program's stdout; the caller owns it (and closes it) from now on."""
        taken, self._out = self._out, Output()
        return taken

    def stderr_bytes(self) -> bytes:
        return bytes(self._err)

    def stderr_text(self) -> str:
        data = self._err[:4096] if self.err_r is not None else self._out[:4096]
        return data.decode(errors="replace").strip()

    def take_box_fd(self) -> int | None:
        """Hand over the pidfd of the box's PID 1 (to ``reap``); the caller closes it."""
        fd, self._box_fd = self._box_fd, None
        return fd

    def close(self) -> None:
        self._out.close()
        for fd in list(self._readers):
            self._remove_reader(fd)
        if self._timer is not None:
            self._timer.cancel()
        os.close(self._pidfd)
        if self._box_fd is not None:
            os.close(self._box_fd)
            self._box_fd = None


def _settle(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)


async def reap(pidfd: int) -> None:
    """Reap the box's PID 1 by its pidfd once it has exited, then close the pidfd.

    bwrap exits before its PID 1, which is then re-parented to the nearest subreaper: us
    (the runtime makes the executor one), or a container's PID 1, which may be us too.
    Unreaped, each run would leave a zombie. ``waitid(P_PIDFD)`` touches only that process,
    never the children asyncio or subprocess wait for. ECHILD: another process reaps it.
    """
    loop = asyncio.get_running_loop()
    try:
        for _ in range(120):  # it was SIGKILLed: seconds at most; never hold idle() forever
            try:
                if os.waitid(os.P_PIDFD, pidfd, os.WEXITED | os.WNOHANG) is not None:  # noqa: ASYNC222
                    return
            except ChildProcessError:
                return
            exited: asyncio.Future[None] = loop.create_future()
            loop.add_reader(pidfd, _settle, exited)
            try:
                await asyncio.wait_for(exited, timeout=1.0)  # the timeout only re-checks
            except TimeoutError:
                pass
            finally:
                loop.remove_reader(pidfd)
    finally:
        os.close(pidfd)

"""Python zygotes: one interpreter per compiled submission and slot, forked per test.

A cold Python test pays a new ``bwrap`` and a new interpreter (~10 ms of start-up, more
than most tests' own work). A zygote is ``python3 -I /prog/main.pyc`` started once in
the slot's warm box and stopped inside its start-up, before the program is opened
(``zygote_site.py`` is bound over the interpreter's ``sitecustomize``). Each test is a
fork of it that finishes the start-up and runs the program as the interpreter would
have: to the program it is a fresh ``python3 -I /prog/main.pyc`` (same ``sys.argv``,
``sys.path``, ``__main__``, streams, stack depth, exit codes and tracebacks). The zygote
never runs anything of the submission.

Files: the box's ``/prog`` is bound at start from a per-slot host directory
(``warm-prog/<uid>``), empty except while a zygote serves: its submission's ``main.py``
and ``main.pyc`` are copied in before it starts and removed when it stops. So a run
still needs no mount.

Per test (``run_zygote``): the test's own cgroup, the request (rlimits, stdio, block
pipe) on the zygote's channel, the child's pidfd back, the child moved into the cgroup,
the go, then ``WarmWatch`` as for a warm run; after the child's exit the box's
supervisor is asked to check the box (``C<pid>``: no process left but itself and the
zygote, nothing in ``/box``, ``/tmp``, ``/dev/shm``, no IPC object or socket, the PID
counter at the child's PID). A dirty box is destroyed with its zygote.

Memory: a test's cgroup is charged with the pages the child writes, which for an
interpreter is nearly all of its own (reference counts touch every object it uses): a
test's peak is within a few hundred KiB of a cold run's (``tests/executor/test_zygote.py``
compares them). The pages it only reads stay the zygote's, so a test could use at most
the zygote's few MiB more before its limit: its limit is not lowered for that.

A zygote lost during a test (a program can signal it: same uid) makes that test run
again on the cold path; the box is replaced. Threads or subprocesses move the PID
counter, so such a test costs the box its life, as on the warm C path.
"""

from __future__ import annotations

import asyncio
import os
import resource
import select
import shutil
import socket
import subprocess
from dataclasses import dataclass
from pathlib import Path

from .bwrap import _ETC, BASE_ENV
from .cgroups import RunGroup
from .procstate import inherited_state
from .warm import Channel, WarmBox, WarmPool, WarmWatch, encode_request, host_pid

HOOK_SOURCE = Path(__file__).with_name("zygote_site.py")
_START_TIMEOUT = 10.0


class ZygoteLost(Exception):
    """The zygote failed before the test started, or died during it: run it cold."""


def hook_target(python: str) -> tuple[str | None, str]:
    """Where the hook is bound in a box (the interpreter's ``sitecustomize``), or None and why.

    Only where a cold box has none: Debian's ``sitecustomize.py`` links into ``/etc``,
    which a box does not mount, so the link dangles there and ``site`` finds nothing.
    """
    try:
        done = subprocess.run(
            [python, "-I", "-c", "import sysconfig; print(sysconfig.get_path('stdlib'))"],
            capture_output=True,
            text=True,
            timeout=30,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return None, f"{python} did not start: {exc}"
    stdlib = done.stdout.strip()
    if done.returncode != 0 or not stdlib.startswith("/usr/"):
        return None, f"{python} has no standard library under /usr"
    link = Path(stdlib) / "sitecustomize.py"
    if not link.is_symlink():
        return None, f"{link} is not a link out of /usr (a hook would replace what a cold box runs)"
    target = os.path.realpath(link)
    if not target.startswith("/etc/") or any(target.startswith(etc) for etc in _ETC):
        return None, f"{link} points into the box ({target})"
    return target, ""


def _empty(path: Path) -> None:
    for entry in os.scandir(path):
        os.unlink(entry.path)  # only files we copied in: regular, one level


def _stage(artifact_dir: Path, target: Path, names: tuple[str, ...]) -> None:
    _empty(target)
    for name in names:
        src = os.open(artifact_dir / name, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
        try:
            dst = os.open(target / name, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o644)
            try:
                os.fchmod(dst, 0o644)
                os.sendfile(dst, src, 0, os.fstat(src).st_size)
            finally:
                os.close(dst)
        finally:
            os.close(src)


@dataclass(slots=True)
class Zygote:
    key: tuple
    pid: int  # host PID
    pidfd: int
    channel: socket.socket
    group: RunGroup
    stdio: tuple[int, ...]  # our ends of its stdin, stdout, stderr (it writes nothing)
    stale: bool = False  # its artifact was removed: stopped on the box's next use
    state: tuple | None = None  # its ``inherited_state`` before its first test

    def alive(self) -> bool:
        """A pidfd is readable once its process has exited (it is the supervisor's child)."""
        return not self.stale and not select.select([self.pidfd], [], [], 0)[0]

    def close(self) -> None:
        self.group.kill()
        self.channel.close()
        os.close(self.pidfd)
        for fd in self.stdio:
            os.close(fd)


def zygote_rlimits(rlimits: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The zygote's own: a test's, except the CPU time (each test sets its own; a fork starts
    at zero). Its stack limit at exec shapes the address space, as a cold run's does."""
    return [(which, value) for which, value in rlimits if which != resource.RLIMIT_CPU]


async def start_zygote(
    rt, pool: WarmPool, box: WarmBox, key: tuple, artifact_dir: Path, names: tuple[str, ...],
    argv: list[str], env: dict[str, str], rlimits: list[tuple[int, int]], memory_bytes: int,
) -> Zygote:  # fmt: skip
    """Start the zygote for ``key`` in ``box``; raises ``ZygoteLost`` (the box is then gone)."""
    await retire(rt, pool, box)
    _stage(artifact_dir, box.prog, names)
    group = rt.cgroups.create(rt.next_name(box.uid), memory_bytes=memory_bytes, pids=4)
    ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    channel = Channel(box.ctl)
    zchannel = Channel(ours)
    mine: list[int] = []
    passed: list[int] = []
    try:
        stdin = os.memfd_create("algoitny", os.MFD_CLOEXEC)  # the kinds a test's stdio has
        out_r, out_w = os.pipe2(os.O_CLOEXEC | os.O_NONBLOCK)
        err_r, err_w = os.pipe2(os.O_CLOEXEC | os.O_NONBLOCK)
        block_r, block_w = os.pipe2(os.O_CLOEXEC)
        mine += [out_r, err_r, block_w]
        passed += [stdin, out_w, err_w, block_r]
        exe = os.open(argv[0], os.O_PATH | os.O_CLOEXEC)
        payload = encode_request(zygote_rlimits(rlimits), argv, {**BASE_ENV, **env, "PWD": "/box"})
        socket.send_fds(box.ctl, [payload], [exe, stdin, out_w, err_w, block_r, theirs.fileno()])
        os.close(exe)
        data, fds = await channel.receive(_START_TIMEOUT)
        if data != b"P" or len(fds) != 1:
            for fd in fds:
                os.close(fd)
            raise OSError(f"warm box: unexpected reply {data[:80]!r}")
        pidfd = fds[0]
        pid = host_pid(pidfd)
        group.add(pid)
        os.write(block_w, b"x")
        # "R" from the zygote, or anything from the supervisor (its exit: it did not become one)
        ready, fds = await _first(zchannel, channel, _START_TIMEOUT)
        for fd in fds:
            os.close(fd)
        if ready != b"R":
            os.close(pidfd)
            raise OSError(f"the zygote did not start: {_text(err_r)}")
        zygote = Zygote(key, pid, pidfd, ours, group, (stdin, out_r, err_r), state=inherited_state(pid))
        mine.remove(out_r)
        mine.remove(err_r)
        passed.remove(stdin)
        box.zygote = zygote
        return zygote
    except BaseException as exc:  # cancelled too: a half-started zygote must not outlive this
        group.kill()
        rt.remove_later(group)
        zchannel.close()
        ours.close()
        channel.close()
        pool.discard(box)
        if isinstance(exc, (OSError, TimeoutError)):
            raise ZygoteLost(str(exc)) from exc
        raise
    finally:
        theirs.close()
        zchannel.close()
        channel.close()
        for fd in mine + passed:
            os.close(fd)


async def _first(a: Channel, b: Channel, within_s: float) -> tuple[bytes, list[int]]:
    """The first message on either channel; ``(b"", [])`` if none comes in time."""
    waits = [asyncio.ensure_future(a.receive()), asyncio.ensure_future(b.receive())]
    done, pending = await asyncio.wait(waits, timeout=within_s, return_when=asyncio.FIRST_COMPLETED)
    for task in pending:
        task.cancel()
    await asyncio.gather(*pending, return_exceptions=True)
    results = [task.result() for task in waits if task in done]
    for _, fds in results[1:]:
        for fd in fds:
            os.close(fd)
    return results[0] if results else (b"", [])


async def retire(rt, pool: WarmPool, box: WarmBox) -> None:
    """Stop the box's zygote, if any; the box stays only if its supervisor reports it clean."""
    zygote = box.zygote
    if zygote is None:
        return
    box.zygote = None
    channel = Channel(box.ctl)
    clean = False
    try:
        zygote.close()  # kills its cgroup: the supervisor reaps it, then checks the box
        try:
            while True:
                data, fds = await channel.receive(_START_TIMEOUT)
                for fd in fds:
                    os.close(fd)
                if not data.startswith(b"X"):
                    clean = data == b"I0"
                    break
        except TimeoutError:
            pass
    finally:  # cancelled too: a box whose reports were not all read is not used again
        channel.close()
        rt.remove_later(zygote.group)
        _empty(box.prog)
        if not clean:
            pool.discard(box)


class ZygoteWatch(WarmWatch):
    """``WarmWatch`` for a zygote's child: its exit comes from the zygote, the box's check
    (``I``) from the supervisor, asked once the child has exited.

    A zygote that does not report the exit is lost, never a reason for IE: the test can
    stop it (``kill(getppid(), SIGSTOP)``, ``kill(0, SIGSTOP)``), and then runs again cold.
    """

    def __init__(
        self, pid: int, ns_pid: int, zygote_pid: int, zchannel: Channel, box: WarmBox, *args, **kw
    ) -> None:  # fmt: skip
        self.ns_pid = ns_pid
        self.zygote_pid = zygote_pid
        self.box_ctl = box.ctl
        self.lost = False  # the zygote went away before it reported the child's exit
        super().__init__(pid, zchannel, *args, **kw)
        # After: should the watch not start, no reader is left on the box's channel (the
        # message pump reads it only after the child's exit).
        self.box_channel = Channel(box.ctl)

    def _on_exit(self) -> None:
        super()._on_exit()
        if self.status is None and _stopped(self.zygote_pid):
            self.lost = True
            self._give_up()

    def _no_exit_status(self) -> None:
        if self.status is None:
            self.lost = True
        super()._no_exit_status()

    async def _read_messages(self) -> None:
        try:
            while self.status is None:
                data, fds = await self.channel.receive()
                for fd in fds:
                    os.close(fd)
                if not data.startswith(b"X"):
                    self.lost = True
                    self.report = b""
                    return
                status, _, errno = data[1:].partition(b" ")
                self.status = (int(status), int(errno))
                if not self._exited.done():
                    self._exited.set_result(None)
            self.box_ctl.send(b"C%d" % self.ns_pid)
            data, fds = await self.box_channel.receive()
            for fd in fds:
                os.close(fd)
            self.report = data if data.startswith(b"I") else b""
        except (ValueError, OSError):
            self.report = b""
        finally:
            self._give_up()

    def close(self) -> None:
        super().close()
        self.box_channel.close()


def _stopped(pid: int) -> bool:
    """Whether a process is stopped (or gone): the state after the comm in ``/proc/<pid>/stat``."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rpartition(")")[2].split()[0] in ("T", "t", "Z", "X")
    except (OSError, IndexError):
        return True


def ns_pid(pidfd: int) -> int:
    """The PID in the box's own namespace (the last field of the fdinfo's ``NSpid:``)."""
    with open(f"/proc/self/fdinfo/{pidfd}") as f:
        for line in f:
            if line.startswith("NSpid:"):
                return int(line.split()[-1])
    raise OSError("warm box: the test's process is already gone")


def _text(fd: int) -> str:
    try:
        return os.read(fd, 4096).decode(errors="replace").strip()
    except OSError:
        return ""


def install_hook(box_root: Path) -> Path:
    """The hook's text as a root-owned read-only file (beside the box's empty file: bwrap,
    as the slot's uid, opens what it binds)."""
    target = box_root / "algoitny-zygote-site.py"
    tmp = target.with_name(f".zygote-{os.getpid()}")
    shutil.copyfile(HOOK_SOURCE, tmp)
    os.chmod(tmp, 0o644)
    os.replace(tmp, target)
    return target

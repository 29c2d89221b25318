"""The Python zygote: Python's ``sitecustomize`` inside a warm box (never imported here).

This file's text is bound read-only over the interpreter's ``sitecustomize`` in every
warm box (see ``zygote.py``). ``python3 -I /prog/main.pyc`` imports it while starting
up, before anything of the program has run: ``sys``, ``sys.path``, ``sys.argv``, the
standard streams and ``__main__`` are set up, ``main.pyc`` is not opened yet.

The zygote is told by its descriptor 3 alone: the executor's channel, a
``SOCK_SEQPACKET`` socket whose peer is outside the box's PID namespace (its
``SO_PEERCRED`` pid reads 0), which no process inside the box can make. Not by its
environment: ``/proc/self/environ`` shows a process's environment as it was at exec, so a
marker variable would reach every test even once removed from ``os.environ``. In any
other process (a program's own ``python3`` subprocess, say) it does nothing and ends the
import as a missing ``sitecustomize`` does, which ``site`` ignores: the same as a cold
box, which has none.

In the zygote (started by the box's supervisor, its channel on descriptor 3) it makes
itself non-dumpable (so a program, same uid, cannot open ``/proc/<zygote>/mem`` or its
descriptors), says
``R`` and serves one request at a time: four descriptors (stdin, stdout, stderr, a
block pipe) and the run's rlimits. For each it forks; the parent sends the child's
pidfd (``P``), reaps it and sends ``X<wait status> 0``. The child closes the channel,
takes the three stdio descriptors (staying in the zygote's session and process group,
as a cold run stays in bwrap's), waits on the block pipe
(the executor moves it into the test's cgroup first), sets the rlimits, becomes
dumpable again, forgets the modules this file imported, and ends the import exactly
as a missing ``sitecustomize`` would. The interpreter then runs ``/prog/main.pyc`` as
it would have without the fork: ``sys.argv``, ``__main__``, ``__file__``, tracebacks,
exit codes and the interpreter's stack depth are its own, because nothing of this file
is on the stack any more.

Nothing here may touch what a program could notice: no stream is read or written, no
signal handler changed, nothing written to disk. End of file on the channel ends the
zygote.
"""

import os
import sys


def _serve(channel_fd: int) -> None:
    """Serve until the executor is gone; returns only in a child, ready to run the program."""
    import _socket
    import ctypes
    import resource

    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(4, 0, 0, 0, 0) != 0:  # PR_SET_DUMPABLE
        os._exit(2)
    channel = _socket.socket(_socket.AF_UNIX, _socket.SOCK_SEQPACKET, 0, channel_fd)
    fd_size = 4  # sizeof(int)
    channel.sendmsg([b"R"])
    while True:
        try:
            data, ancillary, _, _ = channel.recvmsg(4096, _socket.CMSG_SPACE(4 * fd_size))
        except OSError:
            os._exit(0)
        fds = [
            int.from_bytes(blob[i : i + fd_size], sys.byteorder)
            for level, kind, blob in ancillary
            if level == _socket.SOL_SOCKET and kind == _socket.SCM_RIGHTS
            for i in range(0, len(blob) - len(blob) % fd_size, fd_size)
        ]
        if not data or len(fds) != 4:
            os._exit(0)  # the executor is gone, or this is not its protocol
        rlimits = [tuple(int(n) for n in item.split(b"=")) for item in data.split(b",") if item]
        pid = os.fork()
        if pid == 0:
            channel.close()
            _become_the_program(fds, rlimits, resource)
            return
        for fd in fds:
            os.close(fd)
        pidfd = os.pidfd_open(pid)
        channel.sendmsg(
            [b"P"], [(_socket.SOL_SOCKET, _socket.SCM_RIGHTS, pidfd.to_bytes(fd_size, sys.byteorder))]
        )
        os.close(pidfd)
        _, status = os.waitpid(pid, 0)
        channel.sendmsg([b"X%d 0" % status])


def _become_the_program(fds: list[int], rlimits: list[tuple[int, ...]], resource) -> None:
    stdin, stdout, stderr, block = fds
    for fd, target in ((stdin, 0), (stdout, 1), (stderr, 2)):
        os.dup2(fd, target)
        os.close(fd)
    if os.read(block, 1) != b"x":  # abandoned before the go
        os._exit(126)
    os.close(block)
    try:
        for which, value in rlimits:
            resource.setrlimit(which, (value, value))
    except (OSError, ValueError):
        os._exit(127)
    import ctypes

    libc = ctypes.CDLL(None)
    if libc.prctl(4, 1, 0, 0, 0) != 0:  # PR_SET_DUMPABLE, as after an exec
        os._exit(127)
    # PR_SET_NAME: the name an exec of argv[0] gives (the zygote's is its binary's, e.g.
    # python3.11, having been executed through a descriptor on the resolved file).
    if libc.prctl(15, os.path.basename(sys.orig_argv[0]).encode()[:15], 0, 0, 0) != 0:
        os._exit(127)


_CHANNEL = 3


def _is_channel() -> bool:
    """Whether descriptor 3 is the executor's channel (see the module's docstring)."""
    try:
        if os.fstat(_CHANNEL).st_mode & 0o170000 != 0o140000:  # S_IFSOCK (no import of stat)
            return False
    except OSError:
        return False
    import _socket

    try:
        sock = _socket.socket(fileno=_CHANNEL)
    except OSError:
        return False
    try:
        kind = sock.getsockopt(_socket.SOL_SOCKET, _socket.SO_TYPE)
        peer = sock.getsockopt(_socket.SOL_SOCKET, _socket.SO_PEERCRED, 12)  # pid, uid, gid
    except OSError:
        return False
    finally:
        sock.detach()  # descriptor 3 stays open: it is not ours to close
    return kind == _socket.SOCK_SEQPACKET and int.from_bytes(peer[:4], sys.byteorder) == 0


def _start() -> None:
    before = set(sys.modules)
    if _is_channel():
        _serve(_CHANNEL)
    for name in set(sys.modules) - before:
        if name != __name__:
            del sys.modules[name]


_start()
raise ModuleNotFoundError(f"No module named {__name__!r}", name=__name__)  # as a missing one: site ignores it

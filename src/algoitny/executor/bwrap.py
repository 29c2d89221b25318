"""The bubblewrap command line: what a sandboxed process can see.

Inside the box:

- ``/usr`` (and the merged-usr ``/bin``, ``/lib``… links) read-only; from ``/etc`` only
  the loader cache, ``alternatives`` and what a language asks for (Java's config);
  nothing of ``/root``, ``/home``, ``/var``, ``/run`` or the worker's files.
- ``/proc`` of the box's own PID namespace, with an empty file over ``/proc/cmdline`` (the
  host kernel's command line); ``/dev`` with null, zero, full, random and
  urandom only, and a private size-capped tmpfs at ``/dev/shm``.
- ``/box``: the working directory. A size-capped tmpfs for test runs, or the slot's
  compile box (host directory) for compilations. ``/tmp``: a size-capped tmpfs.
- ``/prog``: the compiled artifact, read-only.
- New user, PID, network, IPC, UTS and cgroup namespaces; a new session; an explicit
  environment (``--clearenv`` then only what the language sets).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

_ROOT_LINKS = ("bin", "sbin", "lib", "lib32", "lib64", "libx32")
_ETC = ("/etc/ld.so.cache", "/etc/alternatives")
_DEVICES = ("null", "zero", "full", "random", "urandom")
BASE_ENV = {
    "PATH": "/usr/local/bin:/usr/bin:/bin",
    "HOME": "/box",
    "TMPDIR": "/tmp",
    "LANG": "C.UTF-8",
    "LC_ALL": "C.UTF-8",
}


@dataclass(slots=True)
class Layout:
    """Everything about a sandbox that is not a limit: mounts, environment, argv."""

    argv: list[str]
    env: dict[str, str] = field(default_factory=dict)
    ro_binds: list[tuple[str, str]] = field(default_factory=list)  # host path -> box path
    box_dir: Path | None = None  # host dir mounted writable at /box; None: tmpfs
    program_dir: Path | None = None  # mounted read-only at /prog
    files: dict[str, bytes] = field(default_factory=dict)  # box path -> content, read-only
    cwd: str = "/box"


def _system_mounts() -> list[str]:
    args = ["--ro-bind", "/usr", "/usr"]
    for name in _ROOT_LINKS:
        path = f"/{name}"
        if os.path.islink(path):
            args += ["--symlink", os.readlink(path), path]
        elif os.path.isdir(path):
            args += ["--ro-bind", path, path]
    for path in _ETC:
        args += ["--ro-bind-try", path, path]
    return args


_SYSTEM = _system_mounts()


def build_argv(
    bwrap: str,
    layout: Layout,
    *,
    tmp_bytes: int,
    seccomp_fd: int,
    status_fd: int,
    block_fd: int,
    empty_file: str,
    file_fds: list[int],
    new_netns: bool,
    as_pid_1: bool = False,
) -> list[str]:
    # Without new_netns the caller has already put bwrap in the slot's own empty
    # network namespace (see spawn.slot_netns), which saves building one per run.
    unshare = (
        ["--unshare-all"]
        if new_netns
        else [
            "--unshare-user",
            "--unshare-ipc",
            "--unshare-pid",
            "--unshare-uts",
            "--unshare-cgroup-try",
        ]
    )
    a = [
        bwrap,
        *unshare,
        # No --die-with-parent: it would SIGKILL the box's PID 1 (and any process the program
        # left running) the moment bwrap exits after the main process, racing their output.
        # bwrap itself dies with the worker (the launcher sets its parent-death signal).
        # A warm box's supervisor (see supervisor.py) is PID 1 itself, so bwrap outlives it and
        # --die-with-parent races nothing; it is needed: bwrap's child waits on an eventfd for
        # bwrap's set-up, and a bwrap killed during a box's start (a cancelled run) would
        # leave that child blocked for ever, outside any cgroup, holding the slot's uid.
        *(["--as-pid-1", "--die-with-parent"] if as_pid_1 else []),
        "--new-session",
        "--hostname",
        "box",
        *_SYSTEM,
        "--proc",
        "/proc",
        "--ro-bind",
        empty_file,
        "/proc/cmdline",
    ]
    for dev in _DEVICES:
        a += ["--dev-bind", f"/dev/{dev}", f"/dev/{dev}"]
    a += [
        "--symlink",
        "/proc/self/fd",
        "/dev/fd",
        "--symlink",
        "/proc/self/fd/0",
        "/dev/stdin",
        "--symlink",
        "/proc/self/fd/1",
        "/dev/stdout",
        "--symlink",
        "/proc/self/fd/2",
        "/dev/stderr",
        "--perms",
        "1777",
        "--size",
        str(tmp_bytes),
        "--tmpfs",
        "/tmp",
        # Private and size-capped like /tmp (POSIX semaphores: Python's multiprocessing).
        "--perms",
        "1777",
        "--size",
        str(tmp_bytes),
        "--tmpfs",
        "/dev/shm",
    ]
    if layout.box_dir is not None:
        a += ["--bind", str(layout.box_dir), "/box"]
    else:
        a += ["--perms", "0777", "--size", str(tmp_bytes), "--tmpfs", "/box"]
    if layout.program_dir is not None:  # a warm box: a per-slot directory (zygote.py)
        a += ["--ro-bind", str(layout.program_dir), "/prog"]
    for host, dest in layout.ro_binds:
        a += ["--ro-bind", host, dest]
    for fd, dest in zip(file_fds, layout.files, strict=True):
        a += ["--ro-bind-data", str(fd), dest]
    # The root (bwrap's own tmpfs holding the mount points) becomes read-only: only
    # /box and /tmp, both size-capped, accept writes.
    a += [
        "--remount-ro",
        "/",
        "--seccomp",
        str(seccomp_fd),
        # One JSON object per line: the box's PID 1 first, then the program's exit status,
        # written only once the program was exec'd. bwrap closes it in the box.
        "--json-status-fd",
        str(status_fd),
        "--block-fd",
        str(block_fd),
        "--chdir",
        layout.cwd,
        "--clearenv",
    ]
    for key, value in {**BASE_ENV, **layout.env}.items():
        a += ["--setenv", key, value]
    a.append("--")
    a.extend(layout.argv)
    return a

"""File operations on trees a compiler (an untrusted process) wrote: wipe, copy out, sweep.

Everything here is fd-relative (``openat``/``unlinkat``/``mkdirat`` through ``dir_fd``),
opens with ``O_NOFOLLOW``, and walks iteratively: the depth of a tree is chosen by the
submission (a Java package of 1,200 components is a directory tree that deep), so no
recursion, no path longer than one name, and a constant number of open descriptors
whatever the depth. Going back up uses ``..`` and checks it is the directory we came
from (device and inode), so a tree moved under our feet is an error, never a walk
outside the box.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import logging
import os
import stat
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

log = logging.getLogger(__name__)

_DIR = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
_FILE = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC
_CHUNK = 1024 * 1024


class TreeMoved(OSError):
    """The directory above us is not the one we descended from: stop, touch nothing more."""


class BudgetExceeded(Exception):
    """The files kept from a compile exceed their byte or file budget."""


class BoxContentError(Exception):
    """Reading what the compiler left failed (its tree, its names): the submission's fault."""


def _names(dir_fd: int) -> list[str]:
    with os.scandir(dir_fd) as entries:
        return [entry.name for entry in entries]


def _identity(fd: int) -> tuple[int, int]:
    st = os.fstat(fd)
    return st.st_dev, st.st_ino


def _up(fd: int, expected: tuple[int, int]) -> int:
    """Open ``..`` of ``fd`` and check it is ``expected``; closes ``fd``."""
    try:
        parent = os.open("..", _DIR, dir_fd=fd)
    finally:
        os.close(fd)
    if _identity(parent) != expected:
        os.close(parent)
        raise TreeMoved(errno.ESTALE, "a directory moved while it was being removed")
    return parent


def clear_dir(dir_fd: int) -> None:
    """Remove everything inside the directory open as ``dir_fd`` (which stays open, and empty).

    Iterative and fd-relative; at most two descriptors of ours are open at a time
    beyond ``dir_fd``. Memory: the names still to visit on the current path.
    """
    root = os.dup(dir_fd)
    fd = root
    # One frame per level below the root: (name of this dir in its parent, parent's identity,
    # names of this dir still to visit).
    frames: list[tuple[str, tuple[int, int], list[str]]] = []
    pending = _names(fd)
    try:
        while True:
            if pending:
                name = pending.pop()
                try:
                    os.unlink(name, dir_fd=fd)
                    continue
                except FileNotFoundError:
                    continue
                except IsADirectoryError:
                    pass
                except PermissionError as exc:  # EPERM from unlink means a directory on Linux
                    if exc.errno != errno.EPERM:
                        raise
                child = os.open(name, _DIR, dir_fd=fd)
                frames.append((name, _identity(fd), pending))
                os.close(fd)
                fd, pending = child, _names(child)
                continue
            if not frames:
                break
            name, parent_id, pending = frames.pop()
            fd = _up(fd, parent_id)
            os.rmdir(name, dir_fd=fd)
    finally:
        os.close(fd)


def wipe(box: Path) -> None:
    """Empty the directory ``box`` (kept itself): never follows a link, never recurses."""
    fd = os.open(box, _DIR)
    try:
        clear_dir(fd)
    finally:
        os.close(fd)


def remove_tree(path: Path) -> None:
    """Remove the directory ``path`` and everything in it; a missing one is fine."""
    try:
        fd = os.open(path, _DIR)
    except FileNotFoundError:
        return
    try:
        clear_dir(fd)
    finally:
        os.close(fd)
    try:
        os.rmdir(path)
    except FileNotFoundError:
        pass


@dataclass(slots=True)
class Budget:
    """What a collection may still copy: bytes, and entries (files and directories)."""

    bytes_left: int
    files_left: int
    copied: int = 0

    def take_file(self) -> None:
        if self.files_left <= 0:
            raise BudgetExceeded("too many files")
        self.files_left -= 1

    def take(self, n: int) -> None:
        if n > self.bytes_left:
            raise BudgetExceeded("too many bytes")
        self.bytes_left -= n
        self.copied += n


@dataclass(slots=True)
class _Level:
    src: int
    dst: int
    names: list[str] = field(default_factory=list)


def copy_kept(
    src_fd: int,
    dst_fd: int,
    *,
    keep: Callable[[str], bool],
    subdirs: bool,
    max_depth: int,
    budget: Budget,
) -> None:
    """Copy regular files named as ``keep`` accepts from ``src_fd`` into ``dst_fd``.

    With ``subdirs``, also descend into sub-directories (not hidden ones) up to
    ``max_depth``, creating them in the target, and removing the ones left empty.
    Each source entry is opened with O_NOFOLLOW|O_NONBLOCK and checked with fstat:
    symlinks, FIFOs and devices are skipped, setuid bits never copied. Bytes are
    counted while copying, so a budget stops a huge file at the budget, not after it.
    Errors reading the box raise ``BoxContentError``; errors writing the target are
    plain ``OSError`` (ours).
    """
    stack = [_Level(os.dup(src_fd), os.dup(dst_fd), _box_names(src_fd))]
    # Names of the directories on the current path, to remove them from the target if empty.
    path: list[str] = []
    try:
        while stack:
            level = stack[-1]
            if not level.names:
                stack.pop()
                os.close(level.src)
                parent_dst = stack[-1].dst if stack else None
                empty = not _names(level.dst)
                os.close(level.dst)
                if parent_dst is not None:
                    name = path.pop()
                    if empty:
                        os.rmdir(name, dir_fd=parent_dst)
                continue
            name = level.names.pop()
            try:
                fd = os.open(name, _FILE, dir_fd=level.src)
            except OSError:  # a symlink (ELOOP), a name that vanished
                continue
            try:
                st = os.fstat(fd)
                if stat.S_ISDIR(st.st_mode):
                    if subdirs and len(stack) <= max_depth and not name.startswith("."):
                        names = _box_names(fd)
                        budget.take_file()  # a directory costs an entry too
                        os.mkdir(name, 0o755, dir_fd=level.dst)
                        sub_dst = os.open(name, _DIR, dir_fd=level.dst)
                        stack.append(_Level(os.dup(fd), sub_dst, names))
                        path.append(name)
                elif stat.S_ISREG(st.st_mode) and keep(name):
                    budget.take_file()
                    _copy_file(fd, name, level.dst, st.st_mode, budget)
            finally:
                os.close(fd)
    finally:
        for level in stack:
            os.close(level.src)
            os.close(level.dst)


def _box_names(fd: int) -> list[str]:
    try:
        return _names(fd)
    except OSError as exc:
        raise BoxContentError(str(exc)) from exc


def _copy_file(src: int, name: str, dst_dir: int, mode: int, budget: Budget) -> None:
    os.set_blocking(src, True)
    out = os.open(
        name, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600, dir_fd=dst_dir
    )
    try:
        while True:
            try:
                chunk = os.read(src, _CHUNK)
            except OSError as exc:
                raise BoxContentError(str(exc)) from exc
            if not chunk:
                break
            budget.take(len(chunk))
            view = memoryview(chunk)
            while view:
                view = view[os.write(out, view) :]
        os.fchmod(out, 0o755 if mode & 0o111 else 0o644)
    finally:
        os.close(out)


# --- the size-capped compile box -------------------------------------------------------

_MS_NOSUID, _MS_NODEV = 2, 4
_MNT_DETACH = 2
_libc: ctypes.CDLL | None = None


def _c() -> ctypes.CDLL:
    global _libc
    if _libc is None:
        _libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
    return _libc


def mount_tmpfs(path: Path, *, size_bytes: int, inodes: int, uid: int) -> None:
    """Mount a size- and inode-capped tmpfs on ``path``, owned by ``uid``, mode 0700."""
    options = f"size={size_bytes},nr_inodes={inodes},mode=0700,uid={uid},gid={uid}".encode()
    rc = _c().mount(b"tmpfs", os.fsencode(path), b"tmpfs", _MS_NOSUID | _MS_NODEV, options)
    if rc != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"mount tmpfs on {path}: {os.strerror(err)}")


def unmount(path: Path) -> None:
    if _c().umount2(os.fsencode(path), _MNT_DETACH) != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"umount {path}: {os.strerror(err)}")


def is_mount(path: Path) -> bool:
    return os.path.ismount(path)

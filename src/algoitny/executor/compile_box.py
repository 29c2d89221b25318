"""A compile's use of its slot's box, on the host: prepare, collect, wipe, release.

These run in threads (file work) that may outlive a cancelled ``compile_source``; see
``BoxSession`` for how they stay ordered. Everything that reads the box goes through
``boxfs`` (fd-relative, iterative, ``O_NOFOLLOW``).
"""

from __future__ import annotations

import atexit
import errno
import logging
import os
import threading
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from . import boxfs
from .languages import Language
from .models import COMPILE_LIMITS, MIB
from .slots import Slot, SlotPool
from .verdicts import Verdict

log = logging.getLogger(__name__)
T = TypeVar("T")

# What a compile may leave for the runs: bytes, files and directory depth (Java packages).
ARTIFACT_BYTES = 64 * MIB
ARTIFACT_FILES = 10_000
ARTIFACT_DEPTH = 32
# The compile box is a tmpfs of its own (when we may mount): a cap on what the compiler writes.
BOX_BYTES = COMPILE_LIMITS.tmp_bytes
BOX_INODES = 100_000
_DIR = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC


def describe(exc: OSError) -> str:
    return exc.strerror or str(exc)


class BoxSession:
    """One compile's use of a slot's box, from threads that may outlive a cancelled caller.

    A step that starts after ``finish`` (the caller was cancelled while it was queued)
    does nothing, and ``finish`` waits for a step in progress: nothing is ever written
    into a box after it was wiped and its slot handed to someone else.
    """

    def __init__(self, pool: SlotPool, slot: Slot) -> None:
        self.pool, self.slot = pool, slot
        self._lock = threading.RLock()
        self._finished = False

    def step(self, fn: Callable[..., T], *args: object) -> T:
        with self._lock:
            if self._finished:
                raise OSError(errno.ECANCELED, "the compile was cancelled")
            return fn(*args)

    def finish(self) -> None:
        with self._lock:
            if not self._finished:
                self._finished = True
                finish(self.pool, self.slot)


class Handoff:
    """Passes the artifact from the collecting thread to a caller that may have given up."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._abandoned = False
        self._artifact: Path | None = None

    def deliver(self, artifact: Path) -> bool:
        """False if the caller was cancelled: the thread removes the artifact itself."""
        with self._lock:
            self._artifact = artifact
            return not self._abandoned

    def abandon(self) -> Path | None:
        """The artifact already delivered (the caller removes it), if any."""
        with self._lock:
            self._abandoned = True
            return self._artifact


def collect_and_finish(
    handoff: Handoff, box: BoxSession, language: Language, artifacts_root: Path, entry: str
) -> tuple[Path | None, Verdict | None, str]:
    try:
        try:
            artifact = box.step(collect, box.slot.box, language, artifacts_root, box.slot.uid)
        except boxfs.BudgetExceeded:
            return (
                None,
                Verdict.CE,
                (
                    f"compiled program too large: more than {ARTIFACT_BYTES // MIB} MiB "
                    f"or {ARTIFACT_FILES} files of compiler output to keep"
                ),
            )
        except boxfs.BoxContentError as exc:
            return None, Verdict.CE, f"could not collect the compiled program: {exc}"
        except OSError as exc:
            log.exception("storing a compiled program in %s failed", artifacts_root)
            return None, Verdict.IE, f"could not store the compiled program: {describe(exc)}"
        try:
            problem = language.check_artifact(entry, artifact)
        except OSError as exc:
            problem = f"could not check the compiled program: {describe(exc)}"
        if problem or not handoff.deliver(artifact):
            remove_artifact(artifact)
            return None, Verdict.CE, problem
        return artifact, None, ""
    finally:
        box.finish()


def finish(pool: SlotPool, slot: Slot) -> None:
    """Wipe the box; release the slot, or take it out of service if the wipe failed."""
    try:
        boxfs.wipe(slot.box)
    except Exception:
        log.exception("compile box %s could not be wiped: slot uid %d quarantined", slot.box, slot.uid)
        pool.quarantine(slot)
    else:
        pool.release(slot)


def remove_artifact(artifact: Path) -> None:
    try:
        boxfs.remove_tree(artifact)
    except OSError:
        log.exception("could not remove artifact %s", artifact)


_mounted: dict[Path, int] = {}  # compile boxes we mounted a tmpfs on -> our pid
_mount_lock = threading.Lock()
_mount_refused = False


def _cap_box(slot: Slot) -> None:
    """Make the slot's box a size-capped tmpfs of its own, once; best effort (see docs)."""
    global _mount_refused
    with _mount_lock:
        if _mount_refused or slot.box in _mounted or boxfs.is_mount(slot.box):
            return
        try:
            boxfs.mount_tmpfs(slot.box, size_bytes=BOX_BYTES, inodes=BOX_INODES, uid=slot.uid)
        except OSError as exc:
            _mount_refused = True
            log.warning(
                "compile boxes are not size-capped (%s): RLIMIT_FSIZE and the artifact budget only", exc
            )
            return
        _mounted[slot.box] = os.getpid()


@atexit.register
def _unmount_boxes() -> None:
    for box, pid in list(_mounted.items()):
        if pid == os.getpid():  # never a parent's boxes from a forked child
            try:
                boxfs.unmount(box)
            except OSError:
                pass
        _mounted.pop(box, None)


class BoxUnusable(Exception):
    """The slot's box could not be emptied before compiling: our failure (IE), not the source's."""


def prepare_box(slot: Slot, files: dict[str, bytes]) -> None:
    try:
        boxfs.wipe(slot.box)  # before mounting: a tree a crashed process left on disk goes too
        _cap_box(slot)
        box_fd = os.open(slot.box, _DIR)
    except OSError as exc:
        raise BoxUnusable(f"the compile box could not be prepared: {describe(exc)}") from exc
    try:
        for name, content in files.items():
            fd = os.open(
                name,
                os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC,
                0o644,
                dir_fd=box_fd,
            )
            try:
                view = memoryview(content)
                while view:
                    view = view[os.write(fd, view) :]
                os.fchown(fd, slot.uid, slot.gid)
            finally:
                os.close(fd)
    finally:
        os.close(box_fd)


def collect(box: Path, language: Language, artifacts_root: Path, owner: int = 0) -> Path:
    """Copy the kept outputs out of the box into ``<artifacts_root>/<owner>-<uuid>``.

    ``owner`` is the slot uid that compiled it: this process holds that uid's lock, so a
    later process claiming the uid knows such directories are stale (``sweep.sweep_uid``).
    Never follows the box's symlinks; stops at the byte and file budget. Nothing remains
    of the target if anything fails.
    """
    artifacts_root.mkdir(mode=0o711, exist_ok=True)
    target = artifacts_root / f"{owner}-{uuid.uuid4().hex}"
    target.mkdir(mode=0o700)
    try:
        dst = os.open(target, _DIR)
        try:
            try:
                src = os.open(box, _DIR)
            except OSError as exc:
                raise boxfs.BoxContentError(describe(exc)) from exc
            try:
                boxfs.copy_kept(
                    src,
                    dst,
                    keep=language.kept,
                    subdirs=language.keep_subdirs,
                    max_depth=ARTIFACT_DEPTH,
                    budget=boxfs.Budget(ARTIFACT_BYTES, ARTIFACT_FILES),
                )
            finally:
                os.close(src)
            os.fchmod(dst, 0o755)
        finally:
            os.close(dst)
    except BaseException:
        remove_artifact(target)
        raise
    return target

"""Compile once per submission, in the sandbox, with its own limits.

The compiler runs in the slot's compile box (a size-capped tmpfs of its own on the host,
owned by the slot's uid, mounted at /box, wiped before and after). What the language
keeps from it (a binary, ``*.class`` files, the checked source) is copied, within a byte
and file budget, into a root-owned artifact directory that later runs mount read-only
at /prog. Call ``await compiled.cleanup()`` (or use ``async with``) once the
submission's tests are done. See docs/executor.md, "The host side of a compile".
"""

from __future__ import annotations

import asyncio
import atexit
import dataclasses
import errno
import logging
import os
import re
import threading
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from . import boxfs
from .bwrap import Layout
from .errors import LanguageUnavailable
from .languages import Language, get_language
from .languages.base import SourceRejected
from .models import COMPILE_LIMITS, MIB, Limits
from .runtime import get_runtime
from .sandbox import run_sandboxed
from .slots import Slot, SlotPool
from .verdicts import Verdict

log = logging.getLogger(__name__)
T = TypeVar("T")

MESSAGE_BYTES = 64 * 1024
# What a compile may leave for the runs: bytes, files and directory depth (Java packages).
ARTIFACT_BYTES = 64 * MIB
ARTIFACT_FILES = 10_000
ARTIFACT_DEPTH = 32
# The compile box is a tmpfs of its own (when we may mount): a cap on what the compiler writes.
BOX_BYTES = COMPILE_LIMITS.tmp_bytes
BOX_INODES = 100_000
_PLAIN_NAME = re.compile(r"[A-Za-z0-9_.+-]{1,100}")
_DIR = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC


@dataclass(slots=True)
class CompileResult:
    language: str
    ok: bool
    message: str  # compiler output, bounded to MESSAGE_BYTES
    verdict: Verdict | None = None  # CE or IE when not ok
    artifact_dir: Path | None = None
    entry: str = ""
    cpu_ms: int = 0
    wall_ms: int = 0

    async def cleanup(self) -> None:
        artifact, self.artifact_dir = self.artifact_dir, None
        if artifact is not None:
            # A thread runs to its end even if this await is cancelled.
            await asyncio.to_thread(_remove_artifact, artifact)

    async def __aenter__(self) -> CompileResult:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.cleanup()


def runtime_layout(language: Language) -> tuple[list[tuple[str, str]], dict[str, str]]:
    """The extra mounts and environment a language needs, for compile and run alike."""
    binds = [(host, dest) for host, dest in language.ro_binds if os.path.exists(host)]
    return binds, dict(language.env)


async def compile_source(
    language_id: str,
    source: str | bytes,
    *,
    limits: Limits | None = None,
    extra_files: Mapping[str, bytes] | None = None,
) -> CompileResult:
    """Compile ``source`` (text, or bytes in any encoding: written to the box as is).

    ``extra_files`` (plain names -> content) are written beside it, e.g. the
    ``testlib.h`` a checker from a Polygon package includes. Every failure caused by the
    source is a CE result and every failure of ours an IE result, never an exception;
    the slot goes back to the pool (or, if its box cannot be wiped, out of service) and
    no artifact is left behind on any path, cancellation included.
    """
    language = get_language(language_id)
    raw = source.encode() if isinstance(source, str) else bytes(source)
    extra = dict(extra_files or {})
    for name in extra:
        if not _PLAIN_NAME.fullmatch(name) or name in (".", ".."):
            raise ValueError(f"extra file name {name!r}: a plain file name is required")
    reason = language.unavailable_reason()
    if reason:
        raise LanguageUnavailable(f"{language.name} is not available here: {reason}")
    limits = limits or dataclasses.replace(COMPILE_LIMITS, memory_mb=language.compile_memory_mb)
    rt = get_runtime()
    try:
        plan = await asyncio.to_thread(_inspect, language, raw)
    except SourceRejected as exc:
        return CompileResult(language.id, False, str(exc), verdict=Verdict.CE)
    slot = await rt.pool.acquire()
    box = _BoxSession(rt.pool, slot)
    handed_over = False  # True once the collecting thread owns the slot
    try:
        files = {name: data for name, data in extra.items() if name != plan.source_name}
        files[plan.source_name] = raw  # the source itself always wins
        try:
            await asyncio.to_thread(box.step, _prepare_box, slot, files)
        except _BoxUnusable as exc:
            log.error("slot uid %d: %s", slot.uid, exc)
            return CompileResult(language.id, False, str(exc), Verdict.IE)
        except OSError as exc:
            return CompileResult(
                language.id, False, f"could not write the source for compiling: {_reason(exc)}", Verdict.CE
            )
        argv = language.compile_argv(plan.source_name)
        binds, env = runtime_layout(language)
        binds += await asyncio.to_thread(language.toolchain_binds, rt.config.box_root)
        layout = Layout(argv=argv or ["/bin/true"], env=env, ro_binds=binds, box_dir=slot.box)
        outcome = await run_sandboxed(layout, limits, b"", slot, merge_stderr=True)
        message = outcome.stdout[:MESSAGE_BYTES].decode("utf-8", errors="replace")
        result = CompileResult(
            language.id, False, message, entry=plan.entry, cpu_ms=outcome.cpu_ms, wall_ms=outcome.wall_ms
        )
        if outcome.internal_error:
            result.verdict, result.message = Verdict.IE, outcome.internal_error
        elif outcome.cpu_timed_out or outcome.wall_timed_out:
            result.verdict = Verdict.CE
            result.message = f"compilation exceeded its time limit ({limits.time_limit_s:g} s)\n" + message
        elif outcome.oom_killed:
            result.verdict = Verdict.CE
            result.message = f"compilation exceeded its memory limit ({limits.memory_mb} MB)\n" + message
        elif outcome.stdout_exceeded:
            result.verdict = Verdict.CE
            result.message = "compiler output exceeded its limit\n" + message
        elif outcome.exit_code != 0:
            result.verdict = Verdict.CE
        else:
            handed_over = True
            await _collect_into(result, box, language, rt.config.box_root / "artifacts")
        return result
    finally:
        if not handed_over:
            # In a thread that runs to its end even if this await is cancelled.
            await asyncio.to_thread(box.finish)


def _inspect(language: Language, raw: bytes):
    return language.inspect(raw.decode("utf-8", errors="replace"))


def _reason(exc: OSError) -> str:
    return exc.strerror or str(exc)


class _BoxSession:
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
                _finish(self.pool, self.slot)


async def _collect_into(
    result: CompileResult, box: _BoxSession, language: Language, artifacts_root: Path
) -> None:
    """Copy the kept outputs into ``result`` (or turn it into CE/IE), then free the slot."""
    handoff = _Handoff()
    try:
        artifact, verdict, problem = await asyncio.shield(
            asyncio.to_thread(_collect_and_finish, handoff, box, language, artifacts_root, result.entry)
        )
    except asyncio.CancelledError:
        abandoned = handoff.abandon()
        if abandoned is not None:
            get_runtime().in_background(asyncio.to_thread(_remove_artifact, abandoned))
        raise
    if verdict is None:
        result.ok, result.artifact_dir = True, artifact
    else:
        result.verdict = verdict
        result.message = problem + ("\n" + result.message if result.message else "")


class _Handoff:
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


def _collect_and_finish(
    handoff: _Handoff, box: _BoxSession, language: Language, artifacts_root: Path, entry: str
) -> tuple[Path | None, Verdict | None, str]:
    try:
        try:
            artifact = box.step(_collect, box.slot.box, language, artifacts_root, box.slot.uid)
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
            return None, Verdict.IE, f"could not store the compiled program: {_reason(exc)}"
        try:
            problem = language.check_artifact(entry, artifact)
        except OSError as exc:
            problem = f"could not check the compiled program: {_reason(exc)}"
        if problem or not handoff.deliver(artifact):
            _remove_artifact(artifact)
            return None, Verdict.CE, problem
        return artifact, None, ""
    finally:
        box.finish()


def _finish(pool: SlotPool, slot: Slot) -> None:
    """Wipe the box; release the slot, or take it out of service if the wipe failed."""
    try:
        boxfs.wipe(slot.box)
    except Exception:
        log.exception("compile box %s could not be wiped: slot uid %d quarantined", slot.box, slot.uid)
        pool.quarantine(slot)
    else:
        pool.release(slot)


def _remove_artifact(artifact: Path) -> None:
    try:
        boxfs.remove_tree(artifact)
    except OSError:
        log.exception("could not remove artifact %s", artifact)


def _wipe(box: Path) -> None:
    boxfs.wipe(box)


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


class _BoxUnusable(Exception):
    """The slot's box could not be emptied before compiling: our failure (IE), not the source's."""


def _prepare_box(slot: Slot, files: dict[str, bytes]) -> None:
    try:
        boxfs.wipe(slot.box)  # before mounting: a tree a crashed process left on disk goes too
        _cap_box(slot)
        box_fd = os.open(slot.box, _DIR)
    except OSError as exc:
        raise _BoxUnusable(f"the compile box could not be prepared: {_reason(exc)}") from exc
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


def _collect(box: Path, language: Language, artifacts_root: Path, owner: int = 0) -> Path:
    """Copy the kept outputs out of the box into ``<artifacts_root>/<owner>-<uuid>``.

    ``owner`` is the slot uid that compiled it: this process holds that uid's lock, so a
    later process claiming the uid knows such directories are stale (``boxfs.sweep_artifacts``).
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
                raise boxfs.BoxContentError(_reason(exc)) from exc
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
        _remove_artifact(target)
        raise
    return target

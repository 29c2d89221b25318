"""Compile once per submission, in the sandbox, with its own limits.

The compiler runs in the slot's compile box (a host directory owned by the slot's uid,
mounted at /box, wiped before and after). What the language keeps from it (a binary,
``*.class`` files, the checked source) is copied into a root-owned artifact directory
that later runs mount read-only at /prog. Call ``await compiled.cleanup()`` (or use
``async with``) once the submission's tests are done.
"""

from __future__ import annotations

import asyncio
import dataclasses
import os
import re
import shutil
import stat
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from .bwrap import Layout
from .errors import LanguageUnavailable
from .languages import Language, get_language
from .models import COMPILE_LIMITS, Limits
from .runtime import get_runtime
from .sandbox import run_sandboxed
from .slots import Slot
from .verdicts import Verdict

MESSAGE_BYTES = 64 * 1024
_PLAIN_NAME = re.compile(r"[A-Za-z0-9_.+-]{1,100}")


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
        if self.artifact_dir is not None:
            await asyncio.to_thread(shutil.rmtree, self.artifact_dir, True)
            self.artifact_dir = None

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
    ``testlib.h`` a checker from a Polygon package includes.
    """
    language = get_language(language_id)
    raw = source.encode() if isinstance(source, str) else bytes(source)
    extra = dict(extra_files or {})
    for name in extra:
        if not _PLAIN_NAME.fullmatch(name) or name in (".", ".."):
            raise ValueError(f"extra file name {name!r}: a plain file name is required")
    source = raw.decode("utf-8", errors="replace")
    reason = language.unavailable_reason()
    if reason:
        raise LanguageUnavailable(f"{language.name} is not available here: {reason}")
    limits = limits or dataclasses.replace(COMPILE_LIMITS, memory_mb=language.compile_memory_mb)
    rt = get_runtime()
    source_name = language.source_name(source)
    entry = language.entry(source)
    slot = await rt.pool.acquire()
    try:
        extra.pop(source_name, None)  # the source itself always wins
        await asyncio.to_thread(_prepare_box, slot, {**extra, source_name: raw})
        argv = language.compile_argv(source_name)
        binds, env = runtime_layout(language)
        binds += await asyncio.to_thread(language.toolchain_binds, rt.config.box_root)
        layout = Layout(argv=argv or ["/bin/true"], env=env, ro_binds=binds, box_dir=slot.box)
        outcome = await run_sandboxed(layout, limits, b"", slot, merge_stderr=True)
        message = outcome.stdout[:MESSAGE_BYTES].decode("utf-8", errors="replace")
        result = CompileResult(
            language.id, False, message, entry=entry, cpu_ms=outcome.cpu_ms, wall_ms=outcome.wall_ms
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
            result.artifact_dir = await asyncio.to_thread(
                _collect, slot.box, language, rt.config.box_root / "artifacts", slot.uid
            )
            problem = language.check_artifact(entry, result.artifact_dir)
            if problem:
                await result.cleanup()
                result.verdict, result.message = Verdict.CE, problem + "\n" + message
            else:
                result.ok = True
        return result
    finally:
        await asyncio.to_thread(_wipe, slot.box)
        rt.pool.release(slot)


def _wipe(box: Path) -> None:
    with os.scandir(box) as entries:
        for entry in entries:
            if entry.is_dir(follow_symlinks=False):
                shutil.rmtree(entry.path, ignore_errors=True)
            else:
                os.unlink(entry.path)


def _prepare_box(slot: Slot, files: dict[str, bytes]) -> None:
    _wipe(slot.box)
    for name, content in files.items():
        path = slot.box / name
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o644)
        with os.fdopen(fd, "wb") as f:
            f.write(content)
        os.chown(path, slot.uid, slot.gid)


def _collect(box: Path, language: Language, artifacts_root: Path, owner: int = 0) -> Path:
    """Copy the kept outputs out of the box into ``<artifacts_root>/<owner>-<uuid>``; never
    follow the box's symlinks. ``owner`` (the compiling slot's uid, held by this process
    for its life) lets the next holder of that uid sweep it if this process dies."""
    artifacts_root.mkdir(mode=0o711, exist_ok=True)
    target = artifacts_root / f"{owner}-{uuid.uuid4().hex}"
    target.mkdir(mode=0o755)
    fd = os.open(box, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
    try:
        _copy_kept(fd, target, language, depth=0)
    finally:
        os.close(fd)
    os.chmod(target, 0o755)
    return target


def _copy_kept(dir_fd: int, target: Path, language: Language, depth: int) -> None:
    """Regular files matching ``language.keep`` (and, for Java, sub-directories).

    Everything is opened relative to ``dir_fd`` with O_NOFOLLOW, and checked with
    fstat after opening: a symlink, FIFO or device left in the box is skipped.
    """
    flags = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC
    with os.scandir(dir_fd) as entries:
        names = [entry.name for entry in entries]
    for name in names:
        try:
            fd = os.open(name, flags, dir_fd=dir_fd)
        except OSError:  # a symlink (ELOOP) or something that vanished
            continue
        try:
            st = os.fstat(fd)
            if stat.S_ISDIR(st.st_mode):
                if language.keep_subdirs and depth < 16 and not name.startswith("."):
                    sub = target / name
                    sub.mkdir(mode=0o755)
                    _copy_kept(fd, sub, language, depth + 1)
                    if not any(sub.iterdir()):
                        sub.rmdir()
            elif stat.S_ISREG(st.st_mode) and language.kept(name):
                os.set_blocking(fd, True)
                with open(target / name, "wb") as fout:
                    with os.fdopen(os.dup(fd), "rb") as fin:
                        shutil.copyfileobj(fin, fout)
                os.chmod(target / name, 0o755 if st.st_mode & 0o111 else 0o644)
        finally:
            os.close(fd)

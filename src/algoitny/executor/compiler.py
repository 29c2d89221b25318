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
import dataclasses
import logging
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from .bwrap import Layout
from .compile_box import (
    BoxSession,
    BoxUnusable,
    Handoff,
    collect_and_finish,
    describe,
    prepare_box,
    remove_artifact,
)
from .errors import LanguageUnavailable
from .languages import Language, get_language
from .languages.base import SourceRejected
from .models import COMPILE_LIMITS, Limits
from .runtime import get_runtime
from .sandbox import run_sandboxed
from .verdicts import Verdict

log = logging.getLogger(__name__)
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
        artifact, self.artifact_dir = self.artifact_dir, None
        if artifact is not None:
            warm = get_runtime().warm
            if warm is not None:
                warm.forget_artifact(artifact)
            # A thread runs to its end even if this await is cancelled.
            await asyncio.to_thread(remove_artifact, artifact)

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
    box = BoxSession(rt.pool, slot)
    handed_over = False  # True once the collecting thread owns the slot
    try:
        files = {name: data for name, data in extra.items() if name != plan.source_name}
        files[plan.source_name] = raw  # the source itself always wins
        try:
            await asyncio.to_thread(box.step, prepare_box, slot, files)
        except BoxUnusable as exc:
            log.error("slot uid %d: %s", slot.uid, exc)
            return CompileResult(language.id, False, str(exc), Verdict.IE)
        except OSError as exc:
            return CompileResult(
                language.id, False, f"could not write the source for compiling: {describe(exc)}", Verdict.CE
            )
        argv = language.compile_argv(plan.source_name)
        binds, env = runtime_layout(language)
        try:
            binds += await asyncio.to_thread(language.toolchain_binds, rt.config.box_root)
        except OSError as exc:
            log.exception("preparing the %s toolchain failed", language.id)
            return CompileResult(language.id, False, f"toolchain unavailable: {describe(exc)}", Verdict.IE)
        layout = Layout(argv=argv or ["/bin/true"], env=env, ro_binds=binds, box_dir=slot.box)
        outcome = await run_sandboxed(layout, limits, b"", slot, merge_stderr=True)
        message = outcome.stdout[:MESSAGE_BYTES].decode("utf-8", errors="replace")
        outcome.stdout.close()  # the compiler's output is only its message
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


async def _collect_into(
    result: CompileResult, box: BoxSession, language: Language, artifacts_root: Path
) -> None:
    """Copy the kept outputs into ``result`` (or turn it into CE/IE), then free the slot."""
    handoff = Handoff()
    try:
        artifact, verdict, problem = await asyncio.shield(
            asyncio.to_thread(collect_and_finish, handoff, box, language, artifacts_root, result.entry)
        )
    except asyncio.CancelledError:
        abandoned = handoff.abandon()
        if abandoned is not None:
            get_runtime().in_background(asyncio.to_thread(remove_artifact, abandoned))
        raise
    if verdict is None:
        result.ok, result.artifact_dir = True, artifact
    else:
        result.verdict = verdict
        result.message = problem + ("\n" + result.message if result.message else "")

"""Run a compiled artifact once in a slot: the bridge from languages to the sandbox."""

from __future__ import annotations

import logging
import os
from pathlib import Path

from .bwrap import Layout
from .compiler import CompileResult, runtime_layout
from .errors import BadArtifact
from .languages import get_language
from .languages.base import Language
from .models import Limits, RunResult, excerpt
from .runtime import get_runtime
from .sandbox import Outcome, run_sandboxed
from .verdicts import RunFacts, Verdict, classify
from .warm import MAX_REQUEST, encode_request
from .warm_run import WarmUnavailable, run_warm, run_zygote
from .zygote import ZygoteLost

log = logging.getLogger(__name__)


async def execute(
    compiled: CompileResult,
    stdin: bytes,
    limits: Limits,
    *,
    args: list[str] | None = None,
    files: dict[str, bytes] | None = None,
) -> Outcome:
    if not compiled.ok or compiled.artifact_dir is None:
        raise BadArtifact("the submission did not compile, or its artifact was cleaned up")
    language = get_language(compiled.language)
    binds, env = runtime_layout(language)
    layout = Layout(
        argv=language.run_argv(compiled.entry, limits) + (args or []),
        env=env,
        ro_binds=binds,
        program_dir=compiled.artifact_dir,
        files=files or {},
    )
    rt = get_runtime()
    exe = warm_program(language, layout, compiled.artifact_dir) if rt.use_warm else None
    forked = rt.use_warm and rt.warm is not None and rt.warm.hook is not None and language.zygote
    slot = await rt.pool.acquire()
    try:
        try:
            if rt.warm is not None and exe is not None:
                return await run_warm(rt.warm, slot, exe, layout.argv, layout.env, limits, stdin)
            if rt.warm is not None and forked and not layout.files:
                names = tuple(sorted(os.listdir(compiled.artifact_dir)))
                return await run_zygote(
                    rt.warm, slot, compiled.artifact_dir, names, layout.argv, layout.env, limits, stdin
                )
        except WarmUnavailable as exc:
            rt.use_warm, rt.warm_reason = False, f"cold: {exc}"
            log.warning("warm boxes are off from now on: %s", exc)
        except ZygoteLost as exc:  # nothing of the test counts: it runs again, cold
            log.info("zygote lost, the test runs cold: %s", exc)
        return await run_sandboxed(layout, limits, stdin, slot)
    finally:
        rt.pool.release(slot)


def warm_program(language: Language, layout: Layout, artifact_dir: Path) -> Path | None:
    """The artifact's executable when this run can go to a warm box, else None (cold).

    A warm box mounts nothing per run: only a language whose program is one executable
    in the artifact (``/prog/<name>``), run without extra files, qualifies.
    """
    program = layout.argv[0]
    if not language.warm or layout.files or not program.startswith("/prog/"):
        return None
    name = program.removeprefix("/prog/")
    if "/" in name or len(encode_request([], layout.argv, layout.env)) > MAX_REQUEST:
        return None
    return artifact_dir / name


def facts(outcome: Outcome, language_id: str) -> RunFacts:
    language = get_language(language_id)
    crashed = (outcome.exit_code or 0) != 0 or outcome.signal is not None
    return RunFacts(
        internal_error=outcome.internal_error,
        cpu_ms=outcome.cpu_ms,
        wall_timed_out=outcome.wall_timed_out,
        oom_killed=outcome.oom_killed,
        memory_kb=outcome.memory_kb,
        output_exceeded=outcome.stdout_exceeded or outcome.stderr_exceeded,
        exit_code=outcome.exit_code,
        signal=outcome.signal,
        runtime_out_of_memory=crashed and language.ran_out_of_memory(outcome.stderr),
    )


def run_verdict(outcome: Outcome, language_id: str, limits: Limits) -> Verdict | None:
    return classify(
        facts(outcome, language_id),
        time_limit_ms=limits.time_limit_ms,
        memory_limit_kb=limits.memory_mb * 1024,
    )


async def run_once(compiled: CompileResult, stdin: bytes, limits: Limits) -> RunResult:
    """A "custom input" run: no checker; AC means the program finished cleanly."""
    outcome = await execute(compiled, stdin, limits)
    verdict = run_verdict(outcome, compiled.language, limits) or Verdict.AC
    stdout = bytes(outcome.stdout)  # a custom-input run hands the whole output back
    outcome.stdout.close()
    return RunResult(
        verdict=verdict,
        cpu_ms=outcome.cpu_ms,
        wall_ms=outcome.wall_ms,
        memory_kb=outcome.memory_kb,
        exit_code=outcome.exit_code,
        signal=outcome.signal,
        stdout=stdout,
        stderr_excerpt=excerpt(outcome.stderr),
        stdout_truncated=outcome.stdout_exceeded,
        message=outcome.internal_error or "",
    )

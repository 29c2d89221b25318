"""Start-up self-test: compile and run a tiny a+b program in every language."""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass

from .compiler import compile_source
from .execution import run_once
from .languages import ALL
from .languages.base import AB_INPUT, AB_OUTPUT
from .models import Limits
from .runtime import get_runtime
from .verdicts import Verdict

REQUIRED = ("python", "c", "cpp", "java", "javascript")


@dataclass(slots=True)
class SelfTestResult:
    id: str
    name: str
    available: bool
    ok: bool
    detail: str
    path: str = "cold"  # "warm": warm boxes (warm.py); "zygote": forked from one (zygote.py)

    def to_json(self) -> dict:
        return asdict(self)


async def self_test() -> list[SelfTestResult]:
    """Raises SandboxUnavailable when sandboxes cannot run here at all."""
    get_runtime()
    results = []
    for language in ALL:
        reason = language.unavailable_reason()
        if reason:
            results.append(SelfTestResult(language.id, language.name, False, False, reason))
            continue
        started = time.monotonic()
        compiled = await compile_source(language.id, language.self_test_source)
        compile_ms = int((time.monotonic() - started) * 1000)
        if not compiled.ok:
            results.append(
                SelfTestResult(
                    language.id,
                    language.name,
                    False,
                    False,
                    f"self-test did not compile: {compiled.message[:500]}",
                )
            )
            continue
        rt = get_runtime()
        forked = language.zygote and rt.use_warm and rt.warm is not None and rt.warm.hook is not None
        warm = (language.warm and rt.use_warm) or forked
        async with compiled:
            run = await run_once(compiled, AB_INPUT, Limits(time_limit_s=5, memory_mb=512))
            ok = run.verdict is Verdict.AC and run.stdout == AB_OUTPUT
            if warm and not ok:
                # The warm path failed where a cold one may not: judge cold from now on.
                why = f"{run.verdict} {run.message or run.stderr_excerpt[:200]}".strip()
                if forked and rt.warm is not None:
                    rt.warm.hook, rt.warm_reason = (
                        None,
                        f"{rt.warm_reason}; no zygote: its self-test failed ({why})",
                    )
                else:
                    rt.use_warm, rt.warm_reason = False, f"cold: the warm box self-test failed ({why})"
                run = await run_once(compiled, AB_INPUT, Limits(time_limit_s=5, memory_mb=512))
                ok = run.verdict is Verdict.AC and run.stdout == AB_OUTPUT
            forked = forked and rt.use_warm and rt.warm is not None and rt.warm.hook is not None
            warm = (language.warm and rt.use_warm) or forked
        detail = (
            f"compile {compile_ms} ms, run {run.wall_ms} ms"
            if ok
            else f"self-test run gave {run.verdict}: {run.stdout[:200]!r} {run.stderr_excerpt[:500]}"
            f"{run.message}"
        )
        path = ("zygote" if forked else "warm") if warm else "cold"
        if language.warm or language.zygote:
            detail += f"; {rt.warm_reason}"
        results.append(SelfTestResult(language.id, language.name, ok, ok, detail, path))
    await get_runtime().idle()
    return results

"""A custom checker program (testlib protocol), compiled once and run in the sandbox.

It is called as ``checker input output answer`` with the three files mounted read-only
under /data. Exit status: 0 accepted, 1 wrong answer, 2 presentation error (judged as
WA), 3 checker failure (IE); anything else, a crash or a timeout of the checker is IE.
Its stderr (where testlib writes its comment) becomes the checker message.
"""

from __future__ import annotations

from .compiler import CompileResult, compile_source
from .execution import execute
from .models import Checker, Limits, excerpt
from .output import Output
from .verdicts import Verdict

CHECKER_LIMITS = Limits(time_limit_s=10.0, memory_mb=1024, wall_time_s=20.0)
_FILES = ("/data/input", "/data/output", "/data/answer")
_WRONG = {1: "wrong answer", 2: "presentation error", 4: "wrong answer", 8: "unexpected eof"}


class CustomChecker:
    def __init__(self, compiled: CompileResult) -> None:
        self.compiled = compiled

    @classmethod
    async def build(cls, spec: Checker) -> CustomChecker:
        assert spec.source is not None
        compiled = await compile_source(spec.language or "cpp", spec.source, extra_files=spec.files)
        return cls(compiled)

    async def check(self, input: bytes, output: bytes | Output, answer: bytes) -> tuple[Verdict, str]:
        if not self.compiled.ok:
            return Verdict.IE, "checker did not compile: " + self.compiled.message[:2000]
        outcome = await execute(
            self.compiled,
            b"",
            CHECKER_LIMITS,
            args=list(_FILES),
            # One copy of the output for the checker's file (at most the output cap), dropped
            # when the run has copied it into its memfd.
            files=dict(zip(_FILES, (input, bytes(output), answer), strict=True)),
        )
        comment = excerpt(outcome.stderr or outcome.stdout, 2000).strip()
        outcome.stdout.close()
        if outcome.internal_error:
            return Verdict.IE, f"checker: {outcome.internal_error}"
        if outcome.cpu_timed_out or outcome.wall_timed_out or outcome.oom_killed:
            return Verdict.IE, "checker exceeded its limits"
        if outcome.signal is not None:
            return Verdict.IE, f"checker killed by {outcome.signal}"
        if outcome.exit_code == 0:
            return Verdict.AC, comment
        if outcome.exit_code in _WRONG:
            return Verdict.WA, comment or _WRONG[outcome.exit_code]
        return Verdict.IE, f"checker failed (exit {outcome.exit_code}): {comment}"

    async def cleanup(self) -> None:
        await self.compiled.cleanup()

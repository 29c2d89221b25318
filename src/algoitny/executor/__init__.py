"""The executor: compile once, run every test in a real sandbox, exact verdicts.

    compiled = await compile_source("cpp", source)
    async for result in run_tests(compiled, tests, Limits(time_limit_s=1), Checker()):
        ...
    await compiled.cleanup()

Layers (each module may only use those above it): verdicts/models → cgroups, seccomp,
bwrap, slots → sandbox (the only code that spawns untrusted processes) → languages →
compiler → execution, checkers, custom_checker → runner → cli.
"""

from .checkers import CheckResult, get_checker
from .compiler import CompileResult, compile_source
from .config import ExecutorConfig
from .errors import (
    BadArtifact,
    ExecutorError,
    LanguageUnavailable,
    SandboxUnavailable,
    UnknownLanguage,
)
from .execution import run_once
from .languages import LanguageInfo, get_language, languages
from .models import COMPILE_LIMITS, Checker, Limits, RunResult, TestCase, TestResult
from .runner import run_tests
from .runtime import configure, get_runtime
from .verdicts import Verdict

__all__ = [
    "BadArtifact",
    "COMPILE_LIMITS",
    "CheckResult",
    "Checker",
    "CompileResult",
    "ExecutorConfig",
    "ExecutorError",
    "LanguageInfo",
    "LanguageUnavailable",
    "Limits",
    "RunResult",
    "SandboxUnavailable",
    "TestCase",
    "TestResult",
    "UnknownLanguage",
    "Verdict",
    "compile_source",
    "configure",
    "get_checker",
    "get_language",
    "get_runtime",
    "languages",
    "run_once",
    "run_tests",
]

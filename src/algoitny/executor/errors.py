"""Exceptions raised by the executor.

    ExecutorError
    ├── SandboxUnavailable   the host cannot run sandboxes (no bwrap, no cgroups, not root)
    ├── UnknownLanguage      a language id or alias we have never heard of
    ├── LanguageUnavailable  a known language whose toolchain is missing here
    ├── BadArtifact          a compiled artifact that was cleaned up or did not compile
    ├── UnknownChecker       a built-in checker name we do not have (also a ValueError)
    └── BadCheckerOption     an option a checker does not take, or a bad value (a ValueError)

Verdicts are values (see ``verdicts.Verdict``), never exceptions: a program that crashes,
loops or floods is a normal result, not an error of the executor.
"""

from __future__ import annotations


class ExecutorError(Exception):
    code = "executor_error"


class SandboxUnavailable(ExecutorError):
    code = "sandbox_unavailable"


class UnknownLanguage(ExecutorError):
    code = "unknown_language"


class LanguageUnavailable(ExecutorError):
    code = "language_unavailable"


class BadArtifact(ExecutorError):
    code = "bad_artifact"


class UnknownChecker(ExecutorError, ValueError):
    code = "unknown_checker"


class BadCheckerOption(ExecutorError, ValueError):
    code = "bad_checker_option"

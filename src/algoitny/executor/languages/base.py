"""What every language module describes: how to compile, how to run, how to self-test.

A language knows nothing about the sandbox beyond the paths it will see inside it:
the source and compile outputs live in ``/box`` during compilation, the kept
artifacts are mounted read-only at ``/prog`` for runs.
"""

from __future__ import annotations

import fnmatch
import os
from dataclasses import dataclass
from pathlib import Path

from ..models import Limits

AB_INPUT = b"1 2\n"
AB_OUTPUT = b"3\n"


class SourceRejected(Exception):
    """The source cannot be compiled as it is (e.g. a name too long for a file): CE, with this message."""


@dataclass(frozen=True, slots=True)
class SourcePlan:
    """What compiling needs to know from the source, found once per compile."""

    source_name: str  # the file name the source is written to in the box
    entry: str = ""  # what the run command needs (Java: the class to run)


@dataclass(frozen=True, slots=True)
class LanguageInfo:
    id: str
    name: str
    available: bool
    reason: str  # why it is unavailable; empty when available


class Language:
    """Base of the language family; each module subclasses it with a few attributes."""

    id: str = ""
    name: str = ""
    aliases: tuple[str, ...] = ()
    source_file: str = "main"
    keep: tuple[str, ...] = ("main",)  # glob patterns of compile outputs to keep
    keep_subdirs: bool = False  # also keep matching files in subdirectories (Java packages)
    env: dict[str, str] = {}
    ro_binds: tuple[tuple[str, str], ...] = ()  # extra host paths the runtime needs
    out_of_memory_markers: tuple[bytes, ...] = ()
    compile_memory_mb: int = 1024
    warm: bool = False  # runs in a warm box: one executable ``/prog/<name>``, one task (see warm.py)
    zygote: bool = False  # Python: forked per test from an interpreter in a warm box (zygote.py)
    self_test_source: str = ""

    def unavailable_reason(self) -> str:
        """Empty when the toolchain is installed here, else what is missing."""
        for path in self.required_paths():
            if not os.path.exists(path):
                return f"{path} not found"
        return ""

    def required_paths(self) -> list[str]:
        return []

    def toolchain_binds(self, box_root: Path) -> list[tuple[str, str]]:
        """Extra read-only mounts for compiling; may prepare them (runs in a thread)."""
        return []

    def inspect(self, source: str) -> SourcePlan:
        """The file name and entry for ``source``; raises ``SourceRejected`` (CE) if unusable.

        Runs in a thread, once per compile: a language that parses the source must do so
        in linear time on any input.
        """
        return SourcePlan(self.source_file)

    def source_name(self, source: str) -> str:
        return self.inspect(source).source_name

    def entry(self, source: str) -> str:
        """What the run command needs to know from the source (Java: the class)."""
        return self.inspect(source).entry

    def compile_argv(self, source_name: str) -> list[str] | None:
        return None

    def run_argv(self, entry: str, limits: Limits) -> list[str]:
        raise NotImplementedError

    def check_artifact(self, entry: str, artifact: Path) -> str:
        """After a successful compile: empty if the artifact can run, else a CE message."""
        return ""

    def kept(self, filename: str) -> bool:
        return any(fnmatch.fnmatchcase(filename, p) for p in self.keep)

    def ran_out_of_memory(self, stderr: bytes) -> bool:
        return any(marker in stderr for marker in self.out_of_memory_markers)

    def info(self) -> LanguageInfo:
        reason = self.unavailable_reason()
        return LanguageInfo(self.id, self.name, not reason, reason)

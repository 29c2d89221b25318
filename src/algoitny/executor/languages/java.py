"""Java 17: javac once, then the JVM with a heap sized to the memory limit.

Which class runs (documented in docs/executor.md): the top-level class declaring
``main`` (a public one first), whatever its name; else the public class; else ``Main``. A
``package`` declaration is honoured (``package a.b;`` + ``class Main`` runs ``a.b.Main``).
Comments and string literals are ignored when looking. If javac produced no class for
the entry, the compile is CE with a message saying how to name the class.
"""

from __future__ import annotations

import re
from pathlib import Path

from ..models import Limits
from .base import Language

# Comments, string/char/text-block literals: blanked before looking for declarations.
_NOISE = re.compile(
    r'"""(?:\\.|[^\\])*?"""|"(?:\\.|[^"\\\n])*"|\'(?:\\.|[^\'\\\n])*\''
    r"|//[^\n]*|/\*.*?\*/",
    re.S,
)
_PACKAGE = re.compile(r"^\s*package\s+([A-Za-z_$][\w$]*(?:\s*\.\s*[A-Za-z_$][\w$]*)*)\s*;", re.M)
_MODIFIERS = r"(?:(?:public|final|abstract|strictfp|sealed|non-sealed)\s+)*"
_CLASS = re.compile(r"\b(public\s+)?" + _MODIFIERS + r"(?:class|record|interface|enum)\s+([A-Za-z_$][\w$]*)")
_MAIN = re.compile(r"\bstatic\s+(?:final\s+)?(?:public\s+)?void\s+main\s*\(")
# The JVM logs warnings (e.g. a failed thread start) to stdout by default: keep it clean.
_JVM = [
    "-XX:+UseSerialGC",
    "-XX:-UsePerfData",
    "-XX:TieredStopAtLevel=4",
    "-Xshare:auto",
    "-Xlog:disable",
    "-Xlog:all=warning:stderr",
]


def _strip(source: str) -> str:
    return _NOISE.sub(
        lambda m: " " * len(m.group(0)) if "\n" not in m.group(0) else re.sub(r"[^\n]", " ", m.group(0)),
        source,
    )


def _top_level_classes(code: str) -> list[tuple[bool, str, int, int]]:
    """(public, name, body start, body end) of each class declared at brace depth 0."""
    found, depth = [], 0
    events = sorted(
        [(m.start(), "c", m) for m in _CLASS.finditer(code)]
        + [(i, ch, None) for i, ch in enumerate(code) if ch in "{}"],
        key=lambda e: e[0],
    )
    current = None
    for pos, kind, match in events:
        if kind == "c" and depth == 0 and current is None:
            current = [bool(match.group(1)), match.group(2), None]
        elif kind == "{":
            if depth == 0 and current is not None:
                current[2] = pos
            depth += 1
        elif kind == "}":
            depth = max(0, depth - 1)
            if depth == 0 and current is not None and current[2] is not None:
                found.append((current[0], current[1], current[2], pos))
                current = None
    return found


def main_class(source: str) -> str:
    """The fully qualified class the JVM should run."""
    return _names(source)[0]


def _names(source: str) -> tuple[str, str]:
    """(class to run, fully qualified; the file name javac requires, without .java)."""
    code = _strip(source)
    package = _PACKAGE.search(code)
    classes = _top_level_classes(code)
    public = [name for is_public, name, _, _ in classes if is_public]
    with_main = [
        (is_public, name) for is_public, name, start, end in classes if _MAIN.search(code, start, end)
    ]
    with_main.sort(key=lambda c: not c[0])  # a public class with main first
    name = with_main[0][1] if with_main else (public or ["Main"])[0]
    file_name = (public or [name])[0]
    if package:
        return re.sub(r"\s+", "", package.group(1)) + "." + name, file_name
    return name, file_name


class Java(Language):
    id = "java"
    name = "Java 17 (OpenJDK)"
    aliases = ("java17", "jdk")
    keep = ("*.class",)
    keep_subdirs = True  # classes of a package are written to a/b/Main.class
    ro_binds = (("/etc/java-17-openjdk", "/etc/java-17-openjdk"),)
    out_of_memory_markers = (
        b"java.lang.OutOfMemoryError: Java heap space",
        b"java.lang.OutOfMemoryError: GC overhead",
        b"java.lang.OutOfMemoryError: Requested array size",
        b"java.lang.OutOfMemoryError: Metaspace",
    )
    compile_memory_mb = 1536
    self_test_source = (
        "import java.util.Scanner;\n"
        "public class Main { public static void main(String[] args) {\n"
        "  Scanner in = new Scanner(System.in);\n"
        "  long a = in.nextLong(), b = in.nextLong();\n"
        "  System.out.println(a + b); } }\n"
    )

    def required_paths(self) -> list[str]:
        return ["/usr/bin/javac", "/usr/bin/java"]

    def entry(self, source: str) -> str:
        return main_class(source)

    def source_name(self, source: str) -> str:
        return _names(source)[1] + ".java"

    def compile_argv(self, source_name: str) -> list[str]:
        return [
            "/usr/bin/javac",
            "-J-Xmx768m",
            "-J-XX:+UseSerialGC",
            "-J-XX:-UsePerfData",
            "-encoding",
            "UTF-8",
            "-d",
            ".",
            source_name,
        ]

    def check_artifact(self, entry: str, artifact: Path) -> str:
        if (artifact / (entry.replace(".", "/") + ".class")).is_file():
            return ""
        return (
            f"no class {entry} with a main method was compiled: declare "
            "`public class Main { public static void main(String[] args) ... }`"
        )

    def run_argv(self, entry: str, limits: Limits) -> list[str]:
        # A small young generation leaves the old one room for one big array (SerialGC
        # puts a 200 MB int[] straight into the old generation); -Xss: deep recursion.
        young = max(4, min(64, limits.memory_mb // 8))
        stack = max(16, min(256, limits.memory_mb // 2))
        return [
            "/usr/bin/java",
            f"-Xmx{limits.memory_mb}m",
            f"-Xmn{young}m",
            f"-Xss{stack}m",
            *_JVM,
            "-cp",
            "/prog",
            entry,
        ]

"""Java 17: javac once, then the JVM with a heap sized to the memory limit.

Which class runs (documented in docs/executor.md): the top-level class declaring
``main`` (a public one first), whatever its name; else the public class; else ``Main``. A
``package`` declaration is honoured (``package a.b;`` + ``class Main`` runs ``a.b.Main``).
Comments and string literals are ignored when looking. If javac produced no class for
the entry, the compile is CE with a message saying how to name the class.
"""

from __future__ import annotations

from pathlib import Path

from ..models import Limits
from .base import Language, SourcePlan, SourceRejected
from .java_source import parse

# Bounds checked before javac runs: a package is a directory tree and each class a file.
MAX_SOURCE_CHARS = 4 * 1024 * 1024
MAX_NAME_BYTES = 128  # a class or package component, UTF-8 (a file name is at most 255)
MAX_PACKAGE_DEPTH = 32
# The JVM logs warnings (e.g. a failed thread start) to stdout by default: keep it clean.
_JVM = [
    "-XX:+UseSerialGC",
    "-XX:-UsePerfData",
    "-XX:TieredStopAtLevel=4",
    "-Xshare:auto",
    "-Xlog:disable",
    "-Xlog:all=warning:stderr",
]


def plan(source: str) -> SourcePlan:
    """(file name, class to run) for ``source``, after checking its names are usable."""
    if len(source) > MAX_SOURCE_CHARS:
        raise SourceRejected(f"Java sources are limited to {MAX_SOURCE_CHARS // (1024 * 1024)} MiB")
    parsed = parse(source)
    if len(parsed.package) > MAX_PACKAGE_DEPTH:
        raise SourceRejected(
            f"package {_short('.'.join(parsed.package))} has {len(parsed.package)} components; "
            f"at most {MAX_PACKAGE_DEPTH} are accepted"
        )
    for name in [*parsed.package, *(t.name for t in parsed.types)]:
        if len(name.encode("utf-8", errors="surrogatepass")) > MAX_NAME_BYTES:
            raise SourceRejected(
                f"name {_short(name)} is too long ({len(name)} characters); "
                f"class and package names are limited to {MAX_NAME_BYTES} bytes"
            )
    public = [t.name for t in parsed.types if t.public]
    with_main = sorted((t for t in parsed.types if t.has_main), key=lambda t: not t.public)
    name = with_main[0].name if with_main else (public or ["Main"])[0]
    file_name = (public or [name])[0]
    entry = ".".join([*parsed.package, name])
    return SourcePlan(file_name + ".java", entry)


def _short(name: str) -> str:
    return repr(name if len(name) <= 60 else name[:57] + "...")


def main_class(source: str) -> str:
    """The fully qualified class the JVM should run."""
    return plan(source).entry


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

    def inspect(self, source: str) -> SourcePlan:
        return plan(source)

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

"""Java 17: javac once, then the JVM with a heap sized to the memory limit."""

from __future__ import annotations

import re

from ..models import Limits
from .base import Language

_PUBLIC_CLASS = re.compile(r"\bpublic\s+(?:final\s+|abstract\s+)*class\s+([A-Za-z_$][\w$]*)")
_JVM = ["-XX:+UseSerialGC", "-XX:-UsePerfData", "-XX:TieredStopAtLevel=4", "-Xshare:auto"]


class Java(Language):
    id = "java"
    name = "Java 17 (OpenJDK)"
    aliases = ("java17", "jdk")
    keep = ("*.class",)
    ro_binds = (("/etc/java-17-openjdk", "/etc/java-17-openjdk"),)
    out_of_memory_markers = (b"java.lang.OutOfMemoryError",)
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
        match = _PUBLIC_CLASS.search(source)
        return match.group(1) if match else "Main"

    def source_name(self, source: str) -> str:
        return self.entry(source) + ".java"

    def compile_argv(self, source_name: str) -> list[str]:
        return ["/usr/bin/javac", "-J-Xmx768m", "-J-XX:+UseSerialGC", "-J-XX:-UsePerfData",
                "-encoding", "UTF-8", "-d", ".", source_name]

    def run_argv(self, entry: str, limits: Limits) -> list[str]:
        return ["/usr/bin/java", f"-Xmx{limits.memory_mb}m", "-Xss64m", *_JVM,
                "-cp", "/prog", entry]

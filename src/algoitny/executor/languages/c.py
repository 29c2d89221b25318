"""C17 with gcc."""

from __future__ import annotations

from ..models import Limits
from .base import Language


class C(Language):
    id = "c"
    name = "C17 (gcc)"
    aliases = ("c17", "gcc", "c11")
    warm = True
    source_file = "main.c"
    keep = ("main",)
    self_test_source = (
        "#include <stdio.h>\n"
        'int main(void) { long a, b; if (scanf("%ld %ld", &a, &b) != 2) return 1;\n'
        '  printf("%ld\\n", a + b); return 0; }\n'
    )

    def required_paths(self) -> list[str]:
        return ["/usr/bin/gcc"]

    def compile_argv(self, source_name: str) -> list[str]:
        return [
            "/usr/bin/gcc",
            "-std=gnu17",
            "-O2",
            "-pipe",
            "-DONLINE_JUDGE",
            "-o",
            "main",
            source_name,
            "-lm",
        ]

    def run_argv(self, entry: str, limits: Limits) -> list[str]:
        return ["/prog/main"]

"""JavaScript on Node.js, syntax-checked with ``node --check`` at compile."""

from __future__ import annotations

from ..models import Limits
from .base import Language


class JavaScript(Language):
    id = "javascript"
    name = "JavaScript (Node.js)"
    aliases = ("js", "node", "nodejs")
    source_file = "main.js"
    keep = ("main.js",)
    out_of_memory_markers = (b"heap out of memory",)
    self_test_source = (
        "const [a, b] = require('fs').readFileSync(0, 'utf8').trim().split(/\\s+/).map(Number);\n"
        "console.log(a + b);\n"
    )

    def required_paths(self) -> list[str]:
        return ["/usr/bin/node"]

    def compile_argv(self, source_name: str) -> list[str]:
        return ["/usr/bin/node", "--check", source_name]

    def run_argv(self, entry: str, limits: Limits) -> list[str]:
        # V8's stack must fit in RLIMIT_STACK (set to the memory limit) or deep
        # recursion segfaults instead of throwing RangeError.
        # Half of it: a 10^6-deep recursion fits at 256 MB, and overflowing it throws.
        stack_kb = max(984, limits.memory_mb * 1024 // 2)
        return [
            "/usr/bin/node",
            f"--max-old-space-size={limits.memory_mb}",
            f"--stack-size={stack_kb}",
            "/prog/main.js",
        ]

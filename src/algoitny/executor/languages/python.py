"""Python 3: the system interpreter (readable by every uid), syntax-checked at compile."""

from __future__ import annotations

from ..models import Limits
from .base import Language

PYTHON = "/usr/bin/python3"
_CHECK = "import sys; compile(open(sys.argv[1], 'rb').read(), sys.argv[1], 'exec')"


class Python(Language):
    id = "python"
    name = "Python 3"
    aliases = ("python3", "py", "py3")
    source_file = "main.py"
    keep = ("main.py",)
    out_of_memory_markers = (b"MemoryError",)
    self_test_source = "import sys\na, b = map(int, sys.stdin.read().split())\nprint(a + b)\n"

    def required_paths(self) -> list[str]:
        return [PYTHON]

    def compile_argv(self, source_name: str) -> list[str]:
        return [PYTHON, "-I", "-c", _CHECK, source_name]

    def run_argv(self, entry: str, limits: Limits) -> list[str]:
        # -I: no user site, no PYTHON* variables, script directory not on sys.path.
        return [PYTHON, "-I", "/prog/main.py"]

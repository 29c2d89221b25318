"""Python 3: the system interpreter (readable by every uid).

Compiling byte-compiles the source once into ``main.pyc`` (a syntax error is CE); every
test then runs that file, so a long program is not re-parsed per test. Its code objects
name ``/prog/main.py``, kept beside it, so tracebacks still show the source lines.
"""

from __future__ import annotations

from ..models import Limits
from .base import Language

PYTHON = "/usr/bin/python3"
# Unchecked-hash pyc: valid whatever the timestamps of the copied files.
_COMPILE = (
    "import py_compile, sys\n"
    "try:\n"
    "    py_compile.compile(sys.argv[1], cfile='main.pyc', dfile='/prog/main.py', doraise=True,\n"
    "                       invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH)\n"
    "except py_compile.PyCompileError as exc:\n"
    "    sys.exit(exc.msg)\n"
)


class Python(Language):
    id = "python"
    name = "Python 3"
    aliases = ("python3", "py", "py3")
    source_file = "main.py"
    keep = ("main.py", "main.pyc")
    out_of_memory_markers = (b"MemoryError",)
    zygote = True
    self_test_source = "import sys\na, b = map(int, sys.stdin.read().split())\nprint(a + b)\n"

    def required_paths(self) -> list[str]:
        return [PYTHON]

    def compile_argv(self, source_name: str) -> list[str]:
        return [PYTHON, "-I", "-c", _COMPILE, source_name]

    def run_argv(self, entry: str, limits: Limits) -> list[str]:
        # -I: no user site, no PYTHON* variables, script directory not on sys.path.
        return [PYTHON, "-I", "/prog/main.pyc"]

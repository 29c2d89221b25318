"""Go, when the Debian ``golang-go`` toolchain is installed (``go`` under /usr)."""

from __future__ import annotations

import os
import shutil

from ..models import Limits
from .base import Language


def _go() -> str | None:
    found = shutil.which("go", path="/usr/local/go/bin:/usr/lib/go/bin:/usr/bin")
    return os.path.realpath(found) if found else None


class Go(Language):
    id = "go"
    name = "Go"
    aliases = ("golang",)
    source_file = "main.go"
    keep = ("main",)
    env = {
        "GOCACHE": "/box/.gocache",
        "GOPATH": "/box/.gopath",
        "CGO_ENABLED": "0",
        "GO111MODULE": "off",
        "GOFLAGS": "-buildvcs=false",
        "GOTOOLCHAIN": "local",
    }
    out_of_memory_markers = (b"runtime: out of memory",)
    self_test_source = (
        'package main\nimport "fmt"\nfunc main() { var a, b int64; fmt.Scan(&a, &b); fmt.Println(a + b) }\n'
    )

    def unavailable_reason(self) -> str:
        go = _go()
        if go is None:
            return "go toolchain not installed (apt-get install golang-go)"
        if not go.startswith("/usr/"):
            return f"{go} is outside /usr and not visible in the sandbox"
        return ""

    def compile_argv(self, source_name: str) -> list[str]:
        # -buildmode=exe: a package other than main is a compile error, not an archive named main.
        return [_go() or "go", "build", "-buildmode=exe", "-o", "main", source_name]

    def run_argv(self, entry: str, limits: Limits) -> list[str]:
        return ["/prog/main"]

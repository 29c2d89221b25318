"""Rust, when a toolchain is installed.

A rustup toolchain usually lives under /root (mode 700), which the slot uids cannot
traverse. The first Rust compile mirrors its ``bin`` and ``lib`` into
``<box_root>/toolchains/rust`` with hard links (a copy when on another filesystem),
and that mirror is mounted read-only at /opt/rust inside the box.
"""

from __future__ import annotations

import glob
import os
import shutil
import threading
from pathlib import Path

from ..models import Limits
from .base import Language

INSIDE = "/opt/rust"
_CANDIDATES = ("/root/.rustup/toolchains/stable-*", "/usr/local/rust*", "/opt/rust*")
_mirror_lock = threading.Lock()


def _sysroot() -> str | None:
    if os.path.exists("/usr/bin/rustc") and not os.path.islink("/usr/bin/rustc"):
        return "/usr"
    for pattern in _CANDIDATES:
        for path in sorted(glob.glob(pattern)):
            if os.path.exists(os.path.join(path, "bin", "rustc")):
                return path
    return None


def _world_reachable(path: str) -> bool:
    p = Path(path)
    return all(os.stat(d).st_mode & 0o001 for d in [p, *p.parents])


def _link_or_copy(src: str, dst: str) -> None:
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)


def _mirror(sysroot: str, box_root: Path) -> Path:
    target = box_root / "toolchains" / "rust"
    stamp = target / ".source"
    with _mirror_lock:
        if stamp.exists() and stamp.read_text() == sysroot:
            return target
        shutil.rmtree(target, ignore_errors=True)
        target.parent.mkdir(mode=0o755, parents=True, exist_ok=True)
        os.chmod(target.parent, 0o755)
        for part in ("bin", "lib"):
            shutil.copytree(
                os.path.join(sysroot, part), target / part, copy_function=_link_or_copy, symlinks=True
            )
        os.chmod(target, 0o755)
        stamp.write_text(sysroot)
    return target


class Rust(Language):
    id = "rust"
    name = "Rust"
    aliases = ("rs", "rustc")
    warm = True
    source_file = "main.rs"
    keep = ("main",)
    out_of_memory_markers = (b"memory allocation of",)
    self_test_source = (
        "use std::io::Read;\nfn main() { let mut s = String::new();\n"
        "  std::io::stdin().read_to_string(&mut s).unwrap();\n"
        "  let v: Vec<i64> = s.split_whitespace().map(|x| x.parse().unwrap()).collect();\n"
        '  println!("{}", v[0] + v[1]); }\n'
    )

    def unavailable_reason(self) -> str:
        if _sysroot() is None:
            return "no rustc toolchain found"
        if not os.path.exists("/usr/bin/cc"):
            return "rustc needs a C linker (/usr/bin/cc)"
        return ""

    def toolchain_binds(self, box_root: Path) -> list[tuple[str, str]]:
        root = _sysroot()
        if root is None or root == "/usr":
            return []
        host = root if _world_reachable(root) else str(_mirror(root, box_root))
        return [(host, INSIDE)]

    def compile_argv(self, source_name: str) -> list[str]:
        rustc = "/usr/bin/rustc" if _sysroot() == "/usr" else f"{INSIDE}/bin/rustc"
        return [rustc, "-O", "--edition", "2021", "-C", "codegen-units=4", "-o", "main", source_name]

    def run_argv(self, entry: str, limits: Limits) -> list[str]:
        return ["/prog/main"]

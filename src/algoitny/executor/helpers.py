"""The executor's own small C programs (launcher, warm box supervisor), built on first use.

Each is compiled once per source text (the file name carries its content hash) into
``<box_root>/bin`` (0700: nothing of a box reaches it by path), through a temporary file
and a rename, so concurrent executors never see a half-written binary.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
from pathlib import Path


def build_helper(
    box_root: Path, name: str, source: str, *, link: tuple[tuple[str, ...], ...], mode: int
) -> Path | None:
    """The binary for ``source`` (tried with each of ``link``'s flag sets in turn), or None
    without a C compiler or when no flag set links."""
    cc = shutil.which("gcc") or shutil.which("cc")
    if cc is None:
        return None
    digest = hashlib.sha256(source.encode()).hexdigest()[:12]
    bindir = box_root / "bin"
    target = bindir / f"algoitny-{name}-{digest}"
    if target.exists():
        return target
    bindir.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(bindir, 0o700)
    src = bindir / f"{name}-{digest}.c"
    src.write_text(source)
    tmp = bindir / f".{name}-{os.getpid()}"
    for flags in link:
        done = subprocess.run([cc, "-O2", *flags, "-o", str(tmp), str(src)], capture_output=True, timeout=60)
        if done.returncode == 0:
            os.chmod(tmp, mode)
            os.replace(tmp, target)
            return target
    return None

"""The compile box is a host directory that a slot uid wrote into: cleaning it and copying
artifacts out of it run as root and must never follow what the compiler left there."""

from __future__ import annotations

import os
import stat
import threading
from pathlib import Path

import pytest

from algoitny.executor.compiler import _collect, _wipe
from algoitny.executor.languages import get_language


@pytest.fixture
def host(tmp_path):
    """Host files that a hostile box points at."""
    victim = tmp_path / "host"
    (victim / "dir").mkdir(parents=True)
    (victim / "dir" / "keep.txt").write_text("precious")
    (victim / "main").write_text("host binary")
    return victim


def hostile_box(tmp_path: Path, host: Path) -> Path:
    box = tmp_path / "box"
    (box / "sub").mkdir(parents=True)
    (box / "main").write_bytes(b"\x7fELF compiled")
    os.chmod(box / "main", 0o4755)  # setuid bit left by the compiler
    os.symlink(host / "dir", box / "dir-link")  # a link to a host directory
    os.symlink(host / "main", box / "Main.class")  # a link named like an artifact
    os.symlink(host, box / "sub" / "nested-link")
    os.mkfifo(box / "fifo.class")  # would block a naive open() forever
    os.link(box / "main", box / "hardlink")
    (box / "com" / "example").mkdir(parents=True)
    (box / "com" / "example" / "Solution.class").write_bytes(b"\xca\xfe\xba\xbe")
    os.symlink(host / "dir", box / "com" / "linked-package")
    return box


def test_wipe_removes_links_not_their_targets(tmp_path, host):
    box = hostile_box(tmp_path, host)
    _wipe(box)
    assert list(box.iterdir()) == []
    assert (host / "dir" / "keep.txt").read_text() == "precious"
    assert (host / "main").read_text() == "host binary"


def test_collect_copies_regular_files_only_without_setuid(tmp_path, host):
    box = hostile_box(tmp_path, host)
    done = threading.Event()
    result: list[Path] = []
    worker = threading.Thread(
        target=lambda: (result.append(_collect(box, get_language("c"), tmp_path / "artifacts")), done.set())
    )
    worker.start()
    worker.join(timeout=30)
    assert done.is_set(), "collecting blocked (on the FIFO?)"
    artifact = result[0]
    assert sorted(p.name for p in artifact.iterdir()) == ["main"]
    mode = os.stat(artifact / "main").st_mode
    assert (artifact / "main").read_bytes() == b"\x7fELF compiled"
    assert not mode & (stat.S_ISUID | stat.S_ISGID) and mode & 0o111


def test_collect_keeps_java_packages_but_not_linked_directories(tmp_path, host):
    box = hostile_box(tmp_path, host)
    artifact = _collect(box, get_language("java"), tmp_path / "artifacts")
    found = sorted(str(p.relative_to(artifact)) for p in artifact.rglob("*"))
    assert found == ["com", "com/example", "com/example/Solution.class"]
    assert (host / "main").read_text() == "host binary"

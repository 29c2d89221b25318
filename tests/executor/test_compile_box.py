"""The compile box is a host directory that a slot uid wrote into: cleaning it and copying
artifacts out of it run as root and must never follow what the compiler left there."""

from __future__ import annotations

import os
import stat
import threading
from pathlib import Path

import pytest

from algoitny.executor import boxfs
from algoitny.executor.boxfs import wipe as _wipe
from algoitny.executor.compile_box import collect as _collect
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


@pytest.fixture
def deep(tmp_path):
    """A scratch directory for trees deeper than pytest's own (recursive) clean-up can remove."""
    root = tmp_path / "deep"
    root.mkdir()
    yield root
    boxfs.remove_tree(root)


def deep_tree(parent: Path, depth: int, name: str = "a") -> None:
    """A directory chain ``depth`` deep (longer than PATH_MAX: made fd-relative)."""
    fd = os.open(parent, os.O_RDONLY | os.O_DIRECTORY)
    for level in range(depth):
        os.mkdir(name, dir_fd=fd)
        child = os.open(name, os.O_RDONLY | os.O_DIRECTORY, dir_fd=fd)
        if level % 100 == 0:
            os.close(os.open("f.class", os.O_WRONLY | os.O_CREAT, dir_fd=child))
        os.close(fd)
        fd = child
    os.close(fd)


def test_wipe_of_a_tree_deeper_than_the_recursion_limit(deep):
    """shutil.rmtree raised RecursionError here (and left the tree for good)."""
    box = deep / "box"
    box.mkdir()
    deep_tree(box, 1500)
    deep_tree(box, 50, name="b" * 255)
    _wipe(box)
    assert list(box.iterdir()) == []


def test_wipe_stops_if_the_tree_is_swapped_under_it(tmp_path):
    """Going up through '..' is checked against where we came from."""
    box = tmp_path / "box"
    (box / "a" / "b").mkdir(parents=True)
    parent = os.open(box / "a", os.O_RDONLY | os.O_DIRECTORY)
    child = os.open(box / "a" / "b", os.O_RDONLY | os.O_DIRECTORY)
    expected = boxfs._identity(parent)
    os.close(parent)
    os.rename(box / "a" / "b", tmp_path / "moved")
    with pytest.raises(boxfs.TreeMoved):
        boxfs._up(child, expected)  # closes ``child``


def test_remove_tree_of_a_deep_artifact(deep):
    artifact = deep / "artifact"
    artifact.mkdir()
    deep_tree(artifact, 2000)
    boxfs.remove_tree(artifact)
    assert not artifact.exists()
    boxfs.remove_tree(artifact)  # already gone: fine


def test_collect_of_a_deep_tree_keeps_a_bounded_depth(deep):
    box = deep / "box"
    box.mkdir()
    deep_tree(box, 1500)
    artifact = _collect(box, get_language("java"), deep / "artifacts", owner=7)
    assert artifact.name.startswith("7-")
    depth = max(len(p.relative_to(artifact).parts) for p in artifact.rglob("*"))
    assert depth <= 33
    boxfs.remove_tree(artifact)
    _wipe(box)  # pytest's own clean-up of deep would recurse


def test_collect_stops_at_the_byte_budget_and_leaves_nothing(tmp_path):
    box = tmp_path / "box"
    box.mkdir()
    with open(box / "main", "wb") as f:
        f.truncate(3 * 1024 * 1024)  # sparse: costs no disk
    target = tmp_path / "target"
    target.mkdir()
    src, dst = os.open(box, os.O_RDONLY | os.O_DIRECTORY), os.open(target, os.O_RDONLY | os.O_DIRECTORY)
    budget = boxfs.Budget(bytes_left=1024 * 1024, files_left=10)
    try:
        with pytest.raises(boxfs.BudgetExceeded):
            boxfs.copy_kept(src, dst, keep=lambda n: True, subdirs=False, max_depth=0, budget=budget)
    finally:
        os.close(src)
        os.close(dst)
    assert budget.copied <= 1024 * 1024


def test_collect_stops_at_the_file_budget(tmp_path):
    box = tmp_path / "box"
    box.mkdir()
    for i in range(20):
        (box / f"C{i}.class").write_bytes(b"x")
    src = os.open(box, os.O_RDONLY | os.O_DIRECTORY)
    (tmp_path / "t").mkdir()
    dst = os.open(tmp_path / "t", os.O_RDONLY | os.O_DIRECTORY)
    try:
        with pytest.raises(boxfs.BudgetExceeded):
            boxfs.copy_kept(
                src, dst, keep=lambda n: True, subdirs=True, max_depth=4, budget=boxfs.Budget(1 << 20, 5)
            )
    finally:
        os.close(src)
        os.close(dst)


def test_host_code_never_chowns_by_path_nor_rmtrees():
    """Item 14: after an O_NOFOLLOW open, chown goes through the descriptor."""
    import ast
    import inspect

    from algoitny.executor import compile_box, compiler

    calls = {
        ast.unparse(node.func)
        for module in (compiler, compile_box, boxfs)
        for node in ast.walk(ast.parse(inspect.getsource(module)))
        if isinstance(node, ast.Call)
    }
    assert {"os.chown", "shutil.rmtree", "os.chmod"} & calls == set()
    assert "os.fchown" in calls


def test_the_claim_sweep_removes_deep_trees_and_leftover_tmpfs_boxes(deep):
    """os.walk (recursive on 3.11) raised RecursionError here; a mounted box gave EBUSY."""
    from algoitny.executor.sweep import wipe_tree

    stale = deep / "61000-stale"
    stale.mkdir()
    deep_tree(stale, 1500)
    wipe_tree(stale)
    assert not stale.exists()
    box = deep / "slot-61000"
    box.mkdir()
    boxfs.mount_tmpfs(box, size_bytes=16 << 20, inodes=5000, uid=0)
    try:
        deep_tree(box, 1200)
        wipe_tree(box)
    finally:
        if boxfs.is_mount(box):
            boxfs.unmount(box)
    assert not box.exists()

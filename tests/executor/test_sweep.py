"""A dead executor process's leftovers are swept by the next process that claims its uids.

A real ``algoitny judge`` is SIGKILLed in the middle of its runs: its run cgroups, its
compile box and its artifacts stay behind (and, while it lived, nobody else could touch
them). The next ``algoitny judge`` on the same uid range, even with another box root,
sweeps all of it before using the uids, and judges fine.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from algoitny.executor.config import ExecutorConfig
from algoitny.executor.sweep import Holder, group_prefix, slot_box
from tests.conftest import DEDICATED_UID_BASE

from .conftest import processes_of

UIDS = [DEDICATED_UID_BASE, DEDICATED_UID_BASE + 1]
SLEEPER = "import time\ntime.sleep(600)\n"
AB = "a, b = map(int, input().split())\nprint(a + b)\n"


def judge(tmp_path: Path, source: str, box_root: Path) -> subprocess.Popen[str]:
    tests = tmp_path / f"tests-{box_root.name}"
    tests.mkdir()
    for name in ("1", "2"):
        (tests / f"{name}.in").write_text("1 2\n")
        (tests / f"{name}.out").write_text("3\n")
    program = tmp_path / f"{box_root.name}.py"
    program.write_text(source)
    env = {
        **os.environ,
        "ALGOITNY_EXECUTOR_UID_BASE": str(UIDS[0]),
        "ALGOITNY_EXECUTOR_UID_COUNT": str(len(UIDS)),
        "ALGOITNY_EXECUTOR_SLOTS": str(len(UIDS)),
        "ALGOITNY_EXECUTOR_BOX_ROOT": str(box_root),
    }
    argv = ["--language", "python", "--source", str(program), "--tests", str(tests), "--jobs", "2"]
    return subprocess.Popen(
        [sys.executable, "-m", "algoitny.executor.cli", *argv, "--time-limit", "60"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def run_groups(runtime) -> list[Path]:
    prefixes = tuple(group_prefix(uid) for uid in UIDS)
    return sorted(
        Path(e.path)
        for parent in runtime.cgroups.parents
        for e in os.scandir(parent)
        if e.name.startswith(prefixes)
    )


def wait_for(process: subprocess.Popen[str], condition, what: str, seconds: float = 120.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert process.poll() is None, f"the judge exited before {what}: {process.communicate()}"
        assert time.monotonic() < deadline, f"{what} never happened: {processes_of(UIDS)}"
        time.sleep(0.05)


@pytest.fixture
def tmp_path():
    """A temporary directory the slot uids may traverse (pytest's own are 0700)."""
    path = Path(tempfile.mkdtemp(prefix="algoitny-sweep-test-"))
    os.chmod(path, 0o711)
    yield path
    shutil.rmtree(path)


def test_a_killed_judges_leftovers_are_swept_by_the_next_claimant(runtime, tmp_path):
    first_root, second_root = tmp_path / "boxes", tmp_path / "other-boxes"
    first = judge(tmp_path, SLEEPER, first_root)
    try:
        # With zygotes (Python on the warm path) each slot holds its zygote and the sleeper forked
        # from it, both `python3 -I /prog/main.pyc`; cold, any process of the slot is its run's.
        warm = ExecutorConfig.from_env().warm  # the judge's setting: it runs with our environment
        forked = warm and runtime.warm is not None and runtime.warm.hook is not None

        def sleeping() -> bool:
            owners = [uid for _, uid, cmd in processes_of(UIDS) if not forked or "main.pyc" in cmd]
            return all(owners.count(uid) >= (2 if forked else 1) for uid in UIDS)

        wait_for(first, sleeping, "both sleepers running")
        groups = run_groups(runtime)
        kept = list((first_root / "artifacts").rglob("*"))
        if forked:
            assert all((first_root / "warm-prog" / str(uid) / "main.py").exists() for uid in UIDS)
        assert groups and kept, "the first judge made run cgroups and an artifact"

        # While it lives, its uids are not anyone else's to claim, nor to sweep.
        refused = judge(tmp_path, AB, tmp_path / "refused-boxes")
        _, err = refused.communicate(timeout=120)
        assert refused.returncode == 3 and "claimed by other executor processes" in err, err
        assert run_groups(runtime) == groups and all(p.exists() for p in kept)
    finally:
        first.send_signal(signal.SIGKILL)
        first.communicate(timeout=60)

    # What a crash leaves in the compile box: the program's files, a nested tree, and a
    # symlink out of the box that the sweep must remove without following.
    outside = tmp_path / "outside.txt"
    outside.write_text("not the sweep's to delete")
    box = slot_box(first_root, UIDS[0])
    (box / "deep" / "er").mkdir(parents=True)
    (box / "deep" / "er" / "a.out").write_bytes(b"\x7fELF")
    (box / "escape").symlink_to(outside)
    (box / "escape-dir").symlink_to(tmp_path)

    second = judge(tmp_path, AB, second_root)
    out, err = second.communicate(timeout=300)
    assert second.returncode == 0, err
    assert out.strip().splitlines()[-1] == "AC: 2/2 passed"
    assert [g for g in groups if g.exists()] == []
    assert run_groups(runtime) == [], "the second judge removed its own groups at exit"
    assert processes_of(UIDS) == []
    for uid in UIDS:
        assert not slot_box(first_root, uid).exists(), "the dead judge's compile boxes are swept"
        staged = first_root / "warm-prog" / str(uid)
        assert not staged.exists(), "and the sources its zygotes served"
    assert list((first_root / "artifacts").iterdir()) == [], "its artifacts too"
    assert outside.read_text() == "not the sweep's to delete"
    assert tmp_path.is_dir()


def test_a_lock_file_record_that_is_not_ours_to_trust_counts_as_nothing():
    assert Holder.decode(b"") == Holder()
    assert Holder.decode(b"\xff\xfe not json") == Holder()
    assert Holder.decode(b'["a", "list"]') == Holder()
    odd = Holder.decode(
        b'{"box_root": "relative/boxes", "cgroup_parents": ["/sys/fs/cgroup/pids/algoitny", '
        b'"/sys/fs/cgroup/pids", "relative/algoitny", 7]}'
    )
    assert odd == Holder(box_root=None, cgroup_parents=(Path("/sys/fs/cgroup/pids/algoitny"),))
    mine = Holder(box_root=Path("/var/lib/algoitny/boxes"), cgroup_parents=(Path("/x/algoitny"),))
    assert Holder.decode(mine.encode()) == mine


C_SLEEPER = "#include <unistd.h>\nint main(void) { sleep(600); return 0; }\n"
C_AB = (
    '#include <stdio.h>\nint main(void) { long a, b; scanf("%ld %ld", &a, &b); printf("%ld\\n", a + b); }\n'
)


def judge_c(tmp_path: Path, source: str, box_root: Path) -> subprocess.Popen[str]:
    """As ``judge``, in C: its runs go to warm boxes (the default)."""
    tests = tmp_path / f"tests-{box_root.name}"
    tests.mkdir()
    for name in ("1", "2"):
        (tests / f"{name}.in").write_text("1 2\n")
        (tests / f"{name}.out").write_text("3\n")
    program = tmp_path / f"{box_root.name}.c"
    program.write_text(source)
    env = {
        **os.environ,
        "ALGOITNY_EXECUTOR_UID_BASE": str(UIDS[0]),
        "ALGOITNY_EXECUTOR_UID_COUNT": str(len(UIDS)),
        "ALGOITNY_EXECUTOR_SLOTS": str(len(UIDS)),
        "ALGOITNY_EXECUTOR_BOX_ROOT": str(box_root),
        "ALGOITNY_EXECUTOR_WARM": "1",
    }
    argv = ["--language", "c", "--source", str(program), "--tests", str(tests), "--jobs", "2"]
    return subprocess.Popen(
        [sys.executable, "-m", "algoitny.executor.cli", *argv, "--time-limit", "60"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_a_killed_judges_warm_boxes_die_with_it(runtime, tmp_path):
    """Parent death, warm: the supervisors see their control sockets close and exit, which
    kills everything in their boxes; the next claimant sweeps the groups and judges fine."""
    first = judge_c(tmp_path, C_SLEEPER, tmp_path / "boxes")
    try:
        sleeping = lambda: {uid for _, uid, cmd in processes_of(UIDS) if cmd.startswith("/prog/main")}  # noqa: E731
        wait_for(first, lambda: sleeping() == set(UIDS), "both sleepers running in warm boxes")
    finally:
        first.send_signal(signal.SIGKILL)
        first.communicate(timeout=60)
    deadline = time.monotonic() + 30
    while processes_of(UIDS) and time.monotonic() < deadline:  # the namespaces' teardown
        time.sleep(0.05)
    assert processes_of(UIDS) == [], "a warm box outlived its judge"
    second = judge_c(tmp_path, C_AB, tmp_path / "other-boxes")
    out, err = second.communicate(timeout=300)
    assert second.returncode == 0, err
    assert out.strip().splitlines()[-1] == "AC: 2/2 passed"
    assert run_groups(runtime) == [], "the second judge swept the first's groups and removed its own"

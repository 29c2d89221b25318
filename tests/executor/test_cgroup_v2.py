"""The cgroup v2 driver and the driver detection, on a fake cgroupfs directory.

This development machine is v1 only, so the v2 paths run here against plain files laid
out as the kernel does (Documentation/admin-guide/cgroup-v2.rst): the files we write
must get the values the kernel expects, and the files we read are parsed as the kernel
formats them.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

from algoitny.executor import SandboxUnavailable, cgroup_setup
from algoitny.executor.cgroup_paths import CgroupMounts, read_mounts
from algoitny.executor.cgroups import V1_CPU_SHARES, V2_CPU_WEIGHT, CgroupStats, CgroupV1, CgroupV2

RUN_FILES = (
    "cgroup.procs",
    "memory.max",
    "memory.swap.max",
    "memory.oom.group",
    "pids.max",
    "cpu.stat",
    "memory.peak",
    "memory.current",
    "memory.events",
    "cgroup.kill",
    "cpu.weight",
)


class FakeV2(CgroupV2):
    """mkdir on cgroupfs creates the interface files: so does this fake."""

    files = RUN_FILES

    def _mkdirs(self, name: str) -> list[Path]:
        dirs = []
        for parent in self.parents:
            d = parent / name
            d.mkdir()
            for file in self.files:
                (d / file).touch()
            dirs.append(d)
        return dirs


def own_group(tmp_path: Path, controllers: str) -> Path:
    own = tmp_path / "own"
    (own / "algoitny").mkdir(parents=True)
    (own / "cgroup.controllers").write_text(controllers + "\n")
    for file in ("cgroup.subtree_control", "cgroup.procs", "algoitny/cgroup.subtree_control"):
        (own / file).touch()
    return own


def test_detect_picks_v2_and_delegates_only_available_controllers(tmp_path):
    # "cpuset" is available but "cpu" is not: +cpu must not be asked for.
    own = own_group(tmp_path, "cpuset io memory pids")
    driver = cgroup_setup.detect(CgroupMounts(v2_own=own, v2_controllers={"cpuset", "io", "memory", "pids"}))
    assert isinstance(driver, CgroupV2) and driver.parents == [own / "algoitny"]
    assert (own / "cgroup.subtree_control").read_text() == "+memory +pids"
    assert (own / "algoitny" / "cgroup.subtree_control").read_text() == "+memory +pids"


def test_v2_moves_our_processes_to_a_leaf_when_the_kernel_says_ebusy(tmp_path, monkeypatch):
    own = own_group(tmp_path, "cpu memory pids")
    (own / "cgroup.procs").write_text("123\n456\n")
    writes: list[tuple[str, str]] = []

    def fake_write(path: Path, value: str) -> None:
        rel = str(path.relative_to(own))
        if rel == "cgroup.subtree_control" and not any(
            w[0] == "algoitny-worker/cgroup.procs" for w in writes
        ):
            raise OSError(errno.EBUSY, "Device or resource busy")
        writes.append((rel, value))

    monkeypatch.setattr(cgroup_setup, "_write", fake_write)
    assert cgroup_setup.prepare_v2(own) == own / "algoitny"
    assert writes == [
        ("algoitny-worker/cgroup.procs", "123"),
        ("algoitny-worker/cgroup.procs", "456"),
        ("cgroup.subtree_control", "+memory +pids +cpu"),
        ("algoitny/cgroup.subtree_control", "+memory +pids +cpu"),
    ]


def test_v2_run_group_gets_its_limits(tmp_path):
    group = FakeV2([tmp_path]).create("u60000-1", memory_bytes=256 << 20, pids=65)
    d = tmp_path / "u60000-1"
    assert group.dirs == [d]
    assert (d / "memory.max").read_text() == str(256 << 20)
    assert (d / "memory.swap.max").read_text() == "0"
    assert (d / "memory.oom.group").read_text() == "1"
    assert (d / "pids.max").read_text() == "65"


def test_v2_stats_are_parsed_as_the_kernel_formats_them(tmp_path):
    group = FakeV2([tmp_path]).create("u1-1", memory_bytes=1 << 20, pids=2)
    d = group.dirs[0]
    (d / "cpu.stat").write_text("usage_usec 1500\nuser_usec 1000\nsystem_usec 500\n")
    (d / "memory.peak").write_text("4096\n")
    (d / "memory.events").write_text("low 0\nhigh 0\nmax 2\noom 1\noom_kill 1\noom_group_kill 1\n")
    assert group.stats() == CgroupStats(cpu_ns=1_500_000, peak_bytes=4096, oom_kills=1, limit_hits=2)
    (d / "memory.peak").unlink()  # kernels before 5.19: only memory.current
    (d / "memory.current").write_text("2048\n")
    assert group.stats().peak_bytes == 2048


def test_v2_kill_uses_cgroup_kill_else_freezes_forks(tmp_path):
    group = FakeV2([tmp_path]).create("u1-1", memory_bytes=1 << 20, pids=2)
    d = group.dirs[0]
    group.kill()
    assert (d / "cgroup.kill").read_text() == "1"
    (d / "cgroup.kill").unlink()  # kernels before 5.14
    group.kill()
    assert (d / "pids.max").read_text() == "0"


def test_missing_v2_controllers_are_named_with_the_fix(tmp_path):
    own = own_group(tmp_path, "memory")
    with pytest.raises(SandboxUnavailable) as info:
        cgroup_setup.detect(CgroupMounts(v2_own=own, v2_controllers={"memory"}))
    message = str(info.value)
    assert "pids not enabled" in message and "Delegate=yes" in message
    assert "cgroup v1: controller(s) not mounted: pids, memory, cpuacct" in message


def test_read_only_cgroupfs_is_explained(tmp_path, monkeypatch):
    own = own_group(tmp_path, "memory pids")

    def read_only(path, value):
        raise OSError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr(cgroup_setup, "_write", read_only)
    with pytest.raises(SandboxUnavailable, match="mounted read-only"):
        cgroup_setup.detect(CgroupMounts(v2_own=own, v2_controllers={"memory", "pids"}))


def test_v1_is_used_when_v2_has_no_controllers(tmp_path):
    v1 = {c: tmp_path / c for c in ("pids", "memory", "cpuacct")}
    for d in v1.values():
        d.mkdir()
    driver = cgroup_setup.detect(CgroupMounts(v1_own=v1, v2_own=tmp_path, v2_controllers=set()))
    assert isinstance(driver, CgroupV1)
    assert driver.parents == [tmp_path / c / "algoitny" for c in ("pids", "memory", "cpuacct")]


def test_a_cgroup_outside_the_mounted_hierarchy_is_a_problem_not_a_guess(tmp_path):
    mounts = read_mounts(f"40 30 0:27 / {tmp_path} rw - cgroup2 cgroup2 rw\n", "0::/../escaped\n")
    assert mounts.v2_own is None and "outside the hierarchy" in mounts.problems[0]
    mounts = read_mounts(f"40 30 0:27 /a {tmp_path} rw - cgroup2 cgroup2 rw\n", "0::/b/c\n")
    assert mounts.v2_own is None and "not under /a" in mounts.problems[0]


def test_mountinfo_escapes_are_decoded(tmp_path):
    spaced = tmp_path / "cg root"
    (spaced / "job").mkdir(parents=True)
    (spaced / "job" / "cgroup.controllers").write_text("memory pids\n")
    escaped = str(spaced).replace(" ", "\\040")
    mounts = read_mounts(f"40 30 0:27 / {escaped} rw - cgroup2 cgroup2 rw\n", "0::/job\n")
    assert mounts.v2_own == spaced / "job" and mounts.v2_controllers == {"memory", "pids"}


def test_v2_run_group_gets_the_cpu_weight_when_cpu_is_delegated(tmp_path):
    group = FakeV2([tmp_path]).create("u1-ab", memory_bytes=1 << 20, pids=2)
    assert (group.dirs[0] / "cpu.weight").read_text() == str(V2_CPU_WEIGHT)


def test_v2_without_the_cpu_controller_still_creates_run_groups(tmp_path):
    class NoCpu(FakeV2):
        files = tuple(f for f in RUN_FILES if f != "cpu.weight")

    group = NoCpu([tmp_path]).create("u1-ab", memory_bytes=1 << 20, pids=2)
    assert not (group.dirs[0] / "cpu.weight").exists()
    assert (group.dirs[0] / "pids.max").read_text() == "2"


V1_FILES = {
    "pids": ("cgroup.procs", "pids.max"),
    "memory": ("cgroup.procs", "memory.limit_in_bytes", "memory.memsw.limit_in_bytes"),
    "cpuacct": ("cgroup.procs", "cpuacct.usage"),
    "cpu": ("cgroup.procs", "cpu.shares"),
}


class FakeV1(CgroupV1):
    def _mkdirs(self, name: str) -> list[Path]:
        dirs = []
        for parent in self.parents:
            d = parent / name
            d.mkdir()
            for controller in parent.parent.name.split(","):
                for file in V1_FILES[controller]:
                    (d / file).touch()
            dirs.append(d)
        return dirs


def v1_mounts(tmp_path: Path, *hierarchies: str) -> CgroupMounts:
    own = {}
    for hierarchy in hierarchies:
        (tmp_path / hierarchy).mkdir()
        for controller in hierarchy.split(","):
            own[controller] = tmp_path / hierarchy
    return CgroupMounts(v1_own=own)


def test_v1_with_a_separate_cpu_hierarchy_gives_each_run_a_cpu_group_with_shares(tmp_path):
    driver = cgroup_setup.detect(v1_mounts(tmp_path, "pids", "memory", "cpuacct", "cpu"))
    assert isinstance(driver, CgroupV1) and driver.cpu_index == 3
    assert driver.parents[3] == tmp_path / "cpu" / "algoitny"
    group = FakeV1(driver.parents, driver.cpu_index).create("u1-ab", memory_bytes=1 << 20, pids=2)
    assert group.paths[3] == str(tmp_path / "cpu" / "algoitny" / "u1-ab")
    assert (group.dirs[3] / "cpu.shares").read_text() == str(V1_CPU_SHARES)


def test_v1_with_cpu_and_cpuacct_together_uses_one_directory_for_both(tmp_path):
    driver = cgroup_setup.detect(v1_mounts(tmp_path, "pids", "memory", "cpu,cpuacct"))
    assert isinstance(driver, CgroupV1) and driver.cpu_index == 2 and len(driver.parents) == 3
    group = FakeV1(driver.parents, driver.cpu_index).create("u1-ab", memory_bytes=1 << 20, pids=2)
    assert (group.dirs[2] / "cpu.shares").read_text() == str(V1_CPU_SHARES)


def test_v1_without_cpu_mounted_runs_without_a_weight(tmp_path):
    driver = cgroup_setup.detect(v1_mounts(tmp_path, "pids", "memory", "cpuacct"))
    assert isinstance(driver, CgroupV1) and driver.cpu_index is None and len(driver.parents) == 3


def test_the_runs_parent_weighs_one_default_share_per_cpu(tmp_path):
    mounts = v1_mounts(tmp_path, "pids", "memory", "cpuacct", "cpu")
    (tmp_path / "cpu" / "algoitny").mkdir()
    (tmp_path / "cpu" / "algoitny" / "cpu.shares").write_text("1024\n")
    cgroup_setup.detect(mounts)
    expected = min(V1_CPU_SHARES * (os.cpu_count() or 1), 262144)
    assert (tmp_path / "cpu" / "algoitny" / "cpu.shares").read_text().split() == [str(expected)]

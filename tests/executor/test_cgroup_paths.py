"""Finding our own cgroups on v1/hybrid and v2 hosts."""

from pathlib import Path

from algoitny.executor.cgroup_paths import read_mounts

HYBRID_MOUNTINFO = """\
30 25 0:26 / /sys/fs/cgroup rw - tmpfs tmpfs rw
31 30 0:27 / /sys/fs/cgroup/unified rw - cgroup2 cgroup2 rw
33 30 0:29 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory
34 30 0:30 / /sys/fs/cgroup/pids rw - cgroup cgroup rw,pids
35 30 0:31 / /sys/fs/cgroup/cpu,cpuacct rw - cgroup cgroup rw,cpu,cpuacct
"""
HYBRID_SELF = "4:memory:/jobs/42\n8:pids:/\n2:cpu,cpuacct:/\n0::/\n"


def test_hybrid_host_uses_v1_controllers(monkeypatch):
    monkeypatch.setattr(Path, "is_dir", lambda self: True)
    monkeypatch.setattr(Path, "read_text", lambda self: "")
    mounts = read_mounts(HYBRID_MOUNTINFO, HYBRID_SELF)
    assert mounts.v1_own["memory"] == Path("/sys/fs/cgroup/memory/jobs/42")
    assert mounts.v1_own["pids"] == Path("/sys/fs/cgroup/pids")
    assert mounts.v1_own["cpuacct"] == Path("/sys/fs/cgroup/cpu,cpuacct")
    assert mounts.v2_controllers == set()


def test_v2_host_inside_a_cgroup_namespace(monkeypatch):
    monkeypatch.setattr(Path, "is_dir", lambda self: True)
    monkeypatch.setattr(Path, "read_text", lambda self: "cpu memory pids\n")
    mounts = read_mounts(
        "40 30 0:27 /system.slice/worker /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n",
        "0::/system.slice/worker/job\n",
    )
    assert mounts.v2_own == Path("/sys/fs/cgroup/job")
    assert mounts.v2_controllers == {"cpu", "memory", "pids"}
    assert mounts.v1_own == {}

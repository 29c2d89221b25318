"""Picking and preparing the cgroup driver: v2 when our own cgroup can delegate memory and
pids to children, else v1/hybrid, else a refusal that says what to change.

v2 rules followed here (Documentation/admin-guide/cgroup-v2.rst):

- a controller can be enabled in ``cgroup.subtree_control`` only if the parent enabled it
  for us (it is listed in our ``cgroup.controllers``);
- "no internal processes": a non-root cgroup that enables controllers for its children
  may hold no process itself, so the worker's own processes move to a leaf
  ``algoitny-worker`` first (EBUSY tells us we have to);
- run groups are created in ``<own>/algoitny``; only its leaves hold processes.

Everything takes plain paths, so tests drive it with a fake cgroupfs directory.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path

from .cgroup_paths import CgroupMounts, read_mounts
from .cgroups import PARENT, V1_CPU_SHARES, V2_CPU_WEIGHT, CgroupDriver, CgroupV1, CgroupV2, _write
from .errors import SandboxUnavailable

V2_NEEDED = ("memory", "pids")
V1_NEEDED = ("pids", "memory", "cpuacct")
WORKER_LEAF = "algoitny-worker"
_CPUS = os.cpu_count() or 1


def detect(mounts: CgroupMounts | None = None) -> CgroupDriver:
    """Pick and prepare the cgroup driver, or say clearly why none works."""
    mounts = mounts or read_mounts()
    problems: list[str] = list(mounts.problems)
    if mounts.v2_own is not None:
        missing = [c for c in V2_NEEDED if c not in mounts.v2_controllers]
        if not missing:
            try:
                return CgroupV2([prepare_v2(mounts.v2_own)])
            except OSError as exc:
                problems.append(f"cgroup v2 at {mounts.v2_own}: {_explain(exc)}")
        else:
            problems.append(
                f"cgroup v2 at {mounts.v2_own}: controller(s) {', '.join(missing)} not enabled "
                "for this cgroup (the parent's cgroup.subtree_control must list them; under "
                "systemd use Delegate=yes, under Docker --cgroupns=private with a writable "
                "/sys/fs/cgroup)"
            )
    else:
        problems.append("cgroup v2: not mounted, or our cgroup is not under its mount")
    missing = [c for c in V1_NEEDED if c not in mounts.v1_own]
    if not missing:
        try:
            parents = [mounts.v1_own[c] / PARENT for c in V1_NEEDED]
            cpu_index = _v1_cpu(mounts, parents)
            for p in parents:
                p.mkdir(exist_ok=True)
            if cpu_index is not None:
                _weigh_parent(parents[cpu_index] / "cpu.shares", min(V1_CPU_SHARES * _CPUS, 262144))
            return CgroupV1(parents, cpu_index)
        except OSError as exc:
            problems.append(f"cgroup v1: {_explain(exc)}")
    else:
        problems.append(f"cgroup v1: controller(s) not mounted: {', '.join(missing)}")
    raise SandboxUnavailable(
        "no usable cgroup hierarchy (need root and memory+pids+cpu accounting): " + "; ".join(problems)
    )


def _v1_cpu(mounts: CgroupMounts, parents: list[Path]) -> int | None:
    """Where runs get their CPU weight: cpuacct's directory when cpu shares its hierarchy
    (``cpu,cpuacct``), else a directory of their own in cpu's (appended to ``parents``)."""
    cpu = mounts.v1_own.get("cpu")
    if cpu is None:
        return None
    if cpu == mounts.v1_own["cpuacct"]:
        return V1_NEEDED.index("cpuacct")
    parents.append(cpu / PARENT)
    return len(parents) - 1


def _explain(exc: OSError) -> str:
    hints = {
        errno.EROFS: "the cgroup filesystem is mounted read-only (in a container: run it "
        "with a writable cgroupfs, e.g. --cgroupns=private and rw /sys/fs/cgroup)",
        errno.EACCES: "permission denied (the executor must run as root, and the cgroup "
        "must be delegated to it)",
        errno.EPERM: "operation not permitted (root without CAP_SYS_ADMIN, or a cgroup not delegated to us)",
        errno.EBUSY: "busy: processes that cannot be moved live in our cgroup",
    }
    return f"{exc}" + (f" — {hints[exc.errno]}" if exc.errno in hints else "")


def prepare_v2(own: Path) -> Path:
    """Make ``own/algoitny`` a parent whose children get memory and pids (and cpu)."""
    available = (own / "cgroup.controllers").read_text().split()
    wanted = " ".join(f"+{c}" for c in (*V2_NEEDED, "cpu") if c in available)
    for attempt in range(5):
        try:
            _write(own / "cgroup.subtree_control", wanted)
            break
        except OSError as exc:
            if exc.errno != errno.EBUSY or attempt == 4:
                raise
            _evacuate(own)  # processes forked meanwhile: move them too
    parent = own / PARENT
    parent.mkdir(exist_ok=True)
    _write(parent / "cgroup.subtree_control", wanted)
    _weigh_parent(parent / "cpu.weight", min(V2_CPU_WEIGHT * _CPUS, 10000))
    return parent


def _weigh_parent(path: Path, weight: int) -> None:
    """All runs share the parent's weight against the host's other groups (on v1 at the
    root, each busy task of the host counts as one such group). One default weight per CPU
    keeps runs together on a par with as many busy tasks as there are CPUs, as they were
    before runs had CPU groups; each run's own weight only divides that among runs."""
    if path.exists():  # absent without the cpu controller (and on a fake cgroupfs)
        _write(path, str(weight))


def _evacuate(own: Path) -> None:
    """Move every process of ``own`` into its leaf ``algoitny-worker``."""
    leaf = own / WORKER_LEAF
    leaf.mkdir(exist_ok=True)
    for pid in (own / "cgroup.procs").read_text().split():
        try:
            _write(leaf / "cgroup.procs", pid)
        except OSError:  # exited meanwhile; anything worse shows up as EBUSY again
            pass

"""One cgroup per run: memory limit, process limit, CPU accounting, whole-tree kill.

Two drivers behind one interface, picked by ``cgroup_setup.detect()``:

- v2 (most hosts): one directory per run under our own cgroup, ``memory.max`` +
  ``memory.swap.max=0``, ``pids.max``, ``cpu.weight`` (when the cpu controller is
  delegated), CPU from ``cpu.stat``, peak from ``memory.peak``,
  OOM kills from ``memory.events``, and ``cgroup.kill`` for the tree.
- v1 / hybrid (this development machine): a directory per run in each of the memory
  (under our own memory cgroup), pids, cpuacct and cpu hierarchies (cpu when mounted; one
  directory when cpu and cpuacct share a hierarchy); ``memory.limit_in_bytes``
  + ``memory.memsw.limit_in_bytes``, ``cpu.shares``, ``cpuacct.usage``, ``memory.max_usage_in_bytes``,
  ``oom_kill`` from ``memory.oom_control``.

Groups are named ``u<uid>-<random hex>``: a slot's uid is held by one process at a time (see
``slots``), so a restarted worker can sweep what a crashed one left behind for the same
uid, and the random part tells a program nothing about other runs.

The CPU weight is what makes runs fair to each other: every run is a group of its own
with the same weight, so a run's share of the CPU does not shrink with the number of
threads a neighbour starts (without it, only the kernel's autogroup, when on, helped).
"""

from __future__ import annotations

import asyncio
import errno
import os
import signal
from dataclasses import dataclass
from pathlib import Path

PARENT = "algoitny"
V1_CPU_SHARES = 1024  # the kernel's default weight, written so that every run has it
V2_CPU_WEIGHT = 100


@dataclass(frozen=True, slots=True)
class CgroupStats:
    cpu_ns: int
    peak_bytes: int
    oom_kills: int
    limit_hits: int


# Plain string paths and os-level I/O: these run several times per test.
def _write(path: str | Path, value: str) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CLOEXEC)
    try:
        os.write(fd, value.encode())
    finally:
        os.close(fd)


def _read(path: str) -> str:
    fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    try:
        return os.read(fd, 65536).decode()
    finally:
        os.close(fd)


def _read_int(path: str) -> int:
    try:
        return int(_read(path).split()[0])
    except (OSError, ValueError, IndexError):
        return 0


def _keyed(path: str, key: str) -> int:
    try:
        for line in _read(path).splitlines():
            name, _, value = line.partition(" ")
            if name == key:
                return int(value)
    except (OSError, ValueError):
        pass
    return 0


class RunGroup:
    """The cgroup directories of one run (one per v1 hierarchy, one on v2)."""

    def __init__(self, driver: CgroupDriver, dirs: list[Path]) -> None:
        self.driver = driver
        self.dirs = dirs
        self.paths = [str(d) for d in dirs]

    def add(self, pid: int) -> None:
        for d in self.paths:
            _write(d + "/cgroup.procs", str(pid))

    def cpu_ns(self) -> int:
        return self.driver.cpu_ns(self)

    def stats(self) -> CgroupStats:
        return self.driver.stats(self)

    def procs(self) -> list[int]:
        try:
            text = _read(self.paths[0] + "/cgroup.procs")
        except OSError:
            return []
        return [int(p) for p in text.split()]

    def kill(self, passes: int = 3) -> None:
        """SIGKILL every process in the group, forks racing the kill included.

        Forks are stopped first, so a few passes catch a fork that was in flight.
        Killed processes stay listed until they are fully gone (their namespaces torn
        down): ``remove()`` waits for that, off the run's critical path.
        """
        self.driver.freeze_forks(self)
        for _ in range(passes):
            pids = self.procs()
            if not pids:
                return
            for pid in pids:
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass

    async def remove(self, within_s: float = 30.0) -> None:
        """rmdir every directory; EBUSY until the last killed process is gone."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + within_s
        for d in self.dirs:
            delay = 0.002
            while True:
                try:
                    os.rmdir(d)
                    break
                except FileNotFoundError:
                    break
                except OSError as exc:
                    if exc.errno != errno.EBUSY or loop.time() > deadline:
                        raise
                    self.kill(passes=1)
                    await asyncio.sleep(delay)
                    delay = min(delay * 2, 0.05)


class CgroupDriver:
    version = "?"

    def __init__(self, parents: list[Path]) -> None:
        self.parents = parents

    def create(self, name: str, *, memory_bytes: int, pids: int) -> RunGroup:
        raise NotImplementedError

    def cpu_ns(self, group: RunGroup) -> int:
        raise NotImplementedError

    def stats(self, group: RunGroup) -> CgroupStats:
        raise NotImplementedError

    def freeze_forks(self, group: RunGroup) -> None:
        raise NotImplementedError

    def _mkdirs(self, name: str) -> list[Path]:
        dirs = []
        for parent in self.parents:
            d = parent / name
            try:
                d.mkdir()
            except FileExistsError:
                RunGroup(self, [d]).kill()
            dirs.append(d)
        return dirs

    async def sweep(self, prefix: str) -> None:
        """Remove groups left behind by a crashed worker that held the same uid."""
        for parent in self.parents:
            for stale in parent.glob(prefix + "*"):
                group = RunGroup(self, [stale])
                group.kill()
                await group.remove()


class CgroupV1(CgroupDriver):
    """``parents``: pids (first: procs() and kill() read it), memory, cpuacct, then cpu when
    the cpu controller has a hierarchy of its own (``cpu_index`` says which holds it)."""

    version = "v1"
    _memsw: bool | None = None

    def __init__(self, parents: list[Path], cpu_index: int | None = None) -> None:
        super().__init__(parents)
        self.cpu_index = cpu_index

    def create(self, name: str, *, memory_bytes: int, pids: int) -> RunGroup:
        group = RunGroup(self, self._mkdirs(name))
        pid_dir, memory = group.paths[:2]
        if self.cpu_index is not None:
            _write(group.paths[self.cpu_index] + "/cpu.shares", str(V1_CPU_SHARES))
        _write(memory + "/memory.limit_in_bytes", str(memory_bytes))
        if self._memsw is None:  # the same for every group: look once
            self._memsw = os.path.exists(memory + "/memory.memsw.limit_in_bytes")
        if self._memsw:
            _write(memory + "/memory.memsw.limit_in_bytes", str(memory_bytes))
        else:  # no swap accounting: at least avoid swapping
            try:
                _write(memory + "/memory.swappiness", "0")
            except OSError:
                pass
        _write(pid_dir + "/pids.max", str(pids))
        return group

    def cpu_ns(self, group: RunGroup) -> int:
        return _read_int(group.paths[2] + "/cpuacct.usage")

    def stats(self, group: RunGroup) -> CgroupStats:
        memory = group.paths[1]
        return CgroupStats(
            cpu_ns=self.cpu_ns(group),
            peak_bytes=_read_int(memory + "/memory.max_usage_in_bytes"),
            oom_kills=_keyed(memory + "/memory.oom_control", "oom_kill"),
            # With swap accounting the memory+swap counter (same limit) is charged first and
            # usually is the one that fails.
            limit_hits=_read_int(memory + "/memory.failcnt")
            + (_read_int(memory + "/memory.memsw.failcnt") if self._memsw else 0),
        )

    def freeze_forks(self, group: RunGroup) -> None:
        try:
            _write(group.paths[0] + "/pids.max", "0")
        except OSError:
            pass


class CgroupV2(CgroupDriver):
    version = "v2"

    def create(self, name: str, *, memory_bytes: int, pids: int) -> RunGroup:
        group = RunGroup(self, self._mkdirs(name))
        d = group.paths[0]
        _write(d + "/memory.max", str(memory_bytes))
        if os.path.exists(d + "/memory.swap.max"):  # absent without swap accounting
            _write(d + "/memory.swap.max", "0")
        if os.path.exists(d + "/memory.oom.group"):  # 4.19+
            _write(d + "/memory.oom.group", "1")
        _write(d + "/pids.max", str(pids))
        if os.path.exists(d + "/cpu.weight"):  # only when the cpu controller is delegated
            _write(d + "/cpu.weight", str(V2_CPU_WEIGHT))
        return group

    def cpu_ns(self, group: RunGroup) -> int:
        return _keyed(group.paths[0] + "/cpu.stat", "usage_usec") * 1000

    def stats(self, group: RunGroup) -> CgroupStats:
        d = group.paths[0]
        peak = d + "/memory.peak"  # 5.19+; before, only the current usage is known
        events = d + "/memory.events"
        return CgroupStats(
            cpu_ns=self.cpu_ns(group),
            peak_bytes=_read_int(peak if os.path.exists(peak) else d + "/memory.current"),
            oom_kills=_keyed(events, "oom_kill"),
            limit_hits=_keyed(events, "max"),
        )

    def freeze_forks(self, group: RunGroup) -> None:
        d = group.paths[0]
        try:
            if os.path.exists(d + "/cgroup.kill"):  # 5.14+
                _write(d + "/cgroup.kill", "1")
            else:
                _write(d + "/pids.max", "0")
        except OSError:
            pass

"""Sweeping what a dead executor process left behind for a uid, when the uid is claimed.

A worker that is SIGKILLed (or whose host lost power) leaves, for each uid it held: run
cgroups ``u<uid>-*`` in every hierarchy, its compile box ``<box_root>/slot-<uid>`` and
the artifacts it compiled in that slot, ``<box_root>/artifacts/<uid>-*``. The next process whose ``flock`` on the uid succeeds
knows the previous holder is gone (the kernel drops the lock with its last descriptor),
so it sweeps all of that before the slot is handed out; a uid held by a live process is
never touched, because it cannot be claimed.

The previous holder may have had another box root or memory cgroup (v1 puts run groups
under the process's own memory cgroup): each claimant writes where it keeps things into
the uid's lock file (root's, in a directory only root can write), and the next claimant
sweeps those places as well as its own.
"""

from __future__ import annotations

import errno
import json
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

from . import boxfs
from .cgroups import PARENT, CgroupDriver, RunGroup


def slot_box(box_root: Path, uid: int) -> Path:
    return box_root / f"slot-{uid}"


def artifacts_of(box_root: Path, uid: int) -> list[Path]:
    """The artifact directories compiled in slot ``uid`` (named ``<uid>-<uuid>``)."""
    root = box_root / "artifacts"
    try:
        return [root / name for name in os.listdir(root) if name.startswith(f"{uid}-")]
    except FileNotFoundError:
        return []


def group_prefix(uid: int) -> str:
    return f"u{uid}-"


@dataclass(frozen=True, slots=True)
class Holder:
    """Where a uid's holder keeps its boxes and run cgroups (as written in the lock file)."""

    box_root: Path | None = None
    cgroup_parents: tuple[Path, ...] = field(default_factory=tuple)

    def encode(self) -> bytes:
        return json.dumps(
            {
                "pid": os.getpid(),
                "box_root": str(self.box_root) if self.box_root else None,
                "cgroup_parents": [str(p) for p in self.cgroup_parents],
            }
        ).encode()

    @classmethod
    def decode(cls, raw: bytes) -> Holder:
        """Whatever a previous holder wrote; anything malformed counts as nothing."""
        try:
            record = json.loads(raw.decode())
        except (UnicodeDecodeError, ValueError):
            return cls()
        if not isinstance(record, dict):
            return cls()
        box_root = record.get("box_root")
        parents = record.get("cgroup_parents")
        return cls(
            box_root=Path(box_root) if isinstance(box_root, str) and os.path.isabs(box_root) else None,
            cgroup_parents=tuple(
                Path(p)
                for p in (parents if isinstance(parents, list) else [])
                if isinstance(p, str) and os.path.isabs(p) and Path(p).name == PARENT
            ),
        )


@dataclass(slots=True)
class Swept:
    groups: int = 0
    trees: int = 0


def sweep_uid(uid: int, driver: CgroupDriver, box_root: Path, previous: Holder) -> Swept:
    """Remove a dead holder's run cgroups, compile box, artifacts and warm ``/prog`` for ``uid``.

    Only call this while holding the uid's lock. Processes are killed first (through
    their cgroups), so nothing is still writing into the box while it is wiped.
    """
    swept = Swept()
    parents = list(driver.parents)
    parents += [p for p in previous.cgroup_parents if p not in parents]
    by_name: dict[str, list[Path]] = {}
    for parent in parents:  # the driver's order first: on v1 the pids group leads (freezes forks)
        try:
            entries = list(os.scandir(parent))
        except FileNotFoundError:
            continue
        for entry in entries:
            if entry.name.startswith(group_prefix(uid)) and entry.is_dir(follow_symlinks=False):
                by_name.setdefault(entry.name, []).append(Path(entry.path))
    for dirs in by_name.values():
        group = RunGroup(driver, dirs)
        group.kill()
        if not remove_group(group, timeout=30.0):
            raise OSError(errno.EBUSY, f"a stale run cgroup of uid {uid} cannot be removed", dirs[0])
        swept.groups += 1
    roots = [box_root] + ([previous.box_root] if previous.box_root not in (None, box_root) else [])
    for root in roots:
        # root/warm-prog/<uid>: a warm box's /prog, holding a zygote's submission (zygote.py)
        for tree in [slot_box(root, uid), *artifacts_of(root, uid), root / "warm-prog" / str(uid)]:
            if os.path.lexists(tree):
                wipe_tree(tree)
                swept.trees += 1
    return swept


def try_remove(group: RunGroup) -> bool:
    """rmdir each of the group's directories; False while one is still busy."""
    for d in group.paths:
        try:
            os.rmdir(d)
        except FileNotFoundError:
            pass
        except OSError as exc:
            if exc.errno != errno.EBUSY:
                raise
            return False
    return True


def remove_group(group: RunGroup, *, timeout: float) -> bool:
    """Remove a killed group, blocking; EBUSY until its last process is fully gone."""
    deadline = time.monotonic() + timeout
    delay = 0.002
    while not try_remove(group):
        if time.monotonic() > deadline:
            return False
        group.kill(passes=1)
        time.sleep(delay)
        delay = min(delay * 2, 0.05)
    return True


def wipe_tree(path: Path) -> None:
    """Delete ``path`` and everything under it, without following symlinks or recursing.

    fd-relative and iterative (``boxfs``): the tree's depth is the submission's choice. A
    compile box that is a tmpfs mount (see compile_box) is emptied and unmounted.
    """
    if os.path.islink(path) or not os.path.isdir(path):
        os.unlink(path)
        return
    if boxfs.is_mount(path):
        boxfs.wipe(path)
        boxfs.unmount(path)
    boxfs.remove_tree(path)

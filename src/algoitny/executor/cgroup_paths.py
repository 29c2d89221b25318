"""Where our own cgroups are: parsed from /proc/self/mountinfo and /proc/self/cgroup."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass(slots=True)
class CgroupMounts:
    v1_own: dict[str, Path] = field(default_factory=dict)  # controller -> our group dir
    v2_own: Path | None = None
    v2_controllers: set[str] = field(default_factory=set)


def read_mounts(
    mountinfo: str | None = None, self_cgroup: str | None = None
) -> CgroupMounts:
    if mountinfo is None:
        mountinfo = Path("/proc/self/mountinfo").read_text()
    if self_cgroup is None:
        self_cgroup = Path("/proc/self/cgroup").read_text()
    own_v1: dict[str, str] = {}
    own_v2: str | None = None
    for line in self_cgroup.splitlines():
        hier, _, rest = line.partition(":")
        controllers, _, path = rest.partition(":")
        if hier == "0" and controllers == "":
            own_v2 = path
        else:
            for c in controllers.split(","):
                own_v1[c] = path
    result = CgroupMounts()
    for line in mountinfo.splitlines():
        left, sep, right = line.partition(" - ")
        if not sep:
            continue
        fields = left.split()
        fstype, _, options = (right.split() + ["", "", ""])[:3]
        root, mount_point = fields[3], Path(fields[4])
        if fstype == "cgroup2" and own_v2 is not None:
            own = mount_point / _relative(own_v2, root)
            if own.is_dir():
                result.v2_own = own
                try:
                    result.v2_controllers = set((own / "cgroup.controllers").read_text().split())
                except OSError:
                    pass
        elif fstype == "cgroup":
            for option in options.split(","):
                if option in own_v1 and option not in result.v1_own:
                    own = mount_point / _relative(own_v1[option], root)
                    if own.is_dir():
                        result.v1_own[option] = own
    return result


def _relative(path: str, mount_root: str) -> str:
    """Our cgroup path relative to where its hierarchy is mounted."""
    if mount_root != "/" and path.startswith(mount_root):
        path = path[len(mount_root):]
    return path.lstrip("/")

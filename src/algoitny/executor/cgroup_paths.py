"""Where our own cgroups are: parsed from /proc/self/mountinfo and /proc/self/cgroup.

Our cgroup path (from /proc/self/cgroup) is relative to the root of our cgroup
namespace; a hierarchy may be mounted from a sub-directory (field 4 of mountinfo). A
path outside the mounted part (``/../x``: we were moved out of our namespace's root) is
not reachable and is reported as a problem instead of guessed at.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(slots=True)
class CgroupMounts:
    v1_own: dict[str, Path] = field(default_factory=dict)  # controller -> our group dir
    v2_own: Path | None = None
    v2_controllers: set[str] = field(default_factory=set)
    problems: list[str] = field(default_factory=list)


def _unescape(text: str) -> str:
    """mountinfo escapes space, tab, newline and backslash as \\ooo."""
    return re.sub(r"\\([0-7]{3})", lambda m: chr(int(m.group(1), 8)), text)


def read_mounts(mountinfo: str | None = None, self_cgroup: str | None = None) -> CgroupMounts:
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
        root, mount_point = _unescape(fields[3]), Path(_unescape(fields[4]))
        if fstype == "cgroup2" and own_v2 is not None and result.v2_own is None:
            own = _own(mount_point, own_v2, root, result.problems)
            if own is not None and own.is_dir():
                result.v2_own = own
                try:
                    result.v2_controllers = set((own / "cgroup.controllers").read_text().split())
                except OSError:
                    pass
        elif fstype == "cgroup":
            for option in options.split(","):
                if option in own_v1 and option not in result.v1_own:
                    own = _own(mount_point, own_v1[option], root, result.problems)
                    if own is not None and own.is_dir():
                        result.v1_own[option] = own
    return result


def _own(mount_point: Path, path: str, mount_root: str, problems: list[str]) -> Path | None:
    """Our cgroup directory under ``mount_point``, or None when it is not reachable."""
    parts = [p for p in path.split("/") if p]
    root_parts = [p for p in mount_root.split("/") if p]
    if parts[: len(root_parts)] != root_parts:
        problems.append(
            f"our cgroup {path} is not under {mount_root}, the part of the hierarchy mounted at {mount_point}"
        )
        return None
    parts = parts[len(root_parts) :]
    if ".." in parts:
        problems.append(
            f"our cgroup {path} lies outside the hierarchy mounted at "
            f"{mount_point} (moved out of our cgroup namespace's root?)"
        )
        return None
    return mount_point.joinpath(*parts)

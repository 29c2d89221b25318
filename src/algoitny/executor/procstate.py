"""What a process of a box's uid can change in another one, read from the host.

A warm box's supervisor and a Python zygote run as the slot's uid, like the programs they
start: a program may ``prlimit``, renice, re-pin or re-schedule them without any ptrace
access, and every child forked from them later would inherit the change (a lowered
``RLIMIT_AS`` turned another submission's correct program into RE). ``inherited_state`` is
compared before and after each run; a change makes the box dirty (``warm_run.py``).
"""

from __future__ import annotations

import ctypes
import os
import platform

_IOPRIO_GET = {"x86_64": 252, "aarch64": 31}.get(platform.machine())  # syscall numbers
_SCHED_GETATTR = {"x86_64": 315, "aarch64": 275}.get(platform.machine())
_libc = ctypes.CDLL(None, use_errno=True)


def _ioprio(pid: int) -> int:
    """The I/O priority (``ioprio_get(IOPRIO_WHO_PROCESS, pid)``); Python has no wrapper."""
    if _IOPRIO_GET is None:
        return 0
    value = _libc.syscall(_IOPRIO_GET, 1, pid)
    if value < 0:
        raise OSError(ctypes.get_errno(), "ioprio_get")
    return value


def _sched_attr(pid: int) -> bytes:
    """``sched_getattr``: policy, nice, priority, and what only it shows, the custom time
    slice of a fair task (``sched_setattr``'s runtime, kernel 6.12+) and utilisation clamps."""
    if _SCHED_GETATTR is None:
        return b""
    attr = ctypes.create_string_buffer(64)
    if _libc.syscall(_SCHED_GETATTR, pid, attr, len(attr), 0) != 0:
        raise OSError(ctypes.get_errno(), "sched_getattr")
    return attr.raw


def inherited_state(pid: int) -> tuple | None:
    """What a run can change in another process of its uid without ptrace access, and a
    child forked from that process inherits: every rlimit (``prlimit``), niceness,
    scheduling policy, priority and slice (``setpriority``, ``sched_setattr``), CPU
    affinity, I/O priority (``ioprio_set``), its autogroup's nice. The box's supervisor
    and a zygote are checked after every run: a change means the box is not clean.
    None: the process is gone.

    Rlimits from ``/proc/<pid>/limits``: ``prlimit`` on a process of a user namespace is
    refused to us, even to read."""
    try:
        with open(f"/proc/{pid}/limits") as f:
            limits = f.read()
        scheduling = (
            os.getpriority(os.PRIO_PROCESS, pid),
            os.sched_getscheduler(pid),
            os.sched_getparam(pid).sched_priority,
            frozenset(os.sched_getaffinity(pid)),
            _ioprio(pid),
            _sched_attr(pid),
        )
        try:
            with open(f"/proc/{pid}/autogroup") as f:
                autogroup = f.read().split()[-1]  # "/autogroup-N nice K"
        except FileNotFoundError:  # a kernel without autogroups
            autogroup = ""
    except (OSError, IndexError):
        return None
    return (limits, scheduling, autogroup)

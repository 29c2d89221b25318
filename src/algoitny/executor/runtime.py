"""The executor's process-wide state, built on first use and never at import.

One ``Runtime`` per process: the configuration, the cgroup driver, the slot pool and
the background clean-ups still in flight. Each uid is swept of a dead holder's leftovers
as it is claimed (``sweep``); killed runs' cgroups are removed by the ``reaper`` thread. ``configure()`` lets a test or the CLI pick
a configuration before the first run; ``get_runtime()`` checks the host and raises
``SandboxUnavailable`` with the reason when sandboxes cannot work here.
"""

from __future__ import annotations

import asyncio
import atexit
import ctypes
import os
import secrets
import shutil
import threading

from . import launcher, spawn, supervisor
from .cgroup_setup import detect
from .cgroups import CgroupDriver, RunGroup
from .config import ExecutorConfig
from .errors import SandboxUnavailable
from .languages import get_language
from .reaper import Reaper
from .slots import SlotPool
from .sweep import Holder, sweep_uid
from .warm import WarmPool
from .zygote import hook_target, install_hook

_lock = threading.Lock()
_runtime: Runtime | None = None
_config: ExecutorConfig | None = None


class Runtime:
    def __init__(self, config: ExecutorConfig) -> None:
        if os.geteuid() != 0:
            raise SandboxUnavailable(
                "the executor must run as root: it switches each sandbox to its slot's "
                "unprivileged uid and creates cgroups"
            )
        bwrap = shutil.which(config.bwrap)
        if bwrap is None:
            raise SandboxUnavailable(
                f"bubblewrap ({config.bwrap!r}) is not installed: apt-get install bubblewrap"
            )
        self.config = config
        self.bwrap = bwrap
        self.cgroups: CgroupDriver = detect()
        config.box_root.mkdir(parents=True, exist_ok=True)
        self._swept: set[int] = set()
        self.pool = self._claim_slots(config)
        self.launcher = launcher.build(config.box_root)
        self.warm, self.warm_reason = self._warm_pool(config)
        self.use_warm = self.warm is not None  # False sends every run cold (tests compare both)
        _become_subreaper()
        self._cleanups: set[asyncio.Future[None]] = set()
        self.reaper = Reaper()
        atexit.register(self._remove_leftovers)

    def _warm_pool(self, config: ExecutorConfig) -> tuple[WarmPool | None, str]:
        """Warm boxes, or None and why not (the self-test prints the reason)."""
        if not config.warm:
            return None, "cold: warm boxes are off (ALGOITNY_EXECUTOR_WARM=0)"
        if self.launcher is None:
            return None, "cold: no C compiler for the launcher and the warm box supervisor"
        built = supervisor.build(config.box_root)
        if built is None:
            return None, "cold: the warm box supervisor did not compile (no static libc?)"
        python = get_language("python")
        target, why_not = hook_target(python.required_paths()[0])
        if target is None:
            return WarmPool(built, self.remove_later), (
                f"warm: one long-lived box per slot for C, C++ and Rust; cold for the rest"
                f" (no Python zygote: {why_not})"
            )
        hook = (install_hook(config.box_root), target)
        return WarmPool(built, self.remove_later, hook), (
            "warm: one long-lived box per slot for C, C++ and Rust, and a zygote per Python"
            " submission in it; cold for the rest"
        )

    def next_name(self, uid: int) -> str:
        """``u<uid>-`` (what the sweep matches) and a random suffix a program cannot predict."""
        return f"u{uid}-{secrets.token_hex(8)}"

    def _claim_slots(self, config: ExecutorConfig) -> SlotPool:
        """Claim uids, sweeping each one's dead holder's leftovers before it becomes a slot."""
        me = Holder(box_root=config.box_root, cgroup_parents=tuple(self.cgroups.parents))

        def on_claim(uid: int, previous: bytes) -> None:
            sweep_uid(uid, self.cgroups, config.box_root, Holder.decode(previous))
            self._swept.add(uid)

        return SlotPool(config, on_claim=on_claim, record=me.encode())

    async def sweep(self, uid: int) -> None:
        """Once per uid: remove what a crashed holder left behind (done when it was claimed)."""
        if uid not in self._swept:
            await asyncio.to_thread(sweep_uid, uid, self.cgroups, self.config.box_root, Holder())
            self._swept.add(uid)

    def in_background(self, coro) -> None:
        task = asyncio.ensure_future(coro)
        self._cleanups.add(task)
        task.add_done_callback(self._cleanups.discard)

    def remove_later(self, group: RunGroup) -> None:
        """Remove a killed run's cgroup once its last process is gone, off the run's path.

        The reaper thread does it, whichever event loop the run came from; if the process
        exits first (a CLI run, a test session, a worker stopping), the ``atexit`` hook
        finishes the job, so no cgroup is left behind.
        """
        self.reaper.put(group)

    def _remove_leftovers(self) -> None:
        if self.warm is not None:
            self.warm.shutdown()
        self.reaper.finish(timeout=5.0)

    async def idle(self) -> None:
        """Wait for background clean-ups (cgroup removal) to finish."""
        await asyncio.to_thread(self.reaper.wait)
        loop = asyncio.get_running_loop()
        while mine := [t for t in self._cleanups if t.get_loop() is loop]:
            await asyncio.gather(*mine, return_exceptions=True)


_PR_SET_CHILD_SUBREAPER = 36


def _become_subreaper() -> None:
    """Orphans of our children (the box's PID 1, once bwrap exits) become our children.

    So each is reaped by us (``process.reap``, by pidfd) wherever the worker runs, instead
    of by whatever init the host has, or by nobody when the worker is a container's PID 1.
    """
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(_PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        raise SandboxUnavailable(f"prctl(PR_SET_CHILD_SUBREAPER): {os.strerror(ctypes.get_errno())}")


def configure(config: ExecutorConfig) -> None:
    """Choose the configuration; must be called before the executor is first used."""
    global _config
    with _lock:
        if _runtime is not None and _runtime.config != config:
            raise RuntimeError("the executor runtime is already running with another config")
        _config = config


def get_runtime() -> Runtime:
    global _runtime
    with _lock:
        if _runtime is None:
            _runtime = Runtime(_config or ExecutorConfig.from_env())
        return _runtime


def _forget_after_fork() -> None:
    """In a forked child: the parent's slots are the parent's.

    A child (a pre-forking server, multiprocessing) inherits the runtime and its uid
    locks; using them would run two boxes under one uid. The child drops its copies of
    the lock descriptors (the parent still holds the locks) and builds its own runtime,
    claiming other uids, on first use.
    """
    global _runtime, _lock
    _lock = threading.Lock()
    if _runtime is not None:
        _runtime.pool.close()
        if _runtime.warm is not None:
            _runtime.warm.forget()
        atexit.unregister(_runtime._remove_leftovers)
        _runtime = None
    spawn.forget_netns()


os.register_at_fork(after_in_child=_forget_after_fork)

"""The process-wide pool of sandbox slots.

A slot is an unprivileged uid (and the same gid) plus a compile box directory. Two
runs in flight never share a slot, whichever ``run_tests`` call or event loop they
come from. Across processes, each slot's uid is claimed with an exclusive ``flock`` on
``<lock_dir>/<uid>.lock`` (host-wide, whatever each worker's box root), held for the
life of the process, so several workers on one host can share a uid range without
ever sharing a uid, nor sweeping each other's cgroups.

A successful claim means the uid's previous holder is gone: what it left behind (run
cgroups, compile box, artifacts) is swept by the ``on_claim`` hook before the slot is
handed out, and the lock file is rewritten with the new holder's record (see ``sweep``).
"""

from __future__ import annotations

import asyncio
import collections
import fcntl
import logging
import os
import stat
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .config import ExecutorConfig
from .errors import SandboxUnavailable

RECORD_BYTES = 64 * 1024
log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Slot:
    index: int
    uid: int
    box: Path  # compile box on the host, owned by ``uid``

    @property
    def gid(self) -> int:
        return self.uid


# Called with a freshly claimed uid and its previous holder's record (b"" if none).
OnClaim = Callable[[int, bytes], None]


class SlotPool:
    def __init__(
        self, config: ExecutorConfig, *, on_claim: OnClaim | None = None, record: bytes = b""
    ) -> None:
        self._lock = threading.Lock()
        self._free: collections.deque[Slot] = collections.deque()
        self._waiters: collections.deque[asyncio.Future[Slot]] = collections.deque()
        self._lock_fds: list[int] = []
        self.quarantined: list[Slot] = []
        self._on_claim = on_claim
        self._record = record
        try:
            self.slots = self._claim(config)
        except BaseException:
            self.close()
            raise
        self._free.extend(self.slots)

    def _claim(self, config: ExecutorConfig) -> list[Slot]:
        locks = _lock_dir(config.lock_dir)
        os.chmod(config.box_root, 0o711)
        claimed: list[Slot] = []
        for uid in range(config.uid_base, config.uid_base + config.uid_count):
            if len(claimed) == config.slots:
                break
            fd = os.open(locks / f"{uid}.lock", os.O_RDWR | os.O_CREAT | os.O_CLOEXEC | os.O_NOFOLLOW, 0o600)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                continue
            try:
                self._take_over(fd, uid)
            except OSError as exc:  # left dirty by its previous holder: not handed out
                log.warning("uid %d skipped: its previous holder's leftovers cannot be swept: %s", uid, exc)
                os.close(fd)
                continue
            self._lock_fds.append(fd)
            box = config.box_root / f"slot-{uid}"
            box.mkdir(exist_ok=True)
            os.chown(box, uid, uid)
            os.chmod(box, 0o700)
            claimed.append(Slot(index=len(claimed), uid=uid, box=box))
        if not claimed:
            raise SandboxUnavailable(
                f"all uids {config.uid_base}..{config.uid_base + config.uid_count - 1} "
                "are claimed by other executor processes (or left unsweepable by a dead one)"
            )
        return claimed

    def _take_over(self, fd: int, uid: int) -> None:
        """Sweep what the uid's previous holder left, then record ourselves as its holder."""
        previous = os.pread(fd, RECORD_BYTES, 0)
        if self._on_claim is not None:
            self._on_claim(uid, previous)
        os.ftruncate(fd, 0)
        os.pwrite(fd, self._record, 0)

    async def acquire(self) -> Slot:
        with self._lock:
            if self._free:
                return self._free.popleft()
            waiter: asyncio.Future[Slot] = asyncio.get_running_loop().create_future()
            self._waiters.append(waiter)
        try:
            return await waiter
        except asyncio.CancelledError:
            with self._lock:
                if waiter in self._waiters:
                    self._waiters.remove(waiter)
                    raise
            # The slot was handed to us just as we were cancelled: pass it on.
            if waiter.done() and not waiter.cancelled():
                self.release(waiter.result())
            raise

    def release(self, slot: Slot) -> None:
        with self._lock:
            while self._waiters:
                waiter = self._waiters.popleft()
                if waiter.done():
                    continue
                waiter.get_loop().call_soon_threadsafe(_hand_over, waiter, slot, self)
                return
            self._free.append(slot)

    def quarantine(self, slot: Slot) -> None:
        """Never hand ``slot`` out again in this process (its compile box could not be wiped)."""
        with self._lock:
            self.quarantined.append(slot)

    def close(self) -> None:
        for fd in self._lock_fds:
            os.close(fd)
        self._lock_fds.clear()


def _lock_dir(path: Path) -> Path:
    """The uid lock directory; refused if anyone but root could swap its lock files."""
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    st = os.lstat(path)
    if not stat.S_ISDIR(st.st_mode) or st.st_uid != 0 or st.st_mode & 0o022:
        raise SandboxUnavailable(
            f"uid lock directory {path} must be a directory owned by root and writable "
            "only by root (set ALGOITNY_EXECUTOR_LOCK_DIR to use another)"
        )
    return path


def _hand_over(waiter: asyncio.Future[Slot], slot: Slot, pool: SlotPool) -> None:
    if waiter.done():  # cancelled meanwhile
        pool.release(slot)
    else:
        waiter.set_result(slot)

"""Removing killed runs' cgroups off the runs' path, in one thread of its own.

A killed run's cgroup can be removed only once its last process is fully gone (namespaces
torn down), which takes a few milliseconds: the run returns at once and the group is
queued here. The removal does not belong to the run's event loop: runs come from the
worker's loop, from ``asyncio.run`` in the CLI (in a thread, in tests), from several
loops at once, and a loop that closes cancels its pending tasks, which used to leave the
group behind for good. One daemon thread retries every queued group in turn until it is
gone or its deadline passes; a group that outlives its deadline is kept and tried again
at exit (and swept by the next process that claims the uid, see ``sweep``).
"""

from __future__ import annotations

import collections
import threading
import time

from .cgroups import RunGroup
from .sweep import remove_group, try_remove


class Reaper:
    def __init__(self, *, timeout: float = 30.0) -> None:
        self.timeout = timeout
        self._cond = threading.Condition()
        self._queue: collections.deque[RunGroup] = collections.deque()
        self._busy = 0  # groups taken off the queue and not yet removed nor given up on
        self.stuck: list[RunGroup] = []
        self._thread: threading.Thread | None = None

    def put(self, group: RunGroup) -> None:
        with self._cond:
            self._queue.append(group)
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="algoitny-reaper", daemon=True)
                self._thread.start()
            self._cond.notify_all()

    def wait(self, timeout: float | None = None) -> bool:
        """Block until every queued group is removed (or given up on); False on timeout."""
        with self._cond:
            return self._cond.wait_for(lambda: not self._queue and not self._busy, timeout)

    def finish(self, timeout: float) -> None:
        """At exit: give the thread a moment, then try what is left once more, here."""
        self.wait(timeout)
        with self._cond:
            left = [*self._queue, *self.stuck]
        for group in left:
            try:
                remove_group(group, timeout=0.5)
            except OSError:
                pass

    def _run(self) -> None:
        pending: list[tuple[RunGroup, float]] = []
        delay = 0.002
        while True:
            with self._cond:
                while not self._queue and not pending:
                    self._cond.wait()
                deadline = time.monotonic() + self.timeout
                while self._queue:
                    pending.append((self._queue.popleft(), deadline))
                self._busy = len(pending)
            still: list[tuple[RunGroup, float]] = []
            given_up: list[RunGroup] = []
            for group, until in pending:
                try:
                    if try_remove(group):
                        continue
                except OSError:
                    given_up.append(group)
                    continue
                if time.monotonic() > until:
                    given_up.append(group)
                else:
                    group.kill(passes=1)
                    still.append((group, until))
            pending = still
            with self._cond:
                self.stuck += given_up
                self._busy = len(pending)
                self._cond.notify_all()
            if pending:
                time.sleep(delay)
                delay = min(delay * 2, 0.05)
            else:
                delay = 0.002

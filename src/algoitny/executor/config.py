"""Where the executor keeps its boxes and which uids it may use.

Defaults can be overridden with environment variables, read once when the executor
is first used (never at import):

- ``ALGOITNY_EXECUTOR_BOX_ROOT`` (default ``/var/lib/algoitny/boxes``): compile boxes
  (one per slot, wiped before and after each compile) and compiled artifacts (``artifacts/<uid>-<uuid>``, named after the compiling slot's uid,
  so that a dead process's are swept with the uid).
- ``ALGOITNY_EXECUTOR_UID_BASE`` (default 60000) and ``ALGOITNY_EXECUTOR_UID_COUNT``
  (default 64): the unprivileged uids (and gids) handed to slots. Several worker
  processes on one host share the range safely: each slot is claimed with a lock file.
- ``ALGOITNY_EXECUTOR_SLOTS`` (default: number of CPUs): how many runs this process
  may have in flight at once, across all ``run_tests`` calls.
- ``ALGOITNY_EXECUTOR_WARM`` (default 1): run compiled languages in warm boxes (one
  long-lived sandbox per slot, see ``warm``); ``0`` keeps a new bwrap per run.
- ``ALGOITNY_EXECUTOR_LOCK_DIR`` (default ``/run/algoitny/uids``): one lock file per uid,
  host-wide whatever the box root, because the run cgroups (named after the uid) and
  the uids themselves are host-wide. Must be root's and not writable by others.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, slots=True)
class ExecutorConfig:
    box_root: Path = Path("/var/lib/algoitny/boxes")
    uid_base: int = 60000
    uid_count: int = 64
    slots: int = max(1, os.cpu_count() or 1)
    bwrap: str = "bwrap"
    lock_dir: Path = Path("/run/algoitny/uids")
    warm: bool = True  # warm boxes for the languages that have them (see warm.py)

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> ExecutorConfig:
        env = os.environ if environ is None else environ
        default = cls()
        return cls(
            box_root=Path(env.get("ALGOITNY_EXECUTOR_BOX_ROOT", default.box_root)),
            uid_base=int(env.get("ALGOITNY_EXECUTOR_UID_BASE", default.uid_base)),
            uid_count=int(env.get("ALGOITNY_EXECUTOR_UID_COUNT", default.uid_count)),
            slots=int(env.get("ALGOITNY_EXECUTOR_SLOTS", default.slots)),
            bwrap=env.get("ALGOITNY_EXECUTOR_BWRAP", default.bwrap),
            lock_dir=Path(env.get("ALGOITNY_EXECUTOR_LOCK_DIR", default.lock_dir)),
            warm=env.get("ALGOITNY_EXECUTOR_WARM", "1" if default.warm else "0").strip().lower()
            not in ("0", "false", "no", "off"),
        )

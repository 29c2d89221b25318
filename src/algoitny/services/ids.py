"""Task and submission ids: time-ordered and unguessable."""

from __future__ import annotations

import re
import secrets
import time

TASK_ID_PATTERN = r"^[0-9a-f]{28}$"
_TASK_ID = re.compile(TASK_ID_PATTERN)


def new_task_id() -> str:
    """12 hex digits of epoch milliseconds, then 64 random bits."""
    return f"{int(time.time() * 1000):012x}{secrets.token_hex(8)}"


def is_task_id(text: str) -> bool:
    return bool(_TASK_ID.match(text))

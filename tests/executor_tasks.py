"""Module-level tasks for the executor tests (pool workers import them by name; ``pythonpath=tests``)."""

from __future__ import annotations

import os
import signal
import time
from typing import Any


def pid_after(delay_s: float, payload: Any) -> int:
    """Sleep ``delay_s`` and return the worker's pid."""
    time.sleep(delay_s)
    return os.getpid()


def die_at(bad: int, payload: int) -> int:
    """Return ``payload``, except that the task ``bad`` kills its own worker process (as the OOM killer would)."""
    if payload == bad:
        time.sleep(0.3)  # let the other tasks finish first
        os.kill(os.getpid(), signal.SIGKILL)
    return payload

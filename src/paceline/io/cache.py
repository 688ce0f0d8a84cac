"""A content-addressed disk cache (JSON files under the user cache dir) of computations keyed by their inputs.

It holds the fits that depend on the user's input (:mod:`paceline.fit.optimal_control`), the calibrated powers of
calibration efforts (:func:`paceline.fit.effort.calibrated_power`) and the optimal-control solutions
(:mod:`paceline.models.optimal_control`: the arrays a Race is rebuilt from): never a command's output.
:class:`Memo` is its in-memory sibling, for computations keyed by the parts of their inputs they depend on (the
calibration of an athlete, an optimal-control solution). A file that cannot be read, is not JSON, or does not hold
what the reader expects (a corrupt or foreign entry) is ignored and the value recomputed.

A fit's inputs (and the version of the fitting code) are hashed into the file name, so a changed input is a
different file and nothing is ever invalidated by hand. The directory is ``platformdirs.user_cache_dir("paceline")``,
or ``$PACELINE_CACHE_DIR`` when set (``off`` turns the disk cache off). Reading or writing failures are logged and
ignored: the cache only ever saves time.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from paceline.jsonable import content_key as content_key  # the cache's keys: the one canonical-JSON hash

log = logging.getLogger(__name__)

T = TypeVar("T")

#: Environment variable that moves the cache directory (a path) or turns the disk cache off (``off``).
CACHE_ENV = "PACELINE_CACHE_DIR"


def cache_dir() -> Path | None:
    """The cache directory (None when the disk cache is off)."""
    env = os.environ.get(CACHE_ENV)
    if env is not None:
        return None if env.strip().lower() in ("", "off", "0", "none") else Path(env)
    import platformdirs

    return Path(platformdirs.user_cache_dir("paceline"))


def _path(kind: str, key: str) -> Path | None:
    root = cache_dir()
    return None if root is None else root / kind / f"{key}.json"


def load(kind: str, key: str) -> dict[str, Any] | None:
    """The cached value of ``kind`` under ``key``, or None (absent, unreadable, or the cache is off)."""
    path = _path(kind, key)
    if path is None or not path.is_file():
        return None
    try:
        value = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError) as exc:  # RecursionError: JSON nested deeper than Python's stack
        log.debug("ignoring unreadable cache file %s: %s", path, exc)
        return None
    return value if isinstance(value, dict) else None


def store(kind: str, key: str, value: dict[str, Any]) -> Path | None:
    """Write ``value`` (JSON-ready) under ``key`` atomically; returns the file, or None if not written."""
    from paceline.errors import ScenarioError
    from paceline.io.outputs import write_text_atomic

    path = _path(kind, key)
    if path is None:
        return None
    try:
        return write_text_atomic(path, json.dumps(value, sort_keys=True), "cache")
    except ScenarioError as exc:
        log.debug("could not write the cache file %s: %s", path, exc)
        return None


class Memo:
    """An in-memory memo of computations by a key of their inputs (least recently used dropped beyond ``maxsize``).

    Unlike :func:`functools.lru_cache`, the key is given by the caller, so a computation that reads a large value
    (a scenario) is keyed only on the parts it depends on. Thread-safe (the web app solves in a thread pool); two
    threads missing the same key at once both compute, and the second result is kept.

    Parameters
    ----------
    maxsize : int
        Entries kept.
    """

    def __init__(self, maxsize: int = 128) -> None:
        import threading

        self.maxsize = maxsize
        self.hits = 0
        self.misses = 0
        self._items: dict[Any, Any] = {}
        self._lock = threading.Lock()

    def get(self, key: Any, compute: Callable[[], T]) -> T:
        """The value stored under ``key``, or ``compute()``'s (then stored)."""
        with self._lock:
            if key in self._items:
                self.hits += 1
                value = self._items.pop(key)
                self._items[key] = value  # now the most recently used
                return value
            self.misses += 1
        value = compute()
        with self._lock:
            self._items.pop(key, None)
            self._items[key] = value
            while len(self._items) > self.maxsize:
                del self._items[next(iter(self._items))]
        return value

    def clear(self) -> None:
        """Forget every entry (and the counts)."""
        with self._lock:
            self._items.clear()
            self.hits = self.misses = 0

    def __len__(self) -> int:
        return len(self._items)

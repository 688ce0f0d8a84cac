"""A content-addressed disk cache (JSON files under the user cache dir) of computations keyed by their inputs.

It holds the fits that depend on the user's input (:mod:`paceline.fit.optimal_control`, the performance model's
refitted prior): never a command's output. A file that cannot be read, is not JSON, or does not hold what the
reader expects (a corrupt or foreign entry) is ignored and the value recomputed.

A fit's inputs (and the version of the fitting code) are hashed into the file name, so a changed input is a
different file and nothing is ever invalidated by hand. The directory is ``platformdirs.user_cache_dir("paceline")``,
or ``$PACELINE_CACHE_DIR`` when set (``off`` turns the disk cache off). Reading or writing failures are logged and
ignored: the cache only ever saves time.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from pathlib import Path
from typing import Any

from paceline.jsonable import content_key as content_key  # the cache's keys: the one canonical-JSON hash

log = logging.getLogger(__name__)

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
    except (OSError, ValueError) as exc:
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

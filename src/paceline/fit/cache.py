"""A content-addressed disk cache for fits that depend on the user's input (JSON files under the user cache dir).

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


def content_key(data: Any) -> str:
    """SHA-256 of ``data`` as canonical JSON (sorted keys; floats as Python prints them)."""
    text = json.dumps(data, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


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
    path = _path(kind, key)
    if path is None:
        return None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps(value, sort_keys=True), encoding="utf-8")
        os.replace(tmp, path)
    except OSError as exc:
        log.debug("could not write the cache file %s: %s", path, exc)
        return None
    return path

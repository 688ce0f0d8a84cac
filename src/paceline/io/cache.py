"""A content-addressed disk cache (JSON files under the user cache dir), and a record of the user files a job read.

It holds the fits that depend on the user's input (:mod:`paceline.fit.optimal_control`) and the command line's
answers (:mod:`paceline.cli.answers`).

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
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

from paceline.jsonable import content_key as content_key  # the cache's keys: the one canonical-JSON hash

log = logging.getLogger(__name__)

#: Environment variable that moves the cache directory (a path) or turns the disk cache off (``off``).
CACHE_ENV = "PACELINE_CACHE_DIR"
#: Environment variable that turns the command line's answer cache off (``off``; :mod:`paceline.cli.answers`).
ANSWER_ENV = "PACELINE_ANSWER_CACHE"


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


#: The user files read while :func:`recording` is active: absolute path -> SHA-256 of the bytes read.
_READS: list[dict[str, str]] = []


def note_read(path: str | Path, data: bytes) -> None:
    """Note that a user's file was read (``io.limits.read_text`` calls this for every file it reads)."""
    if _READS:
        # the path as opened (absolute, links not followed): a re-pointed link is a change
        _READS[-1][os.path.abspath(path)] = hashlib.sha256(data).hexdigest()


@contextmanager
def recording() -> Iterator[dict[str, str]]:
    """Collect the user files read inside the block (path -> SHA-256), e.g. the files a scenario refers to."""
    reads: dict[str, str] = {}
    _READS.append(reads)
    try:
        yield reads
    finally:
        _READS.pop()
        if _READS:
            _READS[-1].update(reads)


def file_digest(path: str | Path) -> str | None:
    """SHA-256 of a file's bytes, or None when it cannot be read."""
    try:
        return hashlib.sha256(Path(path).read_bytes()).hexdigest()
    except OSError:
        return None


def touch(kind: str, key: str) -> None:
    """Mark a cached value as just used (its modification time), so :func:`prune` keeps it longer."""
    path = _path(kind, key)
    if path is not None:
        with suppress(OSError):
            os.utime(path)


def prune(kind: str, keep: int) -> int:
    """Delete the oldest files of ``kind`` (by modification time) beyond the newest ``keep``; returns how many."""
    root = cache_dir()
    if root is None or not (root / kind).is_dir():
        return 0
    try:
        files = sorted((root / kind).glob("*.json"), key=lambda p: p.stat().st_mtime_ns, reverse=True)
    except OSError:
        return 0
    gone = 0
    for path in files[keep:]:
        with suppress(OSError):
            path.unlink()
            gone += 1
    return gone

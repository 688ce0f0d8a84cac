"""The command line's answer cache: a command asked again with nothing changed prints its stored answer.

A command decorated with :func:`cached_answer` is a pure function of what it is given: its options, the files it
reads, paceline's code and data, the installed packages, and the terminal it prints to (width, colour). Its
answer (what it printed on stdout) is stored in the disk cache
(:mod:`paceline.io.cache`, kind ``answers``) under the SHA-256 of all of those:

- the command and every option's value (a file named on the command line enters by its content);
- the working directory, the Python interpreter and the modification times of the folders packages live in (an
  install or upgrade changes them);
- every file under the ``paceline`` package (path, size, modification time), so an edited model or data file
  is a new key;
- the terminal: whether stdout is one, its size, and the variables Rich reads (``TERM``, ``NO_COLOR``, ...).

Files the command read through :func:`paceline.io.limits.read_text` (a scenario's athlete or formation file) are
recorded, by the path as opened (a re-pointed link is a change), with their SHA-256 and checked again before a
stored answer is used. Commands that write files are not decorated (``report`` stamps the time it was written).
An answer is stored only when the command returned normally and wrote nothing to stderr and logged no warning (a
warning is shown every time).

The newest :data:`KEEP` answers are kept (by last use). ``PACELINE_ANSWER_CACHE=off`` turns this cache off;
``PACELINE_CACHE_DIR=off`` turns every disk cache off. With the cache empty (the first call, or after an edit) the
command computes as usual.
"""

from __future__ import annotations

import functools
import inspect
import io
import logging
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from paceline.io import cache
from paceline.io.cache import ANSWER_ENV

log = logging.getLogger(__name__)

#: Cache kind (sub-folder of the cache directory).
KIND = "answers"
#: Answers kept: the newest by use (a replay touches its file); older ones are deleted when a new one is stored.
KEEP = 256
#: Environment variables that change what is printed (Rich's terminal detection, encodings, thread counts).
_ENV = (
    "TERM",
    "COLORTERM",
    "NO_COLOR",
    "FORCE_COLOR",
    "TTY_COMPATIBLE",
    "TTY_INTERACTIVE",
    "COLUMNS",
    "LINES",
    "LANG",
    "LC_ALL",
    "PYTHONIOENCODING",
    "OMP_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "MKL_NUM_THREADS",
)

F = TypeVar("F", bound=Callable[..., Any])


def enabled() -> bool:
    """Whether answers are cached (``PACELINE_ANSWER_CACHE`` is not ``off`` and the disk cache is on)."""
    off = os.environ.get(ANSWER_ENV, "").strip().lower() in ("off", "0", "no", "false")
    return not off and cache.cache_dir() is not None


def _package_files() -> list[tuple[str, int, int]]:
    """(path, size [bytes], modification time [ns]) of every file of the installed ``paceline`` package."""
    root = Path(__file__).resolve().parent.parent
    out: list[tuple[str, int, int]] = []
    stack = [str(root)]
    while stack:
        with os.scandir(stack.pop()) as entries:
            for e in entries:
                if e.is_dir(follow_symlinks=False):
                    if e.name != "__pycache__":
                        stack.append(e.path)
                elif not e.name.endswith((".pyc", ".tmp")):
                    st = e.stat()
                    out.append((os.path.relpath(e.path, root), st.st_size, st.st_mtime_ns))
    return sorted(out)


def _terminal() -> dict[str, Any]:
    """What decides how Rich lays out and colours the output."""
    sizes: list[tuple[int, ...] | None] = []
    for fd in (0, 1, 2):
        try:
            sizes.append(tuple(os.get_terminal_size(fd)))
        except (OSError, ValueError):
            sizes.append(None)
    out = sys.stdout
    return {
        "isatty": bool(getattr(out, "isatty", lambda: False)()),
        "encoding": getattr(out, "encoding", None),
        "sizes": sizes,
        "env": {k: os.environ.get(k) for k in _ENV},
    }


def _value(value: Any) -> Any:
    """An option's value for the key: a file it names enters by its content."""
    if isinstance(value, (list, tuple)):
        return [_value(v) for v in value]
    if isinstance(value, (str, Path)) and str(value):
        p = Path(value)
        if p.is_file():
            return {"file": str(p.resolve()), "sha256": cache.file_digest(p)}
    return value if isinstance(value, (str, int, float, bool, type(None))) else str(value)


def answer_key(command: str, params: dict[str, Any]) -> str:
    """The key of a command's answer (see the module's docstring for what it covers)."""
    return cache.content_key(
        {
            "schema": 1,
            "command": command,
            "params": {k: _value(v) for k, v in sorted(params.items())},
            "cwd": os.getcwd(),
            "python": [sys.version, sys.executable],
            "paths": [(p, _mtime(p)) for p in sys.path],
            "package": _package_files(),
            "terminal": _terminal(),
        }
    )


def _mtime(path: str) -> int | None:
    try:
        return os.stat(path or ".").st_mtime_ns
    except OSError:
        return None


class _Tee(io.TextIOBase):
    """A text stream that writes through to ``stream`` and keeps a copy."""

    def __init__(self, stream: Any) -> None:
        self.stream = stream
        self.copy = io.StringIO()

    def write(self, s: str) -> int:
        self.copy.write(s)
        return int(self.stream.write(s))

    def flush(self) -> None:
        self.stream.flush()

    def isatty(self) -> bool:
        return bool(self.stream.isatty())

    def fileno(self) -> int:
        return int(self.stream.fileno())

    @property
    def encoding(self) -> Any:  # type: ignore[override]
        return getattr(self.stream, "encoding", "utf-8")

    @property
    def errors(self) -> Any:  # type: ignore[override]
        return getattr(self.stream, "errors", "strict")


class _Warned(logging.Handler):
    """Notes that a warning (or worse) was logged."""

    def __init__(self) -> None:
        super().__init__(level=logging.WARNING)
        self.seen = False

    def emit(self, record: logging.LogRecord) -> None:
        self.seen = True


@contextmanager
def _capture() -> Iterator[tuple[_Tee, _Tee, _Warned]]:
    out, err, warned = _Tee(sys.stdout), _Tee(sys.stderr), _Warned()
    root = logging.getLogger()
    sys.stdout, sys.stderr = out, err
    root.addHandler(warned)
    try:
        yield out, err, warned
    finally:
        sys.stdout, sys.stderr = out.stream, err.stream
        root.removeHandler(warned)


def _fresh(record: dict[str, Any]) -> bool:
    """Whether every file the stored answer read still has the same content."""
    reads = record.get("reads")
    if not isinstance(reads, dict) or not isinstance(record.get("stdout"), str):
        return False
    return all(isinstance(d, str) and cache.file_digest(p) == d for p, d in reads.items())


def _replay(record: dict[str, Any]) -> None:
    """Print a stored answer."""
    sys.stdout.write(record["stdout"])
    sys.stdout.flush()


def cached_answer(*, bypass: tuple[str, ...] = ()) -> Callable[[F], F]:
    """Decorate a command whose answer is a pure function of its inputs (see the module's docstring).

    Parameters
    ----------
    bypass : tuple of str
        Parameters that, when set (not None or False), make the call uncached (options that write folders).
    """

    def decorate(fn: F) -> F:
        sig = inspect.signature(fn)
        name = f"{fn.__module__}.{fn.__qualname__}"

        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            bound = sig.bind(*args, **kwargs)
            bound.apply_defaults()
            params = dict(bound.arguments)
            ctx = params.pop("ctx", None)
            if (
                not enabled()
                or getattr(ctx, "invoked_subcommand", None) is not None
                or any(params.get(b) not in (None, False) for b in bypass)
            ):
                return fn(*args, **kwargs)
            key = answer_key(name, params)
            record = cache.load(KIND, key)
            if record is not None and _fresh(record):
                _replay(record)
                log.debug("answer of %s replayed from the cache (%s)", name, key[:12])
                cache.touch(KIND, key)
                return None
            with cache.recording() as reads, _capture() as (out, err, warned):
                result = fn(*args, **kwargs)
            if result is None and not err.copy.getvalue() and not warned.seen:
                cache.store(KIND, key, {"stdout": out.copy.getvalue(), "reads": reads})
                cache.prune(KIND, KEEP)
            return result

        return wrapper  # type: ignore[return-value]

    return decorate


__all__ = ["ANSWER_ENV", "answer_key", "cached_answer", "enabled"]

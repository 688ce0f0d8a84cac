"""Output folders and files that survive a kill: all-or-nothing folder swaps and exclusive output locks.

Folders (:func:`write_folder`)
    The new folder is written beside the target (``.NAME.paceline-new-XXXX``), flushed to disk, then swapped in.
    Linux's ``renameat2(RENAME_EXCHANGE)`` swaps the two names in one step, so a reader sees either the whole old
    folder or the whole new one; elsewhere the old folder is renamed aside (``.NAME.paceline-old-XXXX``) and the new
    one renamed in, and a kill between the two renames is repaired by the next run (the old folder is put back).
    Leftovers of killed runs are removed by the next run. Every folder written carries a marker file
    (:data:`MARKER`); a non-empty folder without it is not replaced unless ``force``.

Locks (:func:`exclusive`)
    An advisory ``flock`` on ``FILE.lock``, released by the kernel when the process dies, so a killed run never
    leaves a stale lock.
"""

from __future__ import annotations

import contextlib
import errno
import functools
import json
import logging
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any, BinaryIO

from paceline.errors import ScenarioError

log = logging.getLogger(__name__)

#: The file that marks a folder as a paceline output (and says which kind).
MARKER = ".paceline-output"
_NEW, _OLD = ".paceline-new-", ".paceline-old-"
_RENAME_EXCHANGE = 2  # linux/fs.h


@functools.cache
def _renameat2_exchange() -> object | None:
    """libc's ``renameat2`` (glibc >= 2.28 on Linux), or None; looked up (and ctypes imported) at the first exchange,
    so that commands writing one file do not pay for it."""
    import ctypes
    import ctypes.util

    name = ctypes.util.find_library("c")
    if not name:  # pragma: no cover - not Linux
        return None
    libc = ctypes.CDLL(name, use_errno=True)
    fn = getattr(libc, "renameat2", None)
    if fn is None:  # pragma: no cover - old glibc, musl
        return None
    fn.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    fn.restype = ctypes.c_int
    return fn


_AT_FDCWD = -100


def exchange(a: Path, b: Path) -> bool:
    """Swap the names ``a`` and ``b`` in one atomic step; False where the system cannot (then nothing changed)."""
    import ctypes

    fn = _renameat2_exchange()
    if fn is None:  # pragma: no cover - not Linux
        return False
    rc = fn(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)  # type: ignore[operator]
    if rc == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP):  # pragma: no cover - the file system cannot
        return False
    raise OSError(err, os.strerror(err), str(a))


def _siblings(out: Path, tag: str) -> list[Path]:
    return sorted(out.parent.glob(f".{out.name}{tag}*"))


def recover(out: Path) -> None:
    """Repair what a killed run left beside ``out``: put back an old folder whose replacement never arrived,
    remove half-written new folders and old folders already replaced."""
    for old in _siblings(out, _OLD):
        if not out.exists():
            os.rename(old, out)
            log.warning("restored %s from %s (a run was killed while swapping)", out, old.name)
        else:
            shutil.rmtree(old, ignore_errors=True)
    for new in _siblings(out, _NEW):
        shutil.rmtree(new, ignore_errors=True)


def is_output(folder: Path, kind: str | None = None) -> bool:
    """True if ``folder`` carries the paceline marker (of ``kind``, when given)."""
    try:
        info = json.loads((folder / MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return kind is None or info.get("kind") == kind


def _fsync_tree(root: Path) -> None:
    for dirpath, _, filenames in os.walk(root):
        for name in filenames:
            fd = os.open(os.path.join(dirpath, name), os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
        _fsync_dir(Path(dirpath))


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def check_folder(out: str | Path, force: bool = False, field: str = "out") -> None:
    """Refuse ``out`` as an output folder if it is a file, or a non-empty folder that is not a paceline output
    (unless ``force``); call it before the work so a refusal costs nothing.

    Raises
    ------
    ScenarioError
        Naming ``field``.
    """
    out = Path(out)
    _check_parent(out.absolute(), field)
    if out.exists() or out.is_symlink():
        if not out.is_dir() or out.is_symlink():
            raise ScenarioError(f"{str(out)!r} exists and is not a folder", field)
        if not force and any(out.iterdir()) and not is_output(out):
            raise ScenarioError(
                f"{str(out)!r} is not empty and is not a paceline output; give an empty or new folder, or --force "
                "to replace it (its contents are deleted)",
                field,
            )


def write_folder(
    out: str | Path, files: Mapping[str, str | bytes], kind: str, force: bool = False, field: str = "out"
) -> list[Path]:
    """Write ``files`` (relative path -> text or bytes) as the folder ``out``, all at once.

    Parameters
    ----------
    out : str or Path
        The folder. If it exists it is replaced as a whole (a reused folder never mixes two outputs).
    files : mapping
        Relative paths (``briefings/M1.md``) to contents.
    kind : str
        What the folder is (``plan``), recorded in its marker.
    force : bool
        Replace a non-empty folder that is not a paceline output (its contents are deleted).
    field : str
        Parameter named by errors.

    Returns
    -------
    list of Path
        The files written, under ``out``.

    Raises
    ------
    ScenarioError
        ``out`` is a file, or a non-empty folder that is not a paceline output (without ``force``), or a relative
        path leaves the folder.
    """
    out = Path(out).absolute()
    check_folder(out, force, field)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        recover(out)
        check_folder(out, force, field)  # again: recover may have put a folder back
        tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}{_NEW}", dir=out.parent))
    except OSError as exc:
        raise ScenarioError(f"cannot write in the folder of {str(out)!r}: {exc.strerror}", field) from None
    try:
        for rel in files:
            dst = (tmp / rel).resolve()
            if tmp.resolve() not in dst.parents:
                raise ScenarioError(f"{rel!r} would be written outside the folder", field)
        for rel, content in files.items():
            dst = tmp / rel
            dst.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                dst.write_bytes(content)
            else:
                dst.write_text(content, encoding="utf-8")
        (tmp / MARKER).write_text(json.dumps({"kind": kind, "files": sorted(files)}) + "\n", encoding="utf-8")
        os.chmod(tmp, 0o777 & ~_umask())
        _fsync_tree(tmp)
        _swap_in(tmp, out)
    except OSError as exc:  # a full disk, a quota: the folder is left as it was
        raise ScenarioError(f"cannot write {str(out)!r}: {exc.strerror}", field) from None
    finally:
        shutil.rmtree(tmp, ignore_errors=True)  # after an exchange it holds the old folder
    _fsync_dir(out.parent)
    return [out / rel for rel in files]


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _swap_in(new: Path, out: Path) -> None:
    """Put the complete folder ``new`` at ``out``: a plain rename if ``out`` is absent, else an atomic exchange, else
    two renames (repaired by :func:`recover` if killed between them)."""
    if not out.exists():
        os.rename(new, out)
        return
    if exchange(new, out):
        return
    old = Path(tempfile.mkdtemp(prefix=f".{out.name}{_OLD}", dir=out.parent))  # pragma: no cover - not Linux
    os.rmdir(old)  # pragma: no cover
    os.rename(out, old)  # pragma: no cover
    os.rename(new, out)  # pragma: no cover
    shutil.rmtree(old, ignore_errors=True)  # pragma: no cover


@contextlib.contextmanager
def exclusive(path: str | Path, field: str = "out") -> Iterator[None]:
    """Hold an exclusive lock on ``path`` (through ``PATH.lock``) or fail at once naming ``field``.

    The kernel releases the lock when the process ends, however it ends.

    Raises
    ------
    ScenarioError
        Another process holds the lock.
    """
    import fcntl

    lock_path = Path(str(path) + ".lock")
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise ScenarioError(
                f"{str(path)!r} is being written by another run (lock {lock_path.name}); wait for it to finish",
                field,
            ) from None
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        yield
    finally:
        os.close(fd)


def write_text_atomic(path: str | Path, text: str, field: str = "output") -> Path:
    """Write one text file whole or not at all (a uniquely named temporary sibling renamed over it); its folder is
    created.

    Raises
    ------
    ScenarioError
        ``path`` is a folder, or the folder or file cannot be written (``field`` names the option that gave it).
    """
    return write_atomic(path, lambda fh: fh.write(text.encode("utf-8")), field)


def write_atomic(
    path: str | Path, write: Callable[[BinaryIO], object], field: str = "output", suffix: str = ".tmp"
) -> Path:
    """Write one file whole or not at all: ``write`` fills a uniquely named temporary sibling (a binary file object)
    that is then renamed over ``path``; its folder is created. The one way paceline writes a file: text
    (:func:`write_text_atomic`), bytes (``lambda fh: fh.write(data)``), a Parquet table
    (``lambda fh: df.to_parquet(fh)``), a figure (:func:`save_figure`).

    Parameters
    ----------
    path : str or Path
        The file.
    write : callable
        Called once with the open temporary file.
    field : str
        The option that gave ``path``, named by errors.
    suffix : str
        Suffix of the temporary file (a writer that infers the format from the name needs the real one).

    Raises
    ------
    ScenarioError
        ``path`` is a folder, or the folder or file cannot be written.
    """
    out = Path(path)
    check_writable(out, field)
    return _write_whole(out, field, suffix, write)


def _write_whole(out: Path, field: str, suffix: str, write: Callable[[BinaryIO], object]) -> Path:
    """Create ``out``'s folder, let ``write`` fill a uniquely named temporary sibling, and rename it over ``out``;
    every OS failure is a :class:`ScenarioError` naming ``field``, and no temporary is left."""
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(dir=out.parent, prefix=".paceline-", suffix=suffix)
    except OSError as exc:
        raise ScenarioError(f"cannot write in the folder of {str(out)!r}: {exc.strerror}", field) from None
    tmp = Path(name)
    try:
        with os.fdopen(fd, "wb") as fh:
            write(fh)
        os.chmod(tmp, 0o666 & ~_umask())
        tmp.replace(out)
    except OSError as exc:
        raise ScenarioError(f"cannot write {str(out)!r}: {exc.strerror}", field) from None
    finally:
        tmp.unlink(missing_ok=True)
    return out


#: Figure files the plots write (matplotlib's backends for these are always installed).
FIGURE_SUFFIXES = (".png", ".svg", ".pdf")
#: Files the HTML report is written to.
REPORT_SUFFIXES = (".html", ".htm")


def _exists(p: Path) -> bool:
    try:
        return p.exists()
    except OSError:  # a name too long, a loop of links: checked by the caller
        return False


def check_writable(out: Path, field: str) -> None:
    """Refuse an output file that cannot be written, before any work: a name too long for the file system, a file
    where one of its folders should be, a folder that cannot be written, or a folder, device or pipe in its place
    (``field``)."""
    _check_parent(out, field)
    if _exists(out) and not out.is_file():
        what = "a folder" if out.is_dir() else "not a regular file"  # a device or a pipe (/dev/stdout)
        raise ScenarioError(f"{str(out)!r} is {what}; give a file name", field)


def _check_parent(out: Path, field: str) -> None:
    """Refuse a path under which nothing can be created: a name too long for the file system, a file where one of its
    folders should be, or a nearest existing folder that cannot be written (``field``)."""
    parent = out.parent
    while not _exists(parent) and parent != parent.parent:
        parent = parent.parent
    try:
        name_max = os.pathconf(parent, "PC_NAME_MAX")
    except (OSError, ValueError):
        name_max = 255
    if any(len(part.encode()) > name_max for part in out.parts):
        raise ScenarioError(f"a name in {str(out)!r} is longer than the {name_max} bytes the file system allows", field)
    if not parent.is_dir():
        raise ScenarioError(f"{str(parent)!r} is a file, not a folder; nothing can be written under it", field)
    if not os.access(parent, os.W_OK | os.X_OK):
        raise ScenarioError(f"{str(parent)!r} cannot be written; give a path in a writable folder", field)


def check_figure_path(path: str | Path, field: str = "--plot") -> Path:
    """The output path of a figure, checked before any work is done: its suffix, its name's length, and that its
    folder is (or can be made inside) a writable folder. Nothing is created.

    Raises
    ------
    ScenarioError
        A suffix other than ``.png``, ``.svg`` or ``.pdf``, a folder, a name too long for the file system, a file
        where a folder should be, or a folder that cannot be written (``field`` names the option that gave it).
    """
    return check_output_path(path, FIGURE_SUFFIXES, field, "the figure")


def check_report_path(path: str | Path, field: str = "--output") -> Path:
    """The output path of the HTML report, checked before any work is done: ``.html`` or ``.htm``, and writable
    (:func:`check_output_path`; ``field`` names the option that gave it)."""
    return check_output_path(path, REPORT_SUFFIXES, field, "the report")


def check_output_path(path: str | Path, suffixes: tuple[str, ...], field: str, what: str) -> Path:
    """An output file's path, checked before any work is done: its suffix is one of ``suffixes`` (any case) and
    :func:`check_writable` accepts it. ``what`` names the file in the message (``the figure``, ``the report``).

    Raises
    ------
    ScenarioError
        Another suffix, or what :func:`check_writable` refuses (``field`` names the option that gave it).
    """
    out = Path(path)
    if out.suffix.lower() not in suffixes:
        raise ScenarioError(f"{str(out)!r}: {what} must be {' or '.join(suffixes)}", field)
    check_writable(out, field)
    return out


def save_figure(fig: Any, path: str | Path, field: str = "--plot", **savefig: Any) -> Path:
    """Write a matplotlib figure whole or not at all (a uniquely named temporary sibling renamed over it); its folder
    is created.

    Raises
    ------
    ScenarioError
        As :func:`check_figure_path`, or the folder or file cannot be written (``field``).
    """
    out = check_figure_path(path, field)
    kind = out.suffix.lower()
    return _write_whole(out, field, kind, lambda fh: fig.savefig(fh, format=kind.lstrip("."), **savefig))

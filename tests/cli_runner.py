"""Run the ``paceline`` command line as a user would, for tests: in a fresh ``python -m paceline`` process
(:func:`run`), or in this process as the console script would run it (:func:`run_here`, without an interpreter
start and the imports per call: most command tests use it; the entry point itself, servers and kills need
:func:`run`)."""

from __future__ import annotations

import contextlib
import io
import logging
import subprocess
import sys
import warnings

#: The command that starts paceline with the interpreter running the tests.
PACELINE = [sys.executable, "-m", "paceline"]


def run(*args: str, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    """Run ``paceline ARGS...`` and return the finished process (stdout and stderr captured as text)."""
    return subprocess.run([*PACELINE, *args], capture_output=True, text=True, timeout=timeout, check=False)


def run_here(*args: str) -> subprocess.CompletedProcess[str]:
    """Run ``paceline ARGS...`` in this process (:func:`paceline.cli.main`) and return what :func:`run` would.

    What a fresh process has and this one has not is set for the call: ``sys.argv``; warnings shown on stderr
    under the interpreter's default filters (pytest's make them errors); log records on stderr at the level and in
    the format of the console script's ``logging.basicConfig`` (pytest's handlers would take them).
    """
    from paceline.cli import main

    out, err = io.StringIO(), io.StringIO()
    level = logging.DEBUG if "--debug" in args else logging.WARNING
    handler = logging.StreamHandler(err)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    handler.setLevel(level)
    root = logging.getLogger()
    old_level, old_argv = root.level, sys.argv
    root.addHandler(handler)
    root.setLevel(level)
    sys.argv = [PACELINE[-1], *args]
    code: int | str | None = 0
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err), warnings.catch_warnings():
            warnings.resetwarnings()
            for category in (DeprecationWarning, PendingDeprecationWarning, ImportWarning, ResourceWarning):
                warnings.simplefilter("ignore", category)
            try:
                main(list(args))
            except SystemExit as exc:
                code = exc.code
                if isinstance(code, str):  # sys.exit("message"): the interpreter prints it and exits 1
                    err.write(code + "\n")
    finally:
        root.removeHandler(handler)
        root.setLevel(old_level)
        sys.argv = old_argv
    returncode = code if isinstance(code, int) else (0 if code is None else 1)
    return subprocess.CompletedProcess([*PACELINE, *args], returncode, out.getvalue(), err.getvalue())

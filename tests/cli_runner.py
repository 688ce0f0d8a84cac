"""Run the ``paceline`` command line as a user would: a fresh ``python -m paceline`` process (for tests)."""

from __future__ import annotations

import subprocess
import sys

#: The command that starts paceline with the interpreter running the tests.
PACELINE = [sys.executable, "-m", "paceline"]


def run(*args: str, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    """Run ``paceline ARGS...`` and return the finished process (stdout and stderr captured as text)."""
    return subprocess.run([*PACELINE, *args], capture_output=True, text=True, timeout=timeout, check=False)

"""Read the checks out of README.md and run them (used by tests/test_readme.py and scripts/update_readme.py).

What is checked:

- every fenced ```` ```python ```` block runs (the blocks of the file in order, in one namespace, in a scratch folder);
- every fenced ```` ```console check ```` block: each ``$ paceline ARGS [| jq .path]`` line is run (in this process)
  and every figure in the output the README shows under it (a number with a decimal point or a colon: ``4:01.57``,
  ``1.1903``, ``55.6``) must appear in the command's output; the exit code must be 0;
- every ``<!-- check: paceline ARGS [| jq .path] => FIG; FIG -->`` comment: each figure must appear in the output
  (a table or prose figure the README quotes); ``=> exit N`` checks the exit code instead.
"""

from __future__ import annotations

import contextlib
import functools
import io
import json
import os
import re
import shlex
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

#: The README checked (``PACELINE_README`` points the checks at a draft).
README = Path(os.environ.get("PACELINE_README") or Path(__file__).resolve().parents[1] / "README.md")

#: A figure: digits with a decimal point or a colon (times, decimals); plain integers are too common to check.
FIGURE = re.compile(r"(?<![\w.:])-?\d+(?:[.:]\d+)+(?![\w:])")
_FENCE = re.compile(r"^```([^\n`]*)\n(.*?)^```[ \t]*$", re.M | re.S)
_DIRECTIVE = re.compile(r"<!--\s*check:\s*(.*?)\s*=>\s*(.*?)\s*-->", re.S)


@dataclass
class Check:
    """One command the README shows, with the figures (or the exit code) it quotes."""

    command: str
    line: int
    figures: list[str] = field(default_factory=list)
    exit_code: int = 0
    shown: str = ""


def line_of(text: str, pos: int) -> int:
    return text.count("\n", 0, pos) + 1


def python_blocks(text: str) -> list[tuple[int, str]]:
    """``(line, code)`` of every fenced python block."""
    return [(line_of(text, m.start()), m.group(2)) for m in _FENCE.finditer(text) if m.group(1).strip() == "python"]


def console_checks(text: str) -> list[Check]:
    """The commands of every ```` ```console check ```` block, with the figures shown under each."""
    out: list[Check] = []
    for m in _FENCE.finditer(text):
        if m.group(1).split() != ["console", "check"]:
            continue
        first = line_of(text, m.start(2))
        current: Check | None = None
        continued = False
        for k, row in enumerate(m.group(2).splitlines()):
            if continued and current is not None:  # a command continued with a trailing backslash
                current.command = current.command.removesuffix("\\").rstrip() + " " + row.strip()
                continued = row.rstrip().endswith("\\")
            elif row.startswith("$ "):
                current = Check(row[2:].strip(), first + k)
                out.append(current)
                continued = row.rstrip().endswith("\\")
            elif current is not None:
                current.shown += row + "\n"
                current.figures += FIGURE.findall(row)
    return out


def directive_checks(text: str) -> list[Check]:
    """The ``<!-- check: CMD => ... -->`` comments."""
    out = []
    for m in _DIRECTIVE.finditer(text):
        cmd, want = m.group(1).strip().removeprefix("$ "), m.group(2).strip()
        exit_m = re.fullmatch(r"exit\s+(\d+)", want)
        if exit_m:
            out.append(Check(cmd, line_of(text, m.start()), exit_code=int(exit_m.group(1))))
        else:
            out.append(Check(cmd, line_of(text, m.start()), [f.strip() for f in want.split(";") if f.strip()]))
    return out


def jq(data: Any, path: str) -> Any:
    """The tiny part of jq the README uses: ``.a.b``, ``.a[0].b``, ``.``."""
    for key, index in re.findall(r"\.([A-Za-z_][\w-]*)|\[(\d+)\]", path):
        data = data[int(index)] if index else data[key]
    return data


def run(command: str) -> tuple[int, str, str]:
    """Run ``paceline ARGS [| jq PATH]`` in this process: (exit code, stdout, stderr)."""
    from paceline.cli import main

    cmd, _, pipe = command.partition("|")
    words = shlex.split(cmd)
    if not words or words[0] != "paceline":
        raise ValueError(f"README check {command!r}: only paceline commands are checked")
    out, err = io.StringIO(), io.StringIO()
    code: int | str | None = 0
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            main(words[1:])
        except SystemExit as exc:
            code = exc.code
    stdout = out.getvalue()
    if pipe.strip():
        tool, *args = shlex.split(pipe)
        if tool != "jq" or len(args) != 1:
            raise ValueError(f"README check {command!r}: only '| jq .path' is understood")
        value = jq(json.loads(stdout), args[0])
        stdout = json.dumps(value, indent=2) + "\n"
    return int(code or 0) if not isinstance(code, str) else 1, stdout, err.getvalue()


@functools.cache
def run_once(command: str) -> tuple[int, str, str]:
    """:func:`run`, once a session per command: the tests that read the same command's output share one run (the
    README's ``paceline infer`` is a full sampler run; tests/cli/test_infer_cmds.py checks its convergence)."""
    return run(command)


def missing_figures(check: Check, stdout: str) -> list[str]:
    """Figures the README quotes that the command's output does not contain."""
    have = set(FIGURE.findall(stdout))
    return [f for f in check.figures if f not in have and f not in stdout]

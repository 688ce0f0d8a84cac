"""Helpers of the bad-input tests: a tiny TOML writer, a minimal scenario, and running the CLI in this process.

Shared by ``tests/cli/test_bad_input.py`` (the issue-17 reproducers) and the fuzz suite (``tests/cli/test_fuzz.py``).
"""

from __future__ import annotations

import contextlib
import io
import json
import math
from dataclasses import dataclass
from typing import Any

#: A scenario that solves with every model: two performances, no pacers.
MINIMAL: dict[str, Any] = {
    "name": "minimal",
    "distance_m": 1609.344,
    "athlete": {
        "name": "A",
        "height_m": 1.57,
        "mass_kg": 42.0,
        "performances": [
            {"distance_m": 1500.0, "time": "3:49.04"},
            {"distance_m": 5000.0, "time": "14:05.20"},
        ],
    },
}


def toml_value(value: Any) -> str:
    """A TOML value (inline tables and arrays; ``nan``/``inf`` as TOML writes them)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, dict):
        return "{" + ", ".join(f"{json.dumps(str(k))} = {toml_value(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    raise TypeError(f"no TOML for {value!r}")


def to_toml(data: dict[str, Any]) -> str:
    """A TOML document: every top-level key as ``key = value`` (tables inline)."""
    return "".join(f"{json.dumps(str(k))} = {toml_value(v)}\n" for k, v in data.items())


def scenario(**changes: Any) -> dict[str, Any]:
    """:data:`MINIMAL` with top-level keys replaced (``athlete`` merged)."""
    data = json.loads(json.dumps(MINIMAL))
    for key, value in changes.items():
        if key == "athlete":
            data["athlete"].update(value)
        else:
            data[key] = value
    return data


@dataclass
class Outcome:
    """What a command did."""

    code: int
    stdout: str
    stderr: str


def run_cli(*args: str) -> Outcome:
    """Run ``paceline ARGS`` in this process (fast; the CLI's own error handling, exit codes and output)."""
    from paceline.cli import main

    out, err = io.StringIO(), io.StringIO()
    code = 0
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            main(list(args))
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    return Outcome(code, out.getvalue(), err.getvalue())


def assert_clean_failure(r: Outcome, field: str | None = None) -> None:
    """Exit 2 with one line on stderr starting ``paceline: error:`` (naming ``field`` when given)."""
    assert r.code == 2, (r.code, r.stderr[-2000:], r.stdout[-500:])
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1, r.stderr[-2000:]
    assert lines[0].startswith("paceline: error: "), lines[0]
    if field is not None:
        assert field in lines[0], lines[0]

"""Every command's ``--help`` shows the units of its parameters (a bracketed unit is not markup to be eaten)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
import typer.main
from typer.testing import CliRunner

from paceline.cli import app

#: Option-name suffixes and the unit the help must show for them.
UNIT_SUFFIXES = {
    "_m_s": "[m/s]",
    "_kg": "[kg]",
    "_pa": "[Pa]",
    "_deg": "[deg]",
    "_c": "[degC]",
    "_m": "[m]",
    "_s": "[s]",
}


def commands() -> Iterator[Any]:
    def walk(cmd: Any, path: list[str]) -> Iterator[Any]:
        yield pytest.param(path, cmd, id=" ".join(path) or "paceline")
        for name, sub in sorted(getattr(cmd, "commands", {}).items()):
            yield from walk(sub, [*path, name])

    yield from walk(typer.main.get_command(app), [])


def help_text(path: list[str]) -> str:
    r = CliRunner().invoke(app, [*path, "--help"], env={"COLUMNS": "200", "TERM": "dumb"})
    assert r.exit_code == 0, r.output
    return " ".join(r.output.split())  # wrapped lines joined: a unit split over two lines still counts


@pytest.mark.parametrize(("path", "cmd"), list(commands()))
def test_help_shows_every_unit(path: list[str], cmd: Any) -> None:
    text = help_text(path)
    assert "<bool>" not in text  # a flag takes no value
    for p in cmd.params:
        if not p.help:
            continue
        # every bracketed unit written in a parameter's help is shown as written: "[degC]", "[m]", "[0-1]"
        for unit in re.findall(r"\[[^\]]+\]", p.help):
            assert unit in text, (p.name, unit)
        if p.param_type_name == "option" and not p.is_flag:
            for suffix, unit in UNIT_SUFFIXES.items():
                if p.name.endswith(suffix):
                    assert unit in p.help, f"{p.opts[0]}: the help must give the unit {unit}"
                    break


#: Commands that print no results: the server, and the TOML of a scenario (already a file format).
NO_RESULTS = {"serve", "scenarios show"}


@pytest.mark.parametrize(("path", "cmd"), list(commands()))
def test_every_command_that_prints_results_takes_json(path: list[str], cmd: Any) -> None:
    if not path or (hasattr(cmd, "commands") and cmd.commands and not cmd.invoke_without_command):
        return  # the root, or a group that only dispatches
    if " ".join(path) in NO_RESULTS:
        return
    assert "--json" in {o for p in cmd.params for o in p.opts}, f"paceline {' '.join(path)} has no --json"

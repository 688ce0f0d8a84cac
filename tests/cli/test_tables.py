"""The command line's tables never cut a cell: at a narrow terminal the headers wrap and a name or figure stays whole
(Rich's own layout cut the plan's slot names to ``front-…`` and analyze's ``1609.34`` to ``1609.…`` at 80 columns)."""

from __future__ import annotations

import io

import pytest
from rich.console import Console

from cli_runner import run
from paceline.cli.app import grid_table

COLUMNS = ["pacer", "slot", "enter [m]", "leave [m]", "runs [m]", "pace [s/400 m]", "can hold [m/s]", "margin"]
ROWS = [
    ["M2", "front-inside", "0", "1000", "998.4", "60.54", "?", "?"],
    ["M4", "outside-front", "0", "1609", "1652.1", "59.32", "6.482", "+24.6 %"],
]


def _render(width: int, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("COLUMNS", str(width))  # the terminal grid_table lays the table out for
    table = grid_table("Pacers", COLUMNS, ROWS)
    buf = io.StringIO()
    Console(file=buf, width=width, color_system=None).print(table)
    return buf.getvalue()


def _column(text: str, k: int) -> list[str]:
    """The body cells of column ``k``, top to bottom."""
    return [line.split("│")[k + 1].strip() for line in text.splitlines() if line.startswith("│")]


@pytest.mark.parametrize("width", [100, 80])
def test_every_cell_whole_on_one_line(width: int, monkeypatch: pytest.MonkeyPatch) -> None:
    text = _render(width, monkeypatch)
    assert "…" not in text, text
    assert max(len(line) for line in text.splitlines()) <= width, text
    assert _column(text, 1) == ["front-inside", "outside-front"], text
    assert _column(text, COLUMNS.index("runs [m]")) == ["998.4", "1652.1"], text
    assert _column(text, COLUMNS.index("margin")) == ["?", "+24.6 %"], text


def test_too_narrow_for_the_words_folds_rather_than_cuts(monkeypatch: pytest.MonkeyPatch) -> None:
    text = _render(40, monkeypatch)
    assert "…" not in text, text
    assert "".join(_column(text, 1)) == "front-insideoutside-front", text


@pytest.mark.parametrize(
    ("args", "whole"),
    [
        (("plan",), ["front-outside", "outside-front", "tail-outside", "1652.1"]),
        (("analyze", "breaking4_2025"), ["1609.34", "64.58", "31.58"]),
    ],
)
def test_commands_at_an_80_column_terminal(args: tuple[str, ...], whole: list[str], monkeypatch) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    r = run(*args)
    assert r.returncode == 0, r.stderr
    assert "…" not in r.stdout, r.stdout
    for text in whole:
        assert text in r.stdout, (text, r.stdout)

"""The Typer application object and the helpers every command shares (thin: parse, call, render)."""

from __future__ import annotations

import json
from typing import Any

import typer

from paceline.jsonable import to_jsonable

app = typer.Typer(
    name="paceline",
    help="Plan and analyse paced record attempts in middle-distance running.",
    no_args_is_help=False,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,  # help is plain text: a unit such as "[m]" or "[degC]" is not Rich markup
)

#: Global options set by the top-level callback.
STATE: dict[str, Any] = {"debug": False}


def emit_json(obj: Any) -> None:
    """Print one JSON object on stdout and nothing else."""
    typer.echo(json.dumps(to_jsonable(obj), indent=2))


def console() -> Any:
    """A rich console for human output (imported lazily)."""
    from rich.console import Console

    return Console()


def grid_table(title: str, columns: list[str], rows: list[list[str]]) -> Any:
    """A rich table with escaped text (title, columns, cells: user text is never markup): the first column (and any
    ``source`` / ``detail`` column) left-aligned, numbers right-aligned."""
    from rich.markup import escape
    from rich.table import Table

    table = Table(title=escape(title), show_header=True, header_style="bold")
    for i, c in enumerate(columns):
        table.add_column(escape(c), justify="left" if i == 0 or c in ("source", "detail") else "right")
    for r in rows:
        table.add_row(*[escape(x) for x in r])
    return table


def kv_table(title: str, rows: list[tuple[str, str]]) -> Any:
    """A two-column rich table of quantity / value pairs."""
    return grid_table(title, ["quantity", "value"], [[k, v] for k, v in rows])


@app.callback()
def _root(
    debug: bool = typer.Option(False, "--debug", help="Show the full traceback on errors."),
) -> None:
    """paceline: physics, drafting and energetics of paced record attempts."""
    STATE["debug"] = debug

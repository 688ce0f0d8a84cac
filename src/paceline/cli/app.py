"""The Typer application object and the helpers every command shares (thin: parse, call, render)."""

from __future__ import annotations

import importlib
import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import typer

from paceline.jsonable import to_jsonable

#: The module of ``paceline.cli`` that registers each top-level command, in the order ``paceline --help`` lists them.
#: A command's module is imported when the command line is built (:class:`LazyTyper`); ``paceline CMD`` imports
#: only CMD's (:func:`paceline.cli.main`), so a command does not pay for the others' imports.
COMMAND_MODULES: dict[str, str] = {
    "analyze": "analysis_cmds",
    "compare": "analysis_cmds",
    "athlete": "athlete_cmds",
    "infer": "infer_cmds",
    "predict": "energetics_cmds",
    "fit": "energetics_cmds",
    "formations": "formations_cmds",
    "pacing": "oc_cmds",
    "track": "physics_cmds",
    "air": "physics_cmds",
    "plan": "plan_cmds",
    "search": "plan_cmds",
    "lights": "plan_cmds",
    "brief": "plan_cmds",
    "goal": "plan_cmds",
    "scenarios": "plan_cmds",
    "montecarlo": "uncertainty_cmds",
    "sweep": "uncertainty_cmds",
    "serve": "web_cmds",
    "report": "web_cmds",
}


def _in_table_order(infos: list[Any]) -> None:
    """Sort commands or groups in place in the order of their modules in :data:`COMMAND_MODULES` (registration
    order within a module), whichever module a process happened to import first."""
    order = list(dict.fromkeys(COMMAND_MODULES.values()))

    def index(info: Any) -> int:
        callback = getattr(info, "callback", None)
        if callback is None:  # a group: where its first sub-command lives
            sub = getattr(getattr(info, "typer_instance", None), "registered_commands", None) or []
            callback = sub[0].callback if sub else None
        module = str(getattr(callback, "__module__", "")).rsplit(".", 1)[-1]
        return order.index(module) if module in order else len(order)

    infos.sort(key=index)


class LazyTyper(typer.Typer):
    """A Typer app whose commands register themselves when their modules are imported, and whose modules are imported
    when the command line is built (Typer reads ``registered_commands`` and ``registered_groups`` then).

    Anything that builds the command line (``paceline --help``, a test's ``CliRunner``, ``typer.main.get_command``)
    sees every command; inside :meth:`only` just the named command's module is imported.
    """

    _only: str | None = None
    _loading: bool = False

    @property
    def registered_commands(self) -> list[Any]:
        self._load()
        _in_table_order(self._commands)  # in place: the decorators append to this very list
        return self._commands

    @registered_commands.setter
    def registered_commands(self, value: list[Any]) -> None:
        self._commands = value

    @property
    def registered_groups(self) -> list[Any]:
        self._load()
        _in_table_order(self._groups)
        return self._groups

    @registered_groups.setter
    def registered_groups(self, value: list[Any]) -> None:
        self._groups = value

    def _load(self) -> None:
        if self._loading:  # a command module being imported registers its commands
            return
        module = COMMAND_MODULES.get(self._only or "")
        modules = [module] if module else list(dict.fromkeys(COMMAND_MODULES.values()))
        self._loading = True
        try:
            for name in modules:
                importlib.import_module(f"paceline.cli.{name}")
        finally:
            self._loading = False

    @contextmanager
    def only(self, command: str | None) -> Iterator[None]:
        """Within the block, build the command line with ``command``'s module alone (all of them for a name that is
        not a command, so that Click can say so)."""
        self._only = command
        try:
            yield
        finally:
            self._only = None


app = LazyTyper(
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


def fit_widths(table: Any, header: list[str], cells: list[list[str]], width: int) -> None:
    """Set the column widths of a rich ``table`` (``header`` and ``cells`` as plain text) so that it fits ``width``
    characters without cutting a word: each column gets at least its longest word (header or cell), and what is left
    goes first to the columns that need least to show whole. Rich's own layout shrinks the widest columns first, even
    below their longest word, and cut slot names to ``front-…`` and figures to ``1609.…`` at 80 columns. When even the
    longest words do not fit, the layout stays Rich's and a cell folds onto the next line (``overflow="fold"``)."""
    from rich.cells import cell_len

    columns = table.columns
    texts = [[h] + [row[i] for row in cells] for i, h in enumerate(header)]
    longest = [max(cell_len(t) for t in col) for col in texts]
    word = [max((cell_len(w) for t in col for w in t.split()), default=1) for col in texts]
    frame = 3 * len(columns) + 1  # a bar and a space either side of every cell
    if sum(longest) + frame <= width or sum(word) + frame > width:
        return
    widths = list(word)
    spare = width - frame - sum(widths)
    for i in sorted(range(len(columns)), key=lambda k: longest[k] - word[k]):  # the smallest need first
        give = min(spare, longest[i] - word[i])
        widths[i] += give
        spare -= give
    for column, w in zip(columns, widths, strict=True):
        column.width = w


def grid_table(title: str, columns: list[str], rows: list[list[str]]) -> Any:
    """A rich table with escaped text (title, columns, cells: user text is never markup): the first column (and any
    ``source`` / ``detail`` column) left-aligned, numbers right-aligned; laid out for this terminal by
    :func:`fit_widths`, so no cell is cut."""
    from rich.markup import escape
    from rich.table import Table

    table = Table(title=escape(title), show_header=True, header_style="bold")
    for i, c in enumerate(columns):
        left = i == 0 or c in ("source", "detail")
        table.add_column(escape(c), justify="left" if left else "right", overflow="fold")
    for r in rows:
        table.add_row(*[escape(x) for x in r])
    fit_widths(table, columns, rows, console().width)
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

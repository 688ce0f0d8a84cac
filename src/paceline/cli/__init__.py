"""Command line of paceline (``paceline --help``).

Each command lives in its own module and registers itself on :data:`paceline.cli.app.app`; heavy libraries are
imported inside the commands so that ``paceline --help`` stays fast.
"""

from __future__ import annotations

import logging
import sys

import paceline.cli.analysis_cmds  # noqa: F401  (register commands)
from paceline.cli import energetics_cmds, formations_cmds, oc_cmds, physics_cmds, plan_cmds, uncertainty_cmds, web_cmds  # noqa: F401  (register commands)
from paceline.cli.app import STATE, app
from paceline.errors import PacelineError

__all__ = ["app", "main"]


def flag_message(exc: PacelineError, command: str | None = None) -> str:
    """The error's message with a parameter name (``spacing_m``) shown as the command's flag (``--spacing-m``).

    Library errors name the parameter of the function that rejected a value; where that parameter is an option of
    a command, the user typed the flag, so the flag is what the message names. ``command`` is the command that
    ran (its own options are looked up; a name that is none of them is left as it is); None: any command's.
    """
    field = getattr(exc, "field", None)
    text = str(exc)
    if not field or not field.isidentifier() or not text.startswith(f"{field}: "):
        return text
    import typer.main

    group = typer.main.get_command(app)
    commands = getattr(group, "commands", {})
    for cmd in [commands[command]] if command in commands else commands.values():
        for param in cmd.params:
            if param.name == field and param.opts and param.opts[0].startswith("-"):
                flag = max(param.opts, key=len)
                return f"{flag}: {text[len(field) + 2 :]}"
    return text


def main(argv: list[str] | None = None) -> None:
    """Entry point of the ``paceline`` console script.

    A :class:`~paceline.errors.PacelineError` becomes one line on stderr and exit code 2; any other exception
    is an internal error (exit 1). ``--debug`` shows the traceback.
    """
    args = sys.argv[1:] if argv is None else argv
    STATE["debug"] = "--debug" in args
    logging.basicConfig(
        level=logging.DEBUG if STATE["debug"] else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    try:
        app(args=args, prog_name="paceline")
    except PacelineError as exc:
        if STATE["debug"]:
            raise
        command = next((a for a in args if not a.startswith("-")), None)
        sys.stderr.write(f"paceline: error: {flag_message(exc, command)}\n")
        sys.exit(2)
    except KeyboardInterrupt:
        sys.stderr.write("paceline: interrupted\n")
        sys.exit(130)
    except Exception as exc:  # internal error: one line unless --debug
        if STATE["debug"]:
            raise
        sys.stderr.write(
            f"paceline: internal error: {type(exc).__name__}: {exc} (rerun with --debug for the traceback)\n"
        )
        sys.exit(1)

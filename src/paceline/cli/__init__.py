"""Command line of paceline (``paceline --help``).

Each command lives in its own module and registers itself on :data:`paceline.cli.app.app`, which imports the
modules when the command line is built (:data:`paceline.cli.app.COMMAND_MODULES`): ``paceline CMD`` imports CMD's
module only, and heavy libraries are imported inside the commands, so a command pays for what it uses.
"""

from __future__ import annotations

import logging
import os
import sys
from typing import Any

import typer

from paceline.cli.app import STATE, app
from paceline.errors import PacelineError

__all__ = ["app", "main"]


def flag_message(exc: PacelineError, args: list[str] | None = None) -> str:
    """The error's message with a parameter name (``spacing_m``) shown as the command's flag (``--spacing-m``).

    Library errors name the parameter of the function that rejected a value; where that parameter is an option of
    the command that ran, the user typed the flag, so the flag is what the message names. ``args`` are the command
    line's words: the command (and sub-command, ``formations design``) is read from them; a field that is none of
    its options is left as it is. A scenario field (``athlete.drag_area_m2``) is shown as the flag that set it
    (``--drag-area-m2``) only when the user typed that flag. Without ``args`` any command's options are looked up
    (plain parameter names only).
    """
    field = getattr(exc, "field", None)
    text = str(exc)
    if not field or not text.startswith(f"{field}: "):
        return text
    name = field.rsplit(".", 1)[-1]  # a scenario field (athlete.mass_kg) set by an option (--mass-kg)
    if not name.isidentifier() or (name != field and args is None):
        return text
    import typer.main

    def walk(group: Any) -> list[Any]:
        out: list[Any] = []
        for sub in getattr(group, "commands", {}).values():
            out += [sub, *walk(sub)]
        return out

    root: Any = typer.main.get_command(app)
    ran: Any = root
    for word in args or []:
        subs = getattr(ran, "commands", {})
        if word.startswith("-") or word not in subs:
            break
        ran = subs[word]
    typed = {w.split("=", 1)[0] for w in args or [] if w.startswith("-")}
    for cmd in [ran] if ran is not root else walk(root):
        for param in getattr(cmd, "params", []):
            if args is not None and not typed & set(param.opts):
                continue  # a scenario field that shares an option's name (distance_m): the user typed no flag
            if param.name == name and param.opts and param.opts[0].startswith("-"):
                flag = max(param.opts, key=len)
                return f"{flag}: {text[len(field) + 2 :]}"
    return text


def _usage_line(exc: Exception) -> str:
    """A command-line usage error (Click's, raised by Typer) as one line, with where to read the options."""
    fmt = getattr(exc, "format_message", None)
    message = " ".join((fmt() if fmt else str(exc)).split())
    ctx = getattr(exc, "ctx", None)
    if ctx is None:
        return message
    return f"{message} (see {ctx.command_path} --help)"


def _process_settings() -> None:
    """Settings of the command line's own process (never the library's: a notebook's process is its user's), set
    before the command imports pydantic and numpy, each unless the user set it:

    - ``PYDANTIC_DISABLE_PLUGINS=1``: paceline uses no pydantic plugin, so pydantic need not scan every installed
      distribution's entry points for one at the first model build (about 20 ms of every command);
    - ``OPENBLAS_NUM_THREADS=1`` (unless ``OPENBLAS_NUM_THREADS``, ``GOTO_NUM_THREADS`` or ``OMP_NUM_THREADS`` is
      set): paceline's arrays are small and elementwise (its parallel work runs in processes), so numpy's OpenBLAS
      need not start a thread per core at import (about 10 ms of wall time and half of numpy's import CPU time).
    """
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "1")
    if not any(k in os.environ for k in ("OPENBLAS_NUM_THREADS", "GOTO_NUM_THREADS", "OMP_NUM_THREADS")):
        os.environ["OPENBLAS_NUM_THREADS"] = "1"


def main(argv: list[str] | None = None) -> None:
    """Entry point of the ``paceline`` console script.

    A :class:`~paceline.errors.PacelineError` becomes one line on stderr and exit code 2; any other exception
    is an internal error (exit 1). ``--debug`` shows the traceback. Sets the command line's process settings first
    (:func:`_process_settings`).
    """
    _process_settings()
    args = sys.argv[1:] if argv is None else argv
    STATE["debug"] = "--debug" in args
    logging.basicConfig(
        level=logging.DEBUG if STATE["debug"] else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    command = next((a for a in args if not a.startswith("-")), None)  # the root takes no option with a value
    try:
        with app.only(command):
            code = app(args=args, prog_name="paceline", standalone_mode=False)
    except typer.TyperException as exc:  # a bad option or argument (type, missing, unknown): one line, exit 2
        if STATE["debug"]:
            raise
        sys.stderr.write(f"paceline: error: {_usage_line(exc)}\n")
        sys.exit(getattr(exc, "exit_code", 2))
    except typer.Abort:
        sys.stderr.write("paceline: interrupted\n")
        sys.exit(130)
    except PacelineError as exc:
        if STATE["debug"]:
            raise
        sys.stderr.write(f"paceline: error: {flag_message(exc, args)}\n")
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
    if isinstance(code, int) and code:
        sys.exit(code)

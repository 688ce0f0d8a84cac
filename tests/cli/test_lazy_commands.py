"""The command line imports a command's module only when it is needed, and the table that says where each command
lives (``paceline.cli.app.COMMAND_MODULES``) is what the modules register."""

from __future__ import annotations

import subprocess
import sys

import typer.main

from paceline.cli.app import COMMAND_MODULES, app


def _module_of(cmd: object) -> str:
    callback = getattr(cmd, "callback", None)
    if callback is None:  # a group without a callback of its own: where its first sub-command lives
        callback = next(iter(cmd.commands.values())).callback  # type: ignore[attr-defined]
    return str(callback.__module__).rsplit(".", 1)[-1]


def test_the_table_names_every_command_and_its_module() -> None:
    commands = typer.main.get_command(app).commands  # type: ignore[attr-defined]
    assert set(commands) == set(COMMAND_MODULES)
    assert {name: _module_of(cmd) for name, cmd in commands.items()} == COMMAND_MODULES
    assert list(commands)[:3] == ["analyze", "compare", "infer"]  # --help lists them in the modules' order


def test_a_command_imports_its_own_module_only() -> None:
    code = (
        "import sys\n"
        "from paceline.cli import main\n"
        "try:\n"
        "    main(['track', '--event', 'mile', '--json'])\n"
        "except SystemExit:\n"
        "    pass\n"
        "print(sorted(m for m in sys.modules if m.startswith('paceline.cli.')))\n"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    assert r.stdout.strip().splitlines()[-1] == "['paceline.cli.app', 'paceline.cli.physics_cmds']"


def test_help_and_a_misspelt_command_see_every_command() -> None:
    for args, code in ((["--help"], 0), (["plann"], 2)):
        r = subprocess.run(
            [sys.executable, "-m", "paceline", *args], capture_output=True, text=True, timeout=120, check=False
        )
        assert r.returncode == code, r.stderr
        assert "scenarios" in r.stdout or "plan" in r.stderr  # the listing, or Click's "Did you mean 'plan'?"

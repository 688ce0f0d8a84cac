"""The README's code examples run and the figures it quotes are what the commands print today.

The checks are read from README.md (see tests/readme_checks.py): fenced ```` ```python ```` blocks are run, every
``$ paceline ...`` line of a ```` ```console check ```` block is run and each figure shown under it must be in its
output, and each ``<!-- check: paceline ... => FIG; FIG -->`` comment checks figures quoted in tables or prose (or
an exit code). ``python scripts/update_readme.py`` rewrites the console blocks with today's output.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from readme_checks import README, Check, console_checks, directive_checks, missing_figures, python_blocks, run_once

TEXT = README.read_text(encoding="utf-8")
CHECKS = console_checks(TEXT) + directive_checks(TEXT)


@pytest.mark.slow
def test_python_examples_run(tmp_path: Path) -> None:
    blocks = python_blocks(TEXT)
    assert blocks, "the README shows no Python example"
    namespace: dict[str, object] = {"__name__": "readme"}
    cwd = os.getcwd()
    os.chdir(tmp_path)  # an example that writes files writes them here
    try:
        for line, code in blocks:
            exec(compile(code, f"README.md:{line}", "exec"), namespace)
    finally:
        os.chdir(cwd)


#: Commands that take over 5 s: marked slow (a full sampler run, shared with tests/cli/test_infer_cmds.py).
SLOW = ("paceline infer ",)


@pytest.mark.parametrize(
    "check",
    [pytest.param(c, marks=[pytest.mark.slow] if c.command.startswith(SLOW) else []) for c in CHECKS],
    ids=[f"line{c.line}:{c.command}" for c in CHECKS],
)
def test_readme_command_prints_the_figures_it_quotes(check: Check) -> None:
    code, stdout, stderr = run_once(check.command)
    assert code == check.exit_code, f"README.md:{check.line}: {check.command} exited {code}: {stderr}"
    missing = missing_figures(check, stdout)
    assert not missing, f"README.md:{check.line}: {check.command} no longer prints {missing}"


def test_the_checks_are_read() -> None:
    # the parser finds what it is meant to find, on a sample written the way the README writes checks
    sample = (
        "```console check\n$ paceline track --event mile\n│ laps │ 4.0234 │\n│ start │ 9.344 │\n```\n"
        "<!-- check: paceline lights breaking2 => exit 2 -->\n"
        "<!-- check: paceline predict kram2025 --json | jq .time => 3:58.54; 1.5 -->\n"
    )
    (c,) = console_checks(sample)
    assert c.command == "paceline track --event mile" and c.figures == ["4.0234", "9.344"]
    d1, d2 = directive_checks(sample)
    assert d1.exit_code == 2 and d1.figures == []
    assert d2.command.endswith("| jq .time") and d2.figures == ["3:58.54", "1.5"]


@pytest.mark.slow  # the server solves the bundled scenarios before it binds: about 7 s
def test_serve_on_a_busy_port_exits_3() -> None:
    # the README's exit-code table: 3 is `paceline serve` unable to bind its port (uvicorn's start-up failure)
    import socket
    import subprocess
    import sys

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen(1)
        port = s.getsockname()[1]
        r = subprocess.run(
            [sys.executable, "-m", "paceline", "serve", "--port", str(port)],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    assert r.returncode == 3, r.stderr
    assert "address already in use" in r.stderr

"""Rewrite the output under each ``$ paceline ...`` line of README.md's ```` ```console check ```` blocks with what the
command prints today (then ``python -m pytest tests/test_readme.py`` passes for those blocks).

Usage: ``COLUMNS=100 python scripts/update_readme.py [README.md]``. Figures quoted in prose and tables
(``<!-- check: ... -->``) are not rewritten: the test names each stale one.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from readme_checks import README, run

_BLOCK = re.compile(r"^```console check\n(.*?)^```[ \t]*$", re.M | re.S)


def refreshed(body: str) -> str:
    out: list[str] = []
    command: list[str] = []
    for row in body.splitlines():
        if command and command[-1].rstrip().endswith("\\"):
            command.append(row)
        elif row.startswith("$ "):
            _emit(command, out)
            command = [row]
    _emit(command, out)
    return "\n".join(out) + "\n"


def _emit(command: list[str], out: list[str]) -> None:
    """Run one (possibly continued) ``$ paceline ...`` command and add it with its output."""
    if not command:
        return
    text = " ".join(r.strip().removesuffix("\\").strip() for r in command).removeprefix("$ ")
    code, stdout, stderr = run(text)
    if code != 0:
        raise SystemExit(f"{text}: exit {code}: {stderr}")
    out += [*command, *[line.rstrip() for line in stdout.rstrip("\n").splitlines()]]


def main() -> None:
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else README
    text = path.read_text(encoding="utf-8")
    new = _BLOCK.sub(lambda m: "```console check\n" + refreshed(m.group(1)) + "```", text)
    path.write_text(new, encoding="utf-8")
    print(f"{path}: {len(_BLOCK.findall(text))} console blocks refreshed")


if __name__ == "__main__":
    main()

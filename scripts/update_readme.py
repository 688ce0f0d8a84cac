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

_BLOCK = re.compile(r"^```console check\n(.*?)^```\s*$", re.M | re.S)


def refreshed(body: str) -> str:
    out = []
    for row in body.splitlines():
        if row.startswith("$ "):
            code, stdout, stderr = run(row[2:].strip())
            if code != 0:
                raise SystemExit(f"{row}: exit {code}: {stderr}")
            out += [row, *[line.rstrip() for line in stdout.rstrip("\n").splitlines()]]
    return "\n".join(out) + "\n"


def main() -> None:
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else README
    text = path.read_text(encoding="utf-8")
    new = _BLOCK.sub(lambda m: "```console check\n" + refreshed(m.group(1)) + "```", text)
    path.write_text(new, encoding="utf-8")
    print(f"{path}: {len(_BLOCK.findall(text))} console blocks refreshed")


if __name__ == "__main__":
    main()

"""Athlete files: one ``[athlete]`` table (id, name, sex, body and its source, performances) that scenarios use as
``[athlete] file = "her.toml"`` (``paceline athlete new`` writes them)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from paceline.errors import ScenarioError
from paceline.io.limits import check_user_file, parse_toml, read_text

#: Keys of an athlete file that are not scenario fields (kept for people, dropped when a scenario reads the file).
INFORMATIVE_KEYS = ("body_source",)


def read_athlete_file(path: str | Path, informative: bool = False) -> dict[str, Any]:
    """The ``[athlete]`` table of an athlete file, for a scenario to use (with ``informative``, also the keys a
    scenario does not take: :data:`INFORMATIVE_KEYS`, e.g. where the body came from).

    Raises
    ------
    ScenarioError
        Field ``athlete.file``: missing, unreadable or not TOML, or no ``[athlete]`` table with a name.
    """
    p = Path(path)
    check_user_file(str(p), "athlete.file")
    if not p.is_file():
        raise ScenarioError(f"no such athlete file {str(p)!r}", "athlete.file")
    data = parse_toml(read_text(p, "athlete.file", "an athlete .toml"), str(p), "athlete.file")
    table = data.get("athlete")
    if not isinstance(table, dict) or not table.get("name"):
        raise ScenarioError(f"{p.name} has no [athlete] table with a name", "athlete.file")
    return {k: v for k, v in table.items() if informative or k not in INFORMATIVE_KEYS}

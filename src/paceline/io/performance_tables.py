"""The shipped tables of best times (world records, national records, athletes' bests), each row with its source.

The CSVs live in ``data/performances/`` (see its README). :func:`performance_tables` groups their rows into tables:
one per record list (``world-2000-women``, ``american-2000-men``...) and one per athlete (``athlete:Mo Farah``).
"""

from __future__ import annotations

import csv
import functools
import io
from dataclasses import dataclass
from importlib import resources

from paceline.timefmt import parse_time

#: The shipped files and the column that names each row's table.
_FILES = {"world_records.csv": "table", "national_records.csv": "table", "athlete_bests.csv": "athlete"}


@dataclass(frozen=True)
class TableRow:
    """One best time: race distance [m], time [s], the event's name, who ran it and where the row comes from."""

    distance_m: float
    time_s: float
    event: str
    who: str
    sex: str
    source: str


@dataclass(frozen=True)
class PerformanceTable:
    """Best times over several distances of one list (a record list or one athlete), sorted by distance."""

    name: str
    kind: str
    sex: str
    rows: tuple[TableRow, ...]

    @property
    def distances_m(self) -> tuple[float, ...]:
        """Race distances [m], increasing."""
        return tuple(r.distance_m for r in self.rows)

    @property
    def times_s(self) -> tuple[float, ...]:
        """Times [s], in the order of :attr:`distances_m`."""
        return tuple(r.time_s for r in self.rows)


def _read(name: str) -> list[dict[str, str]]:
    text = (resources.files("paceline") / "data" / "performances" / name).read_text(encoding="utf-8")
    lines = [ln for ln in text.splitlines() if ln.strip() and not ln.startswith("#")]
    return list(csv.DictReader(io.StringIO("\n".join(lines))))


@functools.cache
def performance_tables() -> dict[str, PerformanceTable]:
    """All shipped tables by name: record lists by their ``table`` column, athletes as ``athlete:<name>``."""
    groups: dict[str, list[TableRow]] = {}
    kinds: dict[str, tuple[str, str]] = {}
    for fname, key in _FILES.items():
        kind = {"world_records.csv": "world", "national_records.csv": "national"}.get(fname, "athlete")
        for i, row in enumerate(_read(fname), start=2):
            name = row[key] if key == "table" else f"athlete:{row[key]}"
            who = row.get("holder") or row.get("athlete") or ""
            groups.setdefault(name, []).append(
                TableRow(
                    distance_m=float(row["distance_m"]),
                    time_s=parse_time(row["time"], f"{fname} line {i}: time"),
                    event=row["event"],
                    who=who,
                    sex=row["sex"],
                    source=row["source"],
                )
            )
            kinds[name] = (kind, row["sex"])
    return {
        name: PerformanceTable(name, kinds[name][0], kinds[name][1], tuple(sorted(rows, key=lambda r: r.distance_m)))
        for name, rows in groups.items()
    }


#: The population prior fitted on these tables (:mod:`paceline.fit.performance_model` writes it).
PRIOR_FILE = "prior.json"


def tables_hash() -> str:
    """SHA-256 of the shipped table files (in a fixed order): what a stored fit was made from."""
    import hashlib

    h = hashlib.sha256()
    for name in sorted(_FILES):
        h.update((resources.files("paceline") / "data" / "performances" / name).read_bytes())
    return h.hexdigest()


def stored_prior() -> dict[str, object] | None:
    """The stored population prior (``data/performances/prior.json``) if it was fitted on the shipped tables as they
    are now (same :func:`tables_hash`), else None."""
    import json

    path = resources.files("paceline") / "data" / "performances" / PRIOR_FILE
    if not path.is_file():
        return None
    data: dict[str, object] = json.loads(path.read_text(encoding="utf-8"))
    return data if data.get("tables_sha256") == tables_hash() else None

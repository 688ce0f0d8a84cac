"""Real races as split files: loading and validating CSVs of cumulative splits.

A race file is CSV with the columns of ``reference/races.csv``::

    race_id,athlete,date,venue,event_m,split_m,time_s,note
    breaking4_2025,Faith Kipyegon,2025-06-26,"Stade Charlety, Paris",1609.344,400,60.20,...

``split_m`` is the race distance [m] from the start at which the split was taken, as reported (mile splits are
usually at the 400 m marks, so the last segment is 409.344 m; splits at the finish line would be 9.344, 409.344 ...
m). ``time_s`` is the cumulative time from the gun, in seconds (``246.42``) or as a clock time (``"4:06.42"``,
``"1:59:40.2"``), one style per race. The last split of every race is its finish (``split_m == event_m``).
Lines starting with ``#`` are comments; the header comments keep the sources. A comment line
``# scenario: NAME`` names the bundled scenario (formation by phase, conditions, athlete) that goes with the race.

Every problem becomes a :class:`~paceline.errors.ScenarioError` naming the file, line and column, e.g.
``races.csv line 5, time_s: 118.2 is earlier than the previous split (120.75 s at 800 m); times must increase``.
"""

from __future__ import annotations

import csv
import functools
import logging
import math
import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from paceline.errors import ScenarioError
from paceline.io.limits import DISTANCE_RANGE_M, MAX_SPLITS, check_mean_speed, check_text, read_text
from paceline.physics.track import EVENTS_M
from paceline.timefmt import parse_time

log = logging.getLogger(__name__)

#: Columns every race file must have, in the order of ``reference/races.csv``.
COLUMNS = ("race_id", "athlete", "date", "venue", "event_m", "split_m", "time_s", "note")

_NUMBER_RE = re.compile(r"^\s*[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?\s*$")
_SCENARIO_RE = re.compile(r"^#\s*scenario\s*[:=]\s*([A-Za-z0-9_.\-/]+)\s*$")


@dataclass(frozen=True)
class RaceSplits:
    """One race as reported: cumulative splits from the gun.

    Attributes
    ----------
    race_id : str
        Identifier (``breaking4_2025``).
    athlete : str
        Athlete's name.
    date : str
        Date of the race (ISO).
    venue : str
        Where it was run.
    event_m : float
        Race distance [m].
    split_m : ndarray
        Race distances of the splits [m], increasing, the last equal to ``event_m``.
    time_s : ndarray
        Cumulative times at the splits [s], increasing.
    notes : tuple of str
        The note of each split.
    sources : tuple of str
        The file's header comments (where the numbers come from).
    scenario : str or None
        Bundled scenario that describes the race (``# scenario: NAME`` in the file).
    path : str
        File it was read from.
    """

    race_id: str
    athlete: str
    date: str
    venue: str
    event_m: float
    split_m: NDArray[np.float64]
    time_s: NDArray[np.float64]
    notes: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    scenario: str | None = None
    path: str = ""
    lines: tuple[int, ...] = field(default=(), repr=False)

    @property
    def finish_s(self) -> float:
        """Finishing time [s]."""
        return float(self.time_s[-1])

    @property
    def n_segments(self) -> int:
        """Number of split segments (start to first split, ..., last split but one to finish)."""
        return int(self.split_m.size)

    def segments(self) -> list[tuple[float, float, float]]:
        """``(from_m, to_m, seconds)`` of every split segment."""
        d = np.concatenate([[0.0], self.split_m])
        t = np.concatenate([[0.0], self.time_s])
        return [(float(d[i]), float(d[i + 1]), float(t[i + 1] - t[i])) for i in range(self.split_m.size)]

    def to_dict(self) -> dict[str, object]:
        """JSON-ready summary."""
        return {
            "race_id": self.race_id,
            "athlete": self.athlete,
            "date": self.date,
            "venue": self.venue,
            "event_m": self.event_m,
            "splits": [
                {"distance_m": float(d), "time_s": float(t)} for d, t in zip(self.split_m, self.time_s, strict=True)
            ],
            "sources": list(self.sources),
            "scenario": self.scenario,
        }


def _parse_number(text: str, where: str, what: str) -> float:
    s = text.strip()
    if not _NUMBER_RE.match(s):
        hint = ""
        if re.match(r"^\s*[\d.]+\s*[a-zA-Z]+\s*$", s):
            hint = " (no units in the cell: the column name carries them, metres)"
        raise ScenarioError(f"{text!r} is not a number{hint}; give {what}", where)
    value = float(s)
    if not math.isfinite(value):
        raise ScenarioError(f"{text!r} is not a finite number; give {what}", where)
    return value


def _parse_event(text: str, where: str) -> float:
    s = text.strip()
    if s.lower() in EVENTS_M:
        return EVENTS_M[s.lower()]
    value = _parse_number(s, where, f"the race distance in metres or one of {', '.join(EVENTS_M)}")
    lo, hi = DISTANCE_RANGE_M
    if not lo <= value <= hi:
        raise ScenarioError(f"{text!r} is not a race distance; allowed {lo:g} to {hi:g} m", where)
    return value


def parse_races(text: str, source: str = "races.csv") -> list[RaceSplits]:
    """Parse the text of a race file into races (a file may hold several, told apart by ``race_id``).

    Parameters
    ----------
    text : str
        CSV text with the columns :data:`COLUMNS` (any order, extra columns ignored), ``#`` comment lines allowed.
    source : str
        Name of the file, for error messages.

    Returns
    -------
    list of RaceSplits
        The races in the order they first appear.

    Raises
    ------
    ScenarioError
        Missing column, empty file, unparseable number or time, mixed time styles in one race, splits out of order
        or beyond the finish, a time that goes backwards, a race without its finish split, or inconsistent race
        metadata (event distance) between rows; the message names the line and column.
    """
    comments: list[str] = []
    scenario: str | None = None
    data_lines: list[tuple[int, str]] = []
    for lineno, raw in enumerate(text.splitlines(), start=1):
        check_text(raw, f"{source} line {lineno}")
        stripped = raw.strip()
        if not stripped:
            continue
        if stripped.startswith("#"):
            m = _SCENARIO_RE.match(stripped)
            if m:
                scenario = m.group(1)
            else:
                comments.append(stripped.lstrip("#").strip())
            continue
        data_lines.append((lineno, raw))
    if not data_lines:
        raise ScenarioError(f"no header and no splits; expected the columns {', '.join(COLUMNS)}", source)

    header_line, header_text = data_lines[0]
    header = [h.strip() for h in next(csv.reader([header_text]))]
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise ScenarioError(
            f"line {header_line}: missing column(s) {', '.join(missing)}; a race file needs {', '.join(COLUMNS)}",
            source,
        )
    col = {name: header.index(name) for name in COLUMNS}

    rows: dict[str, list[tuple[int, list[str]]]] = {}
    for lineno, raw in data_lines[1:]:
        cells = next(csv.reader([raw]))
        if len(cells) < len(header):
            short = [h for h in header[len(cells) :] if h in COLUMNS and h != "note"]
            if short:
                raise ScenarioError(
                    f"has {len(cells)} cells, the header {len(header)}; missing {', '.join(short)}",
                    f"{source} line {lineno}",
                )
            cells = cells + [""] * (len(header) - len(cells))
        rid = cells[col["race_id"]].strip()
        if not rid:
            raise ScenarioError("is empty; every row needs the race it belongs to", f"{source} line {lineno}, race_id")
        rows.setdefault(rid, []).append((lineno, cells))
    if not rows:
        raise ScenarioError("has a header but no splits", source)

    races = []
    for rid, rlist in rows.items():
        races.append(_build_race(rid, rlist, col, source, tuple(comments), scenario))
    return races


def _build_race(
    rid: str,
    rlist: list[tuple[int, list[str]]],
    col: dict[str, int],
    source: str,
    comments: tuple[str, ...],
    scenario: str | None,
) -> RaceSplits:
    first_line, first = rlist[0]
    event_m = _parse_event(first[col["event_m"]], f"{source} line {first_line}, event_m")
    dists: list[float] = []
    times: list[float] = []
    notes: list[str] = []
    lines: list[int] = []
    style: tuple[str, int] | None = None
    if len(rlist) > MAX_SPLITS:
        raise ScenarioError(
            f"race {rid!r} has {len(rlist):,} splits; at most {MAX_SPLITS} (a 10 km race every 50 m)",
            f"{source} line {rlist[MAX_SPLITS][0]}",
        )
    for lineno, cells in rlist:
        where = f"{source} line {lineno}"
        ev = _parse_event(cells[col["event_m"]], f"{where}, event_m")
        if abs(ev - event_m) > 1e-6:
            raise ScenarioError(
                f"{ev:g} differs from {event_m:g} on line {first_line}; one race has one distance",
                f"{where}, event_m",
            )
        d = _parse_number(cells[col["split_m"]], f"{where}, split_m", "the race distance of the split in metres")
        raw_t = cells[col["time_s"]].strip()
        this_style = "clock" if ":" in raw_t else "seconds"
        if style is None:
            style = (this_style, lineno)
        elif this_style != style[0]:
            raise ScenarioError(
                f"{raw_t!r} is a {this_style} time but line {style[1]} gives {style[0]}; mixed units: "
                "use one style per race, seconds ('246.42') or clock times ('4:06.42')",
                f"{where}, time_s",
            )
        t = parse_time(raw_t, f"{where}, time_s")
        if d <= 0:
            raise ScenarioError(
                f"{d:g} m is not after the start; a split is at a race distance > 0", f"{where}, split_m"
            )
        if d > event_m + 1e-6:
            raise ScenarioError(f"{d:g} m is beyond the finish of this {event_m:g} m race", f"{where}, split_m")
        if dists and d <= dists[-1]:
            raise ScenarioError(
                f"{d:g} m is not after the previous split ({dists[-1]:g} m); splits must be sorted by distance, "
                "each distance once",
                f"{where}, split_m",
            )
        if times and t <= times[-1]:
            raise ScenarioError(
                f"{raw_t} ({t:g} s) is not later than the previous split ({times[-1]:g} s at {dists[-1]:g} m); "
                "cumulative times must increase",
                f"{where}, time_s",
            )
        check_mean_speed(
            d - (dists[-1] if dists else 0.0), t - (times[-1] if times else 0.0), f"{where}, time_s", segment=True
        )
        dists.append(d)
        times.append(t)
        notes.append(cells[col["note"]].strip())
        lines.append(lineno)
    if abs(dists[-1] - event_m) > 1e-6:
        raise ScenarioError(
            f"race {rid!r} has no finish split: the last split is at {dists[-1]:g} m, the race is {event_m:g} m; "
            f"add a row with split_m = {event_m:g} and the finishing time",
            f"{source} line {lines[-1]}, split_m",
        )
    dists[-1] = event_m
    return RaceSplits(
        race_id=rid,
        athlete=first[col["athlete"]].strip(),
        date=first[col["date"]].strip(),
        venue=first[col["venue"]].strip(),
        event_m=event_m,
        split_m=np.asarray(dists, dtype=float),
        time_s=np.asarray(times, dtype=float),
        notes=tuple(notes),
        sources=comments,
        scenario=scenario,
        path=source,
        lines=tuple(lines),
    )


@functools.cache
def bundled_race_names() -> list[str]:
    """Identifiers of the races shipped with paceline (one file per race, named after its ``race_id``)."""
    folder = resources.files("paceline") / "data" / "races"
    return sorted(p.name.removesuffix(".csv") for p in folder.iterdir() if p.name.endswith(".csv"))


def load_races(path: str | Path) -> list[RaceSplits]:
    """Every race in a split file.

    Raises
    ------
    ScenarioError
        If the file is missing or bad (see :func:`parse_races`).
    """
    p = Path(path)
    if not p.is_file():
        raise ScenarioError(f"no such file {str(p)!r}; give a race CSV or a bundled race name", "race")
    return parse_races(read_text(p, "race", "a race CSV"), source=p.name)


def load_race(name_or_path: str | Path, race_id: str | None = None) -> RaceSplits:
    """Load one race: a bundled name (``breaking4_2025``) or a CSV path (with ``race_id`` if it holds several).

    Parameters
    ----------
    name_or_path : str or Path
        Bundled race name or path to a CSV in the format of ``reference/races.csv``.
    race_id : str, optional
        Which race of a multi-race file (default: the only one).

    Returns
    -------
    RaceSplits
        The validated race.

    Raises
    ------
    ScenarioError
        Unknown name, missing file, bad file, or an ambiguous multi-race file without ``race_id``.
    """
    name = str(name_or_path)
    path = Path(name_or_path)
    if path.suffix.lower() in (".toml", ".json"):  # a scenario or a solved race, not the splits of a race run
        raise ScenarioError(
            f"{name!r} is not a race's splits; give a bundled race ({', '.join(bundled_race_names())}) or a .csv "
            "of splits (a scenario .toml describing the race goes to the command's --scenario option)",
            "race",
        )
    if path.suffix.lower() == ".csv" or path.exists():
        races = load_races(path)
    elif name in bundled_race_names():
        text = (resources.files("paceline") / "data" / "races" / f"{name}.csv").read_text(encoding="utf-8")
        races = parse_races(text, source=f"{name}.csv")
    else:
        raise ScenarioError(
            f"{name!r} is not a bundled race; allowed {', '.join(bundled_race_names())} or a .csv path", "race"
        )
    if race_id is not None:
        for r in races:
            if r.race_id == race_id:
                return r
        raise ScenarioError(f"{race_id!r} is not in {name}; it has {', '.join(r.race_id for r in races)}", "race_id")
    if len(races) > 1:
        raise ScenarioError(
            f"{name} holds {len(races)} races ({', '.join(r.race_id for r in races)}); choose one with --race-id",
            "race_id",
        )
    return races[0]

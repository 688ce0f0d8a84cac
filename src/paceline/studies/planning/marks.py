"""The track marks and what the lights must show at them: the data of the lights operator's sheet.

Officials and lights operators work from the marks painted on the track, not from race distances: the finish line
and the marks every 100 m of the lane-1 running line counted from it in the running direction (on a standard track
the 100 m mark is the 300 m start, the 200 m mark the 200 m start, the 300 m mark the 100 m start). A mile starts
9.344 m before the finish line, so its runners pass the marks at 9.344, 109.344, ... m of race distance.

Lap convention (the same as :func:`paceline.studies.planning.plan.light_schedule`): lap 0 runs from the start to the
first
crossing of the finish line, lap k from the k-th crossing to the next; the last lap ends at the finish.
"""

from __future__ import annotations

import itertools
import math
from typing import TYPE_CHECKING, Any

import numpy as np

from paceline.errors import ScenarioError
from paceline.physics import track as trk
from paceline.studies.planning.plan import (
    TRAIN_COLOURS,
    lap_numbers,
    require_track,
    train_label,
    train_times,
)

if TYPE_CHECKING:  # pragma: no cover
    from paceline.io.scenario import Scenario
    from paceline.models.race import Race

#: Spacing of the marks on the sheet [m of the lane-1 running line].
MARK_SPACING_M = 100.0
#: A change of the pace per 400 m between successive marks at least this large is listed as a pacing change [s].
PACE_CHANGE_S_PER_400M = 0.3


def mark_name(pos_m: float, lap_m: float) -> str:
    """A mark's name from its position past the finish line [m]: ``finish line`` or ``100 m mark``."""
    p = pos_m % lap_m
    return "finish line" if min(p, lap_m - p) < 1e-6 else f"{p:.0f} m mark"


def mark_crossings(scenario: Scenario, every_m: float = MARK_SPACING_M) -> list[dict[str, Any]]:
    """Every mark the athlete passes, in order, with the start and the finish.

    Parameters
    ----------
    scenario : Scenario
        A track race (:func:`~paceline.studies.planning.plan.require_track`).
    every_m : float
        Mark spacing [m] (> 0; 100 m: the marks the officials use).

    Returns
    -------
    list of dict
        ``{race_distance_m, mark, pos_m, lap}``: race distance [m], mark name, position past the finish line [m]
        and lap (see the module's lap convention). The first row is the start (``mark`` ``start``) unless the race
        starts on a mark.
    """
    if not every_m > 0 or not math.isfinite(every_m):
        raise ScenarioError(f"{every_m} is not allowed; the mark spacing must be > 0 m", "every_m")
    require_track(scenario)
    geom = scenario.track.geometry()
    d, lap_m = scenario.distance_m, geom.lap_m
    start = trk.start_position_m(d, geom)
    k0 = math.ceil(start / every_m - 1e-9)
    s = np.arange(k0 * every_m, start + d + 1e-6, every_m)
    x = s - start
    x = x[(x >= -1e-9) & (x <= d + 1e-6)]
    if x.size == 0 or x[0] > 1e-6:
        x = np.concatenate([[0.0], x])
    if x[-1] < d - 1e-6:
        x = np.append(x, d)
    laps = lap_numbers(x, trk.start_before_finish_m(d, geom), lap_m)
    out = []
    for i, xi in enumerate(x):
        pos = (start + xi) % lap_m
        on_mark = min(pos % every_m, every_m - pos % every_m) < 1e-6
        name = mark_name(pos, lap_m) if on_mark else ("start" if xi < 1e-9 else f"{pos:.1f} m past the line")
        out.append({"race_distance_m": float(min(xi, d)), "mark": name, "pos_m": float(pos), "lap": int(laps[i])})
    return out


def train_sheet(
    scenario: Scenario,
    race: Race,
    train: str,
    every_m: float = MARK_SPACING_M,
    change_s_per_400m: float = PACE_CHANGE_S_PER_400M,
) -> dict[str, Any] | None:
    """One light train on the operator's sheet: its time at every mark and lap line, and where its pace changes.

    Returns
    -------
    dict or None
        ``{train, label, colour, finish_s, marks, laps, changes}`` (None when the train does not run: ``target``
        without a target). ``marks``: ``{race_distance_m, mark, lap, time_s, segment_s, pace_s_per_400m}`` (the
        segment ending at the mark). ``laps``: ``{lap, race_distance_m, time_s, lap_s, lap_m, pace_s_per_400m}`` at
        each finish-line crossing and the finish. ``changes``: ``{race_distance_m, mark, lap, time_s,
        from_s_per_400m, to_s_per_400m, why}`` where the pace per 400 m of the segments either side of a mark
        changes (:func:`pace_changes`).
    """
    rows = mark_crossings(scenario, every_m)
    x = np.array([r["race_distance_m"] for r in rows])
    t = train_times(scenario, race, train, x)
    if t is None:
        return None
    marks = []
    for i, r in enumerate(rows):
        seg_s = float(t[i] - t[i - 1]) if i else 0.0
        # a stretch from the start is no pace (a lead-pacer train starts ahead of her; a mile's first 9.344 m)
        seg_m = float(x[i] - x[i - 1]) if i and rows[i - 1]["mark"] != "start" else 0.0
        marks.append(
            {
                **{k: r[k] for k in ("race_distance_m", "mark", "lap")},
                "time_s": float(t[i]),
                "segment_s": seg_s,
                "pace_s_per_400m": 400.0 * seg_s / seg_m if seg_m > 1e-9 else None,
            }
        )
    laps = []
    prev_x, prev_t = 0.0, 0.0
    for m in marks:
        if m["mark"] == "finish line" or m is marks[-1]:
            if m["race_distance_m"] - prev_x < 1e-9:
                continue
            lap_m = m["race_distance_m"] - prev_x
            laps.append(
                {
                    "lap": m["lap"],
                    "race_distance_m": m["race_distance_m"],
                    "time_s": m["time_s"],
                    "lap_s": m["time_s"] - prev_t,
                    "lap_m": lap_m,
                    "pace_s_per_400m": 400.0 * (m["time_s"] - prev_t) / lap_m,
                }
            )
            prev_x, prev_t = m["race_distance_m"], m["time_s"]
    return {
        "train": train,
        "label": train_label(scenario, race, train),
        "colour": TRAIN_COLOURS[train],
        "finish_s": float(t[-1]),
        "marks": marks,
        "laps": laps,
        "changes": pace_changes(scenario, marks, laps, change_s_per_400m),
    }


def pace_changes(
    scenario: Scenario, marks: list[dict[str, Any]], laps: list[dict[str, Any]], threshold_s: float
) -> list[dict[str, Any]]:
    """Where a train's pacing changes: each phase boundary (the formation changes; the lights' pace may change
    there) and each lap line after which the lap's pace per 400 m differs from the previous full lap's by
    ``threshold_s`` or more. (Within a lap the pace per 100 m moves with the bends and the wind; the sheet shows it
    at every mark.)"""
    out: list[dict[str, Any]] = []
    full = [lp for lp in laps if lp["lap_m"] > 0.99 * 400.0 or lp is laps[-1]]
    for a, b in itertools.pairwise(full):
        if abs(b["pace_s_per_400m"] - a["pace_s_per_400m"]) >= threshold_s:
            out.append(
                {
                    "race_distance_m": a["race_distance_m"],
                    "mark": "finish line",
                    "lap": b["lap"],
                    "time_s": a["time_s"],
                    "from_s_per_400m": a["pace_s_per_400m"],
                    "to_s_per_400m": b["pace_s_per_400m"],
                    "why": f"lap {b['lap']} runs {b['pace_s_per_400m'] - a['pace_s_per_400m']:+.2f} s per 400 m",
                }
            )
    for ph_prev, ph in itertools.pairwise(scenario.phases()):
        x0 = ph.from_m
        before = next((m for m in reversed(marks) if m["race_distance_m"] <= x0 + 1e-6), marks[0])
        after = next((m for m in marks if m["race_distance_m"] > x0 + 1e-6), marks[-1])
        t0 = before["time_s"] + (after["time_s"] - before["time_s"]) * (
            (x0 - before["race_distance_m"]) / max(after["race_distance_m"] - before["race_distance_m"], 1e-9)
        )
        past = x0 - before["race_distance_m"]
        out.append(
            {
                "race_distance_m": x0,
                "mark": before["mark"] if past < 0.5 else f"{past:.0f} m past the {before['mark']}",
                "lap": after["lap"],
                "time_s": t0,
                "from_s_per_400m": before["pace_s_per_400m"],
                "to_s_per_400m": after["pace_s_per_400m"],
                "why": f"formation {ph_prev.formation} -> {ph.formation}"
                if ph.formation != ph_prev.formation
                else f"fresh pacers ({', '.join(ph_prev.pacers) or 'unnamed'} -> {', '.join(ph.pacers) or 'unnamed'})",
            }
        )
    out.sort(key=lambda c: c["race_distance_m"])
    return out


def _at(m: dict[str, Any]) -> dict[str, Any]:
    return {k: m[k] for k in ("race_distance_m", "mark", "lap", "time_s")}


def lights_sheet(
    scenario: Scenario,
    race: Race,
    trains: tuple[str, ...] = ("target", "plan", "lead-pacer"),
    every_m: float = MARK_SPACING_M,
    change_s_per_400m: float = PACE_CHANGE_S_PER_400M,
) -> dict[str, Any]:
    """The lights operator's sheet: every train at every mark and lap line, and its pacing changes.

    Parameters
    ----------
    scenario : Scenario
        A track race.
    race : Race
        The predicted race.
    trains : tuple of str
        Trains on the sheet (:data:`paceline.studies.planning.plan.TRAINS`); ``target`` is left out without a target.
    every_m : float
        Mark spacing [m].
    change_s_per_400m : float
        Smallest change of the pace per 400 m listed as a pacing change [s].

    Returns
    -------
    dict
        ``{scenario, description, athlete, distance_m, start, every_m, lap_convention, trains}``; ``start`` names
        where the race starts (metres before the finish line).
    """
    require_track(scenario)
    geom = scenario.track.geometry()
    before = trk.start_before_finish_m(scenario.distance_m, geom)
    sheets = [s for tr in trains if (s := train_sheet(scenario, race, tr, every_m, change_s_per_400m)) is not None]
    return {
        "scenario": scenario.name,
        "description": scenario.description,
        "athlete": scenario.athlete.name,
        "distance_m": scenario.distance_m,
        "start": "on the finish line"
        if before < 1e-6 or abs(before - geom.lap_m) < 1e-6
        else f"{before:.3f} m before the finish line",
        "every_m": every_m,
        "lap_convention": LAP_CONVENTION,
        "trains": sheets,
    }


#: The lap convention in words (sheet, CSV schema, README).
LAP_CONVENTION = (
    "lap 0 runs from the start to the first crossing of the finish line (a mile: the first 9.344 m; 0 m when the "
    "race starts on the line); lap k runs from the k-th crossing of the finish line to the next; the last lap ends "
    "at the finish. Marks are counted in metres past the finish line in the running direction along the lane-1 "
    "running line (the 100 m mark is the 300 m start)."
)

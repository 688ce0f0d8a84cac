"""Pacing advice from the optimal-control model: the optimal split per lap, and what other profiles cost.

The even-pace and as-raced figures are optimal-control solutions too: the speed after the start zone (the first
40 m) is forced to follow the profile, up to a common factor that the solver maximises within the same energy,
force and bend limits (:func:`paceline.models.optimal_control.solve_shaped`). Every split comes from the Race's own
split table (:meth:`paceline.models.race.Race.split_table`).

References
----------
Keller, J. B. (1974). Optimal velocity in a race. Amer. Math. Monthly 81, 474-480 (even pace is not optimal: the
start and the finish differ).
Aftalion, A. & Martinon, P. (2019). Optimizing running a race on a curved track. PLOS ONE 14(9), e0221572.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from paceline.chain import athlete_for, course_for
from paceline.models.collocation import start_zone_m
from paceline.models.optimal_control import MODEL_NAME, OCParams, OptimalControlModel, solve_course, solve_shaped

if TYPE_CHECKING:  # pragma: no cover
    from paceline.io.scenario import Scenario
    from paceline.models.race import Race
    from paceline.physics.drafting import DraftParams

#: Columns of the split table reported for each profile.
SPLIT_COLUMNS = ("distance_m", "time_s", "segment_m", "segment_s", "speed_m_s")


def split_rows(race: Race) -> list[dict[str, float]]:
    """The race's split table (at the lap lines, then the finish) as JSON-ready rows of :data:`SPLIT_COLUMNS`."""
    table = race.split_table()
    return [{c: float(row[c]) for c in SPLIT_COLUMNS} for row in table.to_dict("records")]


def shape_from_splits(
    splits: Sequence[tuple[float, float]], x_m: NDArray[np.float64], start_loss_s: float
) -> NDArray[np.float64]:
    """Relative speed at grid nodes from a race's splits: segment speeds placed at segment midpoints.

    Parameters
    ----------
    splits : sequence of (float, float)
        Cumulative ``(distance [m], time [s])`` of the race as run.
    x_m : ndarray
        Race distances of the grid nodes [m].
    start_loss_s : float
        Time lost to the start from rest [s], taken off the first segment (at most half of it).

    Returns
    -------
    ndarray
        Speed [m/s] at each node, interpolated between segment midpoints (constant beyond the first and last).
    """
    d = np.array([0.0, *[s[0] for s in splits]])
    t = np.array([0.0, *[s[1] for s in splits]])
    seg_t = np.diff(t)
    seg_t[0] = max(seg_t[0] - start_loss_s, 0.5 * seg_t[0])  # the first split includes the start from rest
    speed = np.diff(d) / seg_t
    mid = 0.5 * (d[1:] + d[:-1])
    return np.asarray(np.interp(x_m, mid, speed), dtype=float)


def _profile(race: Race, optimal_s: float) -> dict[str, Any]:
    return {
        "time_s": race.finish_s,
        "lost_s": round(race.finish_s - optimal_s, 3),
        "laps": split_rows(race),
    }


def pacing_advice(
    scenario: Scenario,
    params: OCParams | None = None,
    n_intervals: int = 300,
    draft_params: DraftParams | None = None,
    aero_cost: str | None = None,
) -> dict[str, Any]:
    """The optimal split per lap, and what even pace and the as-raced profile cost against it.

    Parameters
    ----------
    scenario : Scenario
        The scenario (with ``result.splits`` for the as-raced comparison).
    params : OCParams, optional
        Athlete parameters (default: the chain's, fitted to the athlete's performances).
    n_intervals : int
        Collocation intervals.
    draft_params : DraftParams, optional
        Parameters of the shelter model (default: the shipped best fit).
    aero_cost : str, optional
        How the air is charged (see :class:`~paceline.models.optimal_control.OptimalControlModel`).

    Returns
    -------
    dict
        ``optimal`` (time and ``laps``: the split table), ``even_pace`` and ``as_raced`` (time, ``lost_s`` against
        the optimum, ``laps``; ``as_raced`` is None without splits), ``target`` and the athlete parameters used.
    """
    model = OptimalControlModel(n_intervals, aero_cost)
    course = course_for(scenario, model, draft_params)
    if params is None:
        p = model.params_for(athlete_for(scenario, model, draft_params))
    else:
        p = params if aero_cost is None else params.with_changes(aero_cost=aero_cost)
    race = solve_course(course, p, n_intervals)
    opt_t = race.finish_s
    out: dict[str, Any] = {
        "scenario": scenario.name,
        "model": MODEL_NAME,
        "optimal": {"time_s": opt_t, "laps": split_rows(race)},
    }
    even = solve_shaped(course, p, None, n_intervals)
    out["even_pace"] = {**_profile(even, opt_t), "speed_m_s": round(even.meta["scale_m_s"], 4)}
    out["as_raced"] = None
    result = scenario.result
    if result is not None and len(result.splits) >= 2:
        zone = start_zone_m(course.distance_m)
        start_loss = float(race.time_at(zone)) - zone / float(race.value_at("v_m_s", zone))
        shape = shape_from_splits(result.splits, race.x_m, start_loss)
        raced = solve_shaped(course, p, shape, n_intervals)
        out["as_raced"] = {
            **_profile(raced, opt_t),
            "actual_time_s": result.time_s,
            "profile": "segment speeds of result.splits, best common scale within the athlete's limits",
        }
    if scenario.target_s is not None:
        out["target"] = {
            "time_s": scenario.target_s,
            "reachable": bool(opt_t <= scenario.target_s),
            "gap_s": round(opt_t - scenario.target_s, 3),
        }
    out["params"] = p.to_dict()
    out["assumptions"] = [a.to_dict() for a in race.assumptions]
    return out

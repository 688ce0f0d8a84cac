"""What would it take: the value of each lever that just reaches a target time, and the cheapest combination.

Each lever is moved on its own across a plausible range (documented in :data:`LEVERS` with where the range comes
from) and the equal-power model finds the value that just reaches the target by bisection. The combination moves
every controllable lever by the same fraction of its plausible range, and reports the smallest fraction that
reaches the target.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from paceline.errors import ScenarioError

if TYPE_CHECKING:  # pragma: no cover
    from paceline.io.scenario import Scenario

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Lever:
    """A quantity a team can change, with the range within which a change is plausible.

    Attributes
    ----------
    name : str
        Lever name.
    unit : str
        Unit of its value.
    low, high : float
        Plausible range.
    better : str
        ``"high"`` if a larger value is faster, ``"low"`` otherwise.
    source : str
        Where the range comes from.
    combine : bool
        Whether it joins the combined search (a team controls it).
    """

    name: str
    unit: str
    low: float
    high: float
    better: str
    source: str
    combine: bool = True


LEVERS: dict[str, Lever] = {
    "shelter": Lever(
        "shelter",
        "fraction of drag",
        0.0,
        0.85,
        "high",
        "drafting_studies.csv: published reductions span 0.33-0.89 (Li et al. 2025 best V formation 0.89)",
    ),
    "pacers": Lever(
        "pacers",
        "pacers",
        0,
        7,
        "high",
        "number of pacers in the best bundled formation with at most that many, held the whole race",
        combine=False,
    ),
    "shoe_economy_gain": Lever(
        "shoe_economy_gain",
        "fraction",
        0.0,
        0.04,
        "high",
        "Hoogkamer et al. (2018) Sports Med 48:1009: about 4 % for the best road shoes; spikes less documented",
    ),
    "cda_factor": Lever(
        "cda_factor",
        "x drag area",
        0.85,
        1.0,
        "low",
        "assumed: no suit drag figure is published; 15 % is the most a smooth one-piece suit is credited with here",
    ),
    "fitness_pct": Lever(
        "fitness_pct",
        "% metabolic power",
        0.0,
        3.0,
        "high",
        "assumed: a few % of sustainable power is the most a world-record holder gains in a season",
    ),
    "wind_speed_m_s": Lever(
        "wind_speed_m_s",
        "m/s",
        0.0,
        3.4,
        "low",
        "Breaking4 weather targets: wind under 3.4 m/s; a steady wind always costs time on an oval",
    ),
    "temperature_c": Lever(
        "temperature_c",
        "degC",
        10.0,
        30.0,
        "high",
        "warmer air is thinner (less drag); heat's physiological cost is NOT modelled, so not combined",
        combine=False,
    ),
}


def _evaluator(scenario: Scenario) -> tuple[Callable[[dict[str, float]], float], dict[str, float]]:
    """A function from lever values to the equal-power finishing time, and the scenario's current values."""
    from paceline.chain import athlete_for, course_for, get_model
    from paceline.models import common
    from paceline.models.athlete import EqualPowerParams
    from paceline.physics import air

    model = get_model("equal-power")
    athlete = EqualPowerParams.of(athlete_for(scenario, model), model.name)
    base_course = course_for(scenario, model)
    c = scenario.conditions
    w0 = c.wind_speed_m_s
    current = {
        "shelter": float(np.mean(base_course.shelter)),
        "pacers": float(max((scenario.formation(p.formation).n_pacers for p in scenario.phases()), default=0)),
        "shoe_economy_gain": scenario.equipment.shoe_economy_gain,
        "cda_factor": scenario.equipment.cda_factor,
        "fitness_pct": 0.0,
        "wind_speed_m_s": w0,
        "temperature_c": c.temperature_c,
    }
    drag_area_per_factor = base_course.drag_area_m2 / scenario.equipment.cda_factor
    best_by_n = _best_formation_shelter_by_count()

    def evaluate(values: dict[str, float]) -> float:
        v = {**current, **values}
        changes: dict[str, Any] = {
            "shoe_economy_gain": v["shoe_economy_gain"],
            "drag_area_m2": drag_area_per_factor * v["cda_factor"],
            "air_density_kg_m3": float(
                air.air_density(v["temperature_c"], c.relative_humidity, c.altitude_m, c.pressure_pa)
            ),
        }
        if "shelter" in values:
            changes["shelter"] = np.full_like(base_course.shelter, v["shelter"])
        if "pacers" in values:
            changes["shelter"] = np.full_like(base_course.shelter, best_by_n[round(v["pacers"])])
        course = base_course.with_changes(**changes)
        if "wind_speed_m_s" in values:
            course = course.with_wind(v["wind_speed_m_s"])
        p = float(athlete.power_w_kg) * (1.0 + v["fitness_pct"] / 100.0)
        return float(common.finish_time_at_power(course, p, athlete.curve))

    return evaluate, current


def _best_formation_shelter_by_count() -> dict[int, float]:
    from paceline.io.fitted import drafting_params
    from paceline.io.formations import bundled_formations
    from paceline.physics import drafting

    best: dict[int, float] = {}
    forms = bundled_formations().values()
    top = max((f.n_pacers for f in forms), default=0)
    for n in range(top + 1):
        cands = [drafting.formation_shelter(f, drafting_params()) for f in forms if f.n_pacers <= n]
        best[n] = max(cands, default=0.0)
    return best


def what_would_it_take(scenario: Scenario, target_s: float | None = None) -> dict[str, Any]:
    """Each lever's value that just reaches the target, and the cheapest combination.

    Parameters
    ----------
    scenario : Scenario
        The plan as it stands.
    target_s : float, optional
        Target time [s] (default: the scenario's).

    Returns
    -------
    dict
        ``predicted_s``, ``target_s``, ``levers`` (list of ``{lever, unit, current, needed, reachable, range,
        source}``), ``combination`` (``{fraction, values, time_s}`` or ``reachable: false``).
    """
    from scipy.optimize import brentq

    target = target_s if target_s is not None else scenario.target_s
    if target is None:
        raise ScenarioError("no target: give one or set target in the scenario", "target")
    from paceline.io.scenario import check_target

    check_target(scenario.distance_m, target, "target")
    evaluate, current = _evaluator(scenario)
    now = evaluate({})
    rows = []
    for lever in LEVERS.values():
        cur = current[lever.name]
        best_end = lever.high if lever.better == "high" else lever.low
        row: dict[str, Any] = {
            "lever": lever.name,
            "unit": lever.unit,
            "current": round(cur, 4),
            "range": [lever.low, lever.high],
            "source": lever.source,
        }
        if now <= target:
            row.update(needed=round(cur, 4), reachable=True)
        elif lever.name == "pacers":
            needed = next(
                (n for n in range(int(lever.low), int(lever.high) + 1) if evaluate({"pacers": n}) <= target), None
            )
            row.update(needed=needed, reachable=needed is not None)
        elif (
            (lever.better == "high" and cur >= best_end)
            or (lever.better == "low" and cur <= best_end)
            or evaluate({lever.name: best_end}) > target
        ):
            row.update(needed=None, reachable=False)
        else:
            val = brentq(lambda x, n=lever.name: evaluate({n: x}) - target, cur, best_end, xtol=1e-6)
            row.update(needed=round(float(val), 4), reachable=True)
        if not row["reachable"]:
            row["note"] = f"not reachable within the plausible range {lever.low:g}-{lever.high:g} {lever.unit}"
        rows.append(row)

    combo_levers = [lv for lv in LEVERS.values() if lv.combine]

    def combined(frac: float) -> dict[str, float]:
        out = {}
        for lv in combo_levers:
            cur = current[lv.name]
            end = lv.high if lv.better == "high" else lv.low
            if (lv.better == "high" and cur < end) or (lv.better == "low" and cur > end):
                out[lv.name] = cur + frac * (end - cur)
        return out

    combination: dict[str, Any]
    if now <= target:
        combination = {"reachable": True, "fraction": 0.0, "values": {}, "time_s": now}
    elif evaluate(combined(1.0)) > target:
        combination = {
            "reachable": False,
            "fraction": None,
            "values": combined(1.0),
            "time_s": evaluate(combined(1.0)),
        }
    else:
        frac = float(brentq(lambda f: evaluate(combined(f)) - target, 0.0, 1.0, xtol=1e-6))
        vals = combined(frac)
        combination = {
            "reachable": True,
            "fraction": round(frac, 4),
            "values": {k: round(v, 4) for k, v in vals.items()},
            "time_s": evaluate(vals),
        }
    return {
        "scenario": scenario.name,
        "model": "equal-power",
        "predicted_s": now,
        "target_s": target,
        "levers": rows,
        "combination": combination,
    }

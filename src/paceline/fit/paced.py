"""Paced performances as paced: a performance's solo, still-air, sea-level equivalent through the one course model.

A performance may say how it was run (``race``: a race scenario with its pacing and weather; or ``formation`` and
conditions). Its metabolic power on that course is the equal-power kernel's inverse
(:func:`paceline.fit.effort.calibrated_power` on a one-segment effort of that time); altitude and heat are taken out
(:func:`paceline.physics.environment.environment_power_factor`); the solo equivalent is the time the same kernel gives
at that power on the lane-1 line in still reference air (:func:`paceline.models.common.reference_course`). A
performance that says nothing is already solo, still air, sea level, and is kept as it is. Every fit of performances
(the performance model, critical speed, optimal control) reads these equivalents, so shelter is not counted twice.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any

import numpy as np

from paceline.errors import ScenarioError
from paceline.physics.air import REFERENCE_CONDITIONS
from paceline.physics.metabolic import DEFAULT_CURVE

if TYPE_CHECKING:  # pragma: no cover
    from paceline.io.scenario import Athlete, Performance


def _race_as_run(perf: Performance, height_m: float, mass_kg: float, where: str) -> dict[str, Any]:
    """The scenario table of the race a performance was run in, with her body and her time as its result."""
    from paceline.io.scenario import load_scenario

    if perf.race is not None:
        try:
            ref = load_scenario(perf.race)
        except ScenarioError as exc:
            raise ScenarioError(f"{perf.race!r} cannot be loaded ({exc})", f"{where}.race") from None
        if ref.result is None:
            raise ScenarioError(
                f"{perf.race!r} is a plan, not a race that was run (it has no [result]); name the race that was run, "
                "or give the performance's formation and weather",
                f"{where}.race",
            )
        if abs(ref.distance_m - perf.distance_m) > 1e-6:
            raise ScenarioError(
                f"{perf.race!r} is a {ref.distance_m:g} m race; this performance is {perf.distance_m:g} m",
                f"{where}.race",
            )
        data = ref.model_dump(exclude_none=True, exclude={"result", "target_s"})
        conditions = dict(data.get("conditions", {}))
    else:
        if perf.formation is not None:  # named here, not as the pacing of a scenario the user never wrote
            from paceline.io.formations import get_formation

            try:
                get_formation(perf.formation)
            except ScenarioError as exc:
                raise ScenarioError(str(exc).removeprefix(f"{exc.field}: "), f"{where}.formation") from None
        data = {
            "name": "performance",
            "distance_m": perf.distance_m,
            "pacing": [{"from_m": 0.0, "to_m": perf.distance_m, "formation": perf.formation or "solo"}],
        }
        conditions = dict(REFERENCE_CONDITIONS)
    for key in ("temperature_c", "relative_humidity", "altitude_m", "wind_speed_m_s"):
        value = getattr(perf, key)
        if value is not None:
            conditions[key] = value
            conditions.pop(f"{key}_range", None)
    data["conditions"] = conditions
    data["athlete"] = {"name": "performance", "height_m": height_m, "mass_kg": mass_kg}
    data["result"] = {"time_s": perf.time_s}
    return data


@functools.lru_cache(maxsize=256)
def _solo_time(perf_json: str, height_m: float, mass_kg: float, curve: str, where: str) -> float:
    from paceline.fit.effort import CALIBRATION_STEP_M, CalibrationEffort, calibrated_power, race_effort
    from paceline.io.scenario import Performance, scenario_from_dict
    from paceline.models.common import reference_course
    from paceline.models.equal_power import group_drag_k
    from paceline.physics.environment import environment_power_factor

    perf = Performance.model_validate_json(perf_json)
    sc = scenario_from_dict(_race_as_run(perf, height_m, mass_kg, where), source=where)
    effort = race_effort(sc, None)
    power, _ = calibrated_power(effort, curve)
    c = sc.conditions
    power0 = power / float(
        environment_power_factor(c.altitude_m, c.temperature_c, c.relative_humidity, perf.distance_m, perf.time_s)
    )
    course = reference_course(perf.distance_m, height_m, mass_kg, CALIBRATION_STEP_M)
    solo = CalibrationEffort("performances", "solo", course, ((0.0, perf.distance_m),), np.array([perf.time_s]))
    kernel = solo.kernel(curve)
    t = kernel.finish_time([power0], group_drag_k(course, kernel), [0.0], [0.0])
    return float(t[0])


def solo_equivalent(perf: Performance, height_m: float, mass_kg: float, where: str = "performances") -> float:
    """Her time [s] for the performance's distance run solo in still air at sea level on a cool day.

    Raises
    ------
    ScenarioError
        Field ``<where>.race``: the named race cannot be loaded, has another distance, or is a plan (no
        ``[result]``).
    """
    if perf.solo_still_sea_level:
        return perf.time_s
    return _solo_time(perf.model_dump_json(), float(height_m), float(mass_kg), DEFAULT_CURVE, where)


def solo_equivalents(athlete: Athlete) -> list[Performance]:
    """Her performances with each time replaced by its solo, still-air, sea-level equivalent (see the module)."""
    from paceline.io.scenario import Performance

    out = []
    for i, p in enumerate(athlete.performances):
        t = solo_equivalent(p, athlete.height_m, athlete.mass_kg, f"athlete.performances[{i}]")
        out.append(Performance(distance_m=p.distance_m, time_s=t, date=p.date, note=p.note))
    return out

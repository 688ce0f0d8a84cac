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
from typing import TYPE_CHECKING

import numpy as np

from paceline.errors import ScenarioError
from paceline.physics.air import REFERENCE_CONDITIONS
from paceline.physics.metabolic import DEFAULT_CURVE

if TYPE_CHECKING:  # pragma: no cover
    from paceline.io.scenario import Athlete, Performance, Scenario


#: A performance's weather fields, laid over its race's (or reference air): those of the reference conditions.
WEATHER = tuple(REFERENCE_CONDITIONS)


def _race_as_run(perf: Performance, height_m: float, mass_kg: float, where: str) -> Scenario:
    """The race a performance was run in, with her body and her time as its result: the named race (already
    validated) or a solo/formation race in reference air, with the performance's own weather laid over it. Built
    from validated parts; no scenario is dumped or validated again."""
    from pydantic import ValidationError

    from paceline.io.scenario import Athlete, Conditions, PacingPhase, Result, Scenario, load_scenario

    body = Athlete(name="performance", height_m=height_m, mass_kg=mass_kg)
    if perf.race is not None:
        try:
            base = load_scenario(perf.race)
        except ScenarioError as exc:
            raise ScenarioError(f"{perf.race!r} cannot be loaded ({exc})", f"{where}.race") from None
        if base.result is None:
            raise ScenarioError(
                f"{perf.race!r} is a plan, not a race that was run (it has no [result]); name the race that was run, "
                "or give the performance's formation and weather",
                f"{where}.race",
            )
        if abs(base.distance_m - perf.distance_m) > 1e-6:
            raise ScenarioError(
                f"{perf.race!r} is a {base.distance_m:g} m race; this performance is {perf.distance_m:g} m",
                f"{where}.race",
            )
    else:
        if perf.formation is not None:  # named here, not as the pacing of a scenario the user never wrote
            from paceline.io.formations import get_formation

            try:
                get_formation(perf.formation)
            except ScenarioError as exc:
                raise ScenarioError(str(exc).removeprefix(f"{exc.field}: "), f"{where}.formation") from None
        phase = PacingPhase(from_m=0.0, to_m=perf.distance_m, formation=perf.formation or "solo")
        base = Scenario.model_construct(name="performance", distance_m=perf.distance_m, athlete=body, pacing=(phase,))
    conditions = base.conditions if perf.race is not None else Conditions(**REFERENCE_CONDITIONS)
    weather = {k: v for k in WEATHER if (v := getattr(perf, k)) is not None}
    if weather:  # her race's weather, and no range around it
        data = conditions.model_dump(exclude_none=True, exclude={f"{k}_range" for k in weather})
        try:
            conditions = Conditions.model_validate({**data, **weather})
        except ValidationError as exc:
            raise ScenarioError(exc.errors()[0]["msg"].removeprefix("Value error, "), where) from None
    return base.model_copy(
        update={
            "athlete": body,
            "conditions": conditions,
            "result": Result(time_s=perf.time_s),
            "target_s": None,
        }
    )


@functools.lru_cache(maxsize=256)
def _solo_time(perf: Performance, height_m: float, mass_kg: float, curve: str, where: str) -> float:
    from paceline.fit.effort import CALIBRATION_STEP_M, CalibrationEffort, calibrated_power, race_effort
    from paceline.models.common import reference_course
    from paceline.models.equal_power import group_drag_k
    from paceline.physics.environment import environment_power_factor

    sc = _race_as_run(perf, height_m, mass_kg, where)
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
    return _solo_time(perf, float(height_m), float(mass_kg), DEFAULT_CURVE, where)


def solo_equivalents(athlete: Athlete) -> list[Performance]:
    """Her performances with each time replaced by its solo, still-air, sea-level equivalent (see the module)."""
    from paceline.io.scenario import Performance

    out = []
    for i, p in enumerate(athlete.performances):
        t = solo_equivalent(p, athlete.height_m, athlete.mass_kg, f"athlete.performances[{i}]")
        out.append(Performance(distance_m=p.distance_m, time_s=t, date=p.date, note=p.note))
    return out

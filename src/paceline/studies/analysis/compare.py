"""Where the time difference between two analysed races over the same distance came from.

Sequential substitution from race A to race B (the same machinery as the attribution of one race,
:mod:`paceline.studies.analysis.attribution`): first each race's own pacing unevenness (its time minus its even-power
time on
its own course), then, at constant metabolic power on A's grid, A's average power, athlete and kit, shelter, wind, air
density and line are replaced by B's one at a time, in the order of :data:`COMPARE_CAUSES`. The steps add up to
``T_A - T_B`` by construction; another order would share the same total differently, so the Shapley split
(:func:`paceline.studies.analysis.reference.shapley_split`: every order of the six causes after ``pacing`` averaged, 64
evaluations) is given as well; its ``pacing`` is each race's time minus its even-power time without the start lag,
A's minus B's (the start is part of how a race is paced), and it adds up to the same total.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from paceline.errors import ScenarioError
from paceline.studies.analysis.attribution import time_at_power
from paceline.studies.analysis.race_analysis import Analysis
from paceline.studies.analysis.reference import shapley_split

if TYPE_CHECKING:  # pragma: no cover
    from collections.abc import Sequence

    from paceline.models.course import Course
    from paceline.physics.metabolic import CostCurve

#: Causes of a comparison, in the order of substitution (from race A to race B).
COMPARE_CAUSES = (
    "pacing",
    "metabolic power",
    "athlete and kit",
    "shelter",
    "wind",
    "air density",
    "outside the running line",
)


@dataclass
class Comparison:
    """Where the time difference between two races over the same distance came from.

    Attributes
    ----------
    a, b : Analysis
        The two analyses.
    steps : list of dict
        ``{cause, seconds}``: seconds race A took longer than race B due to each cause; they add up to
        ``difference_s`` exactly.
    """

    a: Analysis
    b: Analysis
    steps: list[dict[str, Any]]
    shapley: dict[str, float]

    @property
    def difference_s(self) -> float:
        """Finishing time of A minus B [s]."""
        return self.a.finish_s - self.b.finish_s

    @property
    def attribution(self) -> dict[str, float]:
        """Seconds of the difference due to each cause (A slower than B: positive)."""
        return {s["cause"]: s["seconds"] for s in self.steps}

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready result (see ``paceline compare --json``)."""
        a, b = self.a, self.b
        ida, idb = a.splits.race_id, b.splits.race_id
        return {
            "race_a": ida,
            "race_b": idb,
            "finish_a_s": round(a.finish_s, 3),
            "finish_b_s": round(b.finish_s, 3),
            "difference_s": round(self.difference_s, 4),
            "attribution": {s["cause"]: round(s["seconds"], 4) for s in self.steps},
            "attribution_steps": [{"cause": s["cause"], "seconds": round(s["seconds"], 4)} for s in self.steps],
            "attribution_order": list(COMPARE_CAUSES),
            "attribution_shapley": {c: round(s, 4) for c, s in self.shapley.items()},
            "attribution_note": "A minus B; pacing is A's unevenness minus B's, the rest substitutes A's factors by "
            "B's one at a time at constant metabolic power, in the order given (another order shares the total "
            "differently)",
            "average_metabolic_power_w_kg": {ida: round(a.power_w_kg, 4), idb: round(b.power_w_kg, 4)},
            "mean_shelter": {ida: round(a.mean_shelter, 4), idb: round(b.mean_shelter, 4)},
            "optimal_shelter_gain_s": {ida: round(a.time_lost["shelter"], 4), idb: round(b.time_lost["shelter"], 4)},
            "reference_formation": a.reference["formation"],
            "reference_athlete_offset_m": a.reference["athlete_offset_m"],
            "vs_reference_s": {ida: round(a.total_vs_reference_s, 4), idb: round(b.total_vs_reference_s, 4)},
        }


def substitution_states(course_a: Course, course_b: Course) -> list[tuple[str, Course]]:
    """Race A's course with B's factors put in one at a time, on A's samples, in the order of
    :data:`COMPARE_CAUSES` after ``pacing`` and ``metabolic power`` (the power is not a property of the course).

    Returns
    -------
    list of (str, Course)
        ``(cause, course after substituting it)``; the last is B's course on A's grid.
    """
    causes = COMPARE_CAUSES[2:]
    return [(c, with_b(course_a, course_b, causes[: i + 1])) for i, c in enumerate(causes)]


def with_b(course_a: Course, course_b: Course, causes: Sequence[str]) -> Course:
    """Race A's course with B's value of each course cause in ``causes`` (a subset of :data:`COMPARE_CAUSES`
    after ``metabolic power``), on A's samples."""
    x = course_a.x_m

    def on_a(arr: NDArray[np.float64]) -> NDArray[np.float64]:
        return np.interp(x, course_b.x_m, arr)

    cb = course_b
    c = course_a
    if "athlete and kit" in causes:
        c = c.with_changes(drag_area_m2=cb.drag_area_m2, mass_kg=cb.mass_kg, shoe_economy_gain=cb.shoe_economy_gain)
    if "shelter" in causes:
        c = c.with_changes(shelter=on_a(cb.shelter))
    if "wind" in causes:
        c = c.with_changes(wind_along_m_s=on_a(cb.wind_along_m_s))
    if "air density" in causes:
        c = c.with_changes(air_density_kg_m3=cb.air_density_kg_m3)
    if "outside the running line" in causes:
        c = c.with_changes(line_scale=on_a(cb.line_scale), offset_m=on_a(cb.offset_m))
    return c


def shapley_shares(a: Analysis, b: Analysis, cost: CostCurve) -> dict[str, float]:
    """Seconds of ``T_A - T_B`` due to each cause, averaged over every order of the causes after ``pacing``."""

    def value(s: frozenset[str]) -> float:
        power = b.power_w_kg if "metabolic power" in s else a.power_w_kg
        return time_at_power(with_b(a.course, b.course, tuple(s)), power, cost)

    shares = shapley_split(COMPARE_CAUSES[1:], value)
    even_a, even_b = value(frozenset()), value(frozenset(COMPARE_CAUSES[1:]))
    pacing = (a.finish_s - even_a) - (b.finish_s - even_b)
    return {"pacing": pacing, **{c: -v for c, v in shares.items()}}


def compare(a: Analysis, b: Analysis) -> Comparison:
    """Attribute the difference between two analysed races over the same distance (see the module docstring).

    Parameters
    ----------
    a, b : Analysis
        The two races (:func:`paceline.studies.analysis.race_analysis.analyze`); A's cost curve is used for both.

    Returns
    -------
    Comparison
        Seconds of ``T_A - T_B`` due to each cause.

    Raises
    ------
    ScenarioError
        If the races are over different distances.
    """
    from paceline.physics.metabolic import DEFAULT_CURVE, get_curve

    if abs(a.splits.event_m - b.splits.event_m) > 1e-6:
        raise ScenarioError(
            f"{a.splits.race_id} is {a.splits.event_m:g} m and {b.splits.race_id} is {b.splits.event_m:g} m; "
            "compare races over the same distance"
        )
    cost = get_curve(a.reference.get("cost_curve", DEFAULT_CURVE))
    lag_a, lag_b = a.reconstruction.lag_s, b.reconstruction.lag_s
    # even-power times: A's own; then at B's power on A's course, and B's factors one at a time; the last state is
    # B's course (on A's grid) at B's power: B's even-power time, with B's own start lag
    states = [("metabolic power", a.course), *substitution_states(a.course, b.course)]
    times = [time_at_power(a.course, a.power_w_kg, cost) + lag_a]
    times += [time_at_power(c, b.power_w_kg, cost) + lag_a for _, c in states[:-1]]
    times.append(time_at_power(states[-1][1], b.power_w_kg, cost) + lag_b)
    pacing = (a.finish_s - times[0]) - (b.finish_s - times[-1])
    steps = [{"cause": "pacing", "seconds": pacing}]
    steps += [{"cause": cause, "seconds": times[i] - times[i + 1]} for i, (cause, _) in enumerate(states)]
    return Comparison(a=a, b=b, steps=steps, shapley=shapley_shares(a, b, cost))

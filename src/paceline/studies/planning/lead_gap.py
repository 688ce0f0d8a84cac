"""The lead pacer's gap ahead of the athlete along the race: what the lead-pacer light train runs ahead of the plan.

In each pacing phase the lead gap is the largest ``dx_m`` of the phase's formation (0 where nobody runs ahead, and
there the lead-pacer train is the plan itself). At a phase change the train moves to the new gap gradually
(:data:`LEAD_GAP_RAMP`), so its lights never run backwards along the rail.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

if TYPE_CHECKING:  # pragma: no cover
    from paceline.io.scenario import Scenario

#: How fast the lead-pacer train takes up a new lead gap after a phase change [m of gap per m of race]: 1 m per 20 m,
#: so while the gap changes its lights run at most 5 % faster or slower than the plan, and never backwards.
LEAD_GAP_RAMP = 0.05


def lead_gaps(scenario: Scenario) -> list[tuple[float, float, float]]:
    """How far the lead pacer runs ahead of the athlete, phase by phase: ``(from_m, to_m, gap_m)`` [m].

    In each pacing phase the lead gap is the largest ``dx_m`` of that phase's formation, 0 where nobody runs ahead
    (solo, or only pacers beside or behind). Consecutive phases with the same gap are merged.
    """
    out: list[tuple[float, float, float]] = []
    for ph in scenario.phases():
        gap = max([0.0, *(sl.dx_m for sl in scenario.formation(ph.formation).slots)])
        if out and abs(out[-1][2] - gap) < 1e-9:
            out[-1] = (out[-1][0], ph.to_m, out[-1][2])
        else:
            out.append((ph.from_m, ph.to_m, gap))
    return out


def lead_gap_knots(scenario: Scenario) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """The lead-pacer train's gap ahead of the athlete as a piecewise-linear function of her race distance.

    The gap is :func:`lead_gaps`'s gap of the first phase from the start; at each phase change it moves to the new
    phase's gap at :data:`LEAD_GAP_RAMP` metres per metre of race, starting at the phase boundary (a change not
    finished by the next boundary goes on from where it got to).

    Returns
    -------
    y_m, gap_m : ndarray
        Knots: the athlete's race distance [m] (increasing, 0 to ``distance_m``) and the gap there [m].
    """
    phases = lead_gaps(scenario)
    ys, gs = [0.0], [phases[0][2]]
    for a, b, target in phases[1:]:
        g = gs[-1]
        if a > ys[-1] + 1e-9:
            ys.append(a)
            gs.append(g)
        if abs(target - g) > 1e-12:
            end = min(a + abs(target - g) / LEAD_GAP_RAMP, b)
            ys.append(end)
            gs.append(g + math.copysign(LEAD_GAP_RAMP * (end - a), target - g))
    if scenario.distance_m > ys[-1] + 1e-9:
        ys.append(scenario.distance_m)
        gs.append(gs[-1])
    return np.array(ys), np.array(gs)


def lead_train_words(scenario: Scenario) -> str:
    """Where the lead-pacer train runs, in words: ``the plan 1.2 m ahead of her``, ``the plan itself (nobody runs
    ahead of her)`` or, phase by phase, ``the plan 2.6 m ahead of him to 400 m, 1.3 m ahead to 1000 m, then with him
    (each change at 1 m per 20 m)``."""
    from paceline.io.athletes import pronouns

    him = pronouns(scenario.athlete.sex).object
    gaps = lead_gaps(scenario)
    if len(gaps) == 1:
        g = gaps[0][2]
        return f"the plan {g:.1f} m ahead of {him}" if g > 0 else f"the plan itself (nobody runs ahead of {him})"
    parts = []
    for i, (_, to_m, g) in enumerate(gaps):
        where = f"{g:.1f} m ahead" + (f" of {him}" if i == 0 else "") if g > 0 else f"with {him}"
        parts.append(f"then {where}" if i == len(gaps) - 1 else f"{where} to {to_m:.0f} m")
    return f"the plan {', '.join(parts)} (each change at 1 m per {1 / LEAD_GAP_RAMP:.0f} m)"

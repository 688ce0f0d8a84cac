"""A reference the athlete could run, and the order-free (Shapley) split of a time difference.

A reference of :mod:`paceline.studies.analysis.race_analysis` (and of :mod:`paceline.studies.analysis.compare`, which
reads it) is a race:

- **its formation's athlete offset**: she runs where the formation puts her (the Breaking2 arrowhead puts her 1.2 m
  from the kerb, +5.65 m per lap on a 400 m track), not on the lane-1 running line;
- **its pacers' own lines**: every slot's line from :func:`paceline.physics.lines.pacer_lines` must be on the
  track (outside the kerb, within its lanes); the lines and the speed each asks of its pacer are reported;
- **slots within what pacers can hold**: where the scenario's roster gives performances, every slot needs a
  distinct pacer able to hold the speed of that slot's own line (the race's mean speed times the line's speed
  ratio) for the whole race (:func:`paceline.studies.planning.plan.pacer_capability_speed`); a roster without
  performances
  cannot be checked, and the result says so.

Sequential substitution (the attribution of :mod:`paceline.studies.analysis.race_analysis`) depends on the order of
the causes,
because they interact (wind costs more without shelter, a wider line costs more at a higher speed). The Shapley
value (Shapley 1953) averages each cause's share over all orders: ``phi_i = sum_S |S|! (n-|S|-1)! / n! (v(S + i) -
v(S))`` over the subsets ``S`` of the other causes; the shares still add up to the total exactly, and no order is
privileged. With ``n`` causes it needs ``2^n`` evaluations (16 for an analysis, 64 for a comparison).

References
----------
Shapley, L. S. (1953). A value for n-person games. In Contributions to the Theory of Games II, 307-317.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

if TYPE_CHECKING:  # pragma: no cover
    from paceline.io.scenario import Scenario
    from paceline.models.course import Course
    from paceline.physics.formation import Formation

__all__ = ["Runnable", "best_runnable_formation", "formation_runnable", "reference_line_scale", "shapley_split"]


@dataclass(frozen=True)
class Runnable:
    """Whether a formation can be run as a reference on a scenario's track by its roster.

    Attributes
    ----------
    ok : bool
        True when every check that could be made passed.
    reasons : list of str
        Why not (empty when ``ok``).
    lines : list of dict
        Each slot's line: ``{slot, offset_m, speed_ratio, speed_m_s}`` (speed on the pacer's own line [m/s]).
    pacers_checked : bool
        False when the roster has no performances, so the pacers' capability could not be checked.
    """

    ok: bool
    reasons: list[str] = field(default_factory=list)
    lines: list[dict[str, Any]] = field(default_factory=list)
    pacers_checked: bool = False


def formation_runnable(formation: Formation, scenario: Scenario, speed_m_s: float, duration_s: float) -> Runnable:
    """Check that a formation is a race the scenario's athlete could run (see the module docstring).

    Parameters
    ----------
    formation : Formation
        Candidate reference formation.
    scenario : Scenario
        The race's scenario (its track and its roster).
    speed_m_s : float
        Mean speed of the athlete in the reference [m/s] (the race's own mean speed, to first order).
    duration_s : float
        How long each pacer must hold the slot [s].

    Returns
    -------
    Runnable
    """
    from paceline.errors import ScenarioError
    from paceline.physics import track as trk
    from paceline.physics.lines import pacer_lines

    if not formation.slots:
        return Runnable(ok=True, pacers_checked=True)
    geom = scenario.track.geometry()
    if scenario.track.kind == "oval":
        start = trk.start_position_m(scenario.distance_m, geom)
        try:
            lines = pacer_lines(formation, start, start + scenario.distance_m, geom)
        except ScenarioError as exc:
            return Runnable(ok=False, reasons=[str(exc)])
        ratios = {ln.slot: ln.speed_ratio for ln in lines}
        offsets = {ln.slot: ln.offset_m for ln in lines}
    else:
        ratios = {s.name: 1.0 for s in formation.slots}
        offsets = {s.name: formation.athlete_offset_m + s.dy_m for s in formation.slots}
    rows = [
        {
            "slot": s.name,
            "offset_m": round(offsets[s.name], 3),
            "speed_ratio": round(ratios[s.name], 5),
            "speed_m_s": round(speed_m_s * ratios[s.name], 4),
        }
        for s in formation.slots
    ]
    return _check_capability(rows, scenario, duration_s)


def _check_capability(rows: list[dict[str, Any]], scenario: Scenario, duration_s: float) -> Runnable:
    """Assign distinct roster pacers to the slots, fastest slot first, each the least capable pacer who can."""
    from paceline.studies.planning.plan import pacer_capability_speed

    caps = []
    for p in scenario.pacers:
        cap, _ = pacer_capability_speed(p, duration_s)
        if cap is not None:
            caps.append((cap, p.name))
    if not caps:
        return Runnable(ok=True, lines=rows, pacers_checked=False)
    free = sorted(caps)
    reasons = []
    for row in sorted(rows, key=lambda r: -r["speed_m_s"]):
        able = [c for c in free if c[0] >= row["speed_m_s"]]
        if not able:
            reasons.append(
                f"slot {row['slot']!r} needs {row['speed_m_s']:.2f} m/s on its line for {duration_s:.0f} s; no "
                "pacer left on the roster can hold it"
            )
            continue
        free.remove(able[0])
        row["pacer"] = able[0][1]
    return Runnable(ok=not reasons, reasons=reasons, lines=rows, pacers_checked=True)


def best_runnable_formation(
    scenario: Scenario, speed_m_s: float, duration_s: float
) -> tuple[str, float, Formation, Runnable]:
    """The named formation (bundled and the scenario's own) with the most shelter among those that can be run.

    Returns
    -------
    (name, shelter [-], formation, its Runnable)
    """
    from paceline.io.fitted import drafting_params
    from paceline.io.formations import bundled_formations
    from paceline.physics import drafting

    forms = {**bundled_formations(), **scenario.own_formations()}
    p = drafting_params()
    scored = sorted(((float(drafting.formation_shelter(f, p)), name) for name, f in forms.items()), reverse=True)
    for shelter, name in scored:
        check = formation_runnable(forms[name], scenario, speed_m_s, duration_s)
        if check.ok:
            return name, shelter, forms[name], check
    return "solo", 0.0, forms["solo"], Runnable(ok=True, pacers_checked=True)  # pragma: no cover - solo is bundled


def reference_line_scale(course: Course, scenario: Scenario, offset_m: float) -> NDArray[np.float64]:
    """Metres run per metre of race distance on the line ``offset_m`` from the kerb, on the course's samples."""
    from paceline.physics import track as trk

    if scenario.track.kind != "oval":
        return np.ones_like(course.x_m)
    return np.asarray(trk.line_scale(course.track_pos_m, offset_m, scenario.track.geometry()), dtype=float)


def shapley_split(causes: Sequence[str], value: Callable[[frozenset[str]], float]) -> dict[str, float]:
    """Shapley shares of ``value(all causes) - value(no cause)``, averaged over every order of the causes.

    Parameters
    ----------
    causes : sequence of str
        The causes (players).
    value : callable
        ``value(S)``: the quantity with the causes in ``S`` substituted (each subset is evaluated once).

    Returns
    -------
    dict
        Share of each cause; they add up to ``value(all) - value(none)`` exactly (up to rounding).
    """
    names = list(causes)
    n = len(names)
    cache = {frozenset(s): value(frozenset(s)) for k in range(n + 1) for s in itertools.combinations(names, k)}
    out = {}
    for c in names:
        others = [o for o in names if o != c]
        total = 0.0
        for k in range(n):
            w = math.factorial(k) * math.factorial(n - k - 1) / math.factorial(n)
            for s in itertools.combinations(others, k):
                total += w * (cache[frozenset((*s, c))] - cache[frozenset(s)])
        out[c] = total
    return out

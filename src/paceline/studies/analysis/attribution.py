"""Where a race's time went: sequential substitution against a reference (stage 5 of
:func:`paceline.studies.analysis.race_analysis.analyze`).

The race's course is set to the reference's one cause at a time (:func:`reference_states`) and each state's
even-power time taken (:func:`attribute`). The reference (default) is the same athlete at the same *average*
metabolic power (time-weighted over the race), with the best *runnable* named formation's shelter
(:mod:`paceline.studies.analysis.reference`: on its own athlete offset, its pacers on their own lines on the track, its
slots within what the roster can hold), even metabolic power, still air, reference air density (20 degC, 50 % RH,
sea level), on that formation's line.
Starting from the race as run, one factor at a time is changed to the reference, in this order:

``pacing`` (uneven -> even metabolic power) -> ``shelter`` -> ``wind`` -> ``air density`` ->
``distance outside the running line``,

and each step's change of finishing time is that cause's share. The shares add up to the total difference by
construction. **They depend on the order**: the factors interact (wind matters more without shelter, for
example), so another order would share the same total differently; the Shapley split
(:func:`paceline.studies.analysis.reference.shapley_split`) averages the shares over every order of the four course
causes
and adds up to the same total. The standing start is common to the race and to every reference state and so
appears in no share.

:func:`paceline.studies.analysis.compare.compare` applies the same substitution to the difference between two races.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

if TYPE_CHECKING:  # pragma: no cover
    from collections.abc import Sequence

    from paceline.io.scenario import Scenario
    from paceline.models.course import Course
    from paceline.physics.metabolic import CostCurve

#: The causes of the attribution, in the order of substitution.
CAUSES = ("pacing", "shelter", "wind", "air density", "outside the running line")


@dataclass(frozen=True)
class Reference:
    """What a race is compared with (see the module docstring).

    Attributes
    ----------
    formation : str or None
        Formation giving the reference shelter; None: the best-sheltering named formation (bundled and the
        scenario's own).
    wind_speed_m_s : float
        Reference wind [m/s] (0: still air), from the scenario's wind direction.
    air_density_kg_m3 : float or None
        Reference air density [kg/m^3]; None: 20 degC, 50 % RH, sea level.
    running_line : bool
        True: the reference runs its formation's own line (its ``athlete_offset_m`` from the kerb); False: the
        race's own line.
    """

    formation: str | None = None
    wind_speed_m_s: float = 0.0
    air_density_kg_m3: float | None = None
    running_line: bool = True


def reference_formation(
    scenario: Scenario, reference: Reference, speed_m_s: float, duration_s: float
) -> dict[str, Any]:
    """The reference's formation: the one given, else the best-sheltering runnable one
    (:func:`paceline.studies.analysis.reference.best_runnable_formation`).

    Parameters
    ----------
    scenario : Scenario
        The race's scenario (track, roster, own formations).
    reference : Reference
        What to compare with.
    speed_m_s, duration_s : float
        The race's mean speed [m/s] and time [s]: what the reference's pacers must hold.

    Returns
    -------
    dict
        ``name``, ``shelter`` [-], ``athlete_offset_m`` [m] and ``runnable`` (a
        :class:`~paceline.studies.analysis.reference.Runnable`).

    Raises
    ------
    ScenarioError
        If the given formation cannot be run (field ``reference_formation``), with the reason.
    """
    from paceline.errors import ScenarioError
    from paceline.io.fitted import drafting_params
    from paceline.physics import drafting
    from paceline.studies.analysis.reference import best_runnable_formation, formation_runnable

    if not reference.formation:
        name, shelter, form, check = best_runnable_formation(scenario, speed_m_s, duration_s)
    else:
        name, form = reference.formation, scenario.formation(reference.formation)
        shelter = float(drafting.formation_shelter(form, drafting_params()))
        check = formation_runnable(form, scenario, speed_m_s, duration_s)
        if not check.ok:
            raise ScenarioError(
                f"{name!r} cannot be run as a reference here: {'; '.join(check.reasons)}", "reference_formation"
            )
    return {"name": name, "shelter": shelter, "athlete_offset_m": form.athlete_offset_m, "runnable": check}


def reference_air_density(reference: Reference) -> float:
    """Air density of the reference [kg/m^3]: given, else 20 degC, 50 % RH, sea level."""
    from paceline.physics.air import REFERENCE_AIR_DENSITY_KG_M3

    return (
        float(reference.air_density_kg_m3) if reference.air_density_kg_m3 is not None else REFERENCE_AIR_DENSITY_KG_M3
    )


def reference_states(
    course: Course,
    shelter: float,
    reference: Reference,
    air_density_kg_m3: float,
    line_scale: NDArray[np.float64],
    offset_m: float,
) -> list[tuple[str, Course]]:
    """The race's course with its factors set to the reference's one at a time, in the order of :data:`CAUSES`.

    Parameters
    ----------
    course : Course
        The race's course.
    shelter : float
        Reference shelter [-].
    reference : Reference
        The reference's wind and line.
    air_density_kg_m3 : float
        Reference air density [kg/m^3].
    line_scale : ndarray
        Metres run per metre of race distance on the reference formation's line, on the course's samples
        (:func:`paceline.studies.analysis.reference.reference_line_scale`).
    offset_m : float
        The reference formation's athlete offset from the kerb [m].

    Returns
    -------
    list of (str, Course)
        ``(cause, course after substituting it)`` for every cause after ``pacing``; the last is the reference.
    """
    return [
        (cause, substituted(course, CAUSES[1 : i + 2], shelter, reference, air_density_kg_m3, line_scale, offset_m))
        for i, cause in enumerate(CAUSES[1:])
    ]


def substituted(
    course: Course,
    causes: Sequence[str],
    shelter: float,
    reference: Reference,
    air_density_kg_m3: float,
    line_scale: NDArray[np.float64],
    offset_m: float,
) -> Course:
    """The race's course with the reference's value of each cause in ``causes`` (any subset of :data:`CAUSES`
    after ``pacing``), the others as raced."""
    x = course.x_m
    c = course
    if "shelter" in causes:
        c = c.with_changes(shelter=np.full_like(x, shelter))
    if "wind" in causes:
        c = c.with_wind(reference.wind_speed_m_s)
    if "air density" in causes:
        c = c.with_changes(air_density_kg_m3=air_density_kg_m3)
    if "outside the running line" in causes and reference.running_line:
        c = c.with_changes(line_scale=np.asarray(line_scale, dtype=float), offset_m=np.full_like(x, offset_m))
    return c


def time_at_power(course: Course, power_w_kg: float, curve: CostCurve) -> float:
    """Finishing time [s] of a course at a constant metabolic power (:func:`paceline.models.common`)."""
    from paceline.models import common

    return float(common.finish_time_at_power(course, power_w_kg, curve))


def attribute(
    finish_s: float,
    course: Course,
    states: list[tuple[str, Course]],
    power_w_kg: float,
    curve: CostCurve,
    lag_s: float,
) -> list[dict[str, Any]]:
    """Sequential substitution: the seconds each cause costs, from the race as run to the reference.

    Parameters
    ----------
    finish_s : float
        The race's time [s].
    course : Course
        The race's course (its even-power time gives the ``pacing`` share).
    states : list of (str, Course)
        From :func:`reference_states`.
    power_w_kg : float
        The race's average metabolic power [W/kg], held in every state.
    curve : CostCurve
        Treadmill cost curve.
    lag_s : float
        Standing-start lag [s], added to every even-power time.

    Returns
    -------
    list of dict
        ``{cause, from_s, to_s, seconds}``; ``seconds`` = ``from_s - to_s`` (positive: the race lost time).
    """
    steps = []
    prev = finish_s
    for cause, cst in [("pacing", course), *states]:
        now = time_at_power(cst, power_w_kg, curve) + lag_s
        steps.append({"cause": cause, "from_s": prev, "to_s": now, "seconds": prev - now})
        prev = now
    return steps


def describe_reference(
    reference: Reference, power_w_kg: float, formation: dict[str, Any], air_density_kg_m3: float, curve: str
) -> dict[str, Any]:
    """What the reference is, for the JSON and the tables (``formation`` from :func:`reference_formation`)."""
    check = formation["runnable"]
    return {
        "description": "same athlete at the same average metabolic power, even metabolic power, the best runnable "
        "formation on its own line, still air, reference air"
        if reference == Reference()
        else "user reference",
        "power_w_kg": round(power_w_kg, 4),
        "formation": formation["name"],
        "shelter": round(formation["shelter"], 4),
        "athlete_offset_m": formation["athlete_offset_m"],
        "pacer_lines": check.lines,
        "pacers_checked": check.pacers_checked,
        "wind_speed_m_s": reference.wind_speed_m_s,
        "air_density_kg_m3": round(air_density_kg_m3, 4),
        "running_line": reference.running_line,
        "cost_curve": curve,
    }

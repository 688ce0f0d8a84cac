"""Physics and energy along a reconstructed race: drag, drag power, metabolic power and the D' balance.

The race's environment comes from the one course builder (:func:`paceline.models.course.build_course`); the forces
and powers on the reconstructed speed from the one implementation of each (:func:`paceline.physics.aero.drag_force`,
:func:`paceline.physics.aero.drag_power`, :func:`paceline.physics.metabolic.metabolic_power_w_kg`), and the D'
balance from the critical-speed model's (:func:`paceline.models.critical_speed.dprime_balance_m`) with CS and D'
from the one calibration (:func:`paceline.fit.athlete.athlete_params`). The energetics use the cruise profile: the
equal-power cost has no term for accelerating from rest.

References
----------
da Silva, E. S., Kram, R. & Hoogkamer, W. (2022). The metabolic cost of running with horizontal impeding forces.
J. Appl. Physiol. 133, 1032-1039.
Skiba, P. F. et al. (2015). Intramuscular determinants of the ability to recover work capacity above critical
power. Eur. J. Appl. Physiol. 115, 703-713.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

if TYPE_CHECKING:  # pragma: no cover
    from paceline.io.races import RaceSplits
    from paceline.io.scenario import Scenario
    from paceline.models.athlete import CriticalSpeedParams
    from paceline.models.course import Course
    from paceline.physics.metabolic import CostCurve
    from paceline.studies.analysis.reconstruction import Reconstruction


def course_step_m(distance_m: float) -> float:
    """Sample spacing of the analysis course [m]: 1 m, coarser above 2000 m (2000 samples)."""
    return max(1.0, distance_m / 2000.0)


def analysis_course(scenario: Scenario, splits: RaceSplits) -> Course:
    """The race's course (:func:`paceline.models.course.build_course`) with every split a sample."""
    from paceline.models.course import build_course

    return build_course(
        scenario, step_m=course_step_m(scenario.distance_m), breaks_m=[float(d) for d in splits.split_m]
    )


def physics_along(course: Course, rec: Reconstruction, curve: CostCurve) -> dict[str, NDArray[np.float64]]:
    """Drag, drag power and metabolic power along the reconstructed race, on the course's samples.

    Parameters
    ----------
    course : Course
        The race environment.
    rec : Reconstruction
        The speed profile.
    curve : CostCurve
        Treadmill cost curve.

    Returns
    -------
    dict of ndarray
        ``race_speed_m_s`` (with the start from rest) and ``cruise_speed_m_s`` (on her own line) [m/s], ``drag_n``
        [N] (:func:`paceline.physics.aero.drag_force`), ``drag_power_w`` [W] (:func:`paceline.physics.aero.drag_power`),
        ``metabolic_power_w_kg`` [W/kg] (:func:`paceline.physics.metabolic.metabolic_power_w_kg`), and the course's
        ``shelter``, ``wind_along_m_s``, ``line_scale``, ``offset_m``, ``track_pos_m``.
    """
    from paceline.models.common import series_at_speed

    x = course.x_m
    v = course.line_scale / rec.cruise_pace(x)  # speed on her own line [m/s]
    series = series_at_speed(course, v, curve)
    series.pop("curvature_1_m")
    return {"race_speed_m_s": np.asarray(rec.speed_at(x), dtype=float), "cruise_speed_m_s": v, **series}


def time_weighted_mean(values: NDArray[np.float64], t_s: NDArray[np.float64]) -> float:
    """Mean of a series over time, trapezoidal on its samples (times ``t_s`` [s])."""
    dt = np.diff(t_s)
    mid = 0.5 * (values[1:] + values[:-1])
    return float(np.sum(mid * dt) / np.sum(dt))


def critical_speed_athlete(scenario: Scenario, curve: CostCurve) -> CriticalSpeedParams | None:
    """CS and D' of the scenario's athlete (:func:`paceline.fit.athlete.critical_speed_params`), or None with fewer
    than two performances."""
    if len(scenario.athlete.performances) < 2:
        return None
    from paceline.fit.athlete import critical_speed_params

    return critical_speed_params(scenario, curve=curve.name)


def balance_note(minimum_m: float, dprime_m: float) -> str:
    """Plain-language reading of the lowest D' balance of a race."""
    if abs(minimum_m) <= 0.05 * dprime_m:
        return "D' used up by the finish (within 5 %): an all-out race by the fitted CS/D'"
    if minimum_m > 0:
        return "D' left over: by the fitted CS/D' the athlete had more to give"
    return "D' went well below zero: the race beat what the fitted CS/D' allow (fit or physics off)"


def energy_balance(
    athlete: CriticalSpeedParams | None, power_w_kg: NDArray[np.float64], t_s: NDArray[np.float64], curve: CostCurve
) -> tuple[dict[str, Any], dict[str, NDArray[np.float64]]]:
    """The critical-speed D' balance along the race, on the equivalent solo speed.

    Parameters
    ----------
    athlete : CriticalSpeedParams or None
        Her ``cs_m_s`` [m/s] and ``dprime_m`` [m]; None: no balance.
    power_w_kg : ndarray
        Metabolic power along the race [W/kg].
    t_s : ndarray
        Time at the samples [s].
    curve : CostCurve
        Treadmill cost curve.

    Returns
    -------
    dict, dict of ndarray
        The summary (``cs_m_s``, ``dprime_m``, ``dprime_min_m``, ``dprime_at_finish_m``, ``note``) and the series
        ``equivalent_solo_speed_m_s`` [m/s] (:func:`paceline.models.common.equivalent_solo_speed`) and
        ``dprime_balance_m`` [m] (:func:`paceline.models.critical_speed.dprime_balance_m`).
    """
    energy: dict[str, Any] = {"model": "critical-speed D' balance on the equivalent solo speed"}
    if athlete is None:
        energy["note"] = "fewer than 2 performances: no CS/D' fit, no balance"
        return energy, {}
    from paceline.models.common import equivalent_solo_speed
    from paceline.models.critical_speed import dprime_balance_m

    cs, dp = float(athlete.cs_m_s), float(athlete.dprime_m)
    u_solo = np.asarray(equivalent_solo_speed(power_w_kg, athlete.height_m, athlete.mass_kg, curve), dtype=float)
    bal = dprime_balance_m(t_s, u_solo, cs, dp)
    energy.update(
        cs_m_s=round(cs, 4),
        dprime_m=round(dp, 2),
        origin=athlete.source,
        dprime_min_m=round(float(np.min(bal)), 2),
        dprime_at_finish_m=round(float(bal[-1]), 2),
        note=balance_note(float(np.min(bal)), dp),
    )
    return energy, {"equivalent_solo_speed_m_s": u_solo, "dprime_balance_m": bal}

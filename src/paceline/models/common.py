"""Pieces shared by the equal-power and critical-speed models: running a course at a given metabolic power, and
the solo reference (alone, still air of reference density, ordinary kit) that performances are taken to be run in."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import ArrayLike, NDArray

from paceline.physics import aero, air
from paceline.physics.metabolic import DEFAULT_CURVE, CostCurve, metabolic_power_w_kg, speed_at_power

if TYPE_CHECKING:  # pragma: no cover
    from paceline.models.course import Course


def series_at_speed(
    course: Course, speed_m_s: NDArray[np.float64], curve: str | CostCurve
) -> dict[str, NDArray[np.float64]]:
    """What the athlete meets and spends at a speed profile on a course, on its samples.

    Parameters
    ----------
    course : Course
        The race environment.
    speed_m_s : ndarray
        Her speed over the ground at each sample [m/s].
    curve : str or CostCurve
        Treadmill cost curve.

    Returns
    -------
    dict of ndarray
        ``drag_n`` [N] (:func:`paceline.physics.aero.drag_force`), ``drag_power_w`` [W]
        (:func:`paceline.physics.aero.drag_power`), ``metabolic_power_w_kg`` [W/kg]
        (:func:`paceline.physics.metabolic.metabolic_power_w_kg`), and the course's ``shelter``,
        ``wind_along_m_s``, ``line_scale``, ``offset_m``, ``track_pos_m``, ``curvature_1_m``.
    """
    v = np.asarray(speed_m_s, dtype=float)
    environment = (course.air_density_kg_m3, course.drag_area_m2, course.wind_along_m_s, course.shelter)
    drag = np.asarray(aero.drag_force(v, *environment), dtype=float)
    return {
        "shelter": course.shelter,
        "drag_n": drag,
        "drag_power_w": np.asarray(aero.drag_power(v, *environment), dtype=float),
        "wind_along_m_s": course.wind_along_m_s,
        "metabolic_power_w_kg": np.asarray(
            metabolic_power_w_kg(v, drag, course.mass_kg, course.shoe_economy_gain, curve), dtype=float
        ),
        "line_scale": course.line_scale,
        "offset_m": course.offset_m,
        "track_pos_m": course.track_pos_m,
        "curvature_1_m": course.curvature_1_m,
    }


def drag_coefficient_n_s2_m2(course: Course) -> NDArray[np.float64]:
    """``k = 1/2 rho CdA (1 - shelter)`` at each sample [N s^2/m^2], so that drag is ``k (v - w)|v - w|``
    (:func:`paceline.physics.aero.drag_coefficient_n_s2_m2` on the course's air, drag area and shelter)."""
    return np.asarray(aero.drag_coefficient_n_s2_m2(course.air_density_kg_m3, course.drag_area_m2, course.shelter))


def speeds_at_power(course: Course, power_w_kg: ArrayLike, curve: str | CostCurve) -> NDArray[np.float64]:
    """Running speed at every sample of a course when holding a metabolic power [m/s].

    ``power_w_kg`` may carry leading dimensions (one power per scenario draw): the result has shape
    ``power.shape + (n_samples,)``.
    """
    p = np.asarray(power_w_kg, dtype=float)[..., None]
    return speed_at_power(
        p,
        drag_coefficient_n_s2_m2(course),
        course.mass_kg,
        course.wind_along_m_s,
        course.shoe_economy_gain,
        curve,
    )


def cumulative_time_s(course: Course, speed_m_s: NDArray[np.float64]) -> NDArray[np.float64]:
    """Time at every sample [s] for speeds at the samples, trapezoidal in pace, counting the metres run wide."""
    pace = course.line_scale / speed_m_s  # s per metre of race distance
    dt = 0.5 * (pace[..., 1:] + pace[..., :-1]) * course.segment_m
    zeros = np.zeros((*dt.shape[:-1], 1))
    return np.concatenate([zeros, np.cumsum(dt, axis=-1)], axis=-1)


def finish_time_at_power(course: Course, power_w_kg: ArrayLike, curve: str | CostCurve) -> NDArray[np.float64]:
    """Finishing time [s] at a constant metabolic power (vectorised over leading dimensions of the power)."""
    return cumulative_time_s(course, speeds_at_power(course, power_w_kg, curve))[..., -1]


def time_between(
    course: Course, power_w_kg: ArrayLike, curve: str | CostCurve, x0_m: float, x1_m: float
) -> NDArray[np.float64]:
    """Time [s] to run from race distance ``x0_m`` to ``x1_m`` (both samples of the course) at a constant power."""
    i0 = int(np.searchsorted(course.x_m, x0_m - 1e-9))
    i1 = int(np.searchsorted(course.x_m, x1_m - 1e-9))
    t = cumulative_time_s(course, speeds_at_power(course, power_w_kg, curve))
    return t[..., i1] - t[..., i0]


def reference_course(
    distance_m: float, height_m: float, mass_kg: float, step_m: float = 5.0, drag_area_m2: float | None = None
) -> Course:
    """A distance run solo on the lane-1 line in still reference air, ordinary kit, no shoe gain.

    Parameters
    ----------
    distance_m : float
        Race distance [m].
    height_m, mass_kg : float
        The athlete's body [m], [kg] (her drag area, unless ``drag_area_m2`` is given).
    step_m : float
        Sample spacing [m].
    drag_area_m2 : float, optional
        Her measured drag area [m^2] (:func:`paceline.physics.aero.drag_area`'s ``drag_area_m2``).
    """
    from paceline.models.course import Course

    n = max(2, int(np.ceil(distance_m / step_m)) + 1)
    x = np.linspace(0.0, distance_m, n)
    zeros = np.zeros_like(x)
    return Course(
        distance_m=distance_m,
        x_m=x,
        shelter=zeros,
        wind_along_m_s=zeros,
        line_scale=np.ones_like(x),
        curvature_1_m=zeros,
        offset_m=np.full_like(x, 0.30),
        track_pos_m=x,
        air_density_kg_m3=air.REFERENCE_AIR_DENSITY_KG_M3,
        drag_area_m2=float(aero.drag_area(height_m, mass_kg, drag_area_m2=drag_area_m2)),
        mass_kg=mass_kg,
        shoe_economy_gain=0.0,
        phase_index=np.zeros(n, dtype=np.int64),
        assumptions=[],
        name=f"solo {distance_m:g} m",
        unit_wind=zeros,
    )


def reference_drag_k(height_m: float, mass_kg: float) -> float:
    """``1/2 rho_ref CdA`` of the athlete alone in reference air [N s^2/m^2]."""
    return float(aero.drag_coefficient_n_s2_m2(air.REFERENCE_AIR_DENSITY_KG_M3, aero.drag_area(height_m, mass_kg)))


def power_of_solo_speed(
    u_m_s: ArrayLike, height_m: float, mass_kg: float, curve: str | CostCurve = DEFAULT_CURVE
) -> NDArray[np.float64]:
    """Metabolic power [W/kg] of running alone at ``u_m_s`` in still reference air."""
    u = np.asarray(u_m_s, dtype=float)
    drag = aero.drag_force(u, air.REFERENCE_AIR_DENSITY_KG_M3, aero.drag_area(height_m, mass_kg))
    return metabolic_power_w_kg(u, drag, mass_kg, 0.0, curve)


def equivalent_solo_speed(
    power_w_kg: ArrayLike, height_m: float, mass_kg: float, curve: str | CostCurve = DEFAULT_CURVE
) -> NDArray[np.float64]:
    """Equivalent solo speed [m/s]: the still-air, unsheltered speed of the same metabolic power."""
    return speed_at_power(power_w_kg, reference_drag_k(height_m, mass_kg), mass_kg, 0.0, 0.0, curve)

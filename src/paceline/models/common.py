"""Pieces shared by the equal-power and critical-speed models: running a course at a given metabolic power."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import ArrayLike, NDArray

from paceline.physics.metabolic import CostCurve, speed_at_power

if TYPE_CHECKING:  # pragma: no cover
    from paceline.models.course import Course


def drag_coefficient_n_s2_m2(course: Course) -> NDArray[np.float64]:
    """``k = 1/2 rho CdA (1 - shelter)`` at each sample [N s^2/m^2], so that drag is ``k (v - w)|v - w|``."""
    return 0.5 * course.air_density_kg_m3 * course.cda_m2 * (1.0 - course.shelter)


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

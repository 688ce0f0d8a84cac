"""The race-time calculators athletes use, as baselines: Riegel's power law and Daniels' VDOT.

Both predict a time at a new distance from one known performance (the nearest one in log distance, as a calculator
is used) or from several (:func:`riegel_fit`: the exponent fitted by least squares in log-log).

References
----------
Riegel, P. S. (1981). Athletic records and human endurance. American Scientist 69, 285-290 (t2 = t1 (d2/d1)^1.06).
Daniels, J. & Gilbert, J. (1979). Oxygen Power: Performance Tables for Distance Runners. Equations:
VO2(v) = -4.60 + 0.182258 v + 0.000104 v^2 (v [m/min], VO2 [ml/kg/min]);
%max(t) = 0.8 + 0.1894393 exp(-0.012778 t) + 0.2989558 exp(-0.1932605 t) (t [min]); VDOT = VO2(v) / %max(t).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

#: Riegel's published exponent [-] (Riegel 1981).
RIEGEL_EXPONENT = 1.06


def riegel_time(time_s: float, distance_m: float, new_distance_m: float, exponent: float = RIEGEL_EXPONENT) -> float:
    """Riegel's prediction [s] at ``new_distance_m`` [m] from one performance (``time_s`` [s] over ``distance_m``)."""
    return float(time_s * (new_distance_m / distance_m) ** exponent)


def riegel_fit(distances_m: Sequence[float], times_s: Sequence[float]) -> tuple[float, float]:
    """Riegel's law with its exponent fitted: ``log t = a + b log d`` by least squares; returns ``(a, b)``."""
    x, y = np.log(np.asarray(distances_m, float)), np.log(np.asarray(times_s, float))
    b, a = np.polyfit(x, y, 1)
    return float(a), float(b)


def vo2_of_speed(speed_m_min: float) -> float:
    """Oxygen cost of running at a speed [m/min] in ml/kg/min (Daniels & Gilbert 1979)."""
    return -4.60 + 0.182258 * speed_m_min + 0.000104 * speed_m_min**2


def fraction_of_max(duration_min: float) -> float:
    """Fraction of VO2max sustainable for a duration [min] (Daniels & Gilbert 1979)."""
    return float(0.8 + 0.1894393 * np.exp(-0.012778 * duration_min) + 0.2989558 * np.exp(-0.1932605 * duration_min))


def vdot(distance_m: float, time_s: float) -> float:
    """Daniels' VDOT [ml/kg/min] of a performance."""
    t_min = time_s / 60.0
    return vo2_of_speed(distance_m / t_min) / fraction_of_max(t_min)


def vdot_time(vdot_value: float, distance_m: float) -> float:
    """Time [s] over ``distance_m`` [m] of a runner of VDOT ``vdot_value`` (bisection on the monotone VDOT(t))."""
    lo, hi = distance_m / 12.0, distance_m / 1.0  # 12 m/s to 1 m/s bracket every running speed
    for _ in range(80):
        mid = 0.5 * (lo + hi)
        if vdot(distance_m, mid) > vdot_value:
            lo = mid
        else:
            hi = mid
    return 0.5 * (lo + hi)


def nearest_index(distances_m: Sequence[float], new_distance_m: float) -> int:
    """Index of the known performance nearest to ``new_distance_m`` in log distance (ties: the shorter)."""
    gaps = np.abs(np.log(np.asarray(distances_m, float) / new_distance_m))
    return int(np.argmin(gaps))

"""Metabolic power of running: the still-air cost curve, the cost of air resistance, and their inverse.

The chain follows da Silva, Hoogkamer, Kipp & Kram (2025): the metabolic power of level running at speed ``v`` on a
treadmill (no air resistance), raised by 6.13 % for every 1 % of body weight of horizontal impeding force
(da Silva, Kram & Hoogkamer 2022), and lowered by the shoes' economy gain.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from paceline.errors import ScenarioError
from paceline.physics.constants import G

#: Rise of metabolic power per unit of horizontal impeding force in body weights [-] (6.13 % per 1 % BW).
IMPEDING_FORCE_SLOPE = 6.13
#: Energy equivalent of oxygen [J/ml] at a respiratory exchange ratio near 0.96 (Peronnet & Massicotte 1991).
J_PER_ML_O2 = 20.9


@dataclass(frozen=True)
class CostCurve:
    """Oxygen uptake of treadmill running as a quadratic in speed: ``VO2 = a v^2 + b v + c`` [ml O2/kg/min].

    Attributes
    ----------
    name : str
        Key of the curve.
    a, b, c : float
        Coefficients with v in m/s and VO2 in ml/kg/min.
    citation : str
        Where the equation comes from.
    population : str
        Who was measured.
    """

    name: str
    a: float
    b: float
    c: float
    citation: str
    population: str


#: Published VO2-speed relations collated by Kipp, Kram & Hoogkamer (2019), treadmill (still air). The
#: coefficients are as transcribed from that review's equations in public code; not checked against its Table 1.
COST_CURVES: dict[str, CostCurve] = {
    "black2018": CostCurve(
        "black2018",
        1.9128,
        -3.2483,
        25.806,
        "Black et al. (2018) Int J Sports Physiol Perform 13:75, as collated by Kipp, Kram & Hoogkamer (2019) "
        "Front Physiol 10:79",
        "92 runners incl. high-level; curvilinear at fast speeds",
    ),
    "batliner2018": CostCurve(
        "batliner2018",
        1.5355,
        1.5374,
        15.661,
        "Batliner et al. (2018) Sports Med Int Open 2:E1, as collated by Kipp et al. (2019)",
        "10 sub-elite runners, 1.8-5.1 m/s",
    ),
    "kipp2019": CostCurve(
        "kipp2019",
        1.7321,
        -0.4538,
        18.91,
        "Kipp, Kram & Hoogkamer (2019) Front Physiol 10:79, composite of the collated curves",
        "composite",
    ),
    "leger1984": CostCurve(
        "leger1984",
        0.0,
        11.39,
        2.209,
        "Leger & Mercier (1984) Sports Med 1:82, as collated by Kipp et al. (2019)",
        "nearly linear (classic)",
    ),
}

#: The default curve: elite, curvilinear (mile speeds are far beyond where linear fits were measured).
DEFAULT_CURVE = "black2018"


def get_curve(curve: str | CostCurve) -> CostCurve:
    """A cost curve by name (or pass one through)."""
    if isinstance(curve, CostCurve):
        return curve
    if curve not in COST_CURVES:
        raise ScenarioError(f"{curve!r} is not a cost curve; allowed {', '.join(COST_CURVES)}", "cost_curve")
    return COST_CURVES[curve]


def treadmill_power_w_kg(speed_m_s: ArrayLike, curve: str | CostCurve = DEFAULT_CURVE) -> NDArray[np.float64]:
    """Metabolic power of level treadmill running (no air resistance).

    Parameters
    ----------
    speed_m_s : float or array
        Running speed [m/s].
    curve : str or CostCurve
        VO2-speed relation (see :data:`COST_CURVES`).

    Returns
    -------
    ndarray
        Metabolic power [W/kg]: ``VO2(v) * 20.9 J/ml / 60``.

    References
    ----------
    Kipp, S., Kram, R. & Hoogkamer, W. (2019). Extrapolating metabolic savings in running: implications for
    performance predictions. Front. Physiol. 10, 79.
    """
    c = get_curve(curve)
    v = np.asarray(speed_m_s, dtype=float)
    return (c.a * v * v + c.b * v + c.c) * J_PER_ML_O2 / 60.0


def treadmill_power_slope(speed_m_s: ArrayLike, curve: str | CostCurve = DEFAULT_CURVE) -> NDArray[np.float64]:
    """Derivative of :func:`treadmill_power_w_kg` with speed [W/kg per m/s]."""
    c = get_curve(curve)
    v = np.asarray(speed_m_s, dtype=float)
    return (2 * c.a * v + c.b) * J_PER_ML_O2 / 60.0


def metabolic_power_w_kg(
    speed_m_s: ArrayLike,
    drag_n: ArrayLike,
    mass_kg: ArrayLike,
    shoe_economy_gain: ArrayLike = 0.0,
    curve: str | CostCurve = DEFAULT_CURVE,
) -> NDArray[np.float64]:
    """Metabolic power of running overground against a horizontal force.

    Parameters
    ----------
    speed_m_s : float or array
        Running speed [m/s].
    drag_n : float or array
        Horizontal impeding force [N] (aerodynamic drag; negative when the wind pushes).
    mass_kg : float or array
        Body mass [kg].
    shoe_economy_gain : float or array
        Fraction of metabolic cost saved by the shoes [0-1).
    curve : str or CostCurve
        Treadmill cost curve.

    Returns
    -------
    ndarray
        ``P_treadmill(v) (1 + 6.13 F / (m g)) (1 - shoe_economy_gain)`` [W/kg]. The 6.13 slope was measured for
        impeding forces up to about 2 % of body weight; it is applied linearly to assisting forces too.

    References
    ----------
    da Silva, E. S., Kram, R. & Hoogkamer, W. (2022). The metabolic cost of running with horizontal impeding forces.
    J. Appl. Physiol. 133, 1032-1039 (the 6.13 % per 1 % body weight relation).
    """
    f = np.asarray(drag_n, dtype=float) / (np.asarray(mass_kg, dtype=float) * G)
    return (
        treadmill_power_w_kg(speed_m_s, curve)
        * (1.0 + IMPEDING_FORCE_SLOPE * f)
        * (1.0 - np.asarray(shoe_economy_gain, dtype=float))
    )


def speed_at_power(
    power_w_kg: ArrayLike,
    k_drag_n_s2_m2: ArrayLike,
    mass_kg: ArrayLike,
    wind_along_m_s: ArrayLike = 0.0,
    shoe_economy_gain: ArrayLike = 0.0,
    curve: str | CostCurve = DEFAULT_CURVE,
    tol_m_s: float = 1e-9,
) -> NDArray[np.float64]:
    """Running speed at which the metabolic power equals a given value (vectorised).

    Parameters
    ----------
    power_w_kg : float or array
        Metabolic power [W/kg].
    k_drag_n_s2_m2 : float or array
        Drag coefficient of the force law ``F = k (v - w)|v - w|``, i.e. ``1/2 rho CdA (1 - shelter)`` [N s^2/m^2].
    mass_kg : float or array
        Body mass [kg].
    wind_along_m_s : float or array
        Tailwind component [m/s].
    shoe_economy_gain : float or array
        Fraction of metabolic cost saved by the shoes.
    curve : str or CostCurve
        Treadmill cost curve.
    tol_m_s : float
        Convergence tolerance [m/s].

    Returns
    -------
    ndarray
        Speed [m/s], broadcast over the inputs. Power rises monotonically with speed above 1 m/s for every
        bundled curve, so the root is unique; it is bracketed in [1, 15] m/s and found by Newton steps from above
        (about 6 to 1e-9 m/s), with bisection where a step would leave the bracket.
    """
    p, k, m, w, g = np.broadcast_arrays(
        np.asarray(power_w_kg, dtype=float),
        np.asarray(k_drag_n_s2_m2, dtype=float),
        np.asarray(mass_kg, dtype=float),
        np.asarray(wind_along_m_s, dtype=float),
        np.asarray(shoe_economy_gain, dtype=float),
    )
    c = get_curve(curve)
    # the same arithmetic as treadmill_power_w_kg / treadmill_power_slope and the force law, with the loop-invariant
    # factors computed once: this runs in every Monte Carlo and calibration step
    a, b, c0 = c.a, c.b, c.c
    weight_n = m * G
    keep = 1.0 - g

    def resid(v: NDArray[np.float64]) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        u = v - w
        abs_u = np.abs(u)
        base = (a * v * v + b * v + c0) * J_PER_ML_O2 / 60.0
        fac = 1.0 + IMPEDING_FORCE_SLOPE * (k * u * abs_u) / weight_n
        r = base * fac * keep - p
        dr = (
            (2 * a * v + b) * J_PER_ML_O2 / 60.0 * fac + base * IMPEDING_FORCE_SLOPE * (2.0 * k * abs_u) / weight_n
        ) * keep
        return r, dr

    lo = np.full(p.shape, 1.0)
    hi = np.full(p.shape, 15.0)
    r_lo, _ = resid(lo)
    r, dr = resid(hi)  # also the first Newton step's
    if np.any(r_lo > 0) or np.any(r < 0):
        raise ScenarioError(
            "the metabolic power asked for is outside what running between 1 and 15 m/s costs", "power_w_kg"
        )
    # Newton from above: where the air speed is positive the residual is increasing and convex, so the iterates
    # fall monotonically onto the root in a few steps; a step leaving the bracket falls back to bisection.
    v = hi.copy()
    for i in range(100):
        if i:
            r, dr = resid(v)
        lo = np.where(r < 0, v, lo)
        hi = np.where(r >= 0, v, hi)
        step = v - r / np.where(dr > 0, dr, np.inf)
        inside = (step >= lo) & (step <= hi) & (dr > 0)
        v_new = np.where(inside, step, 0.5 * (lo + hi))
        done = float(np.max(np.abs(v_new - v))) < tol_m_s
        v = v_new
        if done:
            break
    return v

"""Aerodynamics of a runner: frontal area, drag area, drag force and power."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from paceline.errors import ScenarioError
from paceline.physics.arrays import scalar_or_array

#: Drag coefficient of a running human, Pugh (1971); published values span about 0.8 to 1.0.
CD_RUNNER = 0.9
#: Range of the drag coefficient of a running human [-] (Pugh 1971): the uncertainty analyses draw Cd from it.
CD_RANGE = (0.8, 1.0)
#: Projected frontal area as a fraction of body surface area (Pugh 1971).
FRONTAL_FRACTION_OF_BSA = 0.266
#: Measured drag areas accepted [m^2]: wide of any runner's (the Pugh route gives about 0.25-0.45 m^2 for adults).
DRAG_AREA_RANGE_M2 = (0.05, 1.0)


def body_surface_area_dubois(height_m: ArrayLike, mass_kg: ArrayLike) -> NDArray[np.float64] | float:
    """Body surface area from height and mass (DuBois & DuBois 1916).

    Parameters
    ----------
    height_m : float or array
        Body height [m].
    mass_kg : float or array
        Body mass [kg].

    Returns
    -------
    float or array
        Body surface area [m^2]: ``0.007184 m**0.425 (100 h)**0.725``.

    References
    ----------
    DuBois, D. & DuBois, E. F. (1916). A formula to estimate the approximate surface area if height and weight
    be known. Arch. Intern. Med. 17, 863-871.
    """
    h = np.asarray(height_m, dtype=float)
    m = np.asarray(mass_kg, dtype=float)
    if np.any((h < 0.5) | (h > 2.5)):
        raise ScenarioError(f"{height_m} m is out of range; allowed 0.5 to 2.5", "height_m")
    if np.any((m < 20) | (m > 200)):
        raise ScenarioError(f"{mass_kg} kg is out of range; allowed 20 to 200", "mass_kg")
    return scalar_or_array(0.007184 * m**0.425 * (100.0 * h) ** 0.725)


def frontal_area_pugh(height_m: ArrayLike, mass_kg: ArrayLike) -> NDArray[np.float64] | float:
    """Projected frontal area of a runner as 0.266 x DuBois body surface area (Pugh 1971).

    Parameters
    ----------
    height_m : float or array
        Body height [m].
    mass_kg : float or array
        Body mass [kg].

    Returns
    -------
    float or array
        Frontal area [m^2] (Kipyegon, 1.57 m, 42 kg: 0.366 m^2).

    References
    ----------
    Pugh, L. G. C. E. (1971). The influence of wind resistance in running and walking and the mechanical
    efficiency of work against horizontal or vertical forces. J. Physiol. 213, 255-276.
    """
    return scalar_or_array(FRONTAL_FRACTION_OF_BSA * np.asarray(body_surface_area_dubois(height_m, mass_kg)))


def drag_area(
    height_m: ArrayLike,
    mass_kg: ArrayLike,
    cd: float = CD_RUNNER,
    cda_factor: ArrayLike = 1.0,
    drag_area_m2: float | None = None,
) -> NDArray[np.float64] | float:
    """Drag area ``Cd A`` of a runner [m^2]: a measured value when one is given, else from her body.

    Parameters
    ----------
    height_m, mass_kg : float or array
        Body height [m] and mass [kg] (used only when ``drag_area_m2`` is None).
    cd : float
        Drag coefficient [-] (default 0.9, Pugh 1971).
    cda_factor : float or array
        Multiplier for clothing and equipment [-] (a speed suit < 1), applied to either route.
    drag_area_m2 : float, optional
        The runner's own measured drag area in ordinary race kit [m^2] (e.g. from a wind tunnel or a treadmill in
        an air flow), within :data:`DRAG_AREA_RANGE_M2`. It replaces the body formula.

    Returns
    -------
    float or array
        ``cda_factor * drag_area_m2``, or ``cda_factor * cd * 0.266 * BSA`` (Pugh 1971, DuBois & DuBois 1916) [m^2].

    Raises
    ------
    ScenarioError
        ``cda_factor`` outside (0, 2] (field ``cda_factor``); ``drag_area_m2`` outside :data:`DRAG_AREA_RANGE_M2`
        or not finite (field ``drag_area_m2``); a body outside the DuBois ranges (``height_m`` / ``mass_kg``).
    """
    f = np.asarray(cda_factor, dtype=float)
    if np.any((f <= 0) | (f > 2)):
        raise ScenarioError(f"{cda_factor} is out of range; allowed 0 < cda_factor <= 2", "cda_factor")
    if drag_area_m2 is not None:
        lo, hi = DRAG_AREA_RANGE_M2
        if not (np.isfinite(drag_area_m2) and lo <= drag_area_m2 <= hi):
            raise ScenarioError(f"{drag_area_m2} m^2 is out of range; allowed {lo:g} to {hi:g} m^2", "drag_area_m2")
        return scalar_or_array(f * float(drag_area_m2))
    return scalar_or_array(f * cd * np.asarray(frontal_area_pugh(height_m, mass_kg)))


def drag_area_source(drag_area_m2: float | None) -> str:
    """One line saying which route gave a drag area (for the assumptions tables)."""
    if drag_area_m2 is not None:
        return f"measured {drag_area_m2:g} m^2 (athlete.drag_area_m2)"
    return f"Cd {CD_RUNNER:g} x {FRONTAL_FRACTION_OF_BSA:g} x DuBois BSA (Pugh 1971)"


def drag_factor_range(drag_area_m2: float | None = None, drag_area_sd_m2: float | None = None) -> tuple[float, float]:
    """Bounds of the uniform factor on her nominal drag area that the uncertainty analyses draw [-].

    Parameters
    ----------
    drag_area_m2 : float, optional
        Her measured drag area [m^2]; None: the Pugh route, whose Cd is uncertain within :data:`CD_RANGE`.
    drag_area_sd_m2 : float, optional
        Standard deviation of that measurement [m^2]; None or 0: taken as exact.

    Returns
    -------
    (float, float)
        ``CD_RANGE / CD_RUNNER`` (0.889, 1.111) for the Pugh route; for a measured drag area ``m`` with standard
        deviation ``s``, ``1 -+ sqrt(3) s / m`` (the uniform with that standard deviation), or (1, 1) when exact.

    Raises
    ------
    ScenarioError
        ``drag_area_sd_m2`` negative, not finite, given without ``drag_area_m2``, or so wide that a draw could leave
        :data:`DRAG_AREA_RANGE_M2` (field ``drag_area_sd_m2``; allowed ``0 <= sd <= min(m - 0.05, 1 - m) / sqrt(3)``).
    """
    if drag_area_m2 is None:
        if drag_area_sd_m2 is not None:
            raise ScenarioError("a standard deviation needs a measured drag area (drag_area_m2)", "drag_area_sd_m2")
        return CD_RANGE[0] / CD_RUNNER, CD_RANGE[1] / CD_RUNNER
    sd = 0.0 if drag_area_sd_m2 is None else float(drag_area_sd_m2)
    m = float(drag_area_m2)
    lo, hi = DRAG_AREA_RANGE_M2
    most = min(m - lo, hi - m) / np.sqrt(3.0)  # every draw stays within the accepted drag areas
    if not (np.isfinite(sd) and 0 <= sd <= most):
        raise ScenarioError(
            f"{drag_area_sd_m2} m^2 is not allowed; 0 <= drag_area_sd_m2 <= {most:.4g} m^2 for drag_area_m2 {m:g} "
            f"(its uniform, +- sqrt(3) SD, stays within {lo:g} to {hi:g} m^2)",
            "drag_area_sd_m2",
        )
    half = np.sqrt(3.0) * sd / m
    return 1.0 - float(half), 1.0 + float(half)


def drag_factor_text(drag_area_m2: float | None = None, drag_area_sd_m2: float | None = None) -> tuple[str, str]:
    """How :func:`drag_factor_range` draws her drag area, and its source (for the distributions tables)."""
    if drag_area_m2 is None:
        return f"Cd ~ U({CD_RANGE[0]:.1f}, {CD_RANGE[1]:.1f})", "Pugh (1971)"
    if not drag_area_sd_m2:
        return f"measured {drag_area_m2:g} m^2, fixed (drag_area_sd_m2 not given, or 0)", "athlete.drag_area_m2"
    lo, hi = drag_factor_range(drag_area_m2, drag_area_sd_m2)
    return (
        f"measured {drag_area_m2:g} m^2 x U({lo:.3g}, {hi:.3g}) (SD {drag_area_sd_m2:g} m^2)",
        "athlete.drag_area_m2 and drag_area_sd_m2",
    )


def drag_factor_label(drag_area_m2: float | None = None) -> tuple[str, str]:
    """The name and unit of the factor :func:`drag_factor_range` draws, for tables of inputs and priors: a factor on
    Pugh's Cd 0.9, or on her measured drag area."""
    if drag_area_m2 is None:
        return "drag coefficient Cd / 0.9", "x Cd 0.9"
    return "drag area (measured)", "x measured CdA"


def drag_coefficient_n_s2_m2(
    air_density_kg_m3: ArrayLike, drag_area_m2: ArrayLike, shelter: ArrayLike = 0.0
) -> NDArray[np.float64] | float:
    """The factor ``k`` of the drag law, so that drag is ``k (v - w)|v - w|`` (vectorised, broadcasting).

    Parameters
    ----------
    air_density_kg_m3 : float or array
        Air density [kg/m^3].
    drag_area_m2 : float or array
        Drag area [m^2] (times any factor on it: a drawn Cd, the kit's).
    shelter : float or array
        Fraction of drag removed by other runners [0-1).

    Returns
    -------
    float or array
        ``k = 1/2 rho CdA (1 - shelter)`` [N s^2/m^2]. The equal-power kernel, the Monte Carlo and ``infer`` all
        take their drag from here, and :func:`drag_force` is ``k`` times the relative air speed squared.
    """
    rho = np.asarray(air_density_kg_m3, dtype=float)
    return scalar_or_array(0.5 * rho * np.asarray(drag_area_m2, dtype=float) * (1.0 - np.asarray(shelter, dtype=float)))


def drag_force(
    speed_m_s: ArrayLike,
    air_density_kg_m3: ArrayLike,
    drag_area_m2: ArrayLike,
    wind_along_m_s: ArrayLike = 0.0,
    shelter: ArrayLike = 0.0,
) -> NDArray[np.float64] | float:
    """Aerodynamic drag force on a runner, opposing motion when positive.

    Parameters
    ----------
    speed_m_s : float or array
        Running speed over the ground [m/s].
    air_density_kg_m3 : float or array
        Air density [kg/m^3].
    drag_area_m2 : float or array
        Drag area [m^2].
    wind_along_m_s : float or array
        Tailwind component along the running direction [m/s] (negative: headwind).
    shelter : float or array
        Fraction of drag removed by other runners [0-1).

    Returns
    -------
    float or array
        Force [N]: ``1/2 rho CdA (v - w)|v - w| (1 - shelter)``; negative when a tailwind outruns the runner.
    """
    u = np.asarray(speed_m_s, dtype=float) - np.asarray(wind_along_m_s, dtype=float)
    k = np.asarray(drag_coefficient_n_s2_m2(air_density_kg_m3, drag_area_m2, shelter))
    return scalar_or_array(k * u * np.abs(u))


def drag_power(
    speed_m_s: ArrayLike,
    air_density_kg_m3: ArrayLike,
    drag_area_m2: ArrayLike,
    wind_along_m_s: ArrayLike = 0.0,
    shelter: ArrayLike = 0.0,
) -> NDArray[np.float64] | float:
    """Mechanical power spent against air resistance [W]: drag force times running speed."""
    v = np.asarray(speed_m_s, dtype=float)
    return scalar_or_array(v * np.asarray(drag_force(v, air_density_kg_m3, drag_area_m2, wind_along_m_s, shelter)))

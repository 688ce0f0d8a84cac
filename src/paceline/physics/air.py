"""Air: density of moist air and the component of a steady wind along the running direction."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

import numpy as np
from numpy.typing import ArrayLike, NDArray

from paceline.errors import ScenarioError
from paceline.physics.arrays import scalar_or_array
from paceline.physics.track import STANDARD_TRACK, TrackGeometry, position

#: Specific gas constant of dry air [J/(kg K)].
R_DRY_AIR = 287.05
#: ISA sea-level pressure [Pa].
P0_PA = 101325.0


def saturation_vapour_pressure_pa(temperature_c: ArrayLike) -> NDArray[np.float64] | float:
    """Saturation vapour pressure of water over a flat water surface (Tetens' formula).

    Parameters
    ----------
    temperature_c : float or array
        Air temperature [degC].

    Returns
    -------
    float or array
        Saturation vapour pressure [Pa]: ``610.78 * 10**(7.5 t / (t + 237.3))``.

    References
    ----------
    Tetens, O. (1930). Uber einige meteorologische Begriffe. Z. Geophys. 6, 297-309.
    """
    t = np.asarray(temperature_c, dtype=float)
    return scalar_or_array(610.78 * 10.0 ** (7.5 * t / (t + 237.3)))


def pressure_at_altitude_pa(altitude_m: ArrayLike) -> NDArray[np.float64] | float:
    """Air pressure of the International Standard Atmosphere at an altitude.

    Parameters
    ----------
    altitude_m : float or array
        Altitude above sea level [m], below 11 000 m.

    Returns
    -------
    float or array
        Pressure [Pa]: ``101325 (1 - 2.25577e-5 h)**5.25588``.

    References
    ----------
    ISO 2533:1975, Standard Atmosphere.
    """
    h = np.asarray(altitude_m, dtype=float)
    return scalar_or_array(P0_PA * (1.0 - 2.25577e-5 * h) ** 5.25588)


def air_density(
    temperature_c: ArrayLike,
    relative_humidity: ArrayLike = 0.0,
    altitude_m: ArrayLike = 0.0,
    pressure_pa: ArrayLike | None = None,
) -> NDArray[np.float64] | float:
    """Density of moist air.

    Parameters
    ----------
    temperature_c : float or array
        Air temperature [degC], -40 to 60.
    relative_humidity : float or array
        Relative humidity [fraction, 0-1].
    altitude_m : float or array
        Altitude [m]; sets the pressure through the standard atmosphere when ``pressure_pa`` is not given.
    pressure_pa : float or array, optional
        Measured station pressure [Pa]; overrides ``altitude_m``.

    Returns
    -------
    float or array
        Density [kg/m^3]: ``(p - 0.378 e) / (287.05 T)`` with ``e = RH * e_sat(t)`` and ``T`` in kelvin
        (ISA sea level, 15 degC, dry: 1.2250).

    References
    ----------
    Picard, A. et al. (2008). Revised formula for the density of moist air (CIPM-2007). Metrologia 45, 149
    (the 0.378 e virtual-temperature form is its usual simplification).
    """
    t = np.asarray(temperature_c, dtype=float)
    rh = np.asarray(relative_humidity, dtype=float)
    if np.any((t < -40) | (t > 60)):
        raise ScenarioError(f"{temperature_c} degC is out of range; allowed -40 to 60", "temperature_c")
    if np.any((rh < 0) | (rh > 1)):
        raise ScenarioError(
            f"{relative_humidity} is out of range; a relative humidity is a fraction from 0 to 1",
            "relative_humidity",
        )
    if pressure_pa is None:
        h = np.asarray(altitude_m, dtype=float)
        if np.any((h < -500) | (h > 9000)):
            raise ScenarioError(f"{altitude_m} m is out of range; allowed -500 to 9000", "altitude_m")
        p = np.asarray(pressure_at_altitude_pa(h))
    else:
        p = np.asarray(pressure_pa, dtype=float)
        if np.any((p < 30000) | (p > 110000)):
            raise ScenarioError(f"{pressure_pa} Pa is out of range; allowed 30000 to 110000", "pressure_pa")
    e = rh * np.asarray(saturation_vapour_pressure_pa(t))
    return scalar_or_array((p - 0.378 * e) / (R_DRY_AIR * (t + 273.15)))


#: The reference conditions of "solo in still air": 20 degC, 50 % relative humidity, sea level, no wind. The one
#: definition: a scenario's default weather (:class:`paceline.io.scenario.Conditions`), the conditions of a
#: performance that carries none (fits, solo equivalents) and the air of the equivalent solo speed all read it.
REFERENCE_CONDITIONS: Mapping[str, float] = MappingProxyType(
    {"temperature_c": 20.0, "relative_humidity": 0.5, "altitude_m": 0.0, "wind_speed_m_s": 0.0}
)
#: :data:`REFERENCE_CONDITIONS` in words, for tables and notes.
REFERENCE_CONDITIONS_TEXT = (
    f"{REFERENCE_CONDITIONS['temperature_c']:g} degC, {100 * REFERENCE_CONDITIONS['relative_humidity']:g} % RH, "
    + ("sea level" if REFERENCE_CONDITIONS["altitude_m"] == 0 else f"{REFERENCE_CONDITIONS['altitude_m']:g} m")
    + ", still air"
)
#: Air density of the reference conditions [kg/m^3] (1.1991).
REFERENCE_AIR_DENSITY_KG_M3 = float(
    air_density(
        REFERENCE_CONDITIONS["temperature_c"],
        REFERENCE_CONDITIONS["relative_humidity"],
        REFERENCE_CONDITIONS["altitude_m"],
    )
)


def wind_along(
    wind_speed_m_s: ArrayLike, wind_from_deg: ArrayLike, running_bearing_deg: ArrayLike
) -> NDArray[np.float64] | float:
    """Component of a steady wind along the running direction (tailwind positive).

    Parameters
    ----------
    wind_speed_m_s : float or array
        Wind speed [m/s], >= 0.
    wind_from_deg : float or array
        Direction the wind blows *from* [deg, compass: 0 north, 90 east].
    running_bearing_deg : float or array
        Compass bearing of the runner's direction of travel [deg].

    Returns
    -------
    float or array
        Tailwind component [m/s]; negative for a headwind. The air speed the runner feels is ``v - wind_along``.
    """
    w = np.asarray(wind_speed_m_s, dtype=float)
    to_deg = np.asarray(wind_from_deg, dtype=float) + 180.0
    rel = np.deg2rad(to_deg - np.asarray(running_bearing_deg, dtype=float))
    return scalar_or_array(w * np.cos(rel))


def running_bearing_deg(
    s_ref: ArrayLike,
    track_bearing_deg: float = 0.0,
    offset_m: ArrayLike = 0.30,
    track: TrackGeometry = STANDARD_TRACK,
) -> NDArray[np.float64]:
    """Compass bearing of the running direction at a track coordinate [deg].

    Parameters
    ----------
    s_ref : float or array
        Track coordinate [m] (see :mod:`paceline.physics.track`).
    track_bearing_deg : float
        Compass bearing of the running direction on the home straight [deg] (the track's orientation).
    offset_m : float or array
        Lateral offset from the kerb [m].
    track : TrackGeometry
        Track dimensions.
    """
    _, _, heading, _ = position(s_ref, offset_m, track)
    # track frame: anticlockwise from the home straight; compass bearings turn clockwise
    return np.mod(track_bearing_deg - np.rad2deg(heading), 360.0)


def wind_along_track(
    s_ref: ArrayLike,
    wind_speed_m_s: float,
    wind_from_deg: float,
    track_bearing_deg: float = 0.0,
    offset_m: ArrayLike = 0.30,
    track: TrackGeometry = STANDARD_TRACK,
) -> NDArray[np.float64]:
    """Tailwind component [m/s] of a steady wind at points round the oval.

    Over a whole lap at constant speed a steady wind always costs energy: for every heading there is an
    opposite one of equal length, and the drag ``(v - w)|v - w|`` is convex in the headwind where it matters.
    """
    if wind_speed_m_s < 0:
        raise ScenarioError(f"{wind_speed_m_s} is negative; a wind speed must be >= 0 m/s", "wind_speed_m_s")
    bearing = running_bearing_deg(s_ref, track_bearing_deg, offset_m, track)
    return np.asarray(wind_along(wind_speed_m_s, wind_from_deg, bearing), dtype=float)

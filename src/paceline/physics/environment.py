"""What altitude and heat do to a runner's available metabolic power (pure functions, cited parameters).

Altitude lowers the air's density (:mod:`paceline.physics.air`, less drag) *and* the oxygen she can use: her
aerobic power falls linearly with altitude above 300 m (the form of Wehrlin & Hallen 2006), by 26 % at 4000 m
(Buskirk et al. 1967). Only the aerobic share of a race's energy is lost: 60 % at 800 m, 77 % at 1500 m, 86 % at
3000 m (Duffield & Dawson, male track athletes), and beyond 3000 m the anaerobic energy stays the 3000 m's
(its absolute contribution hardly changes with distance, Gastin 2001), so its share falls as 1/distance.

Heat and humidity slow long races: the fastest men of seven marathons were 1.7, 2.5, 3.3 and 4.5 % slower than the
course record when the wet-bulb globe temperature (WBGT) was 5-10, 10-15, 15-20 and 20-25 degC (Ely et al. 2007).
That covers efforts of about 2 to 4 hours only: a mile gets no heat cost from it (none is published for middle
distance that we could read), and the output says so. WBGT is estimated in the shade from air temperature and
humidity (the Australian Bureau of Meteorology's approximation).

References
----------
Buskirk, E. R., Kollias, J., Akers, R. F., Prokop, E. K. & Reategui, E. P. (1967). Maximal performance at altitude
and on return from altitude in conditioned runners. J. Appl. Physiol. 23, 259-266.
Wehrlin, J. P. & Hallen, J. (2006). Linear decrease in VO2max and performance with increasing altitude in endurance
athletes. Eur. J. Appl. Physiol. 96, 404-412.
Duffield, R. & Dawson, B. Energy system contribution in track running (3000 m 86 %, 1500 m 77 %, 800 m 60 % aerobic).
Gastin, P. B. (2001). Energy system interaction and relative contribution during maximal exercise. Sports Med. 31.
Ely, M. R., Cheuvront, S. N., Roberts, W. O. & Montain, S. J. (2007). Impact of weather on marathon-running
performance. Med. Sci. Sports Exerc. 39, 487-493.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from paceline.physics.arrays import scalar_or_array

#: Altitude [m] below which aerobic power is taken as at sea level, and the loss at 4000 m (Buskirk et al. 1967).
ALTITUDE_THRESHOLD_M = 300.0
VO2MAX_LOSS_AT_4000_M = 0.26
#: Aerobic share of the energy of track races by distance [m] (Duffield & Dawson).
AEROBIC_SHARE = ((800.0, 0.60), (1500.0, 0.77), (3000.0, 0.86))
#: Ely et al. (2007): WBGT quartile midpoints [degC] and the top men's slowing against the course record [%].
ELY_WBGT_C = (7.55, 12.55, 17.55, 22.55)
ELY_SLOWING_PCT = (1.7, 2.5, 3.3, 4.5)
#: Durations Ely et al. (2007) cover [s]: marathons from the winners' (about 2 h) to the 300th finishers'.
HEAT_DURATION_RANGE_S = (7000.0, 14400.0)
#: WBGT range of Ely et al.'s data [degC]; outside it the cost is extrapolated (flagged by :func:`heat_note`).
HEAT_WBGT_RANGE_C = (5.1, 25.0)


def vo2max_fraction(altitude_m: ArrayLike) -> NDArray[np.float64] | float:
    """Aerobic power at an altitude as a fraction of sea level's [-]: 1 up to 300 m, then falling linearly to
    0.74 at 4000 m (Buskirk et al. 1967; linear form, Wehrlin & Hallen 2006)."""
    h = np.asarray(altitude_m, dtype=float)
    slope = VO2MAX_LOSS_AT_4000_M / (4000.0 - ALTITUDE_THRESHOLD_M)
    return scalar_or_array(1.0 - slope * np.maximum(h - ALTITUDE_THRESHOLD_M, 0.0))


def aerobic_share(distance_m: ArrayLike) -> NDArray[np.float64] | float:
    """Aerobic share of a race's energy [-] (Duffield & Dawson; 800 m's below 800 m; beyond 3000 m the 3000 m's
    anaerobic energy spread over the distance, Gastin 2001)."""
    d = np.asarray(distance_m, dtype=float)
    xs = np.log([p[0] for p in AEROBIC_SHARE])
    ys = [p[1] for p in AEROBIC_SHARE]
    inside = np.interp(np.log(np.maximum(d, 1.0)), xs, ys)
    d3, s3 = AEROBIC_SHARE[-1]
    beyond = 1.0 - (1.0 - s3) * d3 / np.maximum(d, d3)
    return scalar_or_array(np.where(d > d3, beyond, inside))


def altitude_power_factor(altitude_m: ArrayLike, distance_m: ArrayLike) -> NDArray[np.float64] | float:
    """Metabolic power available at an altitude over a race distance, as a fraction of sea level's [-]: only the
    aerobic share is lost (:func:`aerobic_share`, :func:`vo2max_fraction`)."""
    share = np.asarray(aerobic_share(distance_m))
    return scalar_or_array(1.0 - share * (1.0 - np.asarray(vo2max_fraction(altitude_m))))


def wbgt_shade_c(temperature_c: ArrayLike, relative_humidity: ArrayLike) -> NDArray[np.float64] | float:
    """Wet-bulb globe temperature in the shade [degC] from air temperature [degC] and relative humidity [0-1]:
    ``0.567 T + 0.393 e + 3.94`` with ``e`` the water vapour pressure [hPa] (Australian Bureau of Meteorology)."""
    t = np.asarray(temperature_c, dtype=float)
    e = np.asarray(relative_humidity, dtype=float) * 6.105 * np.exp(17.27 * t / (237.7 + t))
    return scalar_or_array(0.567 * t + 0.393 * e + 3.94)


def heat_time_cost(wbgt_c: ArrayLike, duration_s: ArrayLike) -> NDArray[np.float64] | float:
    """Relative slowing from heat [-] against a cool day (WBGT 7.55 degC or below), Ely et al. (2007), for efforts
    lasting :data:`HEAT_DURATION_RANGE_S`; 0 for any other duration (no published figure covers it).

    Between the quartile midpoints the slowing is interpolated; above 22.55 degC extrapolated with the last slope."""
    w = np.asarray(wbgt_c, dtype=float)
    base = ELY_SLOWING_PCT[0]
    cost = np.interp(w, ELY_WBGT_C, ELY_SLOWING_PCT) - base
    slope = (ELY_SLOWING_PCT[-1] - ELY_SLOWING_PCT[-2]) / (ELY_WBGT_C[-1] - ELY_WBGT_C[-2])
    cost = np.where(w > ELY_WBGT_C[-1], ELY_SLOWING_PCT[-1] - base + slope * (w - ELY_WBGT_C[-1]), cost)
    lo, hi = HEAT_DURATION_RANGE_S
    t = np.asarray(duration_s, dtype=float)
    return scalar_or_array(np.where((t >= lo) & (t <= hi), cost / 100.0, 0.0))


def heat_power_factor(
    temperature_c: ArrayLike, relative_humidity: ArrayLike, duration_s: ArrayLike
) -> NDArray[np.float64] | float:
    """Metabolic power available in the heat as a fraction of a cool day's [-]: a slowing ``c`` is taken as power
    ``1 / (1 + c)`` (the energy cost of running per metre is nearly constant with speed)."""
    cost = np.asarray(heat_time_cost(wbgt_shade_c(temperature_c, relative_humidity), duration_s))
    return scalar_or_array(1.0 / (1.0 + cost))


def environment_power_factor(
    altitude_m: ArrayLike,
    temperature_c: ArrayLike,
    relative_humidity: ArrayLike,
    distance_m: ArrayLike,
    duration_s: ArrayLike,
) -> NDArray[np.float64] | float:
    """Metabolic power available at an altitude and in a heat, as a fraction of a cool day at sea level's [-]."""
    a = np.asarray(altitude_power_factor(altitude_m, distance_m))
    h = np.asarray(heat_power_factor(temperature_c, relative_humidity, duration_s))
    return scalar_or_array(a * h)


def heat_note(temperature_c: float, relative_humidity: float, duration_s: float) -> str:
    """What the heat model did, in words, for the table of inputs."""
    w = float(wbgt_shade_c(temperature_c, relative_humidity))
    lo, hi = HEAT_DURATION_RANGE_S
    if not lo <= duration_s <= hi:
        return (
            f"WBGT {w:.1f} degC; no heat cost: Ely et al. (2007) covers efforts of {lo / 3600:.1f}-{hi / 3600:.0f} h, "
            f"none is published for {duration_s / 60:.0f} min"
        )
    extra = " (extrapolated beyond the data's 25 degC)" if w > HEAT_WBGT_RANGE_C[1] else ""
    return f"WBGT {w:.1f} degC: {100 * float(heat_time_cost(w, duration_s)):.2f} % slower (Ely et al. 2007){extra}"

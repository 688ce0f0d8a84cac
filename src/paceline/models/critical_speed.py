"""Critical-speed model on the "equivalent solo speed".

Critical speed CS and distance capacity D' (Monod & Scherrer 1965; Jones & Vanhatalo 2017) describe how long an
athlete can hold a speed above CS: ``D = CS t + D'``. Here they apply to the *equivalent solo speed* ``u``: the
speed that would cost the same metabolic power running alone in still air of reference density with ordinary kit.
Shelter, wind, air density and shoes therefore act exactly as in the equal-power model: they change the real speed
that a given ``u`` buys. Below CS, D' recovers (Skiba et al. 2015 balance).

Stages: (CS, D') fitted from performances (:mod:`paceline.fit.athlete`) -> course -> the constant u that exhausts D'
exactly at the finish -> Race.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import ArrayLike, NDArray

from paceline.errors import InfeasibleError
from paceline.models import common
from paceline.models.athlete import AthleteParams, CriticalSpeedParams
from paceline.models.common import power_of_solo_speed
from paceline.models.equal_power import CITATIONS as EP_CITATIONS
from paceline.models.equal_power import race_at_power
from paceline.models.race import Assumption, Race
from paceline.physics import air
from paceline.physics.metabolic import get_curve

if TYPE_CHECKING:  # pragma: no cover
    from paceline.models.course import Course

MODEL_NAME = "critical-speed"

CITATIONS = [
    *EP_CITATIONS,
    "Monod, H. & Scherrer, J. (1965). The work capacity of a synergic muscular group. Ergonomics 8, 329-338.",
    "Jones, A. M. & Vanhatalo, A. (2017). The 'critical power' concept: applications to sports performance with a "
    "focus on intermittent high-intensity exercise. Sports Med. 47, 65-78.",
    "Skiba, P. F. et al. (2015). Intramuscular determinants of the ability to recover work capacity above critical "
    "power. Eur. J. Appl. Physiol. 115, 703-713.",
]


def dprime_balance_m(t_s: ArrayLike, u_m_s: ArrayLike, cs_m_s: float, dprime_m: float) -> NDArray[np.float64]:
    """Remaining distance capacity D' [m] along a race (Skiba-type balance).

    Parameters
    ----------
    t_s : array
        Sample times [s], increasing.
    u_m_s : array
        Equivalent solo speed at the samples [m/s].
    cs_m_s, dprime_m : float
        Critical speed [m/s] and distance capacity [m].

    Returns
    -------
    ndarray
        Balance [m]: depleted at ``u - CS`` above CS; below CS it recovers at ``(CS - u) (D' - B) / D'``.
        Negative values mean the profile is not sustainable.
    """
    t = np.asarray(t_s, dtype=float)
    u = np.asarray(u_m_s, dtype=float)
    b = np.empty_like(t)
    b[0] = dprime_m
    for i in range(1, t.size):
        dt = t[i] - t[i - 1]
        um = 0.5 * (u[i] + u[i - 1])
        if um >= cs_m_s:
            b[i] = b[i - 1] - (um - cs_m_s) * dt
        else:
            b[i] = dprime_m - (dprime_m - b[i - 1]) * np.exp(-(cs_m_s - um) * dt / dprime_m)
    return b


class CriticalSpeedModel:
    """Critical-speed race model: ``model.solve(course, athlete) -> Race``.

    Parameters
    ----------
    step_m : float
        Sample spacing of the course it wants [m].
    """

    name = MODEL_NAME
    params_type = CriticalSpeedParams

    def __init__(self, step_m: float = 5.0) -> None:
        self.step_m = float(step_m)

    def solve(self, course: Course, athlete: AthleteParams) -> Race:
        """The even-effort race that uses exactly D' by the finish (:class:`CriticalSpeedParams`)."""
        from scipy.optimize import brentq

        athlete = CriticalSpeedParams.of(athlete, self.name)
        cs, dp = float(athlete.cs_m_s), float(athlete.dprime_m)
        curve = get_curve(athlete.curve)

        def excess(u: float) -> float:
            p = power_of_solo_speed(u, athlete.height_m, athlete.mass_kg, curve)
            t = float(common.finish_time_at_power(course, p, curve))
            return (u - cs) * t - dp

        lo, hi = cs * (1 + 1e-9), cs + 6.0
        if excess(hi) < 0:
            raise InfeasibleError("no even effort exhausts D' over this distance; the race is too long for the model")
        u = float(brentq(excess, lo, hi, xtol=1e-12))
        p = float(power_of_solo_speed(u, athlete.height_m, athlete.mass_kg, curve))
        extra = [
            *athlete.assumptions,
            Assumption("equivalent_solo_speed", round(u, 4), "m/s", "even effort that exhausts D' at the finish"),
            Assumption(
                "reference_air_density",
                round(air.REFERENCE_AIR_DENSITY_KG_M3, 4),
                "kg/m^3",
                air.REFERENCE_CONDITIONS_TEXT,
            ),
            Assumption("cost_curve", curve.name, "", curve.citation),
        ]
        race = race_at_power(course, p, curve, self.name, extra=extra)
        u_series = np.full_like(race.x_m, u)
        race.series["equivalent_solo_speed_m_s"] = u_series
        race.series["dprime_balance_m"] = dprime_balance_m(race.t_s, u_series, cs, dp)
        race.citations = list(CITATIONS)
        race.meta.update(cs_m_s=cs, dprime_m=dp, equivalent_solo_speed_m_s=u)
        return race

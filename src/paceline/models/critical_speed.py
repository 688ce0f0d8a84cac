"""Critical-speed model on the "equivalent solo speed".

Critical speed CS and distance capacity D' (Monod & Scherrer 1965; Jones & Vanhatalo 2017) describe how long an
athlete can hold a speed above CS: ``D = CS t + D'``. Here they apply to the *equivalent solo speed* ``u``: the
speed that would cost the same metabolic power running alone in still air of reference density with ordinary kit.
Shelter, wind, air density and shoes therefore act exactly as in the equal-power model: they change the real speed
that a given ``u`` buys. Below CS, D' recovers (Skiba et al. 2015 balance).

Stages: fit (CS, D') from performances -> course -> the constant u that exhausts D' exactly at the finish -> Race.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import ArrayLike, NDArray

from paceline.errors import InfeasibleError, ScenarioError
from paceline.models import common
from paceline.models.course import Course, build_course
from paceline.models.equal_power import CITATIONS as EP_CITATIONS
from paceline.models.equal_power import race_at_power
from paceline.models.race import Assumption, Race
from paceline.physics import aero, air
from paceline.physics.metabolic import DEFAULT_CURVE, CostCurve, get_curve, metabolic_power_w_kg, speed_at_power

if TYPE_CHECKING:  # pragma: no cover
    from paceline.io.scenario import Scenario
    from paceline.physics.drafting import DraftParams

#: Reference air for "solo in still air": 20 degC, 50 % relative humidity, sea level [kg/m^3].
REFERENCE_AIR_DENSITY = float(air.air_density(20.0, 0.5, 0.0))

CITATIONS = [
    *EP_CITATIONS,
    "Monod, H. & Scherrer, J. (1965). The work capacity of a synergic muscular group. Ergonomics 8, 329-338.",
    "Jones, A. M. & Vanhatalo, A. (2017). The 'critical power' concept: applications to sports performance with a "
    "focus on intermittent high-intensity exercise. Sports Med. 47, 65-78.",
    "Skiba, P. F. et al. (2015). Intramuscular determinants of the ability to recover work capacity above critical "
    "power. Eur. J. Appl. Physiol. 115, 703-713.",
]


def reference_course(scenario: Scenario, step_m: float = 5.0) -> Course:
    """The scenario's distance run solo on the lane-1 line in still reference air, ordinary kit, no shoe gain."""
    n = max(2, int(np.ceil(scenario.distance_m / step_m)) + 1)
    x = np.linspace(0.0, scenario.distance_m, n)
    zeros = np.zeros_like(x)
    cda = float(aero.drag_area(scenario.athlete.height_m, scenario.athlete.mass_kg))
    return Course(
        distance_m=scenario.distance_m,
        x_m=x,
        shelter=zeros,
        wind_along_m_s=zeros,
        line_scale=np.ones_like(x),
        curvature_1_m=zeros,
        offset_m=np.full_like(x, 0.30),
        track_pos_m=x,
        air_density_kg_m3=REFERENCE_AIR_DENSITY,
        cda_m2=cda,
        mass_kg=scenario.athlete.mass_kg,
        shoe_economy_gain=0.0,
        phase_index=np.zeros(n, dtype=np.int64),
        assumptions=[],
    )


def reference_drag_k(height_m: float, mass_kg: float) -> float:
    """``1/2 rho_ref CdA`` of the athlete alone in reference air [N s^2/m^2]."""
    return 0.5 * REFERENCE_AIR_DENSITY * float(aero.drag_area(height_m, mass_kg))


def power_of_solo_speed(
    u_m_s: ArrayLike, height_m: float, mass_kg: float, curve: str | CostCurve = DEFAULT_CURVE
) -> NDArray[np.float64]:
    """Metabolic power [W/kg] of running alone at ``u_m_s`` in still reference air."""
    u = np.asarray(u_m_s, dtype=float)
    k = reference_drag_k(height_m, mass_kg)
    return metabolic_power_w_kg(u, k * u * u, mass_kg, 0.0, curve)


def equivalent_solo_speed(
    power_w_kg: ArrayLike, height_m: float, mass_kg: float, curve: str | CostCurve = DEFAULT_CURVE
) -> NDArray[np.float64]:
    """Equivalent solo speed [m/s]: the still-air, unsheltered speed of the same metabolic power."""
    return speed_at_power(power_w_kg, reference_drag_k(height_m, mass_kg), mass_kg, 0.0, 0.0, curve)


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
    """Critical-speed race model (``model.solve(scenario) -> Race``).

    Parameters
    ----------
    cs_m_s, dprime_m : float, optional
        Critical speed [m/s] and D' [m]; fitted from the athlete's performances when not given.
    curve : str
        Treadmill cost curve that maps speeds to metabolic power.
    step_m : float
        Sample spacing [m].
    draft_params : DraftParams, optional
        Shelter-model parameters.
    """

    name = "critical-speed"

    def __init__(
        self,
        cs_m_s: float | None = None,
        dprime_m: float | None = None,
        curve: str = DEFAULT_CURVE,
        step_m: float = 5.0,
        draft_params: DraftParams | None = None,
    ) -> None:
        self.cs_m_s = cs_m_s
        self.dprime_m = dprime_m
        self.curve = get_curve(curve)
        self.step_m = step_m
        self.draft_params = draft_params

    def params_for(self, scenario: Scenario) -> tuple[float, float, str]:
        """(CS, D', where they come from) for a scenario's athlete."""
        if self.cs_m_s is not None and self.dprime_m is not None:
            return self.cs_m_s, self.dprime_m, "given"
        from paceline.fit.performances import fit_critical_speed

        perfs = scenario.athlete.performances
        if len(perfs) < 2:
            raise ScenarioError("the critical-speed model needs at least 2 performances", "athlete.performances")
        fit = fit_critical_speed(perfs)
        return fit.params["cs_m_s"], fit.params["dprime_m"], f"fit to {len(perfs)} performances"

    def solve(self, scenario: Scenario) -> Race:
        """The even-effort race that uses exactly D' by the finish."""
        from scipy.optimize import brentq

        cs, dp, origin = self.params_for(scenario)
        ath = scenario.athlete
        course = build_course(scenario, step_m=self.step_m, draft_params=self.draft_params)

        def excess(u: float) -> float:
            p = power_of_solo_speed(u, ath.height_m, ath.mass_kg, self.curve)
            t = float(common.finish_time_at_power(course, p, self.curve))
            return (u - cs) * t - dp

        lo, hi = cs * (1 + 1e-9), cs + 6.0
        if excess(hi) < 0:
            raise InfeasibleError("no even effort exhausts D' over this distance; the race is too long for the model")
        u = float(brentq(excess, lo, hi, xtol=1e-12))
        p = float(power_of_solo_speed(u, ath.height_m, ath.mass_kg, self.curve))
        extra = [
            Assumption("cs", round(cs, 4), "m/s", f"critical speed, {origin} (performances taken as solo, still air)"),
            Assumption("dprime", round(dp, 2), "m", f"distance capacity D', {origin}"),
            Assumption("equivalent_solo_speed", round(u, 4), "m/s", "even effort that exhausts D' at the finish"),
            Assumption(
                "reference_air_density", round(REFERENCE_AIR_DENSITY, 4), "kg/m^3", "20 degC, 50 % RH, sea level"
            ),
            Assumption("cost_curve", self.curve.name, "", self.curve.citation),
        ]
        race = race_at_power(scenario.name, course, p, self.curve, self.name, extra=extra)
        u_series = np.full_like(race.x_m, u)
        race.series["equivalent_solo_speed_m_s"] = u_series
        race.series["dprime_balance_m"] = dprime_balance_m(race.t_s, u_series, cs, dp)
        race.citations = list(CITATIONS)
        race.meta.update(cs_m_s=cs, dprime_m=dp, equivalent_solo_speed_m_s=u)
        return race

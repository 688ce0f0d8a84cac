"""The Keller / Aftalion athlete: her parameters and the pure functions of her dynamics.

What the optimal-control model (:mod:`paceline.models.optimal_control`), its collocation
(:mod:`paceline.models.collocation`) and the athlete fit (:mod:`paceline.fit.optimal_control`) share: the parameter
set :class:`OCParams` with Keller's published values (:data:`KELLER_1973`), the options for charging air resistance
(:data:`AERO_COSTS`), and the terms of the equations of motion and energy, written once so that they work on numpy
arrays and CasADi expressions alike (see :mod:`paceline.models.optimal_control` for the equations).

References
----------
Keller, J. B. (1973). A theory of competitive running. Physics Today 26(9), 42-47.
Aftalion, A. & Bonnans, J. F. (2014). Optimization of running strategies based on anaerobic energy and variations
of velocity. SIAM J. Appl. Math. 74(5), 1615-1636.
da Silva, E. S., Kram, R. & Hoogkamer, W. (2022). The metabolic cost of running with horizontal impeding forces.
J. Appl. Physiol. 133, 1032-1039.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, replace
from typing import Any

from paceline.errors import ScenarioError
from paceline.physics.constants import G
from paceline.physics.metabolic import IMPEDING_FORCE_SLOPE

#: Calories to joules (thermochemical calorie), for Keller's published values [J/cal].
CAL_J = 4.184

#: Smoothing width of the aerobic-decline ramp and of |v - w| in the drag [-] and [m/s].
_RAMP_EPS = 0.02
_ABS_EPS_M_S = 0.05

#: How air resistance is charged to the energy budget: ``"metabolic"`` (default: ``c = 6.13 v / (g tau)`` times its
#: mechanical power, da Silva, Kram & Hoogkamer 2022, as in the equal-power and critical-speed models) or
#: ``"mechanical"`` (Keller 1973: its mechanical power ``D v`` only, through ``f v``). See
#: :mod:`paceline.models.optimal_control`.
AERO_COSTS = ("metabolic", "mechanical")
DEFAULT_AERO_COST = "metabolic"


def check_aero_cost(aero_cost: str, field: str = "aero_cost") -> str:
    """``aero_cost`` if it is one of :data:`AERO_COSTS`, else a :class:`ScenarioError` naming ``field``."""
    if aero_cost not in AERO_COSTS:
        raise ScenarioError(f"{aero_cost!r} is not allowed; use one of {', '.join(AERO_COSTS)}", field)
    return aero_cost


@dataclass(frozen=True)
class OCParams:
    """Parameters of the Keller / Aftalion athlete model.

    Attributes
    ----------
    tau_s : float
        Time constant of the internal resistance ``v / tau`` [s].
    f_max_m_s2 : float
        Maximal propulsive force per kilogram ``F`` [N/kg = m/s^2].
    sigma_w_kg : float
        Maximal aerobic power per kilogram ``sigma`` [W/kg].
    e0_j_kg : float
        Anaerobic energy available at the start per kilogram ``E0`` [J/kg].
    sigma_decay : float
        Fraction by which the aerobic power falls as the anaerobic reserve empties (0: Keller) [-].
    decay_onset : float
        Fraction of ``E0`` below which the aerobic power starts to fall [-].
    aero_cost : str
        How air resistance is charged to the energy budget (:data:`AERO_COSTS`): ``"metabolic"`` (default) adds
        ``(c - 1) D v`` with ``c = 6.13 v / (g tau)`` to Keller's ``f v``, so that steady running costs
        ``v^2 / tau (1 + 6.13 D / g)`` (da Silva, Kram & Hoogkamer 2022); ``"mechanical"`` is Keller's ``f v``
        (the air costs its mechanical power ``D v`` only). The two are the same without air (``D = 0``).
    source : str
        Where the values come from.
    """

    tau_s: float
    f_max_m_s2: float
    sigma_w_kg: float
    e0_j_kg: float
    sigma_decay: float = 0.0
    decay_onset: float = 0.2
    aero_cost: str = DEFAULT_AERO_COST
    source: str = ""

    def __post_init__(self) -> None:
        for name in ("tau_s", "f_max_m_s2", "sigma_w_kg", "e0_j_kg"):
            value = getattr(self, name)
            if not (math.isfinite(value) and value > 0):
                raise ScenarioError(f"{value!r} is not allowed; it must be positive and finite", name)
        if not 0.0 <= self.sigma_decay < 1.0:
            raise ScenarioError(f"{self.sigma_decay!r} is not allowed; use 0 <= sigma_decay < 1", "sigma_decay")
        if not 0.0 < self.decay_onset <= 1.0:
            raise ScenarioError(f"{self.decay_onset!r} is not allowed; use 0 < decay_onset <= 1", "decay_onset")
        check_aero_cost(self.aero_cost)

    def with_changes(self, **changes: Any) -> OCParams:
        """A copy with some fields replaced."""
        return replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        """As a plain dict."""
        return asdict(self)


#: Keller's (1973) fit to the men's world records of 1972, as published: tau = 0.892 s, F = 12.2 m/s^2,
#: sigma = 9.93 cal/kg/s = 41.56 W/kg, E0 = 575 cal/kg = 2406 J/kg. His model has no aerodynamic term (so
#: ``aero_cost`` does not matter for his figures; it is the default here so that fits started from these values
#: charge the air at its metabolic rate).
KELLER_1973 = OCParams(
    tau_s=0.892,
    f_max_m_s2=12.2,
    sigma_w_kg=41.56,
    e0_j_kg=2406.0,
    sigma_decay=0.0,
    source="Keller (1973) Physics Today 26(9):42, fit to the men's world records (no aerodynamic drag)",
)


# ---------------------------------------------------------------------------------------------------------------
# pure functions (numpy and CasADi alike)
# ---------------------------------------------------------------------------------------------------------------
def _smooth_ramp(z: Any, eps: float = _RAMP_EPS) -> Any:
    """``max(0, z)`` smoothed over ``eps`` (works on numpy arrays and CasADi expressions)."""
    return 0.5 * (z + (z * z + eps * eps) ** 0.5)


def aerobic_power_w_kg(energy_fraction: Any, sigma_w_kg: Any, decay: Any, onset: Any) -> Any:
    """Aerobic power as a function of the anaerobic reserve left.

    Parameters
    ----------
    energy_fraction : float or array
        Anaerobic energy left as a fraction of ``E0`` [-].
    sigma_w_kg : float
        Maximal aerobic power [W/kg].
    decay : float
        Fraction lost as the reserve empties [-] (0: constant, Keller 1973).
    onset : float
        Fraction of ``E0`` below which the aerobic power falls [-].

    Returns
    -------
    float or array
        Aerobic power [W/kg]: ``sigma_w_kg`` above the onset, falling linearly (smoothed) to
        ``(1 - decay) sigma_w_kg`` at an empty reserve.

    References
    ----------
    Aftalion, A. & Bonnans, J. F. (2014). SIAM J. Appl. Math. 74(5), 1615-1636 (sigma as a function of e).
    """
    return sigma_w_kg * (1.0 - decay * _smooth_ramp(1.0 - energy_fraction / onset))


def drag_per_kg(speed_m_s: Any, wind_along_m_s: Any, k_per_kg: Any) -> Any:
    """Aerodynamic drag per kilogram ``k (v - w) |v - w|`` [N/kg], with ``|.|`` smoothed below 0.05 m/s.

    Parameters
    ----------
    speed_m_s : float or array
        Running speed [m/s].
    wind_along_m_s : float or array
        Tailwind along the running direction [m/s].
    k_per_kg : float or array
        ``1/2 rho CdA (1 - shelter) / m`` [1/m].
    """
    rel = speed_m_s - wind_along_m_s
    return k_per_kg * rel * (rel * rel + _ABS_EPS_M_S**2) ** 0.5


def air_cost_factor(speed_m_s: Any, tau_s: Any) -> Any:
    """Metabolic cost of air resistance per unit of its mechanical power, ``c = 6.13 v / (g tau)`` [-].

    Parameters
    ----------
    speed_m_s : float or array
        Running speed [m/s].
    tau_s : float
        Keller's time constant [s].

    Returns
    -------
    float or array
        ``c`` such that, at steady speed, Keller's running power with air ``v^2 / tau + c D v`` equals
        ``v^2 / tau (1 + 6.13 D / g)`` (about 4.6 at 6.5 m/s with tau = 0.892 s).

    References
    ----------
    da Silva, E. S., Kram, R. & Hoogkamer, W. (2022). J. Appl. Physiol. 133, 1032-1039 (6.13 % per 1 % body weight).
    """
    return IMPEDING_FORCE_SLOPE * speed_m_s / (G * tau_s)


def air_power_w_kg(speed_m_s: Any, drag_per_kg_n_kg: Any, tau_s: Any, metabolic: Any) -> Any:
    """Power drawn from the energy budget by air resistance, before shoe economy [W/kg].

    Parameters
    ----------
    speed_m_s : float or array
        Running speed [m/s].
    drag_per_kg_n_kg : float or array
        Drag per kilogram ``D`` [N/kg] (negative when the wind pushes her).
    tau_s : float
        Keller's time constant [s].
    metabolic : float
        1 for ``aero_cost = "metabolic"`` (``c D v``, :func:`air_cost_factor`), 0 for ``"mechanical"`` (``D v``).

    Returns
    -------
    float or array
        ``(1 + metabolic (c - 1)) D v``: the part of ``f v + metabolic (c - 1) D v`` due to the air.

    References
    ----------
    da Silva, E. S., Kram, R. & Hoogkamer, W. (2022). J. Appl. Physiol. 133, 1032-1039.
    """
    return (1.0 + metabolic * (air_cost_factor(speed_m_s, tau_s) - 1.0)) * drag_per_kg_n_kg * speed_m_s


def metabolic_flag(p: OCParams) -> float:
    """1.0 when the air is charged at its metabolic rate (``aero_cost = "metabolic"``), 0.0 for Keller's mechanical
    cost (``"mechanical"``): the factor on ``(c - 1) D v`` in the energy equation."""
    return 1.0 if p.aero_cost == "metabolic" else 0.0

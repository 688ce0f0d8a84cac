"""Optimal-control race model (Keller 1973; Aftalion & Bonnans 2014; Aftalion & Martinon 2019).

The athlete chooses her propulsive force per kilogram ``f(t)`` to finish a race as fast as possible, given

* Newton's law with Keller's internal resistance and the aerodynamic drag of the course::

      dv/dt = f - v / tau - k(x) (v - w(x)) |v - w(x)|,   k = 1/2 rho CdA (1 - shelter(x)) / m

* an anaerobic energy tank that the aerobic power refills and the propulsive power, with the metabolic surcharge
  of air resistance (below), empties::

      de/dt = sigma(e) - (1 - shoe_gain) [f v + (c - 1) D v],   e(0) = E0,   e >= 0
      D = k(x) (v - w(x)) |v - w(x)|   (drag per kg),   c = 6.13 v / (g tau)   (aero_cost = "metabolic")
      c = 1                                                                  (aero_cost = "mechanical", Keller)

* the limits of her force, shared with the centripetal force on the bends (Aftalion & Martinon 2019)::

      0 <= f,   f^2 + (v^2 kappa(x))^2 <= F^2

* the race distance ``x`` advancing at ``dx/dt = v / line_scale(x)``: she runs ``line_scale`` metres for each metre
  of race distance (the lane-1 line) when she is wide on a bend.

Metabolic cost of air resistance (``aero_cost``)
------------------------------------------------
In Keller's energy equation the air costs only its mechanical power ``D v``: at mile pace (6.5 m/s, solo) about
1.3 W/kg, 3 % of the budget ``f v``. Measured on runners, a horizontal impeding force costs far more: metabolic
power rises by 6.13 % for every 1 % of body weight of force (da Silva, Kram & Hoogkamer 2022),
``P = P_run(v) (1 + 6.13 D / g)``, the relation the equal-power and critical-speed models use. The default option
``aero_cost = "metabolic"`` puts that relation into Keller's model. At steady speed Keller's running power without
air is ``P_K0 = f v = v^2 / tau``; the da Silva form with ``P_K0`` in place of the treadmill curve asks for::

      P = P_K0 (1 + 6.13 D / g) = v^2 / tau + D v * (6.13 v / (g tau)) = v^2 / tau + c D v

whereas ``f v = v^2 / tau + D v`` (Newton at steady speed, ``f = v / tau + D``) charges ``D v`` once. Charging the
remainder ``(c - 1) D v`` on top of ``f v``, with ``c = 6.13 v / (g tau)`` at the current speed, gives exactly the
da Silva cost in steady running and leaves the force balance (Newton) unchanged: the air still slows her through
``D``, and now also costs her ``c`` times its mechanical power (``c`` = 4.6 at 6.5 m/s with tau = 0.892 s, so the
air raises her metabolic power by about 12 % at mile pace solo, as in the other two models). The surcharge is linear in
``D``: a wind from behind faster than she runs (``D < 0``) lowers the cost, as in the other models. With ``D = 0``
(no air, Keller's published checks) both options are Keller's model; ``aero_cost = "mechanical"`` keeps his
``f v`` with the air as well.

Aerobic power
-------------
``sigma(e) = sigma_max [1 - decay * ramp(1 - e / (onset E0))]``: constant (Keller's model, ``decay = 0``) until the
anaerobic reserve falls below a fraction ``onset`` of ``E0``, then falling linearly to ``(1 - decay) sigma_max`` as
the reserve empties; the ramp is smoothed so that the problem stays twice differentiable. This is the
late-race part of the ``sigma(e)`` of Aftalion & Bonnans (2014) (their initial rise of the oxygen uptake is left
out: it matters below about 800 m).

Discretisation
--------------
Direct collocation in *race distance* (not time): ``N`` intervals on a grid of race distance, finer over the first
40 m where she accelerates from rest. Time is a state, so the shelter, wind, bends and lane geometry are known at
every interval and the final time is simply the sum of the interval durations ``dt_k`` (the objective). On each
interval the force is constant and the speed varies linearly in time, so that::

      dt_k (v_k + v_k+1) / 2 = h_k * line_scale_k                (distance; regular at the standing start v_0 = 0)
      v_k+1 - v_k = dt_k [f_k - vbar_k / tau - drag_k(vbar_k)]   (momentum, trapezoidal)
      e_k+1 - e_k = dt_k [sigma(ebar_k) - (1 - gain) (f_k + (c_k - 1) D_k) vbar_k]   (energy, trapezoidal)

with ``vbar``, ``ebar`` the interval means and the course (shelter, wind, curvature, line scale) averaged over the
interval; ``D_k`` is the drag per kg and ``c_k = 6.13 vbar_k / (g tau)`` (or 1) at the interval's mean speed.
Everything that describes the scenario, including the grid spacing ``h_k``, is an Opti *parameter*: one
problem is built per number of intervals and re-solved warm for any race, distance or athlete.

References
----------
Keller, J. B. (1973). A theory of competitive running. Physics Today 26(9), 42-47; Keller, J. B. (1974). Optimal
velocity in a race. Amer. Math. Monthly 81, 474-480.
Aftalion, A. & Bonnans, J. F. (2014). Optimization of running strategies based on anaerobic energy and variations
of velocity. SIAM J. Appl. Math. 74(5), 1615-1636.
Aftalion, A. & Martinon, P. (2019). Optimizing running a race on a curved track. PLOS ONE 14(9), e0221572.
da Silva, E. S., Kram, R. & Hoogkamer, W. (2022). The metabolic cost of running with horizontal impeding forces.
J. Appl. Physiol. 133, 1032-1039 (6.13 % of metabolic power per 1 % of body weight of impeding force).
Andersson, J. A. E. et al. (2019). CasADi: a software framework for nonlinear optimization and optimal control.
Math. Prog. Comp. 11, 1-36 (the race_car example of the Opti stack).
Wächter, A. & Biegler, L. T. (2006). On the implementation of an interior-point filter line-search algorithm for
large-scale nonlinear programming. Math. Prog. 106, 25-57 (Ipopt).
"""

from __future__ import annotations

import functools
import logging
import math
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from paceline.errors import InfeasibleError, ScenarioError, SolverError
from paceline.models.course import G
from paceline.models.race import Assumption, Race
from paceline.physics.metabolic import IMPEDING_FORCE_SLOPE

if TYPE_CHECKING:  # pragma: no cover
    from paceline.io.scenario import Athlete, Performance, Scenario
    from paceline.models.course import Course

log = logging.getLogger(__name__)

MODEL_NAME = "optimal-control"

CITATIONS = [
    "Keller, J. B. (1973). A theory of competitive running. Physics Today 26(9), 42-47.",
    "Keller, J. B. (1974). Optimal velocity in a race. Amer. Math. Monthly 81, 474-480.",
    "Aftalion, A. & Bonnans, J. F. (2014). Optimization of running strategies based on anaerobic energy and "
    "variations of velocity. SIAM J. Appl. Math. 74(5), 1615-1636.",
    "Aftalion, A. & Martinon, P. (2019). Optimizing running a race on a curved track. PLOS ONE 14(9), e0221572.",
    "da Silva, E. S., Kram, R. & Hoogkamer, W. (2022). The metabolic cost of running with horizontal impeding "
    "forces. J. Appl. Physiol. 133, 1032-1039.",
    "Andersson, J. A. E., Gillis, J., Horn, G., Rawlings, J. B. & Diehl, M. (2019). CasADi. Math. Prog. Comp. 11, "
    "1-36.",
    "Wächter, A. & Biegler, L. T. (2006). Ipopt. Math. Prog. 106, 25-57.",
]

#: Calories to joules (thermochemical calorie), for Keller's published values [J/cal].
CAL_J = 4.184

#: Length of the refined start zone of the grid [m] (the acceleration from rest happens there).
START_ZONE_M = 40.0

#: Smoothing width of the aerobic-decline ramp and of |v - w| in the drag [-] and [m/s].
_RAMP_EPS = 0.02
_ABS_EPS_M_S = 0.05

#: Lower bound of the speed after the first node [m/s] (keeps the time step finite).
V_MIN_M_S = 0.3

#: How air resistance is charged to the energy budget: ``"metabolic"`` (default: ``c = 6.13 v / (g tau)`` times its
#: mechanical power, da Silva, Kram & Hoogkamer 2022, as in the equal-power and critical-speed models) or
#: ``"mechanical"`` (Keller 1973: its mechanical power ``D v`` only, through ``f v``). See the module docstring.
AERO_COSTS = ("metabolic", "mechanical")
DEFAULT_AERO_COST = "metabolic"


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
        if self.aero_cost not in AERO_COSTS:
            raise ScenarioError(f"{self.aero_cost!r} is not allowed; use one of {', '.join(AERO_COSTS)}", "aero_cost")

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


def _metabolic_flag(p: OCParams) -> float:
    """1.0 when the air is charged at its metabolic rate, 0.0 for Keller's mechanical cost."""
    return 1.0 if p.aero_cost == "metabolic" else 0.0


# ---------------------------------------------------------------------------------------------------------------
# the grid and the course on it
# ---------------------------------------------------------------------------------------------------------------
def race_grid(distance_m: float, n_intervals: int) -> NDArray[np.float64]:
    """Nodes of the collocation grid [m]: quadratic spacing over the first 40 m (the start), uniform after.

    The number of start intervals is chosen so that the last start interval matches the uniform spacing.
    """
    n = int(n_intervals)
    zone = min(START_ZONE_M, 0.1 * distance_m)
    n0 = round(2.0 * zone * n / (distance_m + zone))
    n0 = min(max(n0, 2), n - 2)
    start = zone * (np.arange(n0 + 1) / n0) ** 2
    rest = np.linspace(zone, distance_m, n - n0 + 1)
    return np.concatenate([start, rest[1:]])


def _interval_means(x_nodes: NDArray[np.float64], xs: NDArray[np.float64], ys: NDArray[np.float64]) -> Any:
    """Exact means over each grid interval of the piecewise-linear interpolant of ``(xs, ys)``."""
    pts = np.union1d(xs[(xs > x_nodes[0]) & (xs < x_nodes[-1])], x_nodes)
    yp = np.interp(pts, xs, ys)
    cum = np.concatenate([[0.0], np.cumsum(0.5 * (yp[1:] + yp[:-1]) * np.diff(pts))])
    integral = np.interp(x_nodes, pts, cum)
    return np.diff(integral) / np.diff(x_nodes)


@dataclass(frozen=True)
class GridCourse:
    """A course averaged onto the intervals of a collocation grid (what the solver sees).

    Attributes
    ----------
    x_m : ndarray
        Grid nodes, race distance [m] (N + 1).
    h_m : ndarray
        Interval lengths [m] (N).
    line_scale, curvature_1_m, wind_along_m_s, shelter, k_per_kg : ndarray
        Interval means (N): metres run per metre of race distance, curvature [1/m], tailwind [m/s], shelter [-],
        drag coefficient per kilogram ``1/2 rho CdA (1 - shelter) / m`` [1/m].
    """

    x_m: NDArray[np.float64]
    h_m: NDArray[np.float64]
    line_scale: NDArray[np.float64]
    curvature_1_m: NDArray[np.float64]
    wind_along_m_s: NDArray[np.float64]
    shelter: NDArray[np.float64]
    k_per_kg: NDArray[np.float64]


def course_on_grid(course: Course, n_intervals: int) -> GridCourse:
    """Average a :class:`~paceline.models.course.Course` onto the intervals of the collocation grid."""
    x = race_grid(course.distance_m, n_intervals)
    xs = np.asarray(course.x_m, dtype=float)

    def mean(a: Any) -> NDArray[np.float64]:
        return np.asarray(_interval_means(x, xs, np.asarray(a, dtype=float)), dtype=float)

    shelter = mean(course.shelter)
    k = 0.5 * course.air_density_kg_m3 * course.cda_m2 * (1.0 - shelter) / course.mass_kg
    return GridCourse(
        x_m=x,
        h_m=np.diff(x),
        line_scale=mean(course.line_scale),
        curvature_1_m=np.abs(mean(course.curvature_1_m)),
        wind_along_m_s=mean(course.wind_along_m_s),
        shelter=shelter,
        k_per_kg=np.asarray(k, dtype=float),
    )


# ---------------------------------------------------------------------------------------------------------------
# the collocation problem (built once per number of intervals)
# ---------------------------------------------------------------------------------------------------------------
_IPOPT_OPTIONS: dict[str, Any] = {
    "detect_simple_bounds": True,  # bounds on single variables become Ipopt bounds, not general constraints
    "expand": False,
    "ipopt.print_level": 0,
    "ipopt.sb": "yes",
    "ipopt.tol": 1e-8,
    "ipopt.acceptable_tol": 1e-6,
    "ipopt.max_iter": 1000,
    "ipopt.mu_strategy": "adaptive",
    "print_time": False,
}

#: Ipopt options of a warm re-solve: start from the previous primal-dual point with a small barrier parameter.
_WARM_OPTIONS: dict[str, Any] = {
    "ipopt.warm_start_init_point": "yes",
    "ipopt.mu_init": 1e-5,
    "ipopt.warm_start_bound_push": 1e-6,
    "ipopt.warm_start_mult_bound_push": 1e-6,
    "ipopt.warm_start_slack_bound_push": 1e-6,
}

_INFEASIBLE_STATUSES = {"Infeasible_Problem_Detected", "Local_Infeasibility"}
_OK_STATUSES = {"Solve_Succeeded", "Solved_To_Acceptable_Level"}


class CollocationProblem:
    """The discretised optimal-control problem for ``n`` intervals, built once and re-solved with new parameters.

    Parameters
    ----------
    n_intervals : int
        Number of collocation intervals ``N``.
    shape_from : int
        If positive, the speed from node ``shape_from`` on is tied to a given shape: ``v_k = alpha * shape_k`` with
        ``alpha`` free (even pace: shape 1). Used to price a pacing profile against the optimum.
    """

    def __init__(self, n_intervals: int, shape_from: int = 0) -> None:
        import casadi as ca

        n = int(n_intervals)
        if n < 10:
            raise ScenarioError(f"{n} intervals are too few; use at least 10", "n_intervals")
        self.n = n
        self.shape_from = int(shape_from)
        self.shaped = self.shape_from > 0
        t0 = time.perf_counter()
        opti = ca.Opti()

        # ---- variables -----------------------------------------------------------------------------------------
        v = opti.variable(n + 1)  # speed at the nodes [m/s]
        e = opti.variable(n + 1)  # anaerobic energy left, fraction of E0 [-]
        f = opti.variable(n)  # propulsive force per kg on each interval [m/s^2]
        dt = opti.variable(n)  # duration of each interval [s]

        # ---- parameters (the scenario) -------------------------------------------------------------------------
        h = opti.parameter(n)  # interval length in race distance [m]
        scale = opti.parameter(n)  # metres run per metre of race distance [-]
        kappa = opti.parameter(n)  # curvature of her line [1/m]
        wind = opti.parameter(n)  # tailwind along her direction [m/s]
        kdrag = opti.parameter(n)  # 1/2 rho CdA (1 - shelter) / m [1/m]
        tau = opti.parameter()  # [s]
        fmax = opti.parameter()  # [m/s^2]
        sigma = opti.parameter()  # [W/kg]
        e0 = opti.parameter()  # [J/kg]
        decay = opti.parameter()  # [-]
        onset = opti.parameter()  # [-]
        economy = opti.parameter()  # 1 - shoe economy gain [-]
        metabolic = opti.parameter()  # 1: air charged at 6.13 v / (g tau) times D v (da Silva 2022); 0: Keller [-]
        v_start = opti.parameter()  # speed at the gun [m/s]
        smooth = opti.parameter()  # weight of the force-smoothing term [s/(m/s^2)^2]

        # ---- dynamics ------------------------------------------------------------------------------------------
        vbar = 0.5 * (v[:-1] + v[1:])
        ebar = 0.5 * (e[:-1] + e[1:])
        drag = drag_per_kg(vbar, wind, kdrag)
        aerobic = aerobic_power_w_kg(ebar, sigma, decay, onset)
        surcharge = metabolic * (air_cost_factor(vbar, tau) - 1.0) * drag * vbar  # (c - 1) D v, metabolic air cost
        opti.subject_to(dt * (v[:-1] + v[1:]) == 2.0 * h * scale)  # distance
        opti.subject_to(v[1:] - v[:-1] == dt * (f - vbar / tau - drag))  # momentum
        opti.subject_to(e0 * (e[1:] - e[:-1]) == dt * (aerobic - economy * (f * vbar + surcharge)))  # energy

        # ---- constraints ---------------------------------------------------------------------------------------
        opti.subject_to(v[0] == v_start)
        opti.subject_to(e[0] == 1.0)
        opti.subject_to(opti.bounded(V_MIN_M_S, v[1:], 20.0))
        opti.subject_to(e >= 0.0)
        opti.subject_to(opti.bounded(0.0, f, fmax))
        opti.subject_to(f**2 + (vbar**2 * kappa) ** 2 <= fmax**2)  # force shared with the bend (Aftalion-Martinon)
        opti.subject_to(dt >= 0.0)
        alpha = None
        shape = None
        if self.shaped:
            k0 = self.shape_from
            alpha = opti.variable()  # scale of the imposed speed profile [m/s]
            shape = opti.parameter(n + 1 - k0)  # relative speed profile from node k0 on [-]
            opti.subject_to(v[k0:] == alpha * shape)
            opti.subject_to(alpha >= V_MIN_M_S)

        # ---- objective -----------------------------------------------------------------------------------------
        # finishing time, plus a tiny penalty on force jumps and on the speed's second differences: the middle of
        # the race is a singular arc on which the trapezoidal scheme otherwise lets the force chatter and the speed
        # alternate node to node (v_k + v_k+1 fixed) at no cost
        opti.minimize(
            ca.sum1(dt) + smooth * (ca.sumsqr(f[1:] - f[:-1]) + 100.0 * ca.sumsqr(v[2:] - 2.0 * v[1:-1] + v[:-2]))
        )

        # ---- solver: Ipopt on the NLP that Opti assembled (one cold and one warm-start instance) -------------------
        self.opti = opti
        self._nlp = {"x": opti.x, "p": opti.p, "f": opti.f, "g": opti.g}
        self._bounds = ca.Function("bounds", [opti.p], [opti.lbg, opti.ubg])
        self._unpack = ca.Function("unpack", [opti.x], [v, e, f, dt, *([alpha] if alpha is not None else [])])
        self._cold: Any = None
        self._warm: Any = None
        self.vars = {"v": v, "e": e, "f": f, "dt": dt}
        self.alpha = alpha
        self.pars: dict[str, Any] = {
            "h": h,
            "scale": scale,
            "kappa": kappa,
            "wind": wind,
            "kdrag": kdrag,
            "tau": tau,
            "fmax": fmax,
            "sigma": sigma,
            "e0": e0,
            "decay": decay,
            "onset": onset,
            "economy": economy,
            "metabolic": metabolic,
            "v_start": v_start,
            "smooth": smooth,
        }
        if shape is not None:
            self.pars["shape"] = shape
        self.build_s = time.perf_counter() - t0
        self.n_solves = 0
        self._last: dict[str, Any] | None = None

    # ---- initial guess ---------------------------------------------------------------------------------------
    def initial_guess(self, gc: GridCourse, p: OCParams) -> dict[str, NDArray[np.float64]]:
        """A cold initial guess: Keller's steady speed ``sqrt(sigma tau)`` reached over the first 10 m."""
        v_steady = 1.05 * math.sqrt(p.sigma_w_kg * p.tau_s)
        v = v_steady * np.minimum(1.0, np.sqrt(np.maximum(gc.x_m, 0.0) / 10.0))
        v = np.maximum(v, V_MIN_M_S)
        v[0] = 0.0
        vbar = 0.5 * (v[1:] + v[:-1])
        dt = 2.0 * gc.h_m * gc.line_scale / (v[1:] + v[:-1])
        f = np.clip(vbar / p.tau_s + gc.k_per_kg * vbar**2, 0.0, 0.95 * p.f_max_m_s2)
        e = np.linspace(1.0, 0.0, gc.x_m.size)
        return {"v": v, "e": e, "f": f, "dt": dt}

    # ---- solve ---------------------------------------------------------------------------------------------
    def solve(
        self,
        gc: GridCourse,
        p: OCParams,
        economy: float = 1.0,
        v_start_m_s: float = 0.0,
        init: dict[str, Any] | None = None,
        shape: NDArray[np.float64] | None = None,
        warm: bool = True,
        smoothing: float = 1e-5,
    ) -> dict[str, Any]:
        """Set the parameters, the initial guess, and solve.

        Parameters
        ----------
        gc : GridCourse
            The course on this problem's grid.
        p : OCParams
            Athlete parameters.
        economy : float
            ``1 - shoe_economy_gain`` [-].
        v_start_m_s : float
            Speed at the start [m/s] (0: standing start).
        init : dict, optional
            Initial guess (a previous solution); default: the last solution of this problem when ``warm``,
            else a cold guess.
        shape : ndarray, optional
            For a shaped problem: the relative speed profile at the nodes (all N + 1; those before
            ``shape_from`` are ignored).
        warm : bool
            Start from the last solution of this problem (if any) when no ``init`` is given.
        smoothing : float
            Weight of the penalty on force jumps between intervals [s/(m/s^2)^2] (default 1e-5: it changes the
            finishing time by milliseconds and removes the interval-to-interval chatter on the singular arc).

        Returns
        -------
        dict
            Arrays ``v``, ``e`` (fraction), ``f``, ``dt``, ``t`` and the solver's ``stats``.

        Raises
        ------
        InfeasibleError
            If Ipopt proves the problem infeasible.
        SolverError
            If Ipopt fails for another reason.
        """
        if gc.h_m.size != self.n:
            raise ValueError(f"course has {gc.h_m.size} intervals, the problem {self.n}")
        opti = self.opti
        values: dict[str, Any] = {
            "h": gc.h_m,
            "scale": gc.line_scale,
            "kappa": gc.curvature_1_m,
            "wind": gc.wind_along_m_s,
            "kdrag": gc.k_per_kg,
            "tau": p.tau_s,
            "fmax": p.f_max_m_s2,
            "sigma": p.sigma_w_kg,
            "e0": p.e0_j_kg,
            "decay": p.sigma_decay,
            "onset": p.decay_onset,
            "economy": economy,
            "metabolic": _metabolic_flag(p),
            "v_start": v_start_m_s,
            "smooth": smoothing,
        }
        if self.shaped:
            if shape is None:
                raise ValueError("a shaped problem needs a shape")
            values["shape"] = np.asarray(shape, dtype=float)[self.shape_from :]
        for name, value in values.items():
            opti.set_value(self.pars[name], value)

        guess = init if init is not None else (self._last if (warm and self._last is not None) else None)
        if guess is None:
            guess = self.initial_guess(gc, p)
        for name, var in self.vars.items():
            opti.set_initial(var, np.asarray(guess[name], dtype=float))
        if self.alpha is not None:
            opti.set_initial(self.alpha, float(guess.get("alpha", np.max(guess["v"]))))

        pvec = opti.value(opti.p)
        x0 = opti.value(opti.x, opti.initial())
        lbg, ubg = self._bounds(pvec)
        use_warm = "lam_g" in guess and "lam_x" in guess
        t0 = time.perf_counter()
        res, stats = self._run(use_warm, x0, pvec, lbg, ubg, guess)
        if use_warm and not stats["success"]:  # a warm start that goes astray: retry from the same point, cold
            log.debug("warm re-solve failed (%s); retrying cold", stats["status"])
            res, stats = self._run(False, x0, pvec, lbg, ubg, guess)
        stats["solve_s"] = time.perf_counter() - t0
        stats["warm_start"] = use_warm
        self.n_solves += 1
        parts = [np.asarray(a, dtype=float).ravel() for a in self._unpack(res["x"])]
        out: dict[str, Any] = dict(zip(("v", "e", "f", "dt"), parts[:4], strict=True))
        if self.shaped:
            out["alpha"] = float(parts[4][0])
        out["t"] = np.concatenate([[0.0], np.cumsum(out["dt"])])
        out["stats"] = stats
        if not stats["success"]:
            status = stats["status"]
            closest = float(out["t"][-1])
            if status in _INFEASIBLE_STATUSES:
                raise InfeasibleError(
                    f"no pacing satisfies the constraints (Ipopt: {status}); the closest point the solver found "
                    f"finishes in {closest:.2f} s with {out['e'].min() * p.e0_j_kg:.0f} J/kg of anaerobic energy at "
                    "its lowest. Relax the imposed speed profile or check the athlete parameters."
                )
            raise SolverError(
                f"Ipopt failed on the optimal-control problem (status {status} after {stats['iterations']} "
                "iterations); try more intervals or other athlete parameters"
            )
        out["lam_g"] = np.asarray(res["lam_g"], dtype=float).ravel()
        out["lam_x"] = np.asarray(res["lam_x"], dtype=float).ravel()
        self._last = {k: out[k] for k in ("v", "e", "f", "dt", "lam_g", "lam_x", *(("alpha",) if self.shaped else ()))}
        return out

    def _run(
        self, warm: bool, x0: Any, pvec: Any, lbg: Any, ubg: Any, guess: dict[str, Any]
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        """One Ipopt call (cold, or warm with the multipliers of the guess); returns the result and its status."""
        import casadi as ca

        if warm:
            if self._warm is None:
                self._warm = ca.nlpsol("oc_warm", "ipopt", self._nlp, {**_IPOPT_OPTIONS, **_WARM_OPTIONS})
            solver = self._warm
            res = solver(x0=x0, p=pvec, lbg=lbg, ubg=ubg, lam_g0=guess["lam_g"], lam_x0=guess["lam_x"])
        else:
            if self._cold is None:
                self._cold = ca.nlpsol("oc_cold", "ipopt", self._nlp, dict(_IPOPT_OPTIONS))
            solver = self._cold
            res = solver(x0=x0, p=pvec, lbg=lbg, ubg=ubg)
        st = solver.stats()
        status = str(st.get("return_status", "unknown"))
        return res, {
            "status": status,
            "iterations": int(st.get("iter_count", -1)),
            "success": bool(st.get("success", False)) or status in _OK_STATUSES,
        }


_PROBLEMS: dict[tuple[int, int], CollocationProblem] = {}


def get_problem(n_intervals: int, shape_from: int = 0) -> CollocationProblem:
    """The cached collocation problem for ``n_intervals`` (built on first use; see :class:`CollocationProblem`)."""
    key = (int(n_intervals), int(shape_from))
    if key not in _PROBLEMS:
        _PROBLEMS[key] = CollocationProblem(*key)
        log.debug("built optimal-control problem N=%d shape_from=%d in %.3f s", *key, _PROBLEMS[key].build_s)
    return _PROBLEMS[key]


# ---------------------------------------------------------------------------------------------------------------
# from a solution to a Race
# ---------------------------------------------------------------------------------------------------------------
def _race_from_solution(
    name: str,
    course: Course,
    gc: GridCourse,
    p: OCParams,
    sol: dict[str, Any],
    extra: Sequence[Assumption] = (),
) -> Race:
    x = gc.x_m
    v, e, f = sol["v"], sol["e"], sol["f"]
    shelter = np.interp(x, course.x_m, course.shelter)
    wind = np.interp(x, course.x_m, course.wind_along_m_s)
    k = 0.5 * course.air_density_kg_m3 * course.cda_m2 * (1.0 - shelter)
    drag = k * (v - wind) * np.abs(v - wind)
    f_nodes = np.append(f, f[-1])  # the force of the interval that starts at each node (the last repeats)
    economy = 1.0 - course.shoe_economy_gain
    metabolic = _metabolic_flag(p)
    air = economy * np.asarray(air_power_w_kg(v, drag / course.mass_kg, p.tau_s, metabolic), dtype=float)
    surcharge = economy * metabolic * (np.asarray(air_cost_factor(v, p.tau_s)) - 1.0) * drag / course.mass_kg * v
    series = {
        "shelter": shelter,
        "wind_along_m_s": wind,
        "drag_n": drag,
        "drag_power_w": drag * v,
        "force_n_kg": f_nodes,
        "propulsive_power_w_kg": f_nodes * v,
        # what the energy equation charges: (1 - shoe) [f v + (c - 1) D v], and the part of it due to the air
        "metabolic_power_w_kg": economy * f_nodes * v + surcharge,
        "air_power_w_kg": air,
        "air_energy_j_kg": np.concatenate([[0.0], np.cumsum(0.5 * (air[1:] + air[:-1]) * np.diff(sol["t"]))]),
        "aerobic_power_w_kg": np.asarray(aerobic_power_w_kg(e, p.sigma_w_kg, p.sigma_decay, p.decay_onset)),
        "energy_j_kg": e * p.e0_j_kg,
        "line_scale": np.interp(x, course.x_m, course.line_scale),
        "curvature_1_m": np.interp(x, course.x_m, course.curvature_1_m),
        "offset_m": np.interp(x, course.x_m, course.offset_m),
        "track_pos_m": np.interp(x, course.x_m, course.track_pos_m),
    }
    assumptions = [
        *course.assumptions,
        Assumption("tau", round(p.tau_s, 4), "s", p.source),
        Assumption("f_max", round(p.f_max_m_s2, 3), "N/kg", p.source),
        Assumption("sigma", round(p.sigma_w_kg, 3), "W/kg", p.source),
        Assumption("e0", round(p.e0_j_kg, 1), "J/kg", p.source),
        Assumption(
            "sigma_decay",
            round(p.sigma_decay, 4),
            "",
            f"aerobic power falls by this fraction below {p.decay_onset:g} E0 (after Aftalion & Bonnans 2014)",
        ),
        Assumption(
            "aero_cost",
            p.aero_cost,
            "",
            "air charged at 6.13 v / (g tau) times its mechanical power: da Silva, Kram & Hoogkamer (2022) "
            "J Appl Physiol 133:1032"
            if metabolic
            else "air charged at its mechanical power D v only (Keller 1973 energy balance)",
        ),
        Assumption("bend_force_limit", "f^2 + (v^2 kappa)^2 <= F^2", "", "Aftalion & Martinon (2019) PLOS ONE"),
        Assumption("start", "standing start, v(0) = 0", "", "Keller (1973)"),
        Assumption("n_intervals", int(gc.h_m.size), "", "direct collocation in race distance (trapezoidal)"),
        *extra,
    ]
    return Race(
        scenario=name,
        model=MODEL_NAME,
        distance_m=course.distance_m,
        x_m=x,
        t_s=sol["t"],
        v_m_s=v,
        series=series,
        assumptions=assumptions,
        citations=list(CITATIONS),
        meta={
            "solver": {k: sol["stats"][k] for k in ("status", "iterations", "solve_s", "warm_start")},
            "params": {k: v for k, v in p.to_dict().items() if k != "source"},
            "n_intervals": int(gc.h_m.size),
            "final_energy_j_kg": float(e[-1] * p.e0_j_kg),
        },
    )


def solve_course(
    course: Course,
    params: OCParams | None = None,
    n_intervals: int = 500,
    *,
    name: str = "course",
    warm: bool = True,
    extra_assumptions: Sequence[Assumption] = (),
) -> Race:
    """Solve the optimal-control problem on a course.

    Parameters
    ----------
    course : Course
        The race environment (:func:`paceline.models.course.build_course`).
    params : OCParams, optional
        Athlete parameters (default: Keller's 1973 men's values, :data:`KELLER_1973`).
    n_intervals : int
        Number of collocation intervals (500 for a mile is about 3 m each).
    name : str
        Name of the scenario, for the Race.
    warm : bool
        Start from the previous solution of the cached problem with the same number of intervals.
    extra_assumptions : sequence of Assumption
        Further inputs to list in the Race.

    Returns
    -------
    Race
        The fastest race: time, distance, speed and the series ``force_n_kg``, ``energy_j_kg``,
        ``aerobic_power_w_kg``, ``propulsive_power_w_kg`` (``f v``), ``metabolic_power_w_kg`` (what the energy
        equation charges, after shoe economy), ``air_power_w_kg`` and ``air_energy_j_kg`` (the part of it due to the
        air, and its running total), ``drag_n``, ``shelter``, ``wind_along_m_s`` ...;
        ``meta["solver"]`` has Ipopt's status, iterations and wall time.

    Raises
    ------
    InfeasibleError, SolverError
        If Ipopt finds no solution.
    """
    p = params or KELLER_1973
    gc = course_on_grid(course, n_intervals)
    sol = get_problem(n_intervals).solve(gc, p, economy=1.0 - course.shoe_economy_gain, warm=warm)
    return _race_from_solution(name, course, gc, p, sol, extra_assumptions)


def solve_shaped(
    course: Course,
    params: OCParams,
    shape_m_s: NDArray[np.float64] | None,
    n_intervals: int = 300,
) -> dict[str, Any]:
    """The fastest race whose speed, after the start zone, follows a given profile up to a common factor.

    Parameters
    ----------
    course : Course
        The race environment.
    params : OCParams
        Athlete parameters.
    shape_m_s : ndarray or None
        Relative speed [any unit] at the nodes of :func:`race_grid` (None: even pace).
    n_intervals : int
        Number of collocation intervals.

    Returns
    -------
    dict
        ``time_s``, ``scale`` (the factor found), ``x_m``, ``t_s``, ``v_m_s``.
    """
    x = race_grid(course.distance_m, n_intervals)
    k0 = int(np.searchsorted(x, min(START_ZONE_M, 0.1 * course.distance_m) - 1e-9))
    shape = np.ones_like(x) if shape_m_s is None else np.asarray(shape_m_s, dtype=float)
    shape = shape / np.max(shape[k0:])
    gc = course_on_grid(course, n_intervals)
    free = get_problem(n_intervals).solve(gc, params, economy=1.0 - course.shoe_economy_gain)
    init = {k: free[k] for k in ("v", "e", "f", "dt")}
    init["v"] = np.concatenate([free["v"][:k0], np.mean(free["v"][k0:]) * shape[k0:]])
    init["alpha"] = float(np.mean(free["v"][k0:]))
    sol = get_problem(n_intervals, shape_from=k0).solve(
        gc, params, economy=1.0 - course.shoe_economy_gain, init=init, shape=shape
    )
    return {"time_s": float(sol["t"][-1]), "scale": sol["alpha"], "x_m": x, "t_s": sol["t"], "v_m_s": sol["v"]}


# ---------------------------------------------------------------------------------------------------------------
# the oracle: integrate the optimal control forward in time
# ---------------------------------------------------------------------------------------------------------------
def simulate_control(course: Course, params: OCParams, race: Race) -> dict[str, float]:
    """Integrate the model forward in time with the force of a solved Race (an independent check).

    The force is taken piecewise constant in race distance, as in the collocation; the course is read at the
    exact position from its own samples (not the grid averages). scipy's ``solve_ivp`` (RK45, tight tolerances)
    integrates ``dx/dt = v / line_scale(x)``, ``dv/dt = f - v / tau - D``,
    ``de/dt = sigma(e) - (1 - shoe) [f v + (c - 1) D v]`` (``c = 6.13 v / (g tau)`` with ``params.aero_cost =
    "metabolic"``, 1 with ``"mechanical"``) until ``x`` reaches the distance.

    Returns
    -------
    dict
        ``time_s`` (finish), ``energy_j_kg`` (left at the finish), ``distance_m`` (reached), ``min_energy_j_kg``.
    """
    from scipy.integrate import solve_ivp

    xs = np.asarray(race.x_m)
    f_int = np.asarray(race.series["force_n_kg"])[:-1]
    cx = course.x_m
    k = 0.5 * course.air_density_kg_m3 * course.cda_m2 * (1.0 - course.shelter) / course.mass_kg
    econ = 1.0 - course.shoe_economy_gain
    p = params
    metabolic = _metabolic_flag(p)

    def rhs(_t: float, y: NDArray[np.float64]) -> list[float]:
        x, v, e = y
        i = min(max(int(np.searchsorted(xs, x, side="right")) - 1, 0), f_int.size - 1)
        f = f_int[i]
        w = np.interp(x, cx, course.wind_along_m_s)
        drag = float(drag_per_kg(v, w, np.interp(x, cx, k)))
        sig = float(aerobic_power_w_kg(e / p.e0_j_kg, p.sigma_w_kg, p.sigma_decay, p.decay_onset))
        surcharge = metabolic * (float(air_cost_factor(v, p.tau_s)) - 1.0) * drag * v  # (c - 1) D v
        return [
            v / float(np.interp(x, cx, course.line_scale)),
            f - v / p.tau_s - drag,
            sig - econ * (f * v + surcharge),
        ]

    def finish(_t: float, y: NDArray[np.float64]) -> float:
        return float(y[0] - course.distance_m)

    finish.terminal = True  # type: ignore[attr-defined]
    finish.direction = 1  # type: ignore[attr-defined]
    t_end = 3.0 * race.finish_s
    out = solve_ivp(
        rhs, (0.0, t_end), [0.0, float(race.v_m_s[0]), p.e0_j_kg], events=finish, rtol=1e-8, atol=1e-8, max_step=0.05
    )
    if not out.t_events[0].size:
        raise SolverError("the forward simulation did not reach the finish")
    y_end = out.y_events[0][0]
    return {
        "time_s": float(out.t_events[0][0]),
        "energy_j_kg": float(y_end[2]),
        "distance_m": float(y_end[0]),
        "min_energy_j_kg": float(np.min(out.y[2])),
    }


# ---------------------------------------------------------------------------------------------------------------
# fitting an athlete's parameters to her performances
# ---------------------------------------------------------------------------------------------------------------
#: Parameters that may be fitted, with their bounds (and units in the names).
FIT_BOUNDS: dict[str, tuple[float, float]] = {
    "tau_s": (0.3, 3.0),
    "f_max_m_s2": (4.0, 20.0),
    "sigma_w_kg": (15.0, 80.0),
    "e0_j_kg": (200.0, 8000.0),
    "sigma_decay": (0.0, 0.6),
}

#: Conditions assumed for performances, which carry none: a solo race on a standard oval, still air at 20 degC,
#: 50 % humidity, sea level.
FIT_CONDITIONS = {"temperature_c": 20.0, "relative_humidity": 0.5, "altitude_m": 0.0, "wind_speed_m_s": 0.0}


def default_free_parameters(performances: Sequence[Performance]) -> tuple[str, ...]:
    """Which parameters the data can determine.

    ``sigma`` and ``E0`` always; the aerobic decay from 4 distinct distances on; ``tau`` and ``F`` only with at least
    6 performances including one of 400 m or less (they shape the first seconds of a race). The others keep Keller's
    values.
    """
    dists = {round(p.distance_m, 3) for p in performances}
    free = ["sigma_w_kg", "e0_j_kg"]
    if len(dists) >= 4:
        free.append("sigma_decay")
    if len(performances) >= 6 and min(dists) <= 400.0:
        free += ["tau_s", "f_max_m_s2"]
    return tuple(free)


@functools.lru_cache(maxsize=64)
def _fit_course(distance_m: float, height_m: float | None, mass_kg: float | None) -> Course:
    from paceline.io.scenario import scenario_from_dict
    from paceline.models.course import build_course

    athlete = {"name": "fit", "height_m": height_m or 1.75, "mass_kg": mass_kg or 60.0}
    sc = scenario_from_dict(
        {"name": "fit", "distance_m": distance_m, "athlete": athlete, "conditions": FIT_CONDITIONS},
        source="fit",
    )
    course = build_course(sc)
    if height_m is None or mass_kg is None:  # no athlete: Keller's model, without air
        course = course.with_changes(cda_m2=0.0)
    return course


def predict_times(
    distances_m: Sequence[float],
    params: OCParams,
    height_m: float | None = None,
    mass_kg: float | None = None,
    n_intervals: int = 120,
    warm: dict[float, dict[str, Any]] | None = None,
) -> NDArray[np.float64]:
    """Fastest solo times [s] at several distances in the fitting conditions (:data:`FIT_CONDITIONS`).

    Parameters
    ----------
    distances_m : sequence of float
        Race distances [m].
    params : OCParams
        Athlete parameters.
    height_m, mass_kg : float, optional
        The athlete's body, for her drag; without them the air is ignored (Keller's model).
    n_intervals : int
        Collocation intervals per race.
    warm : dict, optional
        Previous solutions by distance, updated in place (speeds up repeated calls).
    """
    prob = get_problem(n_intervals)
    out = []
    for d in distances_m:
        course = _fit_course(float(d), height_m, mass_kg)
        gc = course_on_grid(course, n_intervals)
        init = None if warm is None else warm.get(float(d))
        sol = prob.solve(gc, params, init=init, warm=False)
        if warm is not None:
            warm[float(d)] = sol
        out.append(sol["t"][-1])
    return np.asarray(out, dtype=float)


def fit_optimal_control(
    performances: Sequence[Performance],
    athlete: Athlete | None = None,
    *,
    height_m: float | None = None,
    mass_kg: float | None = None,
    free: Sequence[str] | None = None,
    start: OCParams | None = None,
    n_intervals: int = 120,
    loo: bool = True,
    aero_cost: str | None = None,
) -> dict[str, Any]:
    """Fit the optimal-control model's parameters to an athlete's performances.

    Least squares on log time (``scipy.optimize.least_squares``, bounded, finite-difference Jacobian); each
    predicted time is the model's optimal solo race at that distance in :data:`FIT_CONDITIONS` (with the athlete's
    drag when ``athlete`` is given). Standard deviations come from the covariance ``s^2 (J^T J)^-1``; the
    leave-one-out error refits without each performance in turn and predicts it.

    Parameters
    ----------
    performances : sequence of Performance
        Distances [m] and times [s].
    athlete : Athlete, optional
        Height and mass for the drag (default: no drag, as in Keller 1973).
    height_m, mass_kg : float, optional
        The same, given directly [m], [kg] (used when ``athlete`` is None and both are given).
    free : sequence of str, optional
        Names of the parameters to fit (default :func:`default_free_parameters`); the others keep ``start``.
    start : OCParams, optional
        Starting point and fixed values (default :data:`KELLER_1973`).
    n_intervals : int
        Collocation intervals per race while fitting.
    loo : bool
        Compute the leave-one-out error.
    aero_cost : str, optional
        How the air is charged while fitting (:data:`AERO_COSTS`; default ``start.aero_cost``, i.e.
        ``"metabolic"``). Use the same option to fit and to predict: with the metabolic cost the solo performances
        spend more on the air, so the fitted sigma and E0 are higher.

    Returns
    -------
    dict
        The fields of :class:`paceline.fit.performances.FitResult`: ``model``, ``params`` (name -> value, all five),
        ``params_sd`` (name -> SD, None for fixed parameters or without degrees of freedom),
        ``loo_mean_abs_error_pct`` (None with too few performances), ``n``, ``residuals_pct``, and ``extra``
        (``free``, ``conditions`` with ``aero_cost``, ``source``, ``status``).

    Raises
    ------
    ScenarioError
        With no performances or an unknown parameter name.
    """
    from scipy.optimize import least_squares

    perfs = list(performances)
    if not perfs:
        raise ScenarioError("no performances to fit; add some to athlete.performances", "athlete.performances")
    names = tuple(free) if free is not None else default_free_parameters(perfs)
    for nm in names:
        if nm not in FIT_BOUNDS:
            raise ScenarioError(f"{nm!r} cannot be fitted; allowed {', '.join(FIT_BOUNDS)}", "free")
    base = start or KELLER_1973
    if aero_cost is not None:
        base = base.with_changes(aero_cost=aero_cost)
    h = athlete.height_m if athlete is not None else height_m
    m = athlete.mass_kg if athlete is not None else mass_kg
    if h is None or m is None:
        h = m = None
    d_all = np.array([p.distance_m for p in perfs], dtype=float)
    t_all = np.array([p.time_s for p in perfs], dtype=float)
    lo = np.array([FIT_BOUNDS[nm][0] for nm in names])
    hi = np.array([FIT_BOUNDS[nm][1] for nm in names])
    warm: dict[float, dict[str, Any]] = {}

    def params_of(theta: NDArray[np.float64]) -> OCParams:
        return base.with_changes(**{nm: float(v) for nm, v in zip(names, theta, strict=True)})

    def fit_subset(idx: NDArray[np.int64], theta0: NDArray[np.float64]) -> Any:
        dists = sorted(set(d_all[idx].tolist()))

        def resid(theta: NDArray[np.float64]) -> NDArray[np.float64]:
            pred = dict(zip(dists, predict_times(dists, params_of(theta), h, m, n_intervals, warm), strict=True))
            return np.log(np.array([pred[d] for d in d_all[idx]])) - np.log(t_all[idx])

        return least_squares(resid, theta0, bounds=(lo, hi), x_scale=np.maximum(np.abs(theta0), 1e-2), diff_step=1e-4)

    theta0 = np.clip(np.array([getattr(base, nm) for nm in names], dtype=float), lo + 1e-6 * (hi - lo), hi)
    if "sigma_decay" in names:  # start inside the bounds, off the edge
        theta0[names.index("sigma_decay")] = max(theta0[names.index("sigma_decay")], 0.05)
    full = fit_subset(np.arange(len(perfs)), theta0)
    best = params_of(full.x)
    n, k = len(perfs), len(names)
    sd: dict[str, float | None] = dict.fromkeys(FIT_BOUNDS)
    if n > k:
        s2 = 2.0 * full.cost / (n - k)
        try:
            cov = np.linalg.inv(full.jac.T @ full.jac) * s2
            for i, nm in enumerate(names):
                sd[nm] = float(math.sqrt(max(cov[i, i], 0.0)))
        except np.linalg.LinAlgError:
            log.warning("singular Jacobian in the optimal-control fit: no standard deviations")
    residuals = (np.exp(full.fun) - 1.0) * 100.0
    loo_err: float | None = None
    if loo and n >= 3 and n - 1 >= k:
        errs = []
        for i in range(n):
            keep = np.array([j for j in range(n) if j != i], dtype=np.int64)
            sub = fit_subset(keep, full.x)
            t_pred = predict_times([d_all[i]], params_of(sub.x), h, m, n_intervals, warm)[0]
            errs.append(abs(t_pred / t_all[i] - 1.0) * 100.0)
        loo_err = float(np.mean(errs))
    return {
        "model": MODEL_NAME,
        "params": {nm: float(getattr(best, nm)) for nm in FIT_BOUNDS},
        "params_sd": sd,
        "loo_mean_abs_error_pct": loo_err,
        "n": n,
        "residuals_pct": [float(r) for r in residuals],
        "extra": {
            "free": list(names),
            "conditions": dict(
                FIT_CONDITIONS, drag=h is not None and m is not None, n_intervals=n_intervals, aero_cost=base.aero_cost
            ),
            "source": f"least squares on log time, {n} performances; fixed parameters from {base.source}",
            "status": str(full.message),
        },
    }


@functools.lru_cache(maxsize=32)
def _fit_cached(
    perf_key: tuple[tuple[float, float], ...], height_m: float, mass_kg: float, aero_cost: str = DEFAULT_AERO_COST
) -> OCParams:
    from paceline.io.scenario import Athlete, Performance

    perfs = [Performance(distance_m=d, time_s=t) for d, t in perf_key]
    ath = Athlete(name="fit", height_m=height_m, mass_kg=mass_kg)
    fit = fit_optimal_control(perfs, ath, loo=False, aero_cost=aero_cost)
    free = ", ".join(fit["extra"]["free"])
    return KELLER_1973.with_changes(
        **fit["params"],
        aero_cost=aero_cost,
        source=f"fitted to {len(perfs)} performances of the athlete ({free} free, {aero_cost} air cost)",
    )


def athlete_params(scenario: Scenario, aero_cost: str = DEFAULT_AERO_COST) -> OCParams:
    """The athlete's parameters for a scenario: fitted to her performances (with the air charged as ``aero_cost``
    says, see :data:`AERO_COSTS`), or Keller's (men's) without any."""
    if aero_cost not in AERO_COSTS:
        raise ScenarioError(f"{aero_cost!r} is not allowed; use one of {', '.join(AERO_COSTS)}", "aero_cost")
    ath = scenario.athlete
    if not ath.performances:
        log.warning("athlete %s has no performances: using Keller's (1973) men's parameters", ath.name)
        return KELLER_1973.with_changes(aero_cost=aero_cost)
    key = tuple(sorted((float(p.distance_m), float(p.time_s)) for p in ath.performances))
    return _fit_cached(key, float(ath.height_m), float(ath.mass_kg), aero_cost)


# ---------------------------------------------------------------------------------------------------------------
# the model behind the common interface
# ---------------------------------------------------------------------------------------------------------------
class OptimalControlModel:
    """Keller / Aftalion optimal-control model: the fastest pacing for a scenario.

    Parameters
    ----------
    n_intervals : int
        Number of collocation intervals (default 500).
    params : OCParams, optional
        Athlete parameters for every scenario (default: fitted to each scenario's athlete performances).
    draft_params : DraftParams, optional
        Parameters of the shelter model (default: its best fit).
    aero_cost : str, optional
        How the air is charged to the energy budget, ``"metabolic"`` or ``"mechanical"`` (:data:`AERO_COSTS`);
        overrides the parameters' own ``aero_cost`` (default: theirs, ``"metabolic"`` unless set otherwise). The
        athlete's parameters are fitted with the same option.

    Examples
    --------
    >>> from paceline import load_scenario
    >>> race = OptimalControlModel().solve(load_scenario("breaking4"))  # doctest: +SKIP
    >>> race.finish  # doctest: +SKIP
    """

    name = MODEL_NAME

    def __init__(
        self,
        n_intervals: int = 500,
        params: OCParams | None = None,
        draft_params: Any = None,
        aero_cost: str | None = None,
    ) -> None:
        if aero_cost is not None and aero_cost not in AERO_COSTS:
            raise ScenarioError(f"{aero_cost!r} is not allowed; use one of {', '.join(AERO_COSTS)}", "aero_cost")
        self.n_intervals = int(n_intervals)
        self.params = params
        self.draft_params = draft_params
        self.aero_cost = aero_cost

    def athlete_params(self, scenario: Scenario, params: OCParams | None = None) -> OCParams:
        """The parameters a solve uses: ``params``, else the model's, else fitted to the athlete; with the
        model's ``aero_cost`` if it has one."""
        p = params or self.params or athlete_params(scenario, self.aero_cost or DEFAULT_AERO_COST)
        if self.aero_cost is not None and p.aero_cost != self.aero_cost:
            p = p.with_changes(aero_cost=self.aero_cost)
        return p

    def course(self, scenario: Scenario) -> Course:
        """The scenario's course (its environment along the race)."""
        from paceline.models.course import build_course

        return build_course(scenario, draft_params=self.draft_params)

    def solve(self, scenario: Scenario, params: OCParams | None = None, require_target: bool = False) -> Race:
        """The fastest race in a scenario.

        Parameters
        ----------
        scenario : Scenario
            The scenario (athlete, pacing, track, conditions, equipment).
        params : OCParams, optional
            Athlete parameters (default: the model's, else fitted to the athlete's performances).
        require_target : bool
            Raise :class:`InfeasibleError` if even the optimal pacing misses ``scenario.target_s``.

        Returns
        -------
        Race
            The optimal race (see :func:`solve_course`).
        """
        p = self.athlete_params(scenario, params)
        course = self.course(scenario)
        race = solve_course(course, p, self.n_intervals, name=scenario.name)
        target = scenario.target_s
        if target is not None:
            race.meta["target_s"] = target
            race.meta["target_gap_s"] = race.finish_s - target
            if require_target and race.finish_s > target:
                raise InfeasibleError(
                    f"no pacing reaches the target {target:.2f} s: the fastest is {race.finish} "
                    f"({race.finish_s - target:.2f} s slower) with these pacers, conditions and athlete parameters; "
                    "closest: more shelter, a faster athlete (sigma, E0) or a slower target"
                )
        return race


# ---------------------------------------------------------------------------------------------------------------
# pacing advice
# ---------------------------------------------------------------------------------------------------------------
def _lap_rows(x: NDArray[np.float64], t: NDArray[np.float64], points: NDArray[np.float64]) -> list[dict[str, float]]:
    times = np.interp(points, x, t)
    seg = np.diff(np.concatenate([[0.0], times]))
    dist = np.diff(np.concatenate([[0.0], points]))
    return [
        {
            "distance_m": round(float(d), 3),
            "time_s": round(float(tt), 3),
            "lap_s": round(float(s), 3),
            "lap_m": round(float(dd), 3),
        }
        for d, tt, s, dd in zip(points, times, seg, dist, strict=True)
    ]


def _shape_from_splits(
    splits: Sequence[tuple[float, float]], x: NDArray[np.float64], start_loss_s: float
) -> NDArray[np.float64]:
    """Relative speed at the grid nodes from a race's splits: segment speeds placed at segment midpoints."""
    d = np.array([0.0, *[s[0] for s in splits]])
    t = np.array([0.0, *[s[1] for s in splits]])
    seg_t = np.diff(t)
    seg_t[0] = max(seg_t[0] - start_loss_s, 0.5 * seg_t[0])  # the first split includes the start from rest
    speed = np.diff(d) / seg_t
    mid = 0.5 * (d[1:] + d[:-1])
    return np.asarray(np.interp(x, mid, speed), dtype=float)


def pacing_advice(
    scenario: Scenario,
    params: OCParams | None = None,
    n_intervals: int = 300,
    draft_params: Any = None,
    aero_cost: str | None = None,
) -> dict[str, Any]:
    """The optimal split per lap, and what even pace and the as-raced profile cost against it.

    The even-pace and as-raced figures are optimal-control solutions too: the speed after the start zone (the
    first 40 m) is forced to follow the profile, up to a common factor that the solver maximises within the same
    energy, force and bend limits. The as-raced profile is the segment speeds of ``scenario.result.splits``
    interpolated between segment midpoints (the first segment corrected for the start from rest as in the
    optimum).

    Parameters
    ----------
    scenario : Scenario
        The scenario (with ``result.splits`` for the as-raced comparison).
    params : OCParams, optional
        Athlete parameters (default: fitted to the athlete's performances).
    n_intervals : int
        Collocation intervals.
    draft_params : DraftParams, optional
        Parameters of the shelter model.
    aero_cost : str, optional
        How the air is charged (see :class:`OptimalControlModel`; default: the parameters' own, ``"metabolic"``).

    Returns
    -------
    dict
        ``optimal`` (time and laps), ``even_pace`` and ``as_raced`` (time, ``lost_s`` against the optimum, laps;
        ``as_raced`` is None without splits), ``target`` and the athlete parameters used.
    """
    model = OptimalControlModel(n_intervals, params, draft_params, aero_cost)
    p = model.athlete_params(scenario)
    course = model.course(scenario)
    race = solve_course(course, p, n_intervals, name=scenario.name)
    points = race.split_points()
    x = race.x_m
    opt_t = race.finish_s
    out: dict[str, Any] = {
        "scenario": scenario.name,
        "model": MODEL_NAME,
        "optimal": {"time_s": round(opt_t, 3), "laps": _lap_rows(x, race.t_s, points)},
    }
    even = solve_shaped(course, p, None, n_intervals)
    out["even_pace"] = {
        "time_s": round(even["time_s"], 3),
        "lost_s": round(even["time_s"] - opt_t, 3),
        "speed_m_s": round(even["scale"], 4),
        "laps": _lap_rows(even["x_m"], even["t_s"], points),
    }
    out["as_raced"] = None
    if scenario.result is not None and len(scenario.result.splits) >= 2:
        zone = min(START_ZONE_M, 0.1 * course.distance_m)
        t_zone = float(np.interp(zone, x, race.t_s))
        start_loss = t_zone - zone / float(np.interp(zone, x, race.v_m_s))
        shape = _shape_from_splits(scenario.result.splits, x, start_loss)
        raced = solve_shaped(course, p, shape, n_intervals)
        out["as_raced"] = {
            "time_s": round(raced["time_s"], 3),
            "lost_s": round(raced["time_s"] - opt_t, 3),
            "actual_time_s": scenario.result.time_s,
            "laps": _lap_rows(raced["x_m"], raced["t_s"], points),
            "profile": "segment speeds of result.splits, best common scale within the athlete's limits",
        }
    if scenario.target_s is not None:
        out["target"] = {
            "time_s": scenario.target_s,
            "reachable": bool(opt_t <= scenario.target_s),
            "gap_s": round(opt_t - scenario.target_s, 3),
        }
    out["params"] = p.to_dict()
    out["assumptions"] = [a.to_dict() for a in race.assumptions]
    return out

"""Direct collocation of the optimal-control race in CasADi (Opti + Ipopt), built once and re-solved warm.

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

The code reads like CasADi's ``race_car`` example: :func:`race_block` declares the variables, the parameters, the
dynamics and the constraints of one race; :class:`CollocationProblem` adds the objective and the solver;
:func:`initial_guess` and :meth:`CollocationProblem.solve` follow. The athlete fit
(:mod:`paceline.fit.optimal_control`) puts several race blocks, with shared athlete parameters, in one NLP.

References
----------
Andersson, J. A. E. et al. (2019). CasADi: a software framework for nonlinear optimization and optimal control.
Math. Prog. Comp. 11, 1-36 (the race_car example of the Opti stack).
Wächter, A. & Biegler, L. T. (2006). On the implementation of an interior-point filter line-search algorithm for
large-scale nonlinear programming. Math. Prog. 106, 25-57 (Ipopt).
Aftalion, A. & Martinon, P. (2019). Optimizing running a race on a curved track. PLOS ONE 14(9), e0221572.
"""

from __future__ import annotations

import functools
import logging
import math
import threading
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from paceline.errors import InfeasibleError, ScenarioError, SolverError
from paceline.models.keller import OCParams, aerobic_power_w_kg, air_cost_factor, drag_per_kg, metabolic_flag
from paceline.physics import aero

if TYPE_CHECKING:  # pragma: no cover
    from paceline.models.course import Course

log = logging.getLogger(__name__)

#: Length of the refined start zone of the grid [m] (the acceleration from rest happens there).
START_ZONE_M = 40.0

#: Lower bound of the speed after the first node [m/s] (keeps the time step finite).
V_MIN_M_S = 0.3

#: Fewest and most collocation intervals of a problem (the most: about 0.3 GB of CasADi/Ipopt memory).
MIN_INTERVALS, MAX_INTERVALS = 10, 20_000

#: Weight of the penalty on force jumps between intervals [s/(m/s^2)^2]: it changes the finishing time by
#: milliseconds and removes the interval-to-interval chatter on the singular arc.
SMOOTHING = 1e-5


# ---------------------------------------------------------------------------------------------------------------
# the grid and the course on it
# ---------------------------------------------------------------------------------------------------------------
def race_grid(distance_m: float, n_intervals: int) -> NDArray[np.float64]:
    """Nodes of the collocation grid [m]: quadratic spacing over the first 40 m (the start), uniform after.

    The number of start intervals is chosen so that the last start interval matches the uniform spacing.
    """
    n = int(n_intervals)
    zone = start_zone_m(distance_m)
    n0 = round(2.0 * zone * n / (distance_m + zone))
    n0 = min(max(n0, 2), n - 2)
    start = zone * (np.arange(n0 + 1) / n0) ** 2
    rest = np.linspace(zone, distance_m, n - n0 + 1)
    return np.concatenate([start, rest[1:]])


def check_intervals(n_intervals: int) -> int:
    """``n_intervals`` as an int if it is between :data:`MIN_INTERVALS` and :data:`MAX_INTERVALS`, else a
    :class:`ScenarioError` naming ``n_intervals``."""
    n = int(n_intervals)
    if not MIN_INTERVALS <= n <= MAX_INTERVALS:
        raise ScenarioError(f"{n} is not allowed; use {MIN_INTERVALS} to {MAX_INTERVALS} intervals", "n_intervals")
    return n


def start_zone_m(distance_m: float) -> float:
    """Length of the refined start zone of the grid [m]: 40 m, or a tenth of a shorter race."""
    return min(START_ZONE_M, 0.1 * distance_m)


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
    economy : float
        ``1 - shoe_economy_gain`` [-].
    """

    x_m: NDArray[np.float64]
    h_m: NDArray[np.float64]
    line_scale: NDArray[np.float64]
    curvature_1_m: NDArray[np.float64]
    wind_along_m_s: NDArray[np.float64]
    shelter: NDArray[np.float64]
    k_per_kg: NDArray[np.float64]
    economy: float = 1.0


def course_on_grid(course: Course, n_intervals: int) -> GridCourse:
    """Average a :class:`~paceline.models.course.Course` onto the intervals of the collocation grid."""
    x = race_grid(course.distance_m, n_intervals)
    xs = np.asarray(course.x_m, dtype=float)

    def mean(a: Any) -> NDArray[np.float64]:
        return np.asarray(_interval_means(x, xs, np.asarray(a, dtype=float)), dtype=float)

    shelter = mean(course.shelter)
    k = (
        np.asarray(aero.drag_coefficient_n_s2_m2(course.air_density_kg_m3, course.drag_area_m2, shelter))
        / course.mass_kg
    )
    return GridCourse(
        x_m=x,
        h_m=np.diff(x),
        line_scale=mean(course.line_scale),
        curvature_1_m=np.abs(mean(course.curvature_1_m)),
        wind_along_m_s=mean(course.wind_along_m_s),
        shelter=shelter,
        k_per_kg=np.asarray(k, dtype=float),
        economy=1.0 - float(course.shoe_economy_gain),
    )


# ---------------------------------------------------------------------------------------------------------------
# one race: variables, parameters, dynamics, constraints
# ---------------------------------------------------------------------------------------------------------------
#: The athlete's parameters as they enter the dynamics, in the order of :func:`athlete_values`.
ATHLETE_SYMBOLS = ("tau", "fmax", "sigma", "e0", "decay", "onset", "metabolic")


def athlete_values(p: OCParams) -> dict[str, float]:
    """Values of :data:`ATHLETE_SYMBOLS` for a parameter set."""
    return {
        "tau": p.tau_s,
        "fmax": p.f_max_m_s2,
        "sigma": p.sigma_w_kg,
        "e0": p.e0_j_kg,
        "decay": p.sigma_decay,
        "onset": p.decay_onset,
        "metabolic": metabolic_flag(p),
    }


@dataclass
class RaceBlock:
    """The symbols of one collocated race in an Opti problem (see :func:`race_block`).

    Attributes
    ----------
    n : int
        Number of intervals.
    vars : dict
        Decision variables ``v`` (N + 1) [m/s], ``e`` (N + 1) [fraction of E0], ``f`` (N) [m/s^2], ``dt`` (N) [s].
    course : dict
        Parameters that describe the course: ``h``, ``scale``, ``kappa``, ``wind``, ``kdrag``, ``economy``,
        ``v_start`` (and ``shape`` for a shaped race).
    alpha : MX or None
        Scale of the imposed speed profile [m/s] (a shaped race only).
    time : MX
        Finishing time ``sum(dt)`` [s].
    roughness : MX
        Sum of squared force jumps plus 100 times the squared second differences of the speed (the regulariser).
    rows : tuple of int
        First and last + 1 row of the race's constraints in ``opti.g``.
    """

    n: int
    vars: dict[str, Any]
    course: dict[str, Any]
    alpha: Any
    time: Any
    roughness: Any
    rows: tuple[int, int]

    def set_course(self, opti: Any, gc: GridCourse, v_start_m_s: float = 0.0, shape: Any = None) -> None:
        """Set the course parameters of this race (``shape``: relative speed at all N + 1 nodes, shaped races)."""
        values: dict[str, Any] = {
            "h": gc.h_m,
            "scale": gc.line_scale,
            "kappa": gc.curvature_1_m,
            "wind": gc.wind_along_m_s,
            "kdrag": gc.k_per_kg,
            "economy": gc.economy,
            "v_start": v_start_m_s,
        }
        if "shape" in self.course:
            if shape is None:
                raise ValueError("a shaped problem needs a shape")
            values["shape"] = np.asarray(shape, dtype=float)[-self.course["shape"].shape[0] :]
        for name, value in values.items():
            opti.set_value(self.course[name], value)

    def set_initial(self, opti: Any, guess: dict[str, Any]) -> None:
        """Set the initial guess of this race's variables (``v``, ``e``, ``f``, ``dt`` and, if shaped, ``alpha``)."""
        for name, var in self.vars.items():
            opti.set_initial(var, np.asarray(guess[name], dtype=float))
        if self.alpha is not None:
            opti.set_initial(self.alpha, float(guess.get("alpha", np.max(guess["v"]))))


def race_block(opti: Any, n: int, athlete: dict[str, Any], shape_from: int = 0) -> RaceBlock:
    """Declare one race in an Opti problem: variables, course parameters, dynamics and constraints.

    Parameters
    ----------
    opti : casadi.Opti
        The problem to add to.
    n : int
        Number of collocation intervals ``N``.
    athlete : dict
        CasADi symbols (parameters or variables) of :data:`ATHLETE_SYMBOLS`, shared by every race of the problem.
    shape_from : int
        If positive, the speed from node ``shape_from`` on is tied to a given shape: ``v_k = alpha * shape_k`` with
        ``alpha`` free (even pace: shape 1). Used to price a pacing profile against the optimum.

    Returns
    -------
    RaceBlock
        The race's symbols; the caller sets the objective.
    """
    import casadi as ca

    a = athlete
    first_row = opti.ng

    # ---- variables -------------------------------------------------------------------------------------------
    v = opti.variable(n + 1)  # speed at the nodes [m/s]
    e = opti.variable(n + 1)  # anaerobic energy left, fraction of E0 [-]
    f = opti.variable(n)  # propulsive force per kg on each interval [m/s^2]
    dt = opti.variable(n)  # duration of each interval [s]

    # ---- parameters (the course) -----------------------------------------------------------------------------
    h = opti.parameter(n)  # interval length in race distance [m]
    scale = opti.parameter(n)  # metres run per metre of race distance [-]
    kappa = opti.parameter(n)  # curvature of her line [1/m]
    wind = opti.parameter(n)  # tailwind along her direction [m/s]
    kdrag = opti.parameter(n)  # 1/2 rho CdA (1 - shelter) / m [1/m]
    economy = opti.parameter()  # 1 - shoe economy gain [-]
    v_start = opti.parameter()  # speed at the gun [m/s]

    # ---- dynamics --------------------------------------------------------------------------------------------
    vbar = 0.5 * (v[:-1] + v[1:])
    ebar = 0.5 * (e[:-1] + e[1:])
    drag = drag_per_kg(vbar, wind, kdrag)
    aerobic = aerobic_power_w_kg(ebar, a["sigma"], a["decay"], a["onset"])
    # (c - 1) D v: the metabolic surcharge of the air (da Silva 2022), 0 with Keller's mechanical cost
    surcharge = a["metabolic"] * (air_cost_factor(vbar, a["tau"]) - 1.0) * drag * vbar
    opti.subject_to(dt * (v[:-1] + v[1:]) == 2.0 * h * scale)  # distance
    opti.subject_to(v[1:] - v[:-1] == dt * (f - vbar / a["tau"] - drag))  # momentum
    opti.subject_to(a["e0"] * (e[1:] - e[:-1]) == dt * (aerobic - economy * (f * vbar + surcharge)))  # energy

    # ---- constraints -----------------------------------------------------------------------------------------
    opti.subject_to(v[0] == v_start)
    opti.subject_to(e[0] == 1.0)
    opti.subject_to(opti.bounded(V_MIN_M_S, v[1:], 20.0))
    opti.subject_to(e >= 0.0)
    opti.subject_to(opti.bounded(0.0, f, a["fmax"]))
    opti.subject_to(f**2 + (vbar**2 * kappa) ** 2 <= a["fmax"] ** 2)  # force shared with the bend (Aftalion-Martinon)
    opti.subject_to(dt >= 0.0)
    course = {"h": h, "scale": scale, "kappa": kappa, "wind": wind, "kdrag": kdrag, "economy": economy}
    course["v_start"] = v_start
    alpha = None
    if shape_from > 0:
        alpha = opti.variable()  # scale of the imposed speed profile [m/s]
        course["shape"] = opti.parameter(n + 1 - shape_from)  # relative speed profile from node shape_from on [-]
        opti.subject_to(v[shape_from:] == alpha * course["shape"])
        opti.subject_to(alpha >= V_MIN_M_S)

    # finishing time, and the roughness that the objective penalises a little: the middle of the race is a singular
    # arc on which the trapezoidal scheme otherwise lets the force chatter and the speed alternate node to node
    # (v_k + v_k+1 fixed) at no cost
    roughness = ca.sumsqr(f[1:] - f[:-1]) + 100.0 * ca.sumsqr(v[2:] - 2.0 * v[1:-1] + v[:-2])
    return RaceBlock(
        n=n,
        vars={"v": v, "e": e, "f": f, "dt": dt},
        course=course,
        alpha=alpha,
        time=ca.sum1(dt),
        roughness=roughness,
        rows=(first_row, opti.ng),
    )


def athlete_parameters(opti: Any) -> dict[str, Any]:
    """Opti parameters for every athlete symbol (:data:`ATHLETE_SYMBOLS`)."""
    return {name: opti.parameter() for name in ATHLETE_SYMBOLS}


# ---------------------------------------------------------------------------------------------------------------
# Ipopt on an Opti problem (one cold and one warm-start instance, built on first use)
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


class IpoptNLP:
    """An Opti problem solved by Ipopt through ``nlpsol`` (no Opti overhead per solve), cold or warm.

    Parameters
    ----------
    opti : casadi.Opti
        The complete problem (variables, parameters, constraints, objective).
    name : str
        Name of the solver instances.
    """

    def __init__(self, opti: Any, name: str) -> None:
        import casadi as ca

        self.opti = opti
        self.name = name
        self._nlp = {"x": opti.x, "p": opti.p, "f": opti.f, "g": opti.g}
        self._bounds = ca.Function("bounds", [opti.p], [opti.lbg, opti.ubg])
        self._solvers: dict[bool, Any] = {}

    def run(self, guess: dict[str, Any] | None) -> tuple[dict[str, Any], dict[str, Any]]:
        """Solve from the Opti problem's current parameter values and initial guess.

        With ``guess`` holding the multipliers ``lam_g`` and ``lam_x`` of a previous solution, start warm from them
        (and retry cold if that goes astray); with ``guess["x"]``, start from that primal point instead of the Opti
        problem's initial values. Returns Ipopt's result (``x``, ``f``, ``lam_g``, ``lam_x`` ...) and its
        statistics (``status``, ``iterations``, ``success``, ``solve_s``, ``warm_start``).
        """
        opti = self.opti
        pvec = opti.value(opti.p)
        x0 = guess["x"] if guess is not None and "x" in guess else opti.value(opti.x, opti.initial())
        lbg, ubg = self._bounds(pvec)
        use_warm = guess is not None and "lam_g" in guess and "lam_x" in guess
        t0 = time.perf_counter()
        res, stats = self._run(use_warm, x0, pvec, lbg, ubg, guess)
        if use_warm and not stats["success"]:  # a warm start that goes astray: retry from the same point, cold
            log.debug("warm re-solve failed (%s); retrying cold", stats["status"])
            res, stats = self._run(False, x0, pvec, lbg, ubg, guess)
        stats["solve_s"] = time.perf_counter() - t0
        stats["warm_start"] = use_warm
        res["p"] = pvec
        return res, stats

    def _run(
        self, warm: bool, x0: Any, pvec: Any, lbg: Any, ubg: Any, guess: dict[str, Any] | None
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        """One Ipopt call (cold, or warm with the multipliers of the guess); returns the result and its status."""
        import casadi as ca

        if warm not in self._solvers:
            options = {**_IPOPT_OPTIONS, **(_WARM_OPTIONS if warm else {})}
            self._solvers[warm] = ca.nlpsol(f"{self.name}_{'warm' if warm else 'cold'}", "ipopt", self._nlp, options)
        solver = self._solvers[warm]
        if warm and guess is not None:
            res = solver(x0=x0, p=pvec, lbg=lbg, ubg=ubg, lam_g0=guess["lam_g"], lam_x0=guess["lam_x"])
        else:
            res = solver(x0=x0, p=pvec, lbg=lbg, ubg=ubg)
        st = solver.stats()
        status = str(st.get("return_status", "unknown"))
        return dict(res), {
            "status": status,
            "iterations": int(st.get("iter_count", -1)),
            "success": bool(st.get("success", False)) or status in _OK_STATUSES,
        }


def raise_for_status(stats: dict[str, Any], what: str, closest: str) -> None:
    """Turn an unsuccessful Ipopt status into :class:`InfeasibleError` or :class:`SolverError`.

    Parameters
    ----------
    stats : dict
        Ipopt's statistics from :meth:`IpoptNLP.run`.
    what : str
        The problem, for the message (``"the optimal-control problem"``).
    closest : str
        What the closest point the solver found looks like, for an infeasible problem.
    """
    if stats["success"]:
        return
    status = stats["status"]
    if status in _INFEASIBLE_STATUSES:
        raise InfeasibleError(
            f"no pacing satisfies the constraints (Ipopt: {status}); {closest}. Relax the imposed speed profile or "
            "check the athlete parameters."
        )
    raise SolverError(
        f"Ipopt failed on {what} (status {status} after {stats['iterations']} iterations); try more intervals or "
        "other athlete parameters"
    )


# ---------------------------------------------------------------------------------------------------------------
# the collocation problem of one race (built once per number of intervals)
# ---------------------------------------------------------------------------------------------------------------
def initial_guess(gc: GridCourse, p: OCParams) -> dict[str, NDArray[np.float64]]:
    """A cold initial guess: Keller's steady speed ``sqrt(sigma tau)`` reached over the first 10 m.

    Parameters
    ----------
    gc : GridCourse
        The course on the grid.
    p : OCParams
        Athlete parameters.

    Returns
    -------
    dict
        ``v`` [m/s], ``e`` [-] (falling linearly from 1 to 0), ``f`` [m/s^2] (steady-state force), ``dt`` [s].
    """
    v_steady = 1.05 * math.sqrt(p.sigma_w_kg * p.tau_s)
    v = v_steady * np.minimum(1.0, np.sqrt(np.maximum(gc.x_m, 0.0) / 10.0))
    v = np.maximum(v, V_MIN_M_S)
    v[0] = 0.0
    vbar = 0.5 * (v[1:] + v[:-1])
    dt = 2.0 * gc.h_m * gc.line_scale / (v[1:] + v[:-1])
    f = np.clip(vbar / p.tau_s + gc.k_per_kg * vbar**2, 0.0, 0.95 * p.f_max_m_s2)
    e = np.linspace(1.0, 0.0, gc.x_m.size)
    return {"v": v, "e": e, "f": f, "dt": dt}


#: One optimal-control solve at a time in a process: a problem keeps its last solution to warm-start the next one,
#: and CasADi/Ipopt/MUMPS state is not safe to share between threads (two concurrent web requests once crashed the
#: server). Processes (the local pool, Dask workers) each have their own problems and lock.
SOLVE_LOCK = threading.RLock()


def serialised(method: Any) -> Any:
    """Run ``method`` holding :data:`SOLVE_LOCK`."""

    @functools.wraps(method)
    def locked(*args: Any, **kwargs: Any) -> Any:
        with SOLVE_LOCK:
            return method(*args, **kwargs)

    return locked


class CollocationProblem(IpoptNLP):
    """The discretised optimal-control problem for ``n`` intervals, built once and re-solved with new parameters.

    Parameters
    ----------
    n_intervals : int
        Number of collocation intervals ``N``.
    shape_from : int
        If positive, the speed from node ``shape_from`` on follows a given shape up to a free factor (see
        :func:`race_block`).
    """

    def __init__(self, n_intervals: int, shape_from: int = 0) -> None:
        import casadi as ca

        n = check_intervals(n_intervals)
        self.n = n
        self.shape_from = int(shape_from)
        self.shaped = self.shape_from > 0
        t0 = time.perf_counter()
        opti = ca.Opti()

        # ---- variables, parameters, dynamics, constraints ---------------------------------------------------
        self.athlete = athlete_parameters(opti)
        self.race = race_block(opti, n, self.athlete, self.shape_from)
        self.smooth = opti.parameter()  # weight of the roughness penalty [s/(m/s^2)^2]

        # ---- objective: the finishing time, plus a tiny penalty on roughness (see race_block) -----------------
        opti.minimize(self.race.time + self.smooth * self.race.roughness)

        # ---- solver: Ipopt on the NLP that Opti assembled -----------------------------------------------------
        super().__init__(opti, "oc")
        out = [*self.race.vars.values(), *([self.race.alpha] if self.shaped else [])]
        self._unpack = ca.Function("unpack", [opti.x], out)
        self.build_s = time.perf_counter() - t0
        self.n_solves = 0
        self._last: dict[str, Any] | None = None

    # ---- initial guess ---------------------------------------------------------------------------------------
    def initial_guess(self, gc: GridCourse, p: OCParams) -> dict[str, NDArray[np.float64]]:
        """A cold initial guess (:func:`initial_guess`)."""
        return initial_guess(gc, p)

    # ---- solve -----------------------------------------------------------------------------------------------
    def set_values(self, gc: GridCourse, p: OCParams, v_start_m_s: float = 0.0, shape: Any = None) -> None:
        """Set every parameter of the problem: the course, the athlete and the smoothing weight."""
        if gc.h_m.size != self.n:
            raise ValueError(f"course has {gc.h_m.size} intervals, the problem {self.n}")
        self.race.set_course(self.opti, gc, v_start_m_s, shape)
        for name, value in athlete_values(p).items():
            self.opti.set_value(self.athlete[name], value)

    @serialised
    def solve(
        self,
        gc: GridCourse,
        p: OCParams,
        v_start_m_s: float = 0.0,
        init: dict[str, Any] | None = None,
        shape: NDArray[np.float64] | None = None,
        warm: bool = True,
        smoothing: float = SMOOTHING,
    ) -> dict[str, Any]:
        """Set the parameters, the initial guess, and solve.

        Parameters
        ----------
        gc : GridCourse
            The course on this problem's grid (with the shoes' economy).
        p : OCParams
            Athlete parameters.
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
            Weight of the penalty on roughness [s/(m/s^2)^2] (:data:`SMOOTHING`).

        Returns
        -------
        dict
            Arrays ``v``, ``e`` (fraction), ``f``, ``dt``, ``t``, the multipliers, and the solver's ``stats``.

        Raises
        ------
        InfeasibleError
            If Ipopt proves the problem infeasible.
        SolverError
            If Ipopt fails for another reason.
        """
        self.set_values(gc, p, v_start_m_s, shape)
        self.opti.set_value(self.smooth, smoothing)
        guess = init if init is not None else (self._last if (warm and self._last is not None) else None)
        self.race.set_initial(self.opti, guess if guess is not None else initial_guess(gc, p))
        res, stats = self.run(guess)
        self.n_solves += 1
        parts = [np.asarray(a, dtype=float).ravel() for a in self._unpack(res["x"])]
        out: dict[str, Any] = dict(zip(("v", "e", "f", "dt"), parts[:4], strict=True))
        if self.shaped:
            out["alpha"] = float(parts[4][0])
        out["t"] = np.concatenate([[0.0], np.cumsum(out["dt"])])
        out["stats"] = stats
        closest = (
            f"the closest point the solver found finishes in {out['t'][-1]:.2f} s with "
            f"{out['e'].min() * p.e0_j_kg:.0f} J/kg of anaerobic energy at its lowest"
        )
        raise_for_status(stats, "the optimal-control problem", closest)
        out["lam_g"] = np.asarray(res["lam_g"], dtype=float).ravel()
        out["lam_x"] = np.asarray(res["lam_x"], dtype=float).ravel()
        self._last = {k: out[k] for k in ("v", "e", "f", "dt", "lam_g", "lam_x", *(("alpha",) if self.shaped else ()))}
        return out


_PROBLEMS: dict[tuple[int, int], CollocationProblem] = {}


def get_problem(n_intervals: int, shape_from: int = 0) -> CollocationProblem:
    """The cached collocation problem for ``n_intervals`` (built on first use; see :class:`CollocationProblem`)."""
    key = (int(n_intervals), int(shape_from))
    with SOLVE_LOCK:
        if key not in _PROBLEMS:
            _PROBLEMS[key] = CollocationProblem(*key)
            log.debug("built optimal-control problem N=%d shape_from=%d in %.3f s", *key, _PROBLEMS[key].build_s)
        return _PROBLEMS[key]

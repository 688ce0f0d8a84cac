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
Direct collocation in race distance, in CasADi (Opti + Ipopt): see :mod:`paceline.models.collocation`. The
parameters and the terms of the equations live in :mod:`paceline.models.keller`, shared with the athlete fit
(:mod:`paceline.fit.optimal_control`).

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

import copy
import dataclasses
import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from paceline.errors import ScenarioError, SolverError
from paceline.io.cache import Memo, content_key
from paceline.models.athlete import AthleteParams, OptimalControlParams
from paceline.models.collocation import (
    SMOOTHING,
    GridCourse,
    check_intervals,
    course_on_grid,
    get_problem,
    race_grid,
    start_zone_m,
)
from paceline.models.keller import (
    AERO_COSTS,
    CAL_J,
    DEFAULT_AERO_COST,
    KELLER_1973,
    OCParams,
    aerobic_power_w_kg,
    air_cost_factor,
    air_power_w_kg,
    check_aero_cost,
    drag_per_kg,
    metabolic_flag,
)
from paceline.models.race import Assumption, Race
from paceline.physics import aero

if TYPE_CHECKING:  # pragma: no cover
    from paceline.models.course import Course

__all__ = [
    "AERO_COSTS",
    "CAL_J",
    "CITATIONS",
    "DEFAULT_AERO_COST",
    "KELLER_1973",
    "MODEL_NAME",
    "OCParams",
    "OptimalControlModel",
    "simulate_control",
    "solve_course",
    "solve_shaped",
]

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


# ---------------------------------------------------------------------------------------------------------------
# from a solution to a Race
# ---------------------------------------------------------------------------------------------------------------
def race_from_solution(
    course: Course,
    gc: GridCourse,
    p: OCParams,
    sol: dict[str, Any],
    extra: Sequence[Assumption] = (),
) -> Race:
    """The Race of a collocation solution: the solution's nodes with the course and the energy terms on them."""
    x = gc.x_m
    v, e, f = sol["v"], sol["e"], sol["f"]
    shelter = np.interp(x, course.x_m, course.shelter)
    wind = np.interp(x, course.x_m, course.wind_along_m_s)
    drag = np.asarray(aero.drag_force(v, course.air_density_kg_m3, course.drag_area_m2, wind, shelter))
    f_nodes = np.append(f, f[-1])  # the force of the interval that starts at each node (the last repeats)
    economy = 1.0 - course.shoe_economy_gain
    metabolic = metabolic_flag(p)
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
        scenario=course.name,
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
    warm : bool
        Start from the previous solution of the cached problem with the same number of intervals, and remember the
        solution by the problem's content (:data:`SOLUTIONS`, and on disk: :func:`_stored_or_solved`): the same
        problem asked again, in this process or a later one, is not solved again.
        False: a cold solve from the default guess, neither read from nor kept in :data:`SOLUTIONS`.
    extra_assumptions : sequence of Assumption
        Further inputs to list in the Race.

    Returns
    -------
    Race
        The fastest race, named after ``course.name``: time, distance, speed and the series ``force_n_kg``,
        ``energy_j_kg``, ``aerobic_power_w_kg``, ``propulsive_power_w_kg`` (``f v``), ``metabolic_power_w_kg``
        (what the energy equation charges, after shoe economy), ``air_power_w_kg`` and ``air_energy_j_kg`` (the part
        of it due to the air, and its running total), ``drag_n``, ``shelter``, ``wind_along_m_s`` ...;
        ``meta["solver"]`` has Ipopt's status, iterations and wall time.

    Raises
    ------
    InfeasibleError, SolverError
        If Ipopt finds no solution.
    """
    p = params or KELLER_1973
    gc = course_on_grid(course, n_intervals)
    if not warm:
        return race_from_solution(course, gc, p, get_problem(n_intervals).solve(gc, p, warm=False), extra_assumptions)
    key = problem_key(gc, p, n_intervals)
    sol = SOLUTIONS.get(key, lambda: _stored_or_solved(key, gc, p, n_intervals))
    fresh = {k: np.array(v, copy=True) if isinstance(v, np.ndarray) else copy.deepcopy(v) for k, v in sol.items()}
    return race_from_solution(course, gc, p, fresh, extra_assumptions)


#: Optimal-control solutions by the content of their problem (:func:`problem_key`): the same race asked again (a
#: page reloaded, a report after a predict in one process) is not solved again. The Race is built afresh from it.
#: Under it, the disk cache (:func:`_stored_or_solved`): a new process does not solve a problem solved before.
SOLUTIONS = Memo(maxsize=32)


def problem_key(gc: GridCourse, params: OCParams, n_intervals: int) -> str:
    """The content of an optimal-control problem: the course on the grid (every array by content), the athlete's
    parameters and the number of intervals (:func:`paceline.io.cache.content_key`)."""
    grid = {f.name: getattr(gc, f.name) for f in dataclasses.fields(gc)}
    return content_key({"grid": grid, "params": params.to_dict(), "n_intervals": int(n_intervals)})


#: Version of the solutions kept on disk (the collocation's formulation and Ipopt's settings): a change is a new key.
SOLUTION_VERSION = "oc-solution-1"

#: The arrays of a solution kept on disk, with the length of each past the number of intervals.
SOLUTION_ARRAYS = {"v": 1, "e": 1, "t": 1, "f": 0, "dt": 0}


def _stored_or_solved(key: str, gc: GridCourse, p: OCParams, n_intervals: int) -> dict[str, Any]:
    """The solution of the problem ``key`` (:func:`problem_key`) from the disk cache (:mod:`paceline.io.cache`, by
    content: no casadi, no solve), else solved and stored there. A stored entry that is not a solution of this
    problem's size (corrupt, foreign) is ignored and the problem solved again."""
    from paceline.io import cache

    disk_key = content_key({"problem": key, "version": SOLUTION_VERSION, "smoothing": SMOOTHING})
    stored = _stored_solution(cache.load("oc_solution", disk_key), disk_key, n_intervals)
    if stored is not None:
        return stored
    sol = get_problem(n_intervals).solve(gc, p, warm=True)
    st = sol["stats"]
    cache.store(
        "oc_solution",
        disk_key,
        {
            "key": disk_key,
            **{k: [float(x) for x in sol[k]] for k in SOLUTION_ARRAYS},
            "stats": {
                "status": str(st["status"]),
                "iterations": int(st["iterations"]),
                "solve_s": float(st["solve_s"]),
                "warm_start": bool(st["warm_start"]),
            },
        },
    )
    return sol


def _stored_solution(stored: dict[str, Any] | None, disk_key: str, n_intervals: int) -> dict[str, Any] | None:
    """A stored solution as :meth:`CollocationProblem.solve` returns it (its arrays and ``stats``), or None if
    ``stored`` is not one of ``n_intervals`` intervals stored under ``disk_key`` with finite values."""
    if stored is None or stored.get("key") != disk_key:
        return None
    try:
        sol: dict[str, Any] = {k: np.asarray(stored[k], dtype=float) for k in SOLUTION_ARRAYS}
        st = stored["stats"]
        stats = {k: t(st[k]) for k, t in (("status", str), ("iterations", int), ("solve_s", float))}
        stats["warm_start"] = bool(st["warm_start"])
    except (KeyError, TypeError, ValueError) as exc:
        log.debug("ignoring a cached optimal-control solution: %s", exc)
        return None
    if any(
        a.shape != (n_intervals + extra,) or not np.all(np.isfinite(a))
        for a, extra in ((sol[k], SOLUTION_ARRAYS[k]) for k in SOLUTION_ARRAYS)
    ):
        log.debug("ignoring a cached optimal-control solution of another size or with non-finite values")
        return None
    sol["stats"] = stats
    return sol


def solve_shaped(
    course: Course,
    params: OCParams,
    shape_m_s: NDArray[np.float64] | None,
    n_intervals: int = 300,
) -> Race:
    """The fastest race whose speed, after the start zone, follows a given profile up to a common factor.

    Parameters
    ----------
    course : Course
        The race environment.
    params : OCParams
        Athlete parameters.
    shape_m_s : ndarray or None
        Relative speed [any unit] at the nodes of :func:`~paceline.models.collocation.race_grid` (None: even pace).
    n_intervals : int
        Number of collocation intervals.

    Returns
    -------
    Race
        The race, with ``meta["scale_m_s"]``: the speed [m/s] of the profile's fastest node after the start zone.
    """
    x = race_grid(course.distance_m, n_intervals)
    k0 = int(np.searchsorted(x, start_zone_m(course.distance_m) - 1e-9))
    shape = np.ones_like(x) if shape_m_s is None else np.asarray(shape_m_s, dtype=float)
    shape = shape / np.max(shape[k0:])
    gc = course_on_grid(course, n_intervals)
    free = get_problem(n_intervals).solve(gc, params)
    init = {k: free[k] for k in ("v", "e", "f", "dt")}
    init["v"] = np.concatenate([free["v"][:k0], np.mean(free["v"][k0:]) * shape[k0:]])
    init["alpha"] = float(np.mean(free["v"][k0:]))
    sol = get_problem(n_intervals, shape_from=k0).solve(gc, params, init=init, shape=shape)
    race = race_from_solution(course, gc, params, sol)
    race.meta["scale_m_s"] = sol["alpha"]
    return race


# ---------------------------------------------------------------------------------------------------------------
# the model behind the common interface
# ---------------------------------------------------------------------------------------------------------------
class OptimalControlModel:
    """Keller / Aftalion optimal-control model: the fastest pacing on a course, ``model.solve(course, athlete)``.

    Parameters
    ----------
    n_intervals : int
        Number of collocation intervals (default 500: about 3 m each over a mile).
    aero_cost : str, optional
        How the air is charged to the energy budget, ``"metabolic"`` or ``"mechanical"`` (:data:`AERO_COSTS`);
        overrides the athlete parameters' own ``aero_cost`` (default: theirs). The chain fits the athlete with the
        same option (:func:`paceline.fit.optimal_control.oc_params_for`).
    step_m : float
        Sample spacing of the course it wants [m] (the chain builds the course with it; the collocation averages
        the course over its own intervals).

    Examples
    --------
    >>> from paceline.chain import solve
    >>> solve(load_scenario("breaking4"), "optimal-control").finish  # doctest: +SKIP
    """

    name = MODEL_NAME
    params_type = OptimalControlParams

    def __init__(self, n_intervals: int = 500, aero_cost: str | None = None, step_m: float = 1.0) -> None:
        if aero_cost is not None:
            check_aero_cost(aero_cost)
        self.n_intervals = check_intervals(n_intervals)
        self.aero_cost = aero_cost
        self.step_m = float(step_m)

    def params_for(self, athlete: AthleteParams) -> OCParams:
        """The athlete's Keller / Aftalion parameters, with the model's ``aero_cost`` if it has one.

        Raises
        ------
        ScenarioError
            If the athlete has no optimal-control parameters (:class:`OptimalControlParams`).
        """
        p = OptimalControlParams.of(athlete, MODEL_NAME).oc
        if not isinstance(p, OCParams):
            raise ScenarioError(f"{type(p).__name__} is not OCParams; the optimal-control model needs them", "athlete")
        if self.aero_cost is not None and p.aero_cost != self.aero_cost:
            p = p.with_changes(aero_cost=self.aero_cost)
        return p

    def solve(self, course: Course, athlete: AthleteParams) -> Race:
        """The fastest race on a course (see :func:`solve_course`).

        Parameters
        ----------
        course : Course
            The race environment (:func:`paceline.models.course.build_course`).
        athlete : OptimalControlParams
            The athlete, with her Keller / Aftalion parameters in ``oc``.

        Returns
        -------
        Race
            The optimal race; its inputs list the athlete's parameters and where they come from.
        """
        p = self.params_for(athlete)
        own = {"tau", "f_max", "sigma", "e0", "sigma_decay", "aero_cost"}
        extra = [a for a in athlete.assumptions if a.name not in own]
        return solve_course(course, p, self.n_intervals, extra_assumptions=extra)


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
    k = (
        np.asarray(aero.drag_coefficient_n_s2_m2(course.air_density_kg_m3, course.drag_area_m2, course.shelter))
        / course.mass_kg
    )
    econ = 1.0 - course.shoe_economy_gain
    p = params
    metabolic = metabolic_flag(p)

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

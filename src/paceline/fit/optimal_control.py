"""The optimal-control athlete from her performances: Keller / Aftalion parameters by least squares on log time.

Each predicted time is the model's fastest solo race at that distance in :data:`FIT_CONDITIONS` (with her drag):
a *minimum* over the race's controls, so the fit is a bilevel problem,

      min over theta of  sum_i (log T*_d(i)(theta) - log t_i)^2,    T*_d(theta) = min over the race's controls,

solved with exact derivatives and no finite differences:

* **All races in one NLP.** One CasADi NLP (:class:`RacesNLP`) holds one collocated race per distinct distance
  (the model's own race block, :func:`paceline.models.collocation.race_block`) with the athlete's parameters shared
  by all of them, and minimises the weighted sum of their times. The races are independent given the parameters,
  so its solution is every race's optimum at once: one Ipopt call, warm-started from the previous parameters.
* **Exact Jacobian.** By the envelope theorem the derivative of a race's optimal objective with respect to a
  parameter is the partial derivative of that race's Lagrangian at the optimum, ``dV*/dtheta = d/dtheta (lam' g)
  - (active bounds)``, a CasADi function of the converged primal-dual point: no extra solve, no finite difference.
  The race's objective ``V`` is its time plus the model's 1e-5-weighted roughness penalty (see
  :func:`paceline.models.collocation.race_block`); the residuals are on the time itself. At the fit's 120 intervals
  the penalty's share of the derivative is below 0.05 % for tau, sigma, E0 and the decay, and up to about 10 % for
  F (the start's force jump carries it). (CasADi's own parametric sensitivities of the time need the active set
  from Ipopt's multipliers; on this problem, where the force limit and the bend limit coincide on the straights,
  they come out wrong for F, so they are not used.)
* **Gauss-Newton.** The outer problem has two to five unknowns: Gauss-Newton steps on the log-time residuals with
  a Levenberg-Marquardt damping and the bounds (:data:`FIT_BOUNDS`) held by projection.

Why not the shared parameters and every race's controls as the decision variables of one least-squares NLP: the
solver could then run a race slower than the athlete can (a slower race is always feasible), so any parameters
strong enough for every performance would fit with zero residual, and the fit would return wherever it started.
The inner minimisation above keeps every predicted time the *fastest* race.

The fitted parameters are those of the earlier finite-difference fit (scipy ``least_squares`` around one Ipopt
solve per distance) to 1e-7, with 4 joint solves instead of about 46 single ones. Standard deviations come from
``s^2 (J^T J)^-1`` with that Jacobian at the optimum; the leave-one-out error
refits without each performance in turn (warm-started from the full fit) and predicts it. Fits are cached by
content in memory and on disk (:mod:`paceline.io.cache`).

References
----------
Keller, J. B. (1973). A theory of competitive running. Physics Today 26(9), 42-47.
Nocedal, J. & Wright, S. J. (2006). Numerical Optimization, 2nd ed. Springer: ch. 10 (Gauss-Newton,
Levenberg-Marquardt), ch. 12 (Lagrangian) and sensitivity of the optimal value (the envelope theorem).
"""

from __future__ import annotations

import functools
import logging
import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from paceline.errors import PacelineError, ScenarioError
from paceline.fit.gauss_newton import gauss_newton
from paceline.fit.result import FitResult
from paceline.io import cache
from paceline.jsonable import content_key
from paceline.models.collocation import (
    SMOOTHING,
    SOLVE_LOCK,
    IpoptNLP,
    athlete_parameters,
    athlete_values,
    course_on_grid,
    initial_guess,
    race_block,
    raise_for_status,
    serialised,
)
from paceline.models.keller import DEFAULT_AERO_COST, KELLER_1973, OCParams, check_aero_cost
from paceline.physics.air import REFERENCE_CONDITIONS

if TYPE_CHECKING:  # pragma: no cover
    from paceline.io.scenario import Performance
    from paceline.models.course import Course

log = logging.getLogger(__name__)

MODEL_NAME = "optimal-control"

#: Parameters that may be fitted, with their bounds (and units in the names).
FIT_BOUNDS: dict[str, tuple[float, float]] = {
    "tau_s": (0.3, 3.0),
    "f_max_m_s2": (4.0, 20.0),
    "sigma_w_kg": (15.0, 80.0),
    "e0_j_kg": (200.0, 8000.0),
    "sigma_decay": (0.0, 0.6),
}

#: The CasADi symbol of each fittable parameter (:data:`paceline.models.collocation.ATHLETE_SYMBOLS`).
_SYMBOL = {"tau_s": "tau", "f_max_m_s2": "fmax", "sigma_w_kg": "sigma", "e0_j_kg": "e0", "sigma_decay": "decay"}

#: Conditions assumed for performances, which carry none: a solo race on a standard oval in the reference
#: conditions (:data:`paceline.physics.air.REFERENCE_CONDITIONS`).
FIT_CONDITIONS = dict(REFERENCE_CONDITIONS)

#: Collocation intervals per race while fitting.
FIT_N_INTERVALS = 120

#: Version of the fitting method, part of the disk cache's key (bump it when the fit's results change).
FIT_VERSION = "oc-fit-3"

#: Reference speed that scales each race's time in the joint objective [m/s] (so that every race weighs about 1).
_WEIGHT_SPEED_M_S = 6.0


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
def fit_course(distance_m: float, height_m: float | None = None, mass_kg: float | None = None) -> Course:
    """The course of a performance: solo on a standard oval in :data:`FIT_CONDITIONS` (no air without a body)."""
    from paceline.io.athletes import body_for
    from paceline.io.scenario import scenario_from_dict
    from paceline.models.course import build_course

    body = body_for(None, height_m, mass_kg)  # without a body the drag is switched off below; mass then has no role
    athlete = {"name": "fit", "height_m": body.height_m, "mass_kg": body.mass_kg}
    sc = scenario_from_dict(
        {"name": "fit", "distance_m": distance_m, "athlete": athlete, "conditions": FIT_CONDITIONS}, source="fit"
    )
    course = build_course(sc)
    if height_m is None or mass_kg is None:  # no athlete: Keller's model, without air
        course = course.with_changes(drag_area_m2=0.0)
    return course


# ---------------------------------------------------------------------------------------------------------------
# the fastest race at every distance, in one NLP, with the exact sensitivity of each race's time
# ---------------------------------------------------------------------------------------------------------------
class RacesNLP(IpoptNLP):
    """The fastest race at each of ``n_races`` distances for one athlete, as one NLP (built once, re-solved warm).

    Parameters
    ----------
    n_races : int
        Number of races (distinct distances).
    n_intervals : int
        Collocation intervals per race.
    """

    def __init__(self, n_races: int, n_intervals: int) -> None:
        import casadi as ca

        opti = ca.Opti()

        # ---- variables, parameters, dynamics, constraints: one race block per distance, one athlete -------------
        self.athlete = athlete_parameters(opti)
        self.races = [race_block(opti, n_intervals, self.athlete) for _ in range(n_races)]
        self.weight = opti.parameter(n_races)  # 1 / a typical time of each race [1/s]
        self.smooth = opti.parameter()  # weight of the roughness penalty [s/(m/s^2)^2]

        # ---- objective: the weighted sum of the races' objectives (each race's optimum, as they are independent)
        opti.minimize(
            ca.sum1(
                ca.vertcat(*[self.weight[j] * (r.time + self.smooth * r.roughness) for j, r in enumerate(self.races)])
            )
        )

        # ---- solver, and the sensitivities of the constraints to the athlete's parameters (envelope theorem) ----
        super().__init__(opti, "oc_fit")
        theta = ca.vertcat(*[self.athlete[_SYMBOL[nm]] for nm in FIT_BOUNDS])
        self._sens = ca.Function(
            "dg_dtheta",
            [opti.x, opti.p],
            [ca.jacobian(opti.g, theta), ca.jacobian(opti.ubg, theta), ca.jacobian(opti.lbg, theta)],
        )
        times = ca.vertcat(*[r.time for r in self.races])
        values = ca.vertcat(*[r.time + self.smooth * r.roughness for r in self.races])
        self._times = ca.Function("times", [opti.x, opti.p], [times, values])
        self.n_intervals = n_intervals
        self.last: dict[str, Any] | None = None

    @serialised
    def solve(
        self, courses: Sequence[Course], p: OCParams, guess: dict[str, Any] | None = None
    ) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """The fastest time of every race and its derivatives with respect to the fittable parameters.

        Parameters
        ----------
        courses : sequence of Course
            One course per race.
        p : OCParams
            Athlete parameters.
        guess : dict, optional
            A previous solution (:attr:`last`) to start from; default a cold guess for every race.

        Returns
        -------
        times : ndarray
            Fastest time of each race [s].
        jac : ndarray
            Derivatives of each race's optimal objective (its time plus the roughness penalty, in
            ``last["objective"]`` [s]) with respect to the parameters of :data:`FIT_BOUNDS`, in that order (races x
            parameters) [s per unit of the parameter]: the envelope theorem, exact for the objective.

        Raises
        ------
        InfeasibleError, SolverError
            If Ipopt finds no solution.
        """
        opti = self.opti
        gcs = [course_on_grid(c, self.n_intervals) for c in courses]
        weights = np.array([_WEIGHT_SPEED_M_S / c.distance_m for c in courses])
        for race, gc in zip(self.races, gcs, strict=True):
            race.set_course(opti, gc)
            if guess is None:
                race.set_initial(opti, initial_guess(gc, p))
        for name, value in athlete_values(p).items():
            opti.set_value(self.athlete[name], value)
        opti.set_value(self.weight, weights)
        opti.set_value(self.smooth, SMOOTHING)
        res, stats = self.run(guess)
        raise_for_status(stats, "the races of the optimal-control fit", "the fit's athlete cannot finish a race")
        times, values = (np.asarray(a, dtype=float).ravel() for a in self._times(res["x"], res["p"]))
        self.last = {"x": res["x"], "lam_g": res["lam_g"], "lam_x": res["lam_x"], "stats": stats, "objective": values}
        return times, self._value_jacobian(res, weights)

    def _value_jacobian(self, res: dict[str, Any], weights: NDArray[np.float64]) -> NDArray[np.float64]:
        """``dV*_j / dtheta`` from the multipliers: ``d/dtheta [lam' g - lam+' ubg - lam-' lbg]`` over race j's rows."""
        jg, jub, jlb = (np.asarray(m.full(), dtype=float) for m in self._sens(res["x"], res["p"]))
        lam = np.asarray(res["lam_g"], dtype=float).ravel()[:, None]
        rows = lam * jg - np.maximum(lam, 0.0) * np.nan_to_num(jub) - np.minimum(lam, 0.0) * np.nan_to_num(jlb)
        out = np.array([rows[a:b].sum(axis=0) for a, b in (r.rows for r in self.races)])
        return out / weights[:, None]


_NLPS: dict[tuple[int, int], RacesNLP] = {}


def get_races_nlp(n_races: int, n_intervals: int = FIT_N_INTERVALS) -> RacesNLP:
    """The cached :class:`RacesNLP` for a number of races and intervals (built on first use)."""
    key = (int(n_races), int(n_intervals))
    with SOLVE_LOCK:  # one optimal-control solve (or build) at a time in a process: see SOLVE_LOCK
        if key not in _NLPS:
            _NLPS[key] = RacesNLP(*key)
        return _NLPS[key]


def predict_times(
    distances_m: Sequence[float],
    params: OCParams,
    height_m: float | None = None,
    mass_kg: float | None = None,
    n_intervals: int = FIT_N_INTERVALS,
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
    """
    courses = [fit_course(float(d), height_m, mass_kg) for d in distances_m]
    times, _ = get_races_nlp(len(courses), n_intervals).solve(courses, params)
    return times


# ---------------------------------------------------------------------------------------------------------------
# the fit
# ---------------------------------------------------------------------------------------------------------------
def _check_free(performances: Sequence[Performance], free: Sequence[str] | None) -> tuple[str, ...]:
    if not performances:
        raise ScenarioError("no performances to fit; add some to athlete.performances", "athlete.performances")
    names = tuple(free) if free is not None else default_free_parameters(performances)
    for nm in names:
        if nm not in FIT_BOUNDS:
            raise ScenarioError(f"{nm!r} cannot be fitted; allowed {', '.join(FIT_BOUNDS)}", "free")
    return names


class _Fit:
    """The residuals of a set of performances as a function of the free parameters (one joint NLP per call)."""

    def __init__(
        self,
        performances: Sequence[Performance],
        names: tuple[str, ...],
        base: OCParams,
        height_m: float | None,
        mass_kg: float | None,
        n_intervals: int,
    ) -> None:
        self.names = names
        self.base = base
        self.t_obs = np.array([p.time_s for p in performances], dtype=float)
        d_obs = [round(float(p.distance_m), 6) for p in performances]
        self.distances = sorted(set(d_obs))
        self.race_of = np.array([self.distances.index(d) for d in d_obs])
        self.courses = [fit_course(d, height_m, mass_kg) for d in self.distances]
        self.nlp = get_races_nlp(len(self.courses), n_intervals)
        self.cols = [list(FIT_BOUNDS).index(nm) for nm in names]
        self.lo = np.array([FIT_BOUNDS[nm][0] for nm in names])
        self.hi = np.array([FIT_BOUNDS[nm][1] for nm in names])
        self.guess: dict[str, Any] | None = None
        self.times = np.full(len(self.distances), np.nan)
        self.solves = 0

    def params(self, theta: NDArray[np.float64]) -> OCParams:
        return self.base.with_changes(**{nm: float(v) for nm, v in zip(self.names, theta, strict=True)})

    def residuals(
        self, theta: NDArray[np.float64], keep: NDArray[np.bool_] | None = None
    ) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """Log-time residuals of the kept performances and their exact Jacobian w.r.t. the free parameters."""
        with SOLVE_LOCK:  # the solution and the NLP's last state together, whatever other threads solve
            times, dt = self.nlp.solve(self.courses, self.params(theta), self.guess)
            self.guess, self.times = self.nlp.last, times
        self.solves += 1
        keep = np.ones(self.t_obs.size, dtype=bool) if keep is None else keep
        j = self.race_of[keep]
        r = np.log(times[j]) - np.log(self.t_obs[keep])
        return r, dt[j][:, self.cols] / times[j][:, None]

    def run(self, theta0: NDArray[np.float64], keep: NDArray[np.bool_] | None = None) -> dict[str, Any]:
        return gauss_newton(lambda th: self.residuals(th, keep), theta0, self.lo, self.hi)


def _standard_deviations(names: Sequence[str], r: NDArray[np.float64], jac: NDArray[np.float64]) -> dict[str, Any]:
    """``sqrt(diag(s^2 (J^T J)^-1))`` with ``s^2 = |r|^2 / (n - k)``; None for every parameter without dof."""
    sd: dict[str, float | None] = dict.fromkeys(FIT_BOUNDS)
    n, k = jac.shape
    if n <= k:
        return sd
    try:
        cov = np.linalg.inv(jac.T @ jac) * float(r @ r) / (n - k)
    except np.linalg.LinAlgError:
        log.warning("singular Jacobian in the optimal-control fit: no standard deviations")
        return sd
    for i, nm in enumerate(names):
        sd[nm] = float(math.sqrt(max(cov[i, i], 0.0)))
    return sd


def _leave_one_out(fit: _Fit, theta: NDArray[np.float64], state: dict[str, Any] | None) -> float | None:
    """Mean absolute error [%] of each performance predicted by a refit without it (warm-started from ``theta``)."""
    n, k = fit.t_obs.size, len(fit.names)
    if n < 3 or n - 1 < k:
        return None
    errs = []
    for i in range(n):
        keep = np.arange(n) != i
        fit.guess = state
        sub = fit.run(theta, keep)
        if not sub["last_accepted"]:  # the race times at the refit's optimum
            fit.residuals(sub["theta"], keep)
        errs.append(abs(fit.times[fit.race_of[i]] / fit.t_obs[i] - 1.0) * 100.0)
    return float(np.mean(errs))


def fit_optimal_control(
    performances: Sequence[Performance],
    *,
    height_m: float | None = None,
    mass_kg: float | None = None,
    free: Sequence[str] | None = None,
    start: OCParams | None = None,
    n_intervals: int = FIT_N_INTERVALS,
    loo: bool = True,
    aero_cost: str | None = None,
) -> FitResult:
    """Fit the optimal-control model's parameters to an athlete's performances (see the module's method).

    Parameters
    ----------
    performances : sequence of Performance
        Distances [m] and times [s].
    height_m, mass_kg : float, optional
        The athlete's body [m], [kg], for her drag (default: no drag, as in Keller 1973).
    free : sequence of str, optional
        Names of the parameters to fit (default :func:`default_free_parameters`); the others keep ``start``.
    start : OCParams, optional
        Starting point and fixed values (default :data:`~paceline.models.keller.KELLER_1973`).
    n_intervals : int
        Collocation intervals per race while fitting.
    loo : bool
        Compute the leave-one-out error.
    aero_cost : str, optional
        How the air is charged while fitting (default ``start.aero_cost``, i.e. ``"metabolic"``). Use the same
        option to fit and to predict: with the metabolic cost the solo performances spend more on the air, so the
        fitted sigma and E0 are higher.

    Returns
    -------
    FitResult
        ``params`` (all five), ``params_sd`` (None for fixed parameters or without degrees of freedom),
        ``loo_mean_abs_error_pct`` (None with too few performances), ``residuals_pct``, and ``extra``: ``free``,
        ``conditions`` (with ``aero_cost``), ``source``, ``status``, ``method``, ``solves`` (joint-NLP solves) and
        ``sum_sq_log_residuals``.

    Raises
    ------
    ScenarioError
        With no performances or an unknown parameter name.
    """
    perfs = list(performances)
    names = _check_free(perfs, free)
    base = start or KELLER_1973
    if aero_cost is not None:
        base = base.with_changes(aero_cost=check_aero_cost(aero_cost))
    h, m = (height_m, mass_kg) if height_m is not None and mass_kg is not None else (None, None)
    fit = _Fit(perfs, names, base, h, m, n_intervals)
    theta0 = np.clip(np.array([getattr(base, nm) for nm in names], dtype=float), fit.lo, fit.hi)
    if "sigma_decay" in names:  # start inside the bounds, off the edge
        theta0[names.index("sigma_decay")] = max(theta0[names.index("sigma_decay")], 0.05)
    full = fit.run(theta0)
    if not full["last_accepted"]:  # leave the NLP at the optimum, the warm start of the leave-one-out refits
        fit.residuals(full["theta"])
    state = fit.guess
    best = fit.params(full["theta"])
    loo_err = _leave_one_out(fit, full["theta"], state) if loo else None
    return FitResult(
        model=MODEL_NAME,
        params={nm: float(getattr(best, nm)) for nm in FIT_BOUNDS},
        params_sd=_standard_deviations(names, full["r"], full["J"]),
        loo_mean_abs_error_pct=loo_err,
        n=len(perfs),
        residuals_pct=[float(x) for x in (np.exp(full["r"]) - 1.0) * 100.0],
        extra={
            "free": list(names),
            "conditions": dict(FIT_CONDITIONS, drag=h is not None, n_intervals=n_intervals, aero_cost=base.aero_cost),
            "source": f"least squares on log time, {len(perfs)} performances; fixed parameters from {base.source}",
            "status": full["status"],
            "method": "Gauss-Newton on log time; every distance's fastest race in one CasADi/Ipopt NLP; Jacobian "
            "of each race's optimal objective by the envelope theorem (no finite differences)",
            "solves": fit.solves,
            "sum_sq_log_residuals": float(full["r"] @ full["r"]),
        },
    )


# ---------------------------------------------------------------------------------------------------------------
# the athlete's parameters for the chain, cached by content
# ---------------------------------------------------------------------------------------------------------------
def _cache_key(perf_key: tuple[tuple[float, float], ...], height_m: float, mass_kg: float, aero_cost: str) -> str:
    from paceline.physics import aero, air

    c = FIT_CONDITIONS
    return content_key(
        {
            "version": FIT_VERSION,
            "performances": perf_key,
            "height_m": height_m,
            "mass_kg": mass_kg,
            "aero_cost": aero_cost,
            "start": KELLER_1973.to_dict(),
            "bounds": FIT_BOUNDS,
            "conditions": c,
            "n_intervals": FIT_N_INTERVALS,
            "free": default_free_parameters(_performances(perf_key)),
            # the physics the fit reads, so that a change of formula is a new key
            "drag_area_m2": float(aero.drag_area(height_m, mass_kg)),
            "rho": float(air.air_density(c["temperature_c"], c["relative_humidity"], c["altitude_m"])),
        }
    )


def _performances(perf_key: tuple[tuple[float, float], ...]) -> list[Performance]:
    from paceline.io.scenario import Performance

    return [Performance(distance_m=d, time_s=t) for d, t in perf_key]


@functools.lru_cache(maxsize=32)
def _fit_cached(perf_key: tuple[tuple[float, float], ...], height_m: float, mass_kg: float, aero_cost: str) -> OCParams:
    key = _cache_key(perf_key, height_m, mass_kg, aero_cost)
    stored = _stored_params(key)
    if stored is not None:
        return stored
    params = fit_params(perf_key, height_m, mass_kg, aero_cost)
    cache.store("oc_fit", key, {"key": key, "params": params.to_dict()})
    return params


def fit_params(perf_key: tuple[tuple[float, float], ...], height_m: float, mass_kg: float, aero_cost: str) -> OCParams:
    """The athlete's parameters fitted afresh (:func:`fit_optimal_control`, no leave-one-out): what
    :func:`oc_params_for` keeps in the caches and what ``data/fitted/optimal_control.json`` ships
    (:mod:`paceline.fit.oc_shipped`). ``perf_key``: sorted ``(distance_m, time_s)`` pairs (:func:`perf_key`)."""
    perfs = _performances(perf_key)
    fit = fit_optimal_control(perfs, height_m=height_m, mass_kg=mass_kg, loo=False, aero_cost=aero_cost)
    free = ", ".join(fit.extra["free"])
    params = KELLER_1973.with_changes(
        **fit.params,
        aero_cost=aero_cost,
        source=f"fitted to {len(perfs)} performances of the athlete ({free} free, {aero_cost} air cost)",
    )
    return params


def _stored_params(key: str) -> OCParams | None:
    """The fit under ``key`` shipped with paceline (a bundled athlete's: :func:`paceline.io.fitted.shipped_oc_fit`)
    or stored in the disk cache, or None: an entry that is corrupt, foreign (it names another key, or none) or not
    valid parameters is ignored (and the fit recomputed and stored again), never trusted."""
    from paceline.io.fitted import shipped_oc_fit

    for stored in (shipped_oc_fit(key), cache.load("oc_fit", key)):
        params = _params_of(stored, key)
        if params is not None:
            return params
    return None


def _params_of(stored: dict[str, Any] | None, key: str) -> OCParams | None:
    """The parameters of a stored fit (see :func:`_stored_params`), or None."""
    if stored is None:
        return None
    if stored.get("key") != key:
        log.debug("ignoring an optimal-control fit stored under another key")
        return None
    try:
        params = OCParams(**stored["params"])
    except (KeyError, TypeError, ValueError, PacelineError) as exc:
        log.debug("ignoring a stored optimal-control fit: %s", exc)
        return None
    # a well-formed entry is still trusted only inside what the fit itself could have returned
    fitted = stored["params"]
    for name, (lo, hi) in FIT_BOUNDS.items():
        value = fitted.get(name)
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not lo <= value <= hi:
            log.debug("ignoring a stored optimal-control fit: %s = %r is outside the fit's bounds", name, value)
            return None
    return params


def perf_key(performances: Sequence[Performance]) -> tuple[tuple[float, float], ...]:
    """Performances as the fit's caches key them: sorted ``(distance_m, time_s)`` pairs."""
    return tuple(sorted((float(p.distance_m), float(p.time_s)) for p in performances))


def oc_params_for(
    performances: Sequence[Performance], height_m: float, mass_kg: float, aero_cost: str = DEFAULT_AERO_COST
) -> OCParams:
    """The athlete's Keller / Aftalion parameters: fitted to her performances, or Keller's (men's) without any.

    Parameters
    ----------
    performances : sequence of Performance
        Her performances (distance [m], time [s]), each taken as run solo in :data:`FIT_CONDITIONS`.
    height_m, mass_kg : float
        Her body [m], [kg] (her drag while fitting).
    aero_cost : str
        How the air is charged (:data:`~paceline.models.keller.AERO_COSTS`); the model must use the same.

    Returns
    -------
    OCParams
        Fitted with :func:`fit_optimal_control` (no leave-one-out), cached by content in memory and on disk
        (:mod:`paceline.io.cache`), or shipped for the bundled athletes (by the same content key); with no
        performances, :data:`~paceline.models.keller.KELLER_1973` and a
        warning.
    """
    check_aero_cost(aero_cost)
    if not performances:
        log.warning("no performances: using Keller's (1973) men's parameters for the optimal-control model")
        return KELLER_1973.with_changes(aero_cost=aero_cost)
    return _fit_cached(perf_key(performances), float(height_m), float(mass_kg), aero_cost)

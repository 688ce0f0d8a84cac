"""An athlete's time at any distance from 800 m to the marathon, from her performances and a population prior.

The model (a two-level log-log model in the spirit of Blythe & Kiraly's low-rank "local matrix completion"): with
``x = ln(d / 1500 m)``, every runner's log time is

    ln t(d) = a + b x + gamma(x) + delta(d) + f(x) + e,     gamma(x) = c2 x^2 + c3 x^3,     e ~ N(0, sigma^2)

where ``a`` (her speed level) and ``b`` (her endurance exponent, Riegel's 1.06 when the rest is 0) are her own, with
population priors ``N(a_mean, a_sd^2)`` and ``N(b_mean, b_sd^2)``; ``gamma`` (the bend of the speed-distance curve:
fast fade above the anaerobic 800 m, a flatter middle, the marathon's extra fade) is shared by everybody; ``delta``
is the population's offset at each standard event (a column effect of the athletes-by-events matrix: a 2000 m or a
mile is raced less often and less hard than a 1500 m or a 5000 m, so its bests lie off the smooth curve); ``f`` is
her smooth deviation from a power law (a Gaussian process in ``x``: a 1500 m runner who is also a strong miler). One
performance already predicts (Riegel with the population's exponent and bend); many let her own curve speak.

The population is fitted once on the shipped tables (:mod:`paceline.io.performance_tables`): the bend and the prior,
GP and noise parameters by type-II maximum likelihood over all tables, then ``delta`` from the tables' own
leave-one-out residuals (each held-out row's offset net of its neighbours', as a prediction sees them), shrunk by
empirical Bayes (:func:`fit_population`). The 90 % interval is
``exp(ln t +- z90 * s)`` with ``s`` the predictive standard deviation scaled by ``interval_scale``, a factor set so
that 90 % of the population's own leave-one-out errors fall inside (a conformal calibration), or by
``extrapolation_scale``, set the same way on the tables' shortest and longest rows, for a distance beyond hers.

References
----------
Blythe, D. A. J. & Kiraly, F. J. (2016). Prediction and quantification of individual athletic performance of runners.
PLoS ONE 11(6), e0157257.
Riegel, P. S. (1981). Athletic records and human endurance. American Scientist 69, 285-290.
Vovk, V., Gammerman, A. & Shafer, G. (2005). Algorithmic Learning in a Random World. Springer (conformal
prediction: the ``ceil((n + 1)(1 - alpha))``-th smallest score).
Efron, B. & Morris, C. (1975). Data analysis using Stein's estimator and its generalizations. Journal of the
American Statistical Association 70, 311-319 (the empirical-Bayes shrinkage of the event offsets).
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
from numpy.typing import NDArray

from paceline.errors import ScenarioError
from paceline.fit.performance_inputs import DISTANCE_RANGE_M, best_indices, beyond_span, check_performances

log = logging.getLogger(__name__)

#: Reference distance of ``x = ln(d / D_REF_M)`` [m].
D_REF_M = 1500.0
#: Two-sided 90 % quantile of the standard normal.
Z90 = 1.6448536269514722


@dataclass(frozen=True)
class PopulationPrior:
    """The population's shared bend and the priors of an athlete's level, exponent and local deviations.

    Attributes
    ----------
    curvature : tuple of float
        ``(c2, c3)`` of ``gamma(x) = c2 x^2 + c3 x^3``.
    level_mean, level_sd : float
        Prior mean and standard deviation of her level ``a`` [ln s] (ln of her 1500 m time without the bend).
    slope_mean, slope_sd : float
        Prior mean and standard deviation of her exponent ``b`` [-].
    local_sd, local_length : float
        Standard deviation [-] and length scale [-, in x = ln(d / 1500 m)] of her smooth deviation from a power law
        (a Gaussian process: a 1500 m runner who is also a strong miler); 0 for none.
    noise_sd : float
        Standard deviation of one best time about her curve [-, relative] (a tactical race, a bad day).
    interval_scale : float
        Factor on the predictive standard deviation that makes the 90 % interval hold 90 % of leave-one-out errors
        (a distance within the span of her performances).
    n_tables, n_rows : int
        How many tables and rows it was fitted on.
    event_offsets : tuple of (float, float)
        ``(distance [m], offset [ln s])``: the population's own deviation at a standard event from the smooth curve
        (a 2000 m or a mile is raced less often than a 1500 m, so its bests lie slower), learned across athletes
        like a column effect of Blythe & Kiraly's matrix; 0 at any other distance.
    extrapolation_scale : float
        The same factor for a distance shorter or longer than all of hers, set on the tables' shortest and longest
        rows each predicted from the rest (a marathon from track times leans on the population's exponent).
    """

    curvature: tuple[float, float]
    level_mean: float
    level_sd: float
    slope_mean: float
    slope_sd: float
    local_sd: float
    local_length: float
    noise_sd: float
    interval_scale: float
    n_tables: int
    n_rows: int
    event_offsets: tuple[tuple[float, float], ...] = ()
    extrapolation_scale: float = 1.0

    def scale(self, distances_m: Sequence[float], new_distance_m: float) -> float:
        """The interval factor for predicting ``new_distance_m`` [m] from performances at ``distances_m`` [m]:
        :attr:`interval_scale` within their span, :attr:`extrapolation_scale` beyond it."""
        return self.interval_scale if beyond_span(distances_m, new_distance_m) is None else self.extrapolation_scale

    def gamma(self, x: NDArray[np.float64]) -> NDArray[np.float64]:
        """The shared bend ``gamma(x)`` [-]."""
        c2, c3 = self.curvature
        return np.asarray(c2 * x**2 + c3 * x**3)

    def offset(self, x: NDArray[np.float64]) -> NDArray[np.float64]:
        """The population's event offset at ``x`` [ln s]: :attr:`event_offsets` at a listed event, else 0."""
        x = np.asarray(x, dtype=float)
        out = np.zeros_like(x)
        for d, off in self.event_offsets:
            out = np.where(np.abs(x - np.log(d / D_REF_M)) < 1e-9, off, out)
        return out

    def prior_mean(self, x: NDArray[np.float64]) -> NDArray[np.float64]:
        """Prior mean of ln t at ``x`` [ln s]."""
        return np.asarray(self.level_mean + self.slope_mean * x + self.gamma(x) + self.offset(x))

    def covariance(self, x1: NDArray[np.float64], x2: NDArray[np.float64]) -> NDArray[np.float64]:
        """Prior covariance of ln t between ``x1`` and ``x2`` (level, exponent and local deviation; no noise).

        ``x1`` (..., n) and ``x2`` (..., m) give (..., n, m): leading axes are stacks of athletes."""
        a, b = np.asarray(x1)[..., :, None], np.asarray(x2)[..., None, :]
        cov = self.level_sd**2 + self.slope_sd**2 * a * b
        if self.local_sd > 0:
            cov = cov + self.local_sd**2 * np.exp(-0.5 * ((a - b) / self.local_length) ** 2)
        return np.asarray(cov)


@dataclass(frozen=True)
class Prediction:
    """A predicted time with its 90 % interval [s], the athlete's fitted level and exponent, and the factor her
    interval was widened by because her performances disagree (:func:`misfit_factor`)."""

    distance_m: float
    time_s: float
    low_s: float
    high_s: float
    level: float
    exponent: float
    exponent_sd: float
    misfit: float = 1.0


def _x(distances_m: Iterable[float]) -> NDArray[np.float64]:
    return np.log(np.asarray(list(distances_m), dtype=float) / D_REF_M)


def _posterior(
    x: NDArray[np.float64], y: NDArray[np.float64], prior: PopulationPrior
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Posterior mean and covariance of her ``(a, b)`` given log times ``y`` at ``x``."""
    design = np.column_stack([np.ones_like(x), x])
    resid_cov = prior.noise_sd**2 * np.eye(x.size)
    if prior.local_sd > 0:
        resid_cov = resid_cov + prior.local_sd**2 * np.exp(-0.5 * (np.subtract.outer(x, x) / prior.local_length) ** 2)
    inv = np.linalg.inv(resid_cov)
    s0_inv = np.diag([prior.level_sd**-2, prior.slope_sd**-2])
    cov = np.linalg.inv(design.T @ inv @ design + s0_inv)
    shared = prior.gamma(x) + prior.offset(x)
    mean = cov @ (design.T @ inv @ (y - shared) + s0_inv @ np.array([prior.level_mean, prior.slope_mean]))
    return mean, cov


def predict_log(
    distances_m: Sequence[float], times_s: Sequence[float], new_distances_m: Sequence[float], prior: PopulationPrior
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    """Predicted ln t [ln s] at new distances, its predictive standard deviation (before ``interval_scale``) and the
    posterior mean of her ``(a, b)``: the Gaussian prior of the module docstring conditioned on her log times."""
    x, y = _x(distances_m), np.log(np.asarray(times_s, dtype=float))
    mean, sd = _predictive(x, y, _x(new_distances_m), prior)
    theta, _ = _posterior(x, y, prior)
    return mean, sd, theta


def _predictive(
    x: NDArray[np.float64], y: NDArray[np.float64], xn: NDArray[np.float64], prior: PopulationPrior
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Predictive mean [ln s] and standard deviation (before any interval scale) at ``xn`` of log times ``y`` at
    ``x``: :func:`_condition` and the conditional variance, with one best's noise."""
    mean, weights, cross = _condition(x, y, xn, prior)
    var = np.diag(prior.covariance(xn, xn)) + prior.noise_sd**2 - np.einsum("ij,ij->i", weights, cross)
    return mean, np.sqrt(np.maximum(var, 0.0))


def _condition(
    x: NDArray[np.float64], y: NDArray[np.float64], xn: NDArray[np.float64], prior: PopulationPrior
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    """The prior conditioned on log times ``y`` at ``x``, at ``xn``: the predictive mean [ln s], the weights of the
    observations in it (rows: ``xn``) and the prior covariance between ``xn`` and ``x``."""
    sigma = prior.covariance(x, x) + prior.noise_sd**2 * np.eye(x.size)
    cross = prior.covariance(xn, x)
    weights = np.asarray(np.linalg.solve(sigma, cross.T).T, dtype=float)
    return prior.prior_mean(xn) + weights @ (y - prior.prior_mean(x)), weights, cross


def predict_time(
    distances_m: Sequence[float],
    times_s: Sequence[float],
    new_distance_m: float,
    prior: PopulationPrior | None = None,
    where: str = "performances",
) -> Prediction:
    """Predict the time over ``new_distance_m`` [m] from performances (distances [m], times [s]).

    Parameters
    ----------
    distances_m, times_s : sequence of float
        Her performances (at least one; checked by :func:`check_performances`); at a distance run more than once,
        the fastest counts (:func:`best_indices`).
    new_distance_m : float
        Distance to predict [m], within :data:`DISTANCE_RANGE_M`.
    prior : PopulationPrior, optional
        Population prior (default: :func:`population_prior`, fitted on the shipped tables).
    where : str
        Name of the performances in error messages (``athlete.performances``).

    Returns
    -------
    Prediction
        Median time and 90 % interval [s], her level ``a`` and exponent ``b`` (with its posterior sd).
    """
    check_performances(distances_m, times_s, where, min_count=1)
    lo, hi = DISTANCE_RANGE_M
    if not lo <= new_distance_m <= hi:
        raise ScenarioError(
            f"{new_distance_m:g} m is outside the distances the performance model supports ({lo:g} to {hi:g} m)",
            "distance_m",
        )
    p = prior if prior is not None else population_prior()
    keep = best_indices(distances_m, times_s)
    distances_m, times_s = [distances_m[i] for i in keep], [times_s[i] for i in keep]
    mean, sd, theta = predict_log(distances_m, times_s, [new_distance_m], p)
    _, cov = _posterior(_x(distances_m), np.log(np.asarray(times_s, dtype=float)), p)
    k = misfit_factor(distances_m, times_s, p)
    half = Z90 * p.scale(distances_m, new_distance_m) * k * float(sd[0])
    return Prediction(
        distance_m=float(new_distance_m),
        time_s=float(np.exp(mean[0])),
        low_s=float(np.exp(mean[0] - half)),
        high_s=float(np.exp(mean[0] + half)),
        level=float(theta[0]),
        exponent=float(theta[1]),
        exponent_sd=k * float(np.sqrt(cov[1, 1])),
        misfit=k,
    )


def misfit_factor(distances_m: Sequence[float], times_s: Sequence[float], prior: PopulationPrior) -> float:
    """How much worse her performances agree with each other than the population's do [-], at least 1.

    Her standardised leave-one-out errors ``z`` (each performance predicted from the others, under the prior's
    interval scale) have ``sum z^2`` about chi-square with ``n`` degrees of freedom when she is like the population.
    Beyond its 95th percentile (a typo, a string of tactical races) her intervals are widened by
    ``sqrt(sum z^2 / chi2_95(n))``, so that the disagreement shows instead of hiding behind the population's noise;
    1 otherwise, and with fewer than two performances."""
    from scipy.stats import chi2

    held = _held_out(distances_m, times_s, prior)
    if len(held) < 2:
        return 1.0
    z = np.array([h[3] for h in held])
    return max(1.0, float(np.sqrt(np.sum(z**2) / chi2.ppf(0.95, z.size))))


def loo_errors_pct(
    distances_m: Sequence[float], times_s: Sequence[float], prior: PopulationPrior | None = None
) -> list[float]:
    """Leave-one-out error [%] of each best performance (``predicted / actual - 1``), her bests at the other
    distances given."""
    p = prior if prior is not None else population_prior()
    return [100.0 * (float(np.exp(mean)) / times_s[i] - 1.0) for i, mean, _, _ in _held_out(distances_m, times_s, p)]


def _held_out(
    distances_m: Sequence[float], times_s: Sequence[float], prior: PopulationPrior
) -> list[tuple[int, float, float, float]]:
    """For each best performance (:func:`best_indices`): its index, the predicted log time and its SD from her
    bests at the other distances, and its standardised error ``z`` (under the prior's interval or extrapolation
    scale, :meth:`PopulationPrior.scale`)."""
    keep = best_indices(distances_m, times_s)
    out = []
    for i in keep:
        d = [distances_m[j] for j in keep if j != i]
        t = [times_s[j] for j in keep if j != i]
        if not d:
            break
        mean, sd, _ = predict_log(d, t, [distances_m[i]], prior)
        z = (np.log(times_s[i]) - mean[0]) / (prior.scale(d, distances_m[i]) * sd[0])
        out.append((i, float(mean[0]), float(sd[0]), float(z)))
    return out


def outliers(
    distances_m: Sequence[float], times_s: Sequence[float], prior: PopulationPrior | None = None
) -> list[tuple[int, float]]:
    """Performances that disagree with the others: index and leave-one-out error [%] of every one whose time lies
    outside the 99 % predictive interval of the rest (a tactical race, a bad day). Callers warn; it is not an error."""
    p = prior if prior is not None else population_prior()
    out = []
    for i, mean, _, z in _held_out(distances_m, times_s, p):
        if abs(z) > 2.5758:
            out.append((i, 100.0 * (float(np.exp(mean)) / times_s[i] - 1.0)))
    return out


Tables = Sequence[tuple[NDArray[np.float64], NDArray[np.float64]]]


def _joint_fit(tables: Tables) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64], float]:
    """Least squares over all tables, each table's ``(a, b)`` free, the bend shared: the starting point of
    :func:`fit_population`; returns ``(c2, c3)``, every ``a``, every ``b`` and the residual sd."""
    k = len(tables)
    n = sum(len(x) for x, _ in tables)
    design = np.zeros((n, 2 * k + 2))
    target = np.zeros(n)
    row = 0
    for j, (x, y) in enumerate(tables):
        m = len(x)
        design[row : row + m, 2 * j] = 1.0
        design[row : row + m, 2 * j + 1] = x
        design[row : row + m, -2] = x**2
        design[row : row + m, -1] = x**3
        target[row : row + m] = y
        row += m
    sol, *_ = np.linalg.lstsq(design, target, rcond=None)
    resid = target - design @ sol
    sigma = float(np.sqrt(resid @ resid / max(n - design.shape[1], 1)))
    return (
        np.asarray(sol[-2:], float),
        np.asarray(sol[0 : 2 * k : 2], float),
        np.asarray(sol[1 : 2 * k : 2], float),
        sigma,
    )


def _prior_from(theta: NDArray[np.float64], bend: bool, local: bool, n_tables: int, n_rows: int) -> PopulationPrior:
    c2, c3, am, log_as, bm, log_bs, log_ls, log_ll, log_ns = theta
    return PopulationPrior(
        curvature=(float(c2), float(c3)) if bend else (0.0, 0.0),
        level_mean=float(am),
        level_sd=float(np.exp(log_as)),
        slope_mean=float(bm),
        slope_sd=float(np.exp(log_bs)),
        local_sd=float(np.exp(log_ls)) if local else 0.0,
        local_length=float(np.exp(log_ll)),
        noise_sd=float(np.exp(log_ns)),
        interval_scale=1.0,
        n_tables=n_tables,
        n_rows=n_rows,
    )


def _neg_log_likelihood(prior: PopulationPrior, groups: list[tuple[NDArray[np.float64], NDArray[np.float64]]]) -> float:
    """Minus the log marginal likelihood of all tables (constant dropped); ``groups`` stacks tables of equal size as
    ``(x, y)`` arrays of shape (tables, rows) so that each size takes one batched Cholesky factorisation."""
    total = 0.0
    for x, y in groups:
        sigma = prior.covariance(x, x) + prior.noise_sd**2 * np.eye(x.shape[1])
        chol = np.linalg.cholesky(sigma)
        resid = (y - prior.prior_mean(x))[..., None]
        z = np.linalg.solve(chol, resid)
        total += 0.5 * float(np.sum(z**2)) + float(np.sum(np.log(np.diagonal(chol, axis1=1, axis2=2))))
    return total


def _groups(tables: Tables) -> list[tuple[NDArray[np.float64], NDArray[np.float64]]]:
    sizes = sorted({len(x) for x, _ in tables})
    return [
        (np.stack([x for x, _ in tables if len(x) == n]), np.stack([y for x, y in tables if len(x) == n]))
        for n in sizes
    ]


def _loo_z(tables: Tables, prior: PopulationPrior, ends: bool = False) -> list[float]:
    """Standardised leave-one-out errors (before any interval scale) of every interior row of every table under
    ``prior``, or with ``ends`` of every table's shortest and longest row."""
    out = []
    for x, y in tables:
        for i in (0, len(x) - 1) if ends else range(1, len(x) - 1):
            keep = np.arange(len(x)) != i
            mean, sd = _predictive(x[keep], y[keep], x[i : i + 1], prior)
            out.append(float((y[i] - mean[0]) / sd[0]))
    return out


#: Fewest leave-one-out rows at an event for the population to learn its offset there.
MIN_EVENT_ROWS = 3


def _event_rows(tables: Tables, prior: PopulationPrior) -> tuple[list[float], NDArray[np.float64], NDArray[np.float64]]:
    """The events that get an offset, and the linear map from the offsets to the leave-one-out residuals.

    Holding out interior row ``i`` of a table, its residual under ``prior`` is ``r_i``; with offsets ``delta`` in the
    prior mean it becomes ``r_i - A_i delta``, where ``A_i`` is 1 at the held-out row's event minus the GP weight of
    each remaining row at that row's event (a neighbour's offset moves the prediction too). Returns the events
    (distances [m] with at least :data:`MIN_EVENT_ROWS` held-out rows), ``A`` (rows x events) and ``r``."""
    held: list[tuple[float, NDArray[np.float64], NDArray[np.float64], float]] = []
    counts: dict[float, int] = {}
    for x, y in tables:
        d = np.round(D_REF_M * np.exp(x), 3)
        for i in range(1, len(x) - 1):
            keep = np.arange(len(x)) != i
            mean, w, _ = _condition(x[keep], y[keep], x[i : i + 1], prior)
            held.append((float(d[i]), d[keep], w[0], float(y[i] - mean[0])))
            counts[float(d[i])] = counts.get(float(d[i]), 0) + 1
    events = sorted(e for e, c in counts.items() if c >= MIN_EVENT_ROWS)
    col = {e: k for k, e in enumerate(events)}
    a = np.zeros((len(held), len(events)))
    for n, (e, dk, w, _) in enumerate(held):
        if e in col:
            a[n, col[e]] += 1.0
        for dj, wj in zip(dk, w, strict=True):
            if float(dj) in col:
                a[n, col[float(dj)]] -= wj
    return events, a, np.array([h[3] for h in held])


def _event_offsets(tables: Tables, prior: PopulationPrior) -> tuple[tuple[float, float], ...]:
    """The population's offset at each event (distance) from its curve, learned from the tables' leave-one-out
    residuals the way the offsets are used: ``r = A delta + e`` (:func:`_event_rows`: a held-out row's offset minus
    its neighbours', weighted as the prediction weighs them), ``delta ~ N(0, tau^2)``, ``e ~ N(0, s^2)``. ``tau`` and
    ``s`` maximise the marginal likelihood of ``r`` (empirical Bayes) and ``delta`` is its posterior mean, a ridge
    estimate shrunk towards 0. Events with fewer than :data:`MIN_EVENT_ROWS` held-out rows (and so the shortest and
    longest row of every table, never held out) get none."""
    from scipy.optimize import minimize

    events, a, r = _event_rows(tables, prior)
    if len(events) < 2:
        return ()

    def neg_log_likelihood(log_sd: NDArray[np.float64]) -> float:
        tau2, s2 = np.exp(2.0 * log_sd)
        chol = np.linalg.cholesky(tau2 * a @ a.T + s2 * np.eye(r.size))
        z = np.linalg.solve(chol, r)
        return 0.5 * float(z @ z) + float(np.sum(np.log(np.diagonal(chol))))

    sd0 = max(float(np.std(r)), 1e-4)
    sol = minimize(neg_log_likelihood, np.log([sd0 / 2, sd0]), method="Nelder-Mead")
    tau2, s2 = np.exp(2.0 * sol.x)
    if tau2 < 1e-12:
        return ()
    delta = np.linalg.solve(a.T @ a + (s2 / tau2) * np.eye(len(events)), a.T @ r)
    return tuple((float(e), float(v)) for e, v in zip(events, delta, strict=True))


def fit_population(
    tables: Sequence[tuple[Sequence[float], Sequence[float]]],
    bend: bool = True,
    local: bool = True,
    events: bool = True,
) -> PopulationPrior:
    """Fit the population prior to tables of (distances [m], times [s]), each with at least 3 rows.

    Every parameter (the bend, the priors of level and exponent, the local deviation and the noise) maximises the
    marginal likelihood of all tables together (type-II maximum likelihood, L-BFGS-B from the least-squares fit).
    ``bend=False`` fixes ``gamma = 0`` and ``local=False`` drops the local deviation: the benchmark's simpler
    candidates. ``events=True`` then adds the population's offset at each standard event (:func:`_event_offsets`,
    from these tables' own leave-one-out residuals). The interval scale puts 90 % of the standardised leave-one-out
    errors of the interior rows of these tables inside +-1.645 (at least 1; the split-conformal rank, the
    ``ceil((n + 1) 0.9)``-th smallest of ``n``): a conformal calibration on the fitting data; the extrapolation scale
    does the same for each table's shortest and longest row.
    """
    from scipy.optimize import minimize

    data = [(_x(d), np.log(np.asarray(t, dtype=float))) for d, t in tables if len(d) >= 3]
    if len(data) < 3:
        raise ScenarioError("the population prior needs at least 3 tables of 3 or more performances", "tables")
    c, a_hat, b_hat, sigma = _joint_fit(data)
    start = np.array(
        [
            c[0] if bend else 0.0,
            c[1] if bend else 0.0,
            float(np.mean(a_hat)),
            np.log(max(float(np.std(a_hat)), 1e-3)),
            float(np.mean(b_hat)),
            np.log(max(float(np.std(b_hat)), 1e-3)),
            np.log(sigma / 2),
            np.log(0.5),
            np.log(sigma / 2),
        ]
    )
    n_rows = sum(len(x) for x, _ in data)
    bounds = [(-1, 1), (-1, 1), (None, None), (-7, 0), (0.8, 1.4), (-9, -1), (-9, -2), (-2.3, 1.6), (-7, -2)]
    if not bend:
        bounds[0] = bounds[1] = (0.0, 0.0)
    if not local:
        bounds[6] = (start[6], start[6])
        bounds[7] = (start[7], start[7])

    groups = _groups(data)

    def objective(theta: NDArray[np.float64]) -> float:
        return _neg_log_likelihood(_prior_from(theta, bend, local, len(data), n_rows), groups)

    if local:  # start from the fit without local deviations: far fewer iterations than from the least squares
        simple = fit_population(tables, bend=bend, local=False, events=False)
        start[2:6] = [simple.level_mean, np.log(simple.level_sd), simple.slope_mean, np.log(simple.slope_sd)]
        start[6:] = [np.log(0.8 * simple.noise_sd), np.log(0.3), np.log(0.5 * simple.noise_sd)]
        if bend:
            start[:2] = simple.curvature
    sol = minimize(objective, start, method="L-BFGS-B", bounds=bounds)
    base = _prior_from(sol.x, bend, local, len(data), n_rows)
    if events:
        base = replace(base, event_offsets=_event_offsets(data, base))
    scales = []
    for ends in (False, True):
        z = np.sort(np.abs(_loo_z(data, base, ends)))
        # the split-conformal quantile: the ceil((n + 1) 0.9)-th smallest of n scores (Vovk et al. 2005)
        k = min(int(np.ceil((z.size + 1) * 0.90)), z.size)
        scales.append(max(1.0, float(z[k - 1]) / Z90) if z.size else 1.0)
    log.debug("population prior: %s (converged %s)", base, sol.success)
    return replace(base, interval_scale=scales[0], extrapolation_scale=scales[1])


@functools.cache
def population_prior() -> PopulationPrior:
    """The population prior of the shipped tables: read from ``data/performances/prior.json`` when it was fitted on
    the tables as they are, else fitted now (:func:`fit_population` on every table, about a second)."""
    from paceline.io.performance_tables import performance_tables, stored_prior

    stored = stored_prior()
    if stored is not None:
        params = dict(stored["params"])  # type: ignore[call-overload]
        params["curvature"] = tuple(params["curvature"])
        params["event_offsets"] = tuple(tuple(e) for e in params.get("event_offsets", ()))
        return PopulationPrior(**params)
    log.warning(
        "data/performances/prior.json is missing or stale; fitting the population prior now (maintainers: "
        "python scripts/refit_prior.py)"
    )
    return fit_population([(t.distances_m, t.times_s) for t in performance_tables().values()])


def prior_record() -> dict[str, Any]:
    """The population prior refitted on the shipped tables, as the record ``data/performances/prior.json`` holds
    (written by the maintainers' ``python scripts/refit_prior.py`` into the source tree, never at run time)."""
    from dataclasses import asdict

    from paceline.io.performance_tables import performance_tables, tables_hash

    tables = performance_tables()
    prior = fit_population([(t.distances_m, t.times_s) for t in tables.values()])
    return {
        "provenance": "paceline.fit.performance_model.fit_population on every table of data/performances "
        "(type-II maximum likelihood; event offsets and interval scale from the tables' own leave-one-out residuals)",
        "tables": sorted(tables),
        "tables_sha256": tables_hash(),
        "params": asdict(prior),
    }

"""Monte Carlo of a scenario's finishing time with the equal-power model, vectorised, or the optimal-control model,
a warm Ipopt re-solve per draw (the inputs: :mod:`paceline.studies.uncertainty.draws`; their mapping onto the
optimal-control
course and athlete: :mod:`paceline.studies.uncertainty.montecarlo_oc`)."""

from __future__ import annotations

import logging
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from paceline.errors import PacelineError, ScenarioError
from paceline.io.limits import MAX_DRAWS, check_count, check_range, check_seed
from paceline.models.equal_power import RaceKernel
from paceline.models.registry import MODELS
from paceline.physics.arrays import median, percentile
from paceline.studies.uncertainty.draws import CALIBRATION_POOL, DRAFT_POOL, draw_inputs
from paceline.studies.uncertainty.executors import check_execution, default_workers, prestart_pool, run_tasks
from paceline.studies.uncertainty.montecarlo_problem import build_problem, finish_times

if TYPE_CHECKING:  # pragma: no cover
    from paceline.io.scenario import Scenario
    from paceline.studies.uncertainty.draws import Draws
    from paceline.studies.uncertainty.executors import RunStatus
    from paceline.studies.uncertainty.montecarlo_problem import Problem

log = logging.getLogger(__name__)

#: Speed solves per batch (fixed, so that results do not depend on the number of workers). 8192 keeps each
#: temporary array at 64 kB, under glibc's mmap threshold: Dask workers set ``MALLOC_TRIM_THRESHOLD_``, which freezes
#: that threshold at 128 kB, and bigger temporaries then cost a page-faulting mmap each (4x slower there).
BATCH_SOLVES = 8192


#: With ``workers=None`` a Monte Carlo of fewer speed solves than this (about 1 s on one core) runs in-process.
LOCAL_POOL_MIN_SOLVES = 10_000_000


def _mc_task(
    kernels: tuple[RaceKernel, ...], batches: list[dict[str, NDArray[np.float64]]]
) -> list[NDArray[np.float64]]:
    """Finishing times of consecutive batches of draws (runs on a worker; each batch solved on its own, its rows
    grouped by cost curve: :func:`paceline.studies.uncertainty.montecarlo_problem.finish_times`)."""
    return [finish_times(kernels, batch) for batch in batches]


def _batch_draws(problem: Problem, solver: dict[str, NDArray[np.float64]]) -> int:
    """Draws per batch: ``BATCH_SOLVES`` speed solves per cost curve drawn (a batch is solved one curve at a time,
    so each vectorised call stays about ``BATCH_SOLVES`` solves)."""
    return max(1, BATCH_SOLVES // problem.kernel.nodes.size) * len(set(np.asarray(solver["curve"]).tolist()))


@dataclass
class MonteCarloResult:
    """A Monte Carlo of a scenario's finishing time.

    Attributes
    ----------
    scenario : str
        Scenario name.
    n : int
        Draws asked for.
    n_done : int
        Draws solved (less than ``n`` after Ctrl-C).
    seed : int
        Seed.
    times_s : ndarray
        Finishing time of each solved draw [s] (NaN where not solved).
    target_s, best_s : float or None
        The target and the athlete's best at this distance [s].
    best_source : str
        Where the best comes from.
    nominal_s : float
        Time with every input at its nominal value [s].
    sensitivity : list of dict
        ``{input, label, seconds, low_s, high_s, low_value, high_value, rank_correlation}``, largest swing first
        (rank correlations over the first ``RANK_DRAWS`` draws).
    distributions : list of dict
        Each input's distribution and source.
    interrupted : bool
        Stopped by Ctrl-C.
    workers_lost : str
        Why the run stopped early having lost its workers ("" if it did not); the summary covers ``n_done`` draws,
        and the same command with the same seed gives every draw again.
    """

    scenario: str
    n: int
    n_done: int
    seed: int
    times_s: NDArray[np.float64]
    target_s: float | None
    best_s: float | None
    best_source: str
    nominal_s: float
    sensitivity: list[dict[str, Any]]
    distributions: list[dict[str, Any]]
    calibration: str
    interrupted: bool = False
    workers: str = "local"
    workers_lost: str = ""
    extra: dict[str, Any] = field(default_factory=dict)
    model: str = "equal-power"

    def _done(self) -> NDArray[np.float64]:
        t = self.times_s
        return t[np.isfinite(t)]

    @property
    def median_s(self) -> float:
        """Median finishing time [s]."""
        return median(self._done())

    def percentile(self, q: float) -> float:
        """A percentile of the finishing time [s]."""
        return percentile(self._done(), q)

    def probability_under(self, time_s: float | None) -> float | None:
        """Share of the draws at or under a time [-]."""
        if time_s is None:
            return None
        return float(np.mean(self._done() <= time_s))

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready summary (times in seconds; ``*_time`` as m:ss.xx)."""
        from paceline.timefmt import format_time

        d = self._done()
        out: dict[str, Any] = {
            "scenario": self.scenario,
            "model": self.model,
            "n": self.n,
            "n_done": self.n_done,
            "seed": self.seed,
            "median_s": round(self.median_s, 3),
            "p05_s": round(self.percentile(5), 3),
            "p95_s": round(self.percentile(95), 3),
            "mean_s": round(float(np.mean(d)), 3),
            "sd_s": round(float(np.std(d)), 3),
            "nominal_s": round(self.nominal_s, 3),
            "median": format_time(self.median_s),
            "p05": format_time(self.percentile(5)),
            "p95": format_time(self.percentile(95)),
            "target_s": self.target_s,
            "p_target": self.probability_under(self.target_s),
            "best_s": self.best_s,
            "best_source": self.best_source,
            "p_best": self.probability_under(self.best_s),
            "calibration": self.calibration,
            "sensitivity": self.sensitivity,
            "distributions": self.distributions,
            "interrupted": self.interrupted,
            "workers": self.workers,
            "workers_lost": self.workers_lost,
        }
        out.update(self.extra)
        return out


def athlete_best(scenario: Scenario) -> tuple[float | None, str]:
    """Her best time at the scenario's distance [s]: her performances there, the scenario's own result and the
    result of the race that calibrates her (:func:`paceline.fit.athlete.calibration_effort`) when it is over the
    same distance."""
    from paceline.fit.athlete import calibration_effort

    best: float | None = None
    source = ""
    for p in scenario.athlete.performances:
        if abs(p.distance_m - scenario.distance_m) < 0.5 and (best is None or p.time_s < best):
            best, source = p.time_s, f"performance {p.note or p.date or ''}".strip()
    races = [scenario]
    effort = calibration_effort(scenario)
    if effort.scenario is not None:
        races.append(effort.scenario)
    for race in races:
        if race.result is None or abs(race.distance_m - scenario.distance_m) >= 0.5:
            continue
        if best is None or race.result.time_s < best:
            best, source = race.result.time_s, f"{race.name} as raced"
    return best, source


def best_label(scenario: str, best_s: float, best_source: str, sex: str) -> str:
    """What the Monte Carlo's second threshold is, in words (after ``P(under ...)``).

    The scenario's own result is the race itself, not a best: ``the as-raced 4:06.42, breaking4``. Any other
    (:func:`athlete_best`: a performance, the calibration race) is the athlete's best, with her or his pronoun
    (``sex`` F or M): ``her best 4:07.64, monaco2023 as raced``.
    """
    from paceline.io.athletes import pronouns
    from paceline.timefmt import format_time

    if best_source == f"{scenario} as raced":
        return f"the as-raced {format_time(best_s)}, {scenario}"
    return f"{pronouns(sex).possessive} best {format_time(best_s)}, {best_source}"


#: Draws used for the rank correlations (the first ones solved; ranking is the slow part of a big run).
RANK_DRAWS = 20_000


def _ranks(x: NDArray[np.float64]) -> NDArray[np.float64]:
    """Ranks 1..n with ties given their average rank (as ``scipy.stats.rankdata``, whose import costs a second)."""
    a = np.asarray(x, dtype=float)
    order = np.argsort(a, kind="mergesort")
    sorted_a = a[order]
    starts = np.flatnonzero(np.r_[True, sorted_a[1:] != sorted_a[:-1]])  # first index of each run of equal values
    ends = np.r_[starts[1:], a.size]
    average = 0.5 * (starts + ends - 1) + 1.0  # mean of the 1-based ranks starts+1 .. ends
    ranks = np.empty(a.size)
    ranks[order] = np.repeat(average, ends - starts)
    return ranks


def _spearman(x: NDArray[np.float64], ry: NDArray[np.float64]) -> float:
    """Spearman's rank correlation of ``x`` with data whose ranks are ``ry``."""
    rx = _ranks(x)
    if np.ptp(rx) == 0 or np.ptp(ry) == 0:
        return 0.0
    return float(np.corrcoef(rx, ry)[0, 1])


#: Largest factor on the drafting spread (10x the studies' disagreement is already no information).
MAX_SHELTER_SPREAD = 10.0
#: Drafting-parameter refits in the pool.
POOL_RANGE = (2, 10_000)


#: The models a Monte Carlo runs (:attr:`paceline.models.registry.ModelSpec.monte_carlo`).
MC_MODELS = tuple(name for name, spec in MODELS.items() if spec.monte_carlo)


def check_mc_model(model: str) -> str:
    """The model name if a Monte Carlo runs it (:data:`MC_MODELS`), else a ScenarioError naming ``model``."""
    if model not in MC_MODELS:
        raise ScenarioError(f"{model!r} is not a Monte Carlo model; allowed {', '.join(MC_MODELS)}", "model")
    return model


def default_draws(model: str) -> int:
    """Default number of draws of a model's Monte Carlo: 10,000 equal-power, 200 optimal-control (a solve each)."""
    from paceline.studies.uncertainty.montecarlo_oc import DEFAULT_DRAWS

    return DEFAULT_DRAWS if model == "optimal-control" else 10_000


def check_options(
    n: int,
    seed: int,
    pool: int,
    shelter_spread: float,
    workers: int | None = None,
    scheduler: str | None = None,
    max_draws: int = MAX_DRAWS,
    model: str = "equal-power",
) -> None:
    """Refuse Monte Carlo options outside their ranges (each error names its parameter and the range).

    Parameters are those of :func:`monte_carlo`.
    """
    check_count(n, 1, max_draws, "n", raise_with="max_draws (--max-draws)")
    check_mc_model(model)
    check_seed(seed)
    check_count(pool, *POOL_RANGE, "pool")
    check_range(shelter_spread, 0.0, MAX_SHELTER_SPREAD, "shelter_spread")
    check_execution(workers, scheduler)


def monte_carlo(
    scenario: Scenario,
    n: int | None = None,
    seed: int = 0,
    workers: int | None = None,
    scheduler: str | None = None,
    pool: int = DRAFT_POOL,
    shelter_spread: float = 1.0,
    batch_draws: int | None = None,
    progress: Callable[[int, int], None] | None = None,
    max_draws: int = MAX_DRAWS,
    calibration_pool: int = CALIBRATION_POOL,
    model: str = "equal-power",
) -> MonteCarloResult:
    """Monte Carlo of a scenario's finishing time with the equal-power or the optimal-control model.

    Parameters
    ----------
    scenario : Scenario
        The scenario.
    n : int, optional
        Number of draws (default :func:`default_draws`: 10,000 equal-power, 200 optimal-control).
    seed : int
        Seed; the same seed gives the same numbers whatever ``workers`` or ``scheduler``.
    workers : int, optional
        Local worker processes (None: the cores, or this process for under ``LOCAL_POOL_MIN_SOLVES`` speed solves;
        1: this process).
    scheduler : str, optional
        Dask scheduler address; overrides ``workers``.
    pool : int
        Drafting-parameter draws in the pool (each a refit; about 7 ms each, cached per process).
    shelter_spread : float
        Factor on the spread of the shelter draws (1: as fitted).
    batch_draws : int, optional
        Draws per batch (default: ``BATCH_SOLVES`` speed solves; it never depends on the workers). Batches are
        solved one by one; a task carries several consecutive batches.
    progress : callable, optional
        ``progress(done, total)`` after each batch.
    max_draws : int
        Cap on ``n`` (:data:`paceline.io.limits.MAX_DRAWS`; the CLI's ``--max-draws``).
    calibration_pool : int
        Exactly calibrated (drafting member, Cd, calibration weather) combinations the draws pick from.
    model : str
        ``equal-power`` (the vectorised kernel) or ``optimal-control``: each draw a warm Ipopt re-solve of the one
        collocation problem, in chunks of :data:`paceline.studies.uncertainty.montecarlo_oc.CHUNK_DRAWS` draws per
        task, with
        the draws mapped onto its course and athlete as :mod:`paceline.studies.uncertainty.montecarlo_oc` says (form
        on the day
        scales her aerobic power ``sigma`` and capacity ``E0``; the calibration race's inputs do not apply). The
        one-at-a-time rows of the sensitivity ranking are solved as extra tasks.

    Returns
    -------
    MonteCarloResult

    Raises
    ------
    ScenarioError
        An option out of its range (:func:`check_options`), before any work.

    References
    ----------
    The distributions and their sources: :data:`paceline.studies.uncertainty.inputs.INPUTS`.
    """
    n = default_draws(model) if n is None else n
    check_options(n, seed, pool, shelter_spread, workers, scheduler, max_draws, model)
    if model == "optimal-control":
        from paceline.studies.uncertainty.montecarlo_oc import PRELOAD

        prestart_pool(workers, scheduler, PRELOAD)  # its imports overlap the draws and the nominal solve
    problem = build_problem(scenario)
    draws = draw_inputs(problem, n, seed, pool=pool, shelter_spread=shelter_spread, calibration_pool=calibration_pool)
    if model == "optimal-control":
        return _monte_carlo_oc(scenario, n, seed, problem, draws, workers, scheduler, progress)
    times = np.full(n, np.nan)
    solver = problem.solver_inputs(draws.inputs)
    per_batch = int(batch_draws) if batch_draws else _batch_draws(problem, solver)
    if per_batch < 1:
        raise ScenarioError(f"{batch_draws} is not allowed; batch_draws >= 1", "batch_draws")
    bounds = [(i, min(i + per_batch, n)) for i in range(0, n, per_batch)]
    batches = [{k: v[a:b] for k, v in solver.items()} for a, b in bounds]
    # tasks of several consecutive batches (about 4 per worker): fewer round trips, same numbers
    par = 8 if scheduler else (default_workers() if workers is None else max(1, int(workers)))
    per_task = max(1, math.ceil(len(batches) / (4 * par)))
    tasks = [list(range(i, min(i + per_task, len(batches)))) for i in range(0, len(batches), per_task)]
    payloads = [[batches[j] for j in task] for task in tasks]
    done = [0]

    def on_result(i: int, ts: list[NDArray[np.float64]]) -> None:
        for j, t in zip(tasks[i], ts, strict=True):
            a, b = bounds[j]
            times[a:b] = t
            done[0] += b - a
        if progress is not None:
            progress(done[0], n)

    if workers is None and n * problem.kernel.nodes.size < LOCAL_POOL_MIN_SOLVES:
        workers = 1  # under a second of work: a process pool would cost more to start than it saves
    status = run_tasks(_mc_task, problem.target_kernels(), payloads, on_result, workers=workers, scheduler=scheduler)
    if done[0] == 0:
        if status.workers_lost:
            raise PacelineError(f"no draw finished: {status.workers_lost}; start workers and run the command again")
        raise KeyboardInterrupt

    # the nominal and one-at-a-time rows in one vectorised solve (each of their calibrations is a root-finding)
    rows = [draws.nominal, *(row for pair in draws.oat.values() for row in pair)]
    t = [float(x) for x in problem.times(rows)]
    nominal_s = t[0]
    oat_s = {key: (t[1 + 2 * i], t[2 + 2 * i]) for i, key in enumerate(draws.oat)}
    return _result(scenario, n, seed, problem, draws, times, nominal_s, oat_s, status, workers, scheduler)


def _monte_carlo_oc(
    scenario: Scenario,
    n: int,
    seed: int,
    problem: Problem,
    draws: Draws,
    workers: int | None,
    scheduler: str | None,
    progress: Callable[[int, int], None] | None,
) -> MonteCarloResult:
    """The body of :func:`monte_carlo` with the optimal-control model."""
    from paceline.studies.uncertainty.montecarlo_oc import oc_distributions, run_oc

    times, nominal_s, oat_s, status, athlete = run_oc(scenario, problem, draws, workers, scheduler, progress)
    if not np.isfinite(times).any():
        if status.workers_lost:
            raise PacelineError(f"no draw finished: {status.workers_lost}; start workers and run the command again")
        if status.interrupted:
            raise KeyboardInterrupt
        raise PacelineError("the optimal-control model solved none of the draws")
    res = _result(scenario, n, seed, problem, draws, times, nominal_s, oat_s, status, workers, scheduler)
    res.model = "optimal-control"
    res.calibration = athlete
    res.distributions = oc_distributions(draws, scenario.athlete.sex)
    return res


def _result(
    scenario: Scenario,
    n: int,
    seed: int,
    problem: Problem,
    draws: Draws,
    times: NDArray[np.float64],
    nominal_s: float,
    oat_s: dict[str, tuple[float, float]],
    status: RunStatus,
    workers: int | None,
    scheduler: str | None,
) -> MonteCarloResult:
    """The summary of solved draws: sensitivity ranking (one-at-a-time swings ``oat_s`` and rank correlations)."""
    ok = np.isfinite(times)
    sub = np.flatnonzero(ok)[:RANK_DRAWS]
    ranks_t = _ranks(times[sub])
    sens: list[dict[str, Any]] = []
    for key, (t_lo, t_hi) in oat_s.items():
        label, unit = draws.labels[key]
        vals = draws.report[key]
        sens.append(
            {
                "input": key,
                "label": label,
                "unit": unit,
                "seconds": round(abs(t_hi - t_lo), 3),
                "low_value": round(percentile(vals, 5.0), 5),
                "high_value": round(percentile(vals, 95.0), 5),
                "low_s": round(t_lo, 3),
                "high_s": round(t_hi, 3),
                "rank_correlation": round(_spearman(vals[sub], ranks_t), 3),
            }
        )
    sens.sort(key=lambda d: -float(d["seconds"]))
    best, best_source = athlete_best(scenario)
    return MonteCarloResult(
        scenario=scenario.name,
        n=n,
        n_done=int(ok.sum()),
        seed=seed,
        times_s=times,
        target_s=scenario.target_s,
        best_s=best,
        best_source=best_source,
        nominal_s=nominal_s,
        sensitivity=sens,
        distributions=draws.distributions,
        calibration=problem.calibration.source,
        interrupted=status.interrupted,
        workers_lost=status.workers_lost,
        workers=f"dask {scheduler}" if scheduler else f"local x{workers or default_workers()}",
    )


def bench_evaluations(scenario: Scenario, n: int = 50_000, repeat: int = 3) -> float:
    """Equal-power scenario evaluations per second in this process: the vectorised kernel on drawn inputs, in the
    Monte Carlo's batches (drawing the inputs not counted)."""
    import time

    problem = build_problem(scenario)
    draws = draw_inputs(problem, n, 0, pool=50, calibration_pool=200)
    solver = problem.solver_inputs(draws.inputs)
    per = _batch_draws(problem, solver)
    batches = [{k: v[a : a + per] for k, v in solver.items()} for a in range(0, n, per)]
    best = math.inf
    for _ in range(repeat):
        t0 = time.perf_counter()
        _mc_task(problem.target_kernels(), batches)
        best = min(best, time.perf_counter() - t0)
    return n / best

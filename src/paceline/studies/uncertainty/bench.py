"""The one benchmark: the figures ``paceline bench`` prints and ``benchmarks/*.py`` merge into ``results.json``.

Every figure is measured in the run that reports it, on this machine; ratios compare runs of the same invocation.

Keys
----
``ocp_build_s``
    Building the optimal-control problem (CasADi Opti) of the Breaking4 mile at 500 intervals.
``ocp_cold_s``, ``ocp_warm_s``
    Solving it (problem already built) from the cold initial guess (median of a few), and re-solving after the
    scenario changes (shelter, air, wind) from the previous solution (median of a few) [s].
``ocp_first_solve_s``, ``ocp_first_fit_s``
    A new Python process with an empty cache directory (:mod:`paceline.io.cache`): the first
    ``paceline.chain`` optimal-control solve of Breaking4, course, athlete fit and model together (CasADi imported
    inside), and the fit within it [s]; ``ocp_first_solve_imports_scipy`` says whether scipy was imported.
``ocp_slsqp_s``, ``ocp_ipopt_same_n_s``, ``ocp_speedup_vs_slsqp``
    scipy's SLSQP on the *same* discretised NLP (objective, constraints and exact Jacobians from the CasADi problem)
    against Ipopt on it, from the same cold guess, in the same run. SLSQP is dense: it runs at
    ``ocp_slsqp_n_intervals`` (100, or 30 with ``quick``), and the ratio is taken at that size for both.
``forward_evals_per_s``
    Equal-power scenario evaluations per second on one core (the Monte Carlo's vectorised kernel,
    :func:`paceline.studies.uncertainty.montecarlo.bench_evaluations`).
``montecarlo_draws_per_s``, ``montecarlo_draws_per_s_2_workers``, ``montecarlo_speedup_2_workers``
    Whole Monte Carlo calls of ``montecarlo_draws`` draws, with 1 and 2 local workers.
``help_wall_s``, ``plan_wall_s``, ``<command>_over_help``
    Whole-process wall time of ``paceline --help`` and of ``paceline plan``; each command's wall time over
    ``--help``'s (medians of ``command_runs`` runs after a warm-up run): ``formations``, ``plan``, ``predict_oc``
    (``predict breaking4 --model optimal-control``) and ``report``. Every run computes (the optimal-control fit
    stays in the disk cache).
    ``plan_empty_cache_wall_s`` and ``predict_oc_empty_cache_over_help`` are first runs with every cache empty.

Callers may add figures measured above this layer (the web app's re-solve) through ``probes``.
"""

from __future__ import annotations

import json
import logging
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

log = logging.getLogger(__name__)

#: The command that starts paceline with this interpreter.
PACELINE = [sys.executable, "-m", "paceline"]

#: Whole-process commands timed against ``paceline --help``, by key (``report`` writes into a temporary directory).
COMMANDS: dict[str, list[str]] = {
    "formations": ["formations"],
    "plan": ["plan"],
    "predict_oc": ["predict", "breaking4", "--model", "optimal-control"],
    "report": ["report", "--output", "{tmp}/report.html"],
}

#: The benchmark scenario and the athlete parameters of the in-process solves (close to the fit to Kipyegon; fixed
#: so that those figures do not time the fit, which ``ocp_first_solve_s`` does).
SCENARIO = "breaking4"
OCP_INTERVALS = 500

_FIRST_SOLVE = """
import json, sys, time
from paceline import chain
from paceline.io.scenario import load_scenario
sc = load_scenario({scenario!r})
t0 = time.perf_counter()
model = chain.get_model("optimal-control")
course = chain.course_for(sc, model)
t1 = time.perf_counter()
athlete = chain.athlete_for(sc, model)
t2 = time.perf_counter()
race = model.solve(course, athlete)
t3 = time.perf_counter()
print(json.dumps({{"solve_s": t3 - t0, "fit_s": t2 - t1, "finish_s": race.finish_s,
                  "scipy": any(m == "scipy" or m.startswith("scipy.") for m in sys.modules)}}))
"""


def _env(cache_dir: str | Path) -> dict[str, str]:
    return {**os.environ, "PACELINE_CACHE_DIR": str(cache_dir)}


def wall_s(args: Sequence[str], runs: int, env: Mapping[str, str] | None = None, warmup: bool = True) -> list[float]:
    """Wall-clock seconds of ``runs`` whole-process runs of ``paceline ARGS`` (after one warm-up run)."""
    cmd = [*PACELINE, *args]
    out = []
    for i in range(runs + int(warmup)):
        t0 = time.perf_counter()
        subprocess.run(cmd, capture_output=True, check=True, env=env, timeout=600)
        if i >= int(warmup):
            out.append(time.perf_counter() - t0)
    return out


def command_ratios(runs: int = 3, cache_dir: str | Path | None = None, warmup: bool = True) -> dict[str, Any]:
    """``help_wall_s``, ``plan_wall_s`` and ``<command>_over_help`` (see the keys).

    The commands run with ``PACELINE_CACHE_DIR`` at ``cache_dir`` (default: a new temporary directory). First, with
    every cache empty, one run of ``plan`` (``plan_empty_cache_wall_s``) and of ``predict_oc``
    (``predict_oc_empty_cache_over_help``). Then medians of ``runs`` runs of each command after a warm-up run (the
    optimal-control fit stays in the disk cache).
    """
    with tempfile.TemporaryDirectory(prefix="paceline-bench-") as tmp:
        cache = Path(cache_dir) if cache_dir is not None else Path(tmp) / "cache"
        empty = Path(tmp) / "empty-cache"
        first_predict = wall_s(COMMANDS["predict_oc"], 1, _env(empty), warmup=False)[0]
        first_plan = wall_s(COMMANDS["plan"], 1, _env(Path(tmp) / "empty-cache-2"), warmup=False)[0]
        env = _env(cache)
        helps = wall_s(["--help"], runs, env, warmup)
        out: dict[str, Any] = {"command_runs": runs, "plan_empty_cache_wall_s": round(first_plan, 4)}
        walls: dict[str, float] = {}
        for key, args in COMMANDS.items():
            argv = [a.format(tmp=tmp) for a in args]
            walls[key] = statistics.median(wall_s(argv, runs, env, warmup))
        helps += wall_s(["--help"], runs, env, warmup)  # before and after: the machine's drift is shared
        help_s = statistics.median(helps)
        out["help_wall_s"] = round(help_s, 4)
        for key, med in walls.items():
            out[f"{key}_wall_s"] = round(med, 4)
            out[f"{key}_over_help"] = round(med / help_s, 2)
    out["predict_oc_empty_cache_over_help"] = round(first_predict / help_s, 2)
    return out


def first_solve(cache_dir: str | Path | None = None) -> dict[str, Any]:
    """``ocp_first_solve_s``: a new process, an empty cache directory (see the keys)."""
    with tempfile.TemporaryDirectory(prefix="paceline-cache-") as tmp:
        code = _FIRST_SOLVE.format(scenario=SCENARIO)
        res = subprocess.run(
            [sys.executable, "-c", code],
            capture_output=True,
            text=True,
            check=True,
            env=_env(cache_dir or tmp),
            timeout=600,
        )
    fig = json.loads(res.stdout.strip().splitlines()[-1])
    return {
        "ocp_first_solve_s": round(fig["solve_s"], 4),
        "ocp_first_fit_s": round(fig["fit_s"], 4),
        "ocp_first_solve_finish_s": round(fig["finish_s"], 3),
        "ocp_first_solve_imports_scipy": fig["scipy"],
    }


def _course_and_params() -> tuple[Any, Any]:
    from paceline.chain import course_for, get_model
    from paceline.io.scenario import load_scenario
    from paceline.models.keller import KELLER_1973

    course = course_for(load_scenario(SCENARIO), get_model("optimal-control"))
    params = KELLER_1973.with_changes(sigma_w_kg=39.23, e0_j_kg=3456.0, source="benchmark (close to Kipyegon's fit)")
    return course, params


def ocp_figures(n: int = OCP_INTERVALS, repeats: int = 3) -> dict[str, Any]:
    """``ocp_build_s``, ``ocp_cold_s`` and ``ocp_warm_s`` of the Breaking4 mile at ``n`` intervals."""
    from paceline.models.collocation import CollocationProblem, course_on_grid

    course, p = _course_and_params()
    gc = course_on_grid(course, n)
    t0 = time.perf_counter()
    prob = CollocationProblem(n)
    build = time.perf_counter() - t0
    cold, cold_iters = [], []
    for _ in range(repeats):
        t0 = time.perf_counter()
        sol = prob.solve(gc, p, warm=False)
        cold.append(time.perf_counter() - t0)
        cold_iters.append(sol["stats"]["iterations"])
    finish = float(sol["t"][-1])
    rng = np.random.default_rng(0)
    warm, warm_iters = [], []
    for _ in range(2 * repeats):
        changed = course.with_changes(
            shelter=np.clip(course.shelter + rng.uniform(-0.15, 0.15), 0.0, 0.9),
            air_density_kg_m3=course.air_density_kg_m3 * rng.uniform(0.97, 1.03),
            wind_along_m_s=course.wind_along_m_s * rng.uniform(0.0, 2.0),
        )
        gc2 = course_on_grid(changed, n)
        t0 = time.perf_counter()
        s2 = prob.solve(gc2, p, warm=True)
        warm.append(time.perf_counter() - t0)
        warm_iters.append(s2["stats"]["iterations"])
    return {
        "ocp_n_intervals": n,
        "ocp_build_s": round(build, 4),
        "ocp_cold_s": round(statistics.median(cold), 4),
        "ocp_cold_iterations": int(statistics.median(cold_iters)),
        "ocp_warm_s": round(statistics.median(warm), 4),
        "ocp_warm_iterations": int(statistics.median(warm_iters)),
        "ocp_finish_s": round(finish, 3),
    }


def slsqp_vs_ipopt(n: int = 100, maxiter: int = 2000) -> dict[str, Any]:
    """scipy's SLSQP and Ipopt on the same discretised NLP, same cold start, same run (see the keys)."""
    import casadi as ca
    from scipy.optimize import minimize

    from paceline.models.collocation import SMOOTHING, CollocationProblem, course_on_grid, initial_guess

    course, p = _course_and_params()
    gc = course_on_grid(course, n)
    prob = CollocationProblem(n)
    prob.solve(gc, p, warm=False)  # builds Ipopt; the timed run follows
    t0 = time.perf_counter()
    ipopt_sol = prob.solve(gc, p, warm=False)
    ipopt_s = time.perf_counter() - t0

    # the NLP as Opti assembled it, with this scenario's parameter values and the same cold guess
    opti = prob.opti
    prob.set_values(gc, p)
    opti.set_value(prob.smooth, SMOOTHING)
    prob.race.set_initial(opti, initial_guess(gc, p))
    x0 = np.asarray(opti.value(opti.x, opti.initial()), dtype=float).ravel()
    pv = opti.value(opti.p)
    lbg, ubg = (np.asarray(a, dtype=float).ravel() for a in prob._bounds(pv))
    fun = ca.Function("f", [opti.x, opti.p], [opti.f, ca.gradient(opti.f, opti.x)])
    cons = ca.Function("g", [opti.x, opti.p], [opti.g, ca.jacobian(opti.g, opti.x)])
    eq = np.isclose(lbg, ubg)
    lo_fin, up_fin = np.isfinite(lbg) & ~eq, np.isfinite(ubg) & ~eq
    cache: dict[str, Any] = {"z": None}

    def f_and_grad(z: Any) -> tuple[float, Any]:
        fv, gv = fun(z, pv)
        return float(fv), np.asarray(gv, dtype=float).ravel()

    def evaluated(z: Any) -> dict[str, Any]:  # one CasADi call per point for the constraints and their Jacobian
        if cache["z"] is None or not np.array_equal(cache["z"], z):
            gv, jv = cons(z, pv)
            cache.update(z=z.copy(), g=np.asarray(gv, dtype=float).ravel(), j=np.asarray(jv.full(), dtype=float))
        return cache

    constraints = [
        {"type": "eq", "fun": lambda z: evaluated(z)["g"][eq] - lbg[eq], "jac": lambda z: evaluated(z)["j"][eq]},
        {
            "type": "ineq",
            "fun": lambda z: np.concatenate(
                [evaluated(z)["g"][lo_fin] - lbg[lo_fin], ubg[up_fin] - evaluated(z)["g"][up_fin]]
            ),
            "jac": lambda z: np.vstack([evaluated(z)["j"][lo_fin], -evaluated(z)["j"][up_fin]]),
        },
    ]
    t0 = time.perf_counter()
    res = minimize(
        f_and_grad, x0, jac=True, method="SLSQP", constraints=constraints, options={"maxiter": maxiter, "ftol": 1e-9}
    )
    slsqp_s = time.perf_counter() - t0
    dt = np.asarray(prob._unpack(res.x)[3], dtype=float).ravel()
    return {
        "ocp_slsqp_n_intervals": n,
        "ocp_slsqp_s": round(slsqp_s, 4),
        "ocp_ipopt_same_n_s": round(ipopt_s, 4),
        "ocp_speedup_vs_slsqp": round(slsqp_s / ipopt_s, 1),
        "ocp_slsqp_iterations": int(res.nit),
        "ocp_slsqp_success": bool(res.success),
        "ocp_slsqp_finish_s": round(float(np.sum(dt)), 3),
        "ocp_ipopt_same_n_finish_s": round(float(ipopt_sol["t"][-1]), 3),
    }


def montecarlo_figures(n: int = 100_000) -> dict[str, Any]:
    """Monte Carlo draws per second with 1 and 2 local workers (whole calls, drafting pool cached)."""
    from paceline.io.scenario import load_scenario
    from paceline.studies.uncertainty.montecarlo import monte_carlo

    sc = load_scenario(SCENARIO)
    monte_carlo(sc, n=2000, seed=0, workers=1, pool=50)  # warm: drafting pool and fits cached

    def rate(workers: int) -> float:
        t0 = time.perf_counter()
        monte_carlo(sc, n=n, seed=0, workers=workers, pool=50)
        return n / (time.perf_counter() - t0)

    one, two = rate(1), rate(2)
    return {
        "montecarlo_draws": n,
        "montecarlo_draws_per_s": round(one),
        "montecarlo_draws_per_s_2_workers": round(two),
        "montecarlo_speedup_2_workers": round(two / one, 2),
    }


def montecarlo_dask_figures(n: int = 100_000) -> dict[str, Any]:
    """Monte Carlo draws per second on a local Dask cluster of 1 and 2 single-threaded worker processes (the cluster
    started and its workers warm before the clock starts), and the speed-ups against 1 Dask worker."""
    from dask.distributed import LocalCluster

    from paceline.io.scenario import load_scenario
    from paceline.studies.uncertainty.montecarlo import monte_carlo

    sc = load_scenario(SCENARIO)

    def rate(n_workers: int) -> float:
        with LocalCluster(
            n_workers=n_workers, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None
        ) as cluster:
            monte_carlo(sc, n=2000, seed=0, pool=50, scheduler=cluster.scheduler_address)  # workers import paceline
            t0 = time.perf_counter()
            monte_carlo(sc, n=n, seed=0, pool=50, scheduler=cluster.scheduler_address)
            return n / (time.perf_counter() - t0)

    d1, d2 = rate(1), rate(2)
    return {
        "montecarlo_dask_draws_per_s": round(d1),
        "montecarlo_dask_draws_per_s_2_workers": round(d2),
        "montecarlo_dask_speedup_2_workers": round(d2 / d1, 2),
    }


def forward_evals_per_s(n: int = 50_000) -> dict[str, Any]:
    """``forward_evals_per_s``: equal-power scenario evaluations per second in this process (one core)."""
    from paceline.io.scenario import load_scenario
    from paceline.studies.uncertainty.montecarlo import bench_evaluations

    return {"forward_evals_per_s": round(bench_evaluations(load_scenario(SCENARIO), n=n))}


def machine() -> dict[str, Any]:
    """What the figures were measured on: cores, load average, Python."""
    return {
        "machine": f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}",
        "load_average_1min": round(os.getloadavg()[0], 2),
    }


def run(quick: bool = False, probes: Mapping[str, Callable[[], float]] | None = None) -> dict[str, Any]:
    """Every figure (see the keys); ``quick`` uses fewer repeats and draws and a smaller SLSQP problem (seconds).

    Parameters
    ----------
    quick : bool
        Fewer repeats (one run per command, no warm-up run), 20 000 draws, SLSQP at 30 intervals.
    probes : mapping of str to callable, optional
        Further figures by key, each measured by calling it (for what lives above this layer).

    Returns
    -------
    dict
        The figures, JSON-ready, with ``quick`` and the machine's description and load.
    """
    figures: dict[str, Any] = {"quick": quick, **machine()}
    with tempfile.TemporaryDirectory(prefix="paceline-cache-") as cache_dir:
        figures.update(first_solve(cache_dir))  # the cache starts empty; predict_oc then finds the fit in it
        figures.update(ocp_figures(OCP_INTERVALS, repeats=2 if quick else 5))
        figures.update(slsqp_vs_ipopt(30 if quick else 100))
        figures.update(forward_evals_per_s(20_000 if quick else 50_000))
        figures.update(montecarlo_figures(20_000 if quick else 100_000))
        figures.update(command_ratios(1 if quick else 5, cache_dir, warmup=not quick))
    for key, probe in (probes or {}).items():
        try:
            figures[key] = probe()
        except Exception as exc:  # a failing probe must not hide the other figures
            figures[f"{key}_error"] = f"{type(exc).__name__}: {exc}"
    return figures


#: Keys earlier versions of the benchmark scripts wrote, under other names now (dropped when results are merged).
STALE_KEYS = ("plan", "ocp_cold_cached_problem_s", "ocp_machine", "ocp_slsqp_message", "montecarlo")


def merge_results(new: Mapping[str, Any], path: str | Path, drop: Sequence[str] = STALE_KEYS) -> dict[str, Any]:
    """Read a results JSON file, update it with ``new`` (other keys kept, ``drop`` removed), write it back."""
    path = Path(path)
    data: dict[str, Any] = {}
    if path.exists():
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError:
            log.warning("%s is not valid JSON; starting afresh", path)
    data.update(new)
    for key in drop:
        data.pop(key, None)
    from paceline.io.outputs import write_text_atomic

    write_text_atomic(path, json.dumps(data, indent=2, sort_keys=True) + "\n", "results")
    return data


def publish(figures: Mapping[str, Any], path: str | Path, write: bool = True, as_json: bool = False) -> None:
    """Merge the figures into the results file (unless ``write`` is False) and print them: one JSON object with
    ``as_json``, else one ``key value`` line each (what every benchmark script ends with)."""
    if write:
        merge_results(figures, path)
    if as_json:
        print(json.dumps(dict(figures), indent=2))
        return
    for k, v in figures.items():
        print(f"{k:40s} {v}")

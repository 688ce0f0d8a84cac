"""The benchmark harness of ``benchmarks/*.py``: timing whole processes in pairs, the optimal-control and Monte Carlo
figures, and ``results.json``, where each script owns one section.

Every figure is measured in the run that reports it, on this machine; ratios compare runs of the same invocation.
``results.json`` is ``{script: {key: value}}``: a script rewrites its own section wholesale (:func:`write_section`),
so a key it no longer measures is dropped, and leaves the other scripts' sections as they are.

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
"""

from __future__ import annotations

import json
import logging
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from paceline.io.outputs import write_text_atomic

log = logging.getLogger(__name__)

#: The command that starts paceline with this interpreter.
PACELINE = [sys.executable, "-m", "paceline"]

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


def paceline_run(args: Sequence[str], env: Mapping[str, str] | None = None) -> tuple[float, float]:
    """Wall-clock and CPU (user + system) seconds of one whole-process run of ``paceline ARGS`` (it must exit 0).

    The CPU time is the process's own: on a loaded machine it grows far less than the wall time does."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    subprocess.run([*PACELINE, *args], capture_output=True, check=True, env=env, timeout=600)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def paired_over(walls: Sequence[float], baseline: Sequence[float]) -> float:
    """Median of the ratios run by run, ``walls[i] / baseline[i]``: each pair ran back to back, so a drift of the
    machine's speed between pairs cancels."""
    if not walls or len(walls) != len(baseline):
        raise ValueError("paired_over needs as many baseline runs as runs, at least one")
    return statistics.median(w / b for w, b in zip(walls, baseline, strict=True))


def paired_runs(
    args: Sequence[str],
    runs: int,
    env: Callable[[int], Mapping[str, str]],
    baseline: Sequence[str] = ("--help",),
    warmup: int = 1,
) -> dict[str, list[float]]:
    """``runs`` pairs of whole-process runs, the baseline (``paceline --help``) then ``paceline ARGS``, after
    ``warmup`` pairs not counted; ``env(i)`` is the environment of pair ``i`` (counting the warm-up pairs).

    Returns
    -------
    dict
        ``walls``, ``baseline`` (wall seconds) and ``cpu``, ``baseline_cpu`` (CPU seconds), one entry per counted
        pair.
    """
    out: dict[str, list[float]] = {"walls": [], "baseline": [], "cpu": [], "baseline_cpu": []}
    for i in range(warmup + runs):
        e = env(i)
        b = paceline_run(baseline, e)
        w = paceline_run(args, e)
        if i >= warmup:
            out["baseline"].append(b[0])
            out["baseline_cpu"].append(b[1])
            out["walls"].append(w[0])
            out["cpu"].append(w[1])
    return out


def cache_env(cache_dir: str | Path, pycache: str | Path | None = None) -> dict[str, str]:
    """This process's environment with paceline's cache directory at ``cache_dir``.

    With ``pycache``, Python keeps the compiled bytecode of the modules it imports there (``PYTHONPYCACHEPREFIX``;
    ``PYTHONDONTWRITEBYTECODE`` removed), as an installed package has it: paceline is then not recompiled at every
    start, which a source checkout run with ``PYTHONDONTWRITEBYTECODE=1`` does (its dependencies have theirs).
    """
    env = {**os.environ, "PACELINE_CACHE_DIR": str(cache_dir)}
    if pycache is not None:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = str(pycache)
    return env


def first_solve(cache_dir: str | Path | None = None) -> dict[str, Any]:
    """``ocp_first_solve_s``: a new process, an empty cache directory (see the keys)."""
    with tempfile.TemporaryDirectory(prefix="paceline-cache-") as tmp:
        code = _FIRST_SOLVE.format(scenario=SCENARIO)
        res = subprocess.run(
            [sys.executable, "-c", code],
            capture_output=True,
            text=True,
            check=True,
            env=cache_env(cache_dir or tmp),
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


def read_results(path: str | Path) -> dict[str, Any]:
    """The results file as ``{script: {key: value}}`` (empty if it is missing or not valid JSON)."""
    path = Path(path)
    if not path.exists():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError:
        log.warning("%s is not valid JSON; starting afresh", path)
        return {}
    return data if isinstance(data, dict) else {}


def write_section(script: str | Path, figures: Mapping[str, Any], path: str | Path) -> dict[str, Any]:
    """Replace the section of ``script`` (a script's path or name; its file name is the key) in the results file with
    ``figures``, keep every other script's section, write the file atomically; return the whole file's content."""
    data = read_results(path)
    data[Path(script).name] = dict(figures)
    write_text_atomic(path, json.dumps(data, indent=2, sort_keys=True) + "\n", "results")
    return data


def publish(
    script: str | Path, figures: Mapping[str, Any], path: str | Path, write: bool = True, as_json: bool = False
) -> None:
    """Write the figures as ``script``'s section of the results file (unless ``write`` is False) and print them:
    one JSON object with ``as_json``, else one ``key value`` line each (what every benchmark script ends with)."""
    if write:
        write_section(script, figures, path)
    if as_json:
        print(json.dumps(dict(figures), indent=2))
        return
    for k, v in figures.items():
        print(f"{k:40s} {v}")

"""Benchmark of the optimal-control model: cold and warm Ipopt solves, and scipy SLSQP on the same problem.

Run ``python benchmarks/bench_optimal_control.py [--quick] [--json]``. It prints the figures and merges them into
``benchmarks/results.json`` (read-modify-write: other benchmarks' keys are kept).

* ``ocp_cold_s``: the Breaking4 mile with 500 intervals from nothing: build the Opti problem and Ipopt, then solve
  from the cold initial guess (median of 3 fresh builds).
* ``ocp_warm_s``: re-solve after the scenario changes (shelter, air, wind), started from the previous solution
  (median of 8).
* ``ocp_slsqp_s`` / ``ocp_speedup_vs_slsqp``: scipy's SLSQP on the *same* discretised NLP (objective, constraints
  and their exact Jacobians evaluated by CasADi from the Opti problem), from the same cold initial guess, against
  Ipopt on the same problem in the same run. SLSQP is a dense method: it runs at ``--slsqp-intervals`` (default
  100; 500 intervals would take minutes), and the ratio is taken at that size for both solvers.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import platform
import statistics
import time
from pathlib import Path
from typing import Any

import numpy as np

log = logging.getLogger("bench_optimal_control")

RESULTS = Path(__file__).with_name("results.json")


def _scenario_course() -> Any:
    from paceline.io.scenario import load_scenario
    from paceline.models.course import build_course

    return build_course(load_scenario("breaking4"))


def _params() -> Any:
    from paceline.models import optimal_control as oc

    # close to the fit to Kipyegon's performances with the default (metabolic) air cost: sigma 39.2 W/kg, E0 3460 J/kg
    # (fixed here so the benchmark does not time the fit; it was 36.8 and 2930 with Keller's mechanical air cost)
    return oc.KELLER_1973.with_changes(sigma_w_kg=39.2, e0_j_kg=3460.0, aero_cost="metabolic", source="benchmark")


def bench_ipopt(n: int, repeats_cold: int = 3, repeats_warm: int = 8) -> dict[str, Any]:
    """Cold (build + solve) and warm re-solve times of Ipopt at ``n`` intervals [s]."""
    from paceline.models import optimal_control as oc

    course = _scenario_course()
    p = _params()
    gc = oc.course_on_grid(course, n)
    cold, cold_iters = [], []
    prob = None
    for _ in range(repeats_cold):
        t0 = time.perf_counter()
        prob = oc.CollocationProblem(n)
        sol = prob.solve(gc, p, warm=False)
        cold.append(time.perf_counter() - t0)
        cold_iters.append(sol["stats"]["iterations"])
    assert prob is not None
    finish = float(sol["t"][-1])
    cached_cold = []
    for _ in range(repeats_cold):
        t0 = time.perf_counter()
        prob.solve(gc, p, warm=False)
        cached_cold.append(time.perf_counter() - t0)
    rng = np.random.default_rng(0)
    warm, warm_iters = [], []
    for _ in range(repeats_warm):
        changed = course.with_changes(
            shelter=np.clip(course.shelter + rng.uniform(-0.15, 0.15), 0.0, 0.9),
            air_density_kg_m3=course.air_density_kg_m3 * rng.uniform(0.97, 1.03),
            wind_along_m_s=course.wind_along_m_s * rng.uniform(0.0, 2.0),
        )
        gc2 = oc.course_on_grid(changed, n)
        t0 = time.perf_counter()
        s2 = prob.solve(gc2, p, warm=True)
        warm.append(time.perf_counter() - t0)
        warm_iters.append(s2["stats"]["iterations"])
    return {
        "n_intervals": n,
        "cold_s": statistics.median(cold),
        "cold_iterations": int(statistics.median(cold_iters)),
        "cold_cached_problem_s": statistics.median(cached_cold),
        "warm_s": statistics.median(warm),
        "warm_iterations": int(statistics.median(warm_iters)),
        "finish_s": finish,
    }


def bench_slsqp_vs_ipopt(n: int, maxiter: int = 2000) -> dict[str, Any]:
    """SLSQP and Ipopt on the same discretised NLP, same start, same run [s]."""
    import casadi as ca
    from scipy.optimize import minimize

    from paceline.models import optimal_control as oc

    course = _scenario_course()
    p = _params()
    gc = oc.course_on_grid(course, n)
    prob = oc.CollocationProblem(n)
    ipopt_sol = prob.solve(gc, p, warm=False)  # builds the solver; the timed run follows
    t0 = time.perf_counter()
    ipopt_sol = prob.solve(gc, p, warm=False)
    ipopt_s = time.perf_counter() - t0

    # the NLP as Opti assembled it, with the parameter values of this scenario substituted
    opti = prob.opti
    guess = prob.initial_guess(gc, p)
    for name, var in prob.vars.items():
        opti.set_initial(var, guess[name])
    x0 = np.asarray(opti.value(opti.x, opti.initial()), dtype=float).ravel()
    pv = opti.value(opti.p)
    lbg, ubg = (np.asarray(a, dtype=float).ravel() for a in prob._bounds(pv))
    x, g = opti.x, opti.g
    fun = ca.Function("f", [x, opti.p], [opti.f, ca.gradient(opti.f, x)])
    cons = ca.Function("g", [x, opti.p], [g, ca.jacobian(g, x)])
    eq = np.isclose(lbg, ubg)
    lo_fin, up_fin = np.isfinite(lbg) & ~eq, np.isfinite(ubg) & ~eq

    def f_and_grad(z: np.ndarray) -> tuple[float, np.ndarray]:
        fv, gv = fun(z, pv)
        return float(fv), np.asarray(gv, dtype=float).ravel()

    cache: dict[str, Any] = {"z": None}

    def _eval(z: np.ndarray) -> None:  # one CasADi call per point for the constraints and their Jacobian
        if cache["z"] is None or not np.array_equal(cache["z"], z):
            gv, jv = cons(z, pv)
            cache.update(z=z.copy(), g=np.asarray(gv, dtype=float).ravel(), j=np.asarray(jv.full(), dtype=float))

    def g_val(z: np.ndarray) -> np.ndarray:
        _eval(z)
        return np.asarray(cache["g"])

    def g_jac(z: np.ndarray) -> np.ndarray:
        _eval(z)
        return np.asarray(cache["j"])

    constraints = [
        {"type": "eq", "fun": lambda z: g_val(z)[eq] - lbg[eq], "jac": lambda z: g_jac(z)[eq]},
        {
            "type": "ineq",
            "fun": lambda z: np.concatenate([g_val(z)[lo_fin] - lbg[lo_fin], ubg[up_fin] - g_val(z)[up_fin]]),
            "jac": lambda z: np.vstack([g_jac(z)[lo_fin], -g_jac(z)[up_fin]]),
        },
    ]
    t0 = time.perf_counter()
    res = minimize(
        f_and_grad,
        x0,
        jac=True,
        method="SLSQP",
        constraints=constraints,
        options={"maxiter": maxiter, "ftol": 1e-9},
    )
    slsqp_s = time.perf_counter() - t0
    dt = np.asarray(prob._unpack(res.x)[3], dtype=float).ravel()
    return {
        "n_intervals": n,
        "ipopt_s": ipopt_s,
        "ipopt_iterations": ipopt_sol["stats"]["iterations"],
        "ipopt_finish_s": float(ipopt_sol["t"][-1]),
        "slsqp_s": slsqp_s,
        "slsqp_iterations": int(res.nit),
        "slsqp_success": bool(res.success),
        "slsqp_message": str(res.message),
        "slsqp_finish_s": float(np.sum(dt)),
        "speedup": slsqp_s / ipopt_s,
    }


def run(quick: bool = False, slsqp_intervals: int = 100) -> dict[str, Any]:
    """Run the benchmark and return the flat keys for ``results.json``."""
    n = 100 if quick else 500
    ip = bench_ipopt(n, repeats_cold=2 if quick else 3, repeats_warm=4 if quick else 8)
    cmp_n = min(slsqp_intervals, n)
    sq = bench_slsqp_vs_ipopt(cmp_n)
    return {
        "ocp_n_intervals": n,
        "ocp_cold_s": round(ip["cold_s"], 4),
        "ocp_cold_cached_problem_s": round(ip["cold_cached_problem_s"], 4),
        "ocp_warm_s": round(ip["warm_s"], 4),
        "ocp_cold_iterations": ip["cold_iterations"],
        "ocp_warm_iterations": ip["warm_iterations"],
        "ocp_finish_s": round(ip["finish_s"], 3),
        "ocp_slsqp_n_intervals": cmp_n,
        "ocp_slsqp_s": round(sq["slsqp_s"], 4),
        "ocp_ipopt_same_n_s": round(sq["ipopt_s"], 4),
        "ocp_speedup_vs_slsqp": round(sq["speedup"], 1),
        "ocp_slsqp_iterations": sq["slsqp_iterations"],
        "ocp_slsqp_success": sq["slsqp_success"],
        "ocp_slsqp_message": sq["slsqp_message"],
        "ocp_slsqp_finish_s": round(sq["slsqp_finish_s"], 3),
        "ocp_ipopt_same_n_finish_s": round(sq["ipopt_finish_s"], 3),
        "ocp_machine": f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}",
    }


def merge_results(new: dict[str, Any], path: Path = RESULTS) -> dict[str, Any]:
    """Read ``results.json``, update it with ``new`` (other keys kept), write it back."""
    data: dict[str, Any] = {}
    if path.exists():
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError:
            log.warning("%s is not valid JSON; starting afresh", path)
    data.update(new)
    path.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return data


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="100 intervals instead of 500")
    ap.add_argument("--slsqp-intervals", type=int, default=100, help="intervals for the SLSQP comparison")
    ap.add_argument("--json", action="store_true", help="print one JSON object")
    ap.add_argument("--no-write", action="store_true", help="do not update results.json")
    args = ap.parse_args()
    out = run(args.quick, args.slsqp_intervals)
    if not args.no_write:
        merge_results(out)
    if args.json:
        print(json.dumps(out, indent=2))
        return
    for k, v in out.items():
        print(f"{k:32s} {v}")


if __name__ == "__main__":
    main()

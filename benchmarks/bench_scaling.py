"""Benchmark: an optimal-control Monte Carlo and sweep on 1 and on 2 local workers, in the same run (BLAS and OpenMP
pinned).

Every draw of the Monte Carlo (``monte_carlo(..., model="optimal-control")``) is a warm Ipopt re-solve, in fixed
chunks of :data:`paceline.studies.uncertainty.montecarlo_oc.CHUNK_DRAWS` draws per task, each chunk starting from the
nominal
solution; the whole call is timed (drawing the inputs, the nominal solve, starting the pool, the one-at-a-time rows).
The 2-worker Monte Carlo runs first in the process, so it pays the pool's cold start (the forkserver) as a command
would.

What the machine gives two processes at the time is measured next to it (``*_cpu_capacity_2_processes``: two
spinning processes' work over one's, before and after; 2.0 on an idle 2-core machine): no 2-worker speed-up can
exceed it, so the speed-up is only a test of the code when that figure is near 2.

Every point of the sweep is a warm Ipopt re-solve of the optimal-control model (each worker process builds its
CasADi problem once and re-solves it with new parameters, starting from its previous solution). The same grid is
solved with ``workers=1`` (in this process) and ``workers=2`` (the local process pool), into fresh Parquet files,
and the wall-clock times are compared. BLAS and OpenMP are pinned to one thread per process (set below, before numpy
is imported) so that two workers do not fight over the two cores.

Run: ``python benchmarks/bench_scaling.py [--draws 1000] [--points 600]`` (0 skips a part). Prints the figures and
writes them as its section of ``benchmarks/results.json`` (``montecarlo_oc_*``, ``sweep_oc_*``). The target (issue 17)
is a speed-up of 2 workers over 1 of at least 1.8; it needs an otherwise idle machine (the load averages before and
after each part are recorded next to it)."""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "VECLIB_MAXIMUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402  (after pinning the threads)
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

import harness as bench  # noqa: E402

from paceline.io.scenario import load_scenario  # noqa: E402
from paceline.studies.uncertainty.montecarlo import monte_carlo  # noqa: E402
from paceline.studies.uncertainty.sweep import parse_vary, sweep  # noqa: E402

RESULTS = Path(__file__).with_name("results.json")
TARGET = 1.8


def timed_sweep(points: int, workers: int, folder: Path) -> tuple[float, int]:
    """Seconds to solve a fresh optimal-control sweep of ``points`` temperatures on ``workers``; rows written."""
    sc = load_scenario("breaking4-optimal")
    values = ",".join(f"{10.0 + 20.0 * i / (points - 1):.6f}" for i in range(points))  # exactly `points` values
    vary = [parse_vary(f"conditions.temperature_c={values}")]
    t0 = time.perf_counter()
    res = sweep(sc, vary, folder / f"w{workers}.parquet", model="optimal-control", workers=workers)
    return time.perf_counter() - t0, res.n_rows


def timed_montecarlo(draws: int, workers: int) -> tuple[float, Any]:
    """Seconds for an optimal-control Monte Carlo of breaking4 (``draws`` draws, seed 0) on ``workers``; the times."""
    sc = load_scenario("breaking4")
    t0 = time.perf_counter()
    res = monte_carlo(sc, n=draws, seed=0, workers=workers, model="optimal-control")
    return time.perf_counter() - t0, res.times_s


def _spin(seconds: float) -> int:
    """Loop iterations of pure Python in ``seconds`` of wall time (a CPU-bound probe)."""
    end = time.perf_counter() + seconds
    n = 0
    while time.perf_counter() < end:
        n += 1
    return n


def parallel_capacity(seconds: float = 3.0) -> float:
    """How many cores' worth two CPU-bound processes get now: the iterations of two concurrent spinning processes
    over those of one alone (2.0 on an idle 2-core machine; the ceiling of any 2-worker speed-up measured now)."""
    import multiprocessing

    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(2) as pool:
        pool.map(_spin, [0.05, 0.05])  # start both
        one = pool.apply(_spin, (seconds,))
        two = sum(pool.map(_spin, [seconds, seconds], chunksize=1))
    return round(two / one, 2)


def loads() -> list[float]:
    """The 1, 5 and 15 minute load averages."""
    return [round(x, 2) for x in os.getloadavg()]


def montecarlo_figures(draws: int) -> dict[str, Any]:
    """The optimal-control Monte Carlo on 2 workers (cold pool) then 1 worker."""
    import numpy as np

    timed_montecarlo(2, 1)  # fits, caches and imports in this process, not timed
    before = loads()
    capacity_before = parallel_capacity()
    t2, times2 = timed_montecarlo(draws, 2)
    t1, times1 = timed_montecarlo(draws, 1)
    capacity_after = parallel_capacity()
    assert np.array_equal(times1, times2, equal_nan=True), "the same seed gave other numbers on 2 workers"
    return {
        "montecarlo_oc_draws": draws,
        "montecarlo_oc_1_worker_s": round(t1, 2),
        "montecarlo_oc_2_workers_s": round(t2, 2),
        "montecarlo_oc_draws_per_s_1_worker": round(draws / t1, 2),
        "montecarlo_oc_speedup_2_workers": round(t1 / t2, 2),
        "montecarlo_oc_load_before": before,
        "montecarlo_oc_cpu_capacity_2_processes": [capacity_before, capacity_after],
        "montecarlo_oc_load_after": loads(),
    }


def sweep_figures(points: int) -> dict[str, Any]:
    """The optimal-control sweep on 1 then 2 workers."""
    figures: dict[str, Any] = {"sweep_oc_points": points, "sweep_oc_load_before": loads()}
    with tempfile.TemporaryDirectory() as d:
        timed_sweep(4, 1, Path(d) / "warm")  # fit cache and imports, not timed
        t1, n1 = timed_sweep(points, 1, Path(d))
        t2, n2 = timed_sweep(points, 2, Path(d))
    assert n1 == n2 == points, (n1, n2)
    figures.update(
        sweep_oc_1_worker_s=round(t1, 2),
        sweep_oc_2_workers_s=round(t2, 2),
        sweep_oc_points_per_s_1_worker=round(points / t1, 2),
        sweep_oc_speedup_2_workers=round(t1 / t2, 2),
        sweep_oc_load_after=loads(),
    )
    return figures


def main() -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--draws", type=int, default=1000, help="Monte Carlo draws (0: skip)")
    parser.add_argument("--points", type=int, default=600, help="sweep points (0: skip)")
    args = parser.parse_args()
    figures: dict[str, Any] = bench.machine()
    if args.draws:
        figures.update(montecarlo_figures(args.draws))
    if args.points:
        figures.update(sweep_figures(args.points))
    figures["load_average_1min_after"] = round(os.getloadavg()[0], 2)
    bench.publish(__file__, figures, RESULTS)
    for key in ("montecarlo_oc_speedup_2_workers", "sweep_oc_speedup_2_workers"):
        if key in figures:
            print(f"target {key} >= {TARGET}: {'met' if figures[key] >= TARGET else 'NOT met'}")
    return figures


if __name__ == "__main__":
    main()

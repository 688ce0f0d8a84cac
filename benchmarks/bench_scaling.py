"""Benchmark: an optimal-control sweep on 1 and on 2 local workers, in the same run (BLAS and OpenMP pinned).

Every point of the sweep is a warm Ipopt re-solve of the optimal-control model (each worker process builds its
CasADi problem once and re-solves it with new parameters, starting from its previous solution). The same grid is
solved with ``workers=1`` (in this process) and ``workers=2`` (the local process pool), into fresh Parquet files,
and the wall-clock times are compared. BLAS and OpenMP are pinned to one thread per process (set below, before numpy
is imported) so that two workers do not fight over the two cores.

Run: ``python benchmarks/bench_scaling.py [--points 120]``. Prints the figures and merges them into
``benchmarks/results.json`` (``sweep_oc_*``). The target (issue 17) is ``sweep_oc_speedup_2_workers >= 1.8``; it
needs an otherwise idle machine (``load_average_1min`` is recorded next to it).
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "VECLIB_MAXIMUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402  (after pinning the threads)
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

from paceline.io.scenario import load_scenario  # noqa: E402
from paceline.studies import bench  # noqa: E402
from paceline.studies.sweep import parse_vary, sweep  # noqa: E402

RESULTS = Path(__file__).with_name("results.json")
TARGET = 1.8


def timed_sweep(points: int, workers: int, folder: Path) -> tuple[float, int]:
    """Seconds to solve a fresh optimal-control sweep of ``points`` temperatures on ``workers``; rows written."""
    sc = load_scenario("breaking4-optimal")
    step = 20.0 / (points - 1)
    vary = [parse_vary(f"conditions.temperature_c=10:30:{step:.10f}")]
    t0 = time.perf_counter()
    res = sweep(sc, vary, folder / f"w{workers}.parquet", model="optimal-control", workers=workers)
    return time.perf_counter() - t0, res.n_rows


def main() -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=120)
    args = parser.parse_args()
    figures: dict[str, Any] = {**bench.machine(), "sweep_oc_points": args.points}
    with tempfile.TemporaryDirectory() as d:
        timed_sweep(4, 1, Path(d) / "warm")  # fit cache and imports, not timed
        t1, n1 = timed_sweep(args.points, 1, Path(d))
        t2, n2 = timed_sweep(args.points, 2, Path(d))
    assert n1 == n2 == args.points, (n1, n2)
    figures.update(
        sweep_oc_1_worker_s=round(t1, 2),
        sweep_oc_2_workers_s=round(t2, 2),
        sweep_oc_points_per_s_1_worker=round(args.points / t1, 2),
        sweep_oc_speedup_2_workers=round(t1 / t2, 2),
        load_average_1min_after=round(os.getloadavg()[0], 2),
    )
    for k, v in figures.items():
        print(f"{k:36s} {v}")
    met = figures["sweep_oc_speedup_2_workers"] >= TARGET
    print(f"target sweep_oc_speedup_2_workers >= {TARGET}: {'met' if met else 'NOT met'}")
    bench.merge_results(figures, RESULTS)
    return figures


if __name__ == "__main__":
    main()

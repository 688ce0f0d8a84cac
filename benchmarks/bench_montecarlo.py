"""Monte Carlo throughput: draws per second with 1 and 2 workers, locally and on a local Dask cluster.

Run: ``python benchmarks/bench_montecarlo.py [--n 400000]``. Prints the figures and merges them into
``benchmarks/results.json`` under ``"montecarlo"`` (other keys are kept). Ratios are against the 1-worker run of the
same invocation. Each figure is the wall time of a whole :func:`paceline.studies.uncertainty.monte_carlo` call (drawing
the inputs, the calibration pool, the batches, the sensitivity rows), with the drafting pool already cached and,
for Dask, the cluster already started.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).with_name("results.json")


def _rate(n: int, **kw: Any) -> float:
    from paceline.io.scenario import load_scenario
    from paceline.studies.montecarlo import monte_carlo

    sc = load_scenario("breaking4")
    t0 = time.perf_counter()
    res = monte_carlo(sc, n=n, seed=0, **kw)
    dt = time.perf_counter() - t0
    assert res.n_done == n
    return n / dt


def _dask_rate(n: int, n_workers: int) -> float:
    from dask.distributed import LocalCluster

    with LocalCluster(
        n_workers=n_workers, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None
    ) as cluster:
        _rate(2000, scheduler=cluster.scheduler_address)  # workers import paceline once
        return _rate(n, scheduler=cluster.scheduler_address)


def main() -> dict[str, Any]:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--n", type=int, default=400_000, help="draws per run")
    ap.add_argument("--no-dask", action="store_true", help="skip the Dask cluster")
    args = ap.parse_args()
    from paceline.io.scenario import load_scenario
    from paceline.studies.executors import default_workers
    from paceline.studies.montecarlo import bench_evaluations

    _rate(2000, workers=1)  # warm: drafting pool, fits, calibration cached in this process
    n = args.n
    out: dict[str, Any] = {
        "n_draws": n,
        "cores": default_workers(),
        "load_average_1min": round(os.getloadavg()[0], 2),
        "python": platform.python_version(),
        "equal_power_evals_per_s_1_core": round(bench_evaluations(load_scenario("breaking4"), n=50_000)),
    }
    one = _rate(n, workers=1)
    two = _rate(n, workers=2)
    out["local_1_worker_draws_per_s"] = round(one)
    out["local_2_workers_draws_per_s"] = round(two)
    out["local_2_workers_speedup"] = round(two / one, 2)
    if not args.no_dask:
        d1 = _dask_rate(n, 1)
        d2 = _dask_rate(n, 2)
        out["dask_1_worker_draws_per_s"] = round(d1)
        out["dask_2_workers_draws_per_s"] = round(d2)
        out["dask_2_workers_speedup_vs_dask_1"] = round(d2 / d1, 2)
        out["dask_2_workers_speedup_vs_local_1"] = round(d2 / one, 2)
    data = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    data["montecarlo"] = out
    tmp = RESULTS.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n")
    os.replace(tmp, RESULTS)
    for k, v in out.items():
        print(f"{k:40s} {v}")
    return out


if __name__ == "__main__":
    main()

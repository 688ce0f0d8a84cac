"""Monte Carlo throughput: draws per second with 1 and 2 workers, locally and on a local Dask cluster.

Run ``python benchmarks/bench_montecarlo.py [--n 100000] [--no-dask]``. The figures come from the one benchmark
implementation, :mod:`paceline.studies.uncertainty.bench` (``montecarlo_figures``, ``montecarlo_dask_figures``), with
its key
set; they are printed and merged into ``benchmarks/results.json`` (other keys kept). Ratios are against the 1-worker
run of the same invocation.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from paceline.studies.uncertainty.bench import machine, montecarlo_dask_figures, montecarlo_figures, publish

RESULTS = Path(__file__).with_name("results.json")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=100_000, help="draws per run")
    ap.add_argument("--no-dask", action="store_true", help="skip the Dask cluster")
    args = ap.parse_args()
    out = {**machine(), **montecarlo_figures(args.n)}
    if not args.no_dask:
        out.update(montecarlo_dask_figures(args.n))
    publish(out, RESULTS)


if __name__ == "__main__":
    main()

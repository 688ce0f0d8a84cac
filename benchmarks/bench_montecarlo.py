"""Monte Carlo throughput: draws per second with 1 and 2 workers, locally and on a local Dask cluster.

Run ``python benchmarks/bench_montecarlo.py [--n 100000] [--no-dask]``. The figures come from
:mod:`harness` (``montecarlo_figures``, ``montecarlo_dask_figures``); they are printed and written as this script's
section of ``benchmarks/results.json`` (the other sections kept). Ratios are against the 1-worker
run of the same invocation.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from harness import machine, montecarlo_dask_figures, montecarlo_figures, publish

RESULTS = Path(__file__).with_name("results.json")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=100_000, help="draws per run")
    ap.add_argument("--no-dask", action="store_true", help="skip the Dask cluster")
    args = ap.parse_args()
    out = {**machine(), **montecarlo_figures(args.n)}
    if not args.no_dask:
        out.update(montecarlo_dask_figures(args.n))
    publish(__file__, out, RESULTS)


if __name__ == "__main__":
    main()

"""Benchmark of the optimal-control model: first solve in a new process, cold and warm solves, SLSQP vs Ipopt.

The figures and their keys are those of :mod:`harness` (``benchmarks/harness.py``): ``ocp_first_solve_s``,
``ocp_first_fit_s``, ``ocp_build_s``, ``ocp_cold_s``, ``ocp_warm_s``, ``ocp_slsqp_s``, ``ocp_ipopt_same_n_s``,
``ocp_speedup_vs_slsqp``, ``forward_evals_per_s`` ...

Run ``python benchmarks/bench_optimal_control.py [--quick] [--slsqp-intervals 100] [--json] [--no-write]``. It prints
the figures and rewrites its section of ``benchmarks/results.json`` (the other scripts' sections are kept).
"""

from __future__ import annotations

import argparse
import logging
from pathlib import Path
from typing import Any

import harness as bench

RESULTS = Path(__file__).with_name("results.json")


def run(quick: bool = False, slsqp_intervals: int = 100) -> dict[str, Any]:
    """The optimal-control figures (``quick``: fewer repeats)."""
    out: dict[str, Any] = {"quick": quick, **bench.machine()}
    out.update(bench.first_solve())
    out.update(bench.ocp_figures(bench.OCP_INTERVALS, repeats=2 if quick else 5))
    out.update(bench.slsqp_vs_ipopt(slsqp_intervals))
    out.update(bench.forward_evals_per_s(20_000 if quick else 50_000))
    return out


def main() -> None:
    logging.basicConfig(level=logging.WARNING)
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="fewer repeats")
    ap.add_argument("--slsqp-intervals", type=int, default=100, help="intervals for the SLSQP comparison")
    ap.add_argument("--json", action="store_true", help="print one JSON object")
    ap.add_argument("--no-write", action="store_true", help="do not update results.json")
    args = ap.parse_args()
    out = run(args.quick, args.slsqp_intervals)
    bench.publish(__file__, out, RESULTS, write=not args.no_write, as_json=args.json)


if __name__ == "__main__":
    main()

"""Benchmark: whole-process times of ``paceline plan`` (and the other timed commands) against ``paceline --help``.

The figures and their keys are those of :func:`paceline.studies.uncertainty.bench.command_ratios` (the implementation
``paceline bench`` runs too): ``help_wall_s``, ``plan_wall_s`` and ``<command>_over_help`` (computed every run)
for ``formations``, ``plan``, ``predict_oc`` and ``report``, medians of ``--runs`` runs after a warm-up run, in the
same invocation.
Targets (issue 13): ``plan`` under 1 s on a quiet machine with every cache empty (``plan_empty_cache_wall_s``),
``plan_over_help`` <= 3, ``formations_over_help`` <= 2, ``predict_oc_over_help`` <= 3, ``report_over_help`` <= 6.

Run: ``python benchmarks/bench_plan.py [--runs 5]``. Prints the figures and merges them into
``benchmarks/results.json`` (keys other scripts write are kept).
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from paceline.studies.uncertainty import bench

RESULTS = Path(__file__).with_name("results.json")
TARGETS = {"plan_over_help": 3.0, "formations_over_help": 2.0, "predict_oc_over_help": 3.0, "report_over_help": 6.0}
TARGETS |= {"plan_empty_cache_wall_s": 1.0}


def main() -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    figures = {**bench.machine(), **bench.command_ratios(args.runs)}
    bench.publish(figures, RESULTS)
    for k, limit in TARGETS.items():
        print(f"target {k} <= {limit:g}: {'met' if figures[k] <= limit else 'NOT met'}")
    return figures


if __name__ == "__main__":
    main()

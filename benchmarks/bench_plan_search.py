"""Benchmark: the plan search (``paceline search``) for the 13-pacer roster of ``breaking4-optimal``.

Times :func:`paceline.studies.planning.plan_search.search_plan` with its defaults (designed formations of 2, 3, 4 and 6
pacers on the cores, up to 3 phases at 400 m steps, 5 formations combined, 6 short-listed, 400 Monte Carlo draws
each), cold (designs and calibration included) in a fresh process. Target (issue 14): under 30 s on 2 cores.

Run: ``python benchmarks/bench_plan_search.py [--runs 1]``. Prints the figures and writes them as its
section of ``benchmarks/results.json`` (``plan_search_*`` keys; the other sections kept).
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any

import harness as bench

RESULTS = Path(__file__).with_name("results.json")
TARGET_S = 30.0


def main() -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1)
    args = parser.parse_args()
    from paceline.io.scenario import load_scenario
    from paceline.studies.planning.plan_search import search_plan

    sc = load_scenario("breaking4-optimal")
    walls = []
    res = None
    for _ in range(args.runs):
        t0 = time.perf_counter()
        res = search_plan(sc)
        walls.append(time.perf_counter() - t0)
    assert res is not None
    figures = {
        **bench.machine(),
        "plan_search_wall_s": round(min(walls), 2),
        "plan_search_target_s": TARGET_S,
        "plan_search_pacers": len(sc.pacers),
        "plan_search_tried": len(res.tried),
        "plan_search_best": res.best.label,
    }
    print(json.dumps(figures, indent=2))
    bench.write_section(__file__, figures, RESULTS)
    return figures


if __name__ == "__main__":
    main()

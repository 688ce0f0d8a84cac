"""Benchmark: ``paceline plan`` end to end on the default scenario, and the equal-power solve inside it.

Whole-process times of the command (median of several runs) against a baseline in the same run: the start-up cost of
``paceline --help``. Prints its figures and read-modify-writes ``benchmarks/results.json`` (key ``plan``).
Target (DESIGN.md): ``paceline plan`` under 2 s.

Run: ``python benchmarks/bench_plan.py [--runs 5]``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
PACELINE = [sys.executable, "-m", "paceline"]


def wall_s(cmd: list[str], runs: int) -> list[float]:
    """Wall-clock seconds of each of ``runs`` runs of a command (after one warm-up run)."""
    subprocess.run(cmd, capture_output=True, check=True)
    out = []
    for _ in range(runs):
        t0 = time.perf_counter()
        subprocess.run(cmd, capture_output=True, check=True)
        out.append(time.perf_counter() - t0)
    return out


def in_process_s(runs: int) -> dict[str, float]:
    """Median seconds of the library steps of a plan, in one process (calibration cached after the first)."""
    from paceline.io.scenario import load_scenario
    from paceline.models.equal_power import EqualPowerModel
    from paceline.studies.plan import make_plan

    sc = load_scenario("breaking4")
    model = EqualPowerModel()
    cal = model.calibrate(sc)
    solve, plan = [], []
    for _ in range(runs):
        t0 = time.perf_counter()
        model.solve(sc, cal)
        solve.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        make_plan(sc)
        plan.append(time.perf_counter() - t0)
    return {"equal_power_solve_s": statistics.median(solve), "make_plan_s": statistics.median(plan)}


def main() -> dict[str, float]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    plan = wall_s([*PACELINE, "plan"], args.runs)
    baseline = wall_s([*PACELINE, "--help"], args.runs)
    figures = {
        "plan_wall_s": statistics.median(plan),
        "plan_wall_min_s": min(plan),
        "plan_wall_max_s": max(plan),
        "help_wall_s": statistics.median(baseline),
        "plan_over_help": statistics.median(plan) / statistics.median(baseline),
        "runs": args.runs,
        **in_process_s(args.runs),
    }
    for k, v in figures.items():
        print(f"{k:24s} {v:.4f}" if isinstance(v, float) else f"{k:24s} {v}")
    print(f"target: paceline plan < 2 s -> {'met' if figures['plan_wall_s'] < 2.0 else 'NOT met'}")
    path = HERE / "results.json"
    data = json.loads(path.read_text()) if path.exists() else {}
    data["plan"] = {k: round(v, 5) if isinstance(v, float) else v for k, v in figures.items()}
    path.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n")
    return figures


if __name__ == "__main__":
    main()

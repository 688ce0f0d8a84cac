"""Time of ``paceline infer`` with its default draws, end to end as a user runs it (a fresh process).

For each joint set of races (Monaco 2023 + Breaking4; Breaking2 + INEOS 1:59) the command runs with ``--json``; the
wall time, whether it converged, the largest autocorrelation time and the smallest ESS are printed and written as
this script's section of ``benchmarks/results.json`` under ``infer`` (the other sections kept), with the machine and
its load average. The issue's target: ``paceline infer breaking4_2025 monaco_2023`` under 60 s on 2 cores.

Run ``python benchmarks/bench_infer.py [--no-write]``.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from harness import machine, write_section

RESULTS = Path(__file__).with_name("results.json")
SETS = (("breaking4_2025", "monaco_2023"), ("breaking2_2017", "ineos159_2019"))


def time_infer(races: tuple[str, ...]) -> dict[str, Any]:
    """Wall time [s] of ``paceline infer RACES --json`` and its convergence figures."""
    t0 = time.perf_counter()
    p = subprocess.run(
        [sys.executable, "-m", "paceline", "infer", *races, "--json"], capture_output=True, text=True, check=False
    )
    wall = time.perf_counter() - t0
    row: dict[str, Any] = {"races": list(races), "wall_s": round(wall, 2), "exit": p.returncode}
    if p.returncode == 0:
        d = json.loads(p.stdout)["diagnostics"]
        row.update(
            converged=d["converged"],
            steps=json.loads(p.stdout)["draws"],
            walkers=d["walkers"],
            max_tau_steps=round(max(x["tau_steps"] for x in d["parameters"]), 1),
            min_ess=round(min(x["ess"] for x in d["parameters"])),
        )
    else:
        row["stderr"] = p.stderr.strip()
    return row


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--no-write", action="store_true", help="do not update results.json")
    args = ap.parse_args()
    rows = []
    for races in SETS:
        start = machine()
        row = time_infer(races)
        row["load_average_1min_before"] = start["load_average_1min"]
        rows.append(row)
        print(json.dumps(row))
    out = {"infer": {**machine(), "target_s": 60.0, "runs": rows}}
    if not args.no_write:
        write_section(__file__, out, RESULTS)


if __name__ == "__main__":
    main()

"""The figures of issue 23's Performance section: computed commands against ``paceline --help``, and a web-editor edit.

Every command computes (no stored answer); each run is paired with a ``paceline --help`` run just before it, in the
same invocation, and a ratio is the median of the pairs' ratios (:func:`harness.paired_over`), so that a change of
the machine's speed during the run cancels. Keys (section ``bench.py`` of ``benchmarks/results.json``):

``help_wall_s``, ``help_cpu_s``
    ``paceline --help``, median of every baseline run, wall and CPU [s].
``<command>_wall_s``, ``<command>_over_help``, ``<command>_cpu_over_help``
    ``formations``, ``plan``, ``predict_oc`` (``predict breaking4 --model optimal-control``) and ``report`` with the
    caches warm (one run not counted first: the athlete fits and shelter pools on disk), median [s], the ratio of
    the wall times (the targets) and of the CPU times (user + system: far steadier on a loaded machine).
``plan_cold_over_help``, ``predict_oc_cold_over_help`` (and ``_wall_s``, ``_cpu_over_help``)
    The same with every cache empty (a new cache directory for every run).
``bytecode``
    ``"cached"`` (the default: the modules' compiled bytecode kept in a temporary folder, as an installed package
    has it, the warm-up run writes it) or ``"none"`` (``--no-bytecode``: the environment as it is; with
    ``PYTHONDONTWRITEBYTECODE=1`` and paceline run from its source, every run compiles paceline's modules).
``web_edit_p50_ms``, ``web_edit_p95_ms``
    ``POST /api/solve`` of Breaking4 with the temperature changed at every request (``--edits`` requests, in this
    process through Starlette's ``TestClient``, the app warm): the server's time with the request's encoding [ms].

Run ``python benchmarks/bench.py [--runs 5] [--edits 50] [--json] [--no-write]``. It prints the figures, then each
target met or not, and rewrites its section of ``results.json``.
"""

from __future__ import annotations

import argparse
import copy
import logging
import os
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import harness

RESULTS = Path(__file__).with_name("results.json")

#: Whole-process commands timed against ``paceline --help``, by key (``{tmp}``: a temporary folder).
COMMANDS: dict[str, list[str]] = {
    "formations": ["formations"],
    "plan": ["plan"],
    "predict_oc": ["predict", "breaking4", "--model", "optimal-control"],
    "report": ["report", "--output", "{tmp}/report.html"],
}

#: The targets of issue 23: the most each figure may be.
TARGETS: dict[str, float] = {
    "plan_over_help": 3.0,
    "formations_over_help": 2.0,
    "predict_oc_over_help": 4.0,
    "predict_oc_cold_over_help": 6.0,
    "report_over_help": 4.0,
    "web_edit_p95_ms": 15.0,
}


def _summary(key: str, pairs: dict[str, list[float]]) -> dict[str, float]:
    """``<key>_wall_s``, ``<key>_over_help`` and ``<key>_cpu_over_help`` of paired runs."""
    return {
        f"{key}_wall_s": round(statistics.median(pairs["walls"]), 4),
        f"{key}_over_help": round(harness.paired_over(pairs["walls"], pairs["baseline"]), 2),
        f"{key}_cpu_over_help": round(harness.paired_over(pairs["cpu"], pairs["baseline_cpu"]), 2),
    }


def command_figures(runs: int, bytecode: bool = True) -> dict[str, Any]:
    """The whole-process figures (see the keys): ``runs`` pairs each, warm then cold; ``bytecode``: keep the
    compiled modules (see ``bytecode``)."""
    out: dict[str, Any] = {"command_runs": runs, "bytecode": "cached" if bytecode else "none"}
    helps: list[float] = []
    help_cpu: list[float] = []
    with tempfile.TemporaryDirectory(prefix="paceline-bench-") as tmp:
        pycache = Path(tmp) / "pycache" if bytecode else None
        warm = harness.cache_env(Path(tmp) / "cache", pycache)
        for key, args in COMMANDS.items():
            argv = [a.format(tmp=tmp) for a in args]
            pairs = harness.paired_runs(argv, runs, lambda i: warm)
            out.update(_summary(key, pairs))
            helps += pairs["baseline"]
            help_cpu += pairs["baseline_cpu"]
        for key in ("plan", "predict_oc"):
            folder = Path(tmp) / f"empty-{key}"
            pairs = harness.paired_runs(
                COMMANDS[key], runs, lambda i, f=folder: harness.cache_env(f / str(i), pycache), warmup=0
            )
            out.update(_summary(f"{key}_cold", pairs))
            helps += pairs["baseline"]
            help_cpu += pairs["baseline_cpu"]
    out["help_wall_s"] = round(statistics.median(helps), 4)
    out["help_cpu_s"] = round(statistics.median(help_cpu), 4)
    return out


def web_edit_figures(edits: int) -> dict[str, Any]:
    """``web_edit_p50_ms`` and ``web_edit_p95_ms``: ``edits`` temperature edits of Breaking4 solved by the web app."""
    from fastapi.testclient import TestClient

    from paceline.web import create_app

    with TestClient(create_app(warm=True), base_url="http://127.0.0.1") as client:
        base = client.get("/api/scenarios/breaking4").json()["scenario"]
        times = []
        for i in range(edits + 1):  # the first edit is not counted
            data = copy.deepcopy(base)
            data["conditions"]["temperature_c"] = 15.0 + 0.1 * i
            data["conditions"].pop("temperature_c_range", None)
            t0 = time.perf_counter()
            r = client.post("/api/solve", json={"scenario": data, "model": "equal-power"})
            dt = time.perf_counter() - t0
            if r.status_code != 200:
                raise RuntimeError(f"POST /api/solve: {r.status_code} {r.text[:200]}")
            if i:
                times.append(dt * 1000.0)
    cuts = statistics.quantiles(times, n=20, method="inclusive")  # every 5 %
    q50, q95 = cuts[9], cuts[18]
    return {"web_edits": edits, "web_edit_p50_ms": round(q50, 1), "web_edit_p95_ms": round(q95, 1)}


def run(runs: int = 5, edits: int = 50, bytecode: bool = True) -> dict[str, Any]:
    """Every figure of this script (see the keys), with the machine and its load before and after."""
    figures: dict[str, Any] = harness.machine()
    figures.update(command_figures(runs, bytecode))
    figures.update(web_edit_figures(edits))
    figures["load_average_1min_after"] = round(os.getloadavg()[0], 2)
    return figures


def main() -> None:
    logging.basicConfig(level=logging.WARNING)
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=5, help="counted pairs per command")
    ap.add_argument("--edits", type=int, default=50, help="web-editor edits")
    ap.add_argument("--no-bytecode", action="store_true", help="do not keep compiled bytecode (see the keys)")
    ap.add_argument("--json", action="store_true", help="print one JSON object")
    ap.add_argument("--no-write", action="store_true", help="do not update results.json")
    args = ap.parse_args()
    figures = run(args.runs, args.edits, bytecode=not args.no_bytecode)
    harness.publish(__file__, figures, RESULTS, write=not args.no_write, as_json=args.json)
    if not args.json:
        for key, limit in TARGETS.items():
            print(f"target {key} <= {limit:g}: {'met' if figures[key] <= limit else 'NOT met'}")


if __name__ == "__main__":
    main()

"""Benchmark: latency of ``POST /api/solve`` for each model under load (16 concurrent clients, a live server).

A uvicorn server of ``paceline.web.create_app()`` runs in this process on a loopback port; ``--clients`` threads
(default 16) each post ``--rounds`` distinct scenarios (a temperature per request, so no answer comes from the
cache) for every model in turn, and the latencies [ms] of each model are summarised as median and 95th percentile.
The same is measured with a single client for comparison. Optimal-control solves run one at a time (the solver
keeps its warm state between solves; see ``paceline.web.app``), so its p95 grows with the clients.

Run: ``python benchmarks/bench_web.py [--clients 16] [--rounds 2]``. Prints the figures and writes them as its
section of ``benchmarks/results.json``: ``web_<model>_{p50,p95}_ms[_1_client]``.
"""

from __future__ import annotations

import argparse
import copy
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import numpy as np

from paceline.io.scenario import load_scenario
from paceline.render.replay import scenario_to_dict
from paceline.web import create_app

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
import harness as bench

from live_server import live_server  # the tests' server helper

RESULTS = Path(__file__).with_name("results.json")
MODELS = {"equal-power": "breaking4", "critical-speed": "breaking4", "optimal-control": "breaking4-optimal"}


def _bodies(model: str, n: int, offset: float) -> list[dict[str, Any]]:
    base = scenario_to_dict(load_scenario(MODELS[model]))
    out = []
    for i in range(n):
        data = copy.deepcopy(base)
        data["conditions"]["temperature_c"] = offset + i * 0.001
        data["conditions"].pop("temperature_c_range", None)
        out.append({"scenario": data, "model": model})
    return out


def _latencies(base_url: str, bodies: list[dict[str, Any]], clients: int) -> list[float]:
    def one(body: dict[str, Any]) -> float:
        with httpx.Client(base_url=base_url, timeout=600.0) as c:
            t0 = time.perf_counter()
            r = c.post("/api/solve", json=body)
            dt = time.perf_counter() - t0
        if r.status_code != 200:
            raise RuntimeError(f"{r.status_code}: {r.text[:200]}")
        return dt * 1000.0

    with ThreadPoolExecutor(clients) as pool:
        return list(pool.map(one, bodies))


def main() -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=2, help="Requests per client per model.")
    args = parser.parse_args()
    figures: dict[str, Any] = {**bench.machine(), "web_clients": args.clients}
    with live_server(create_app(warm=True)) as base_url:
        for k, model in enumerate(MODELS):
            _latencies(base_url, _bodies(model, 2, 12.0 + k), 1)  # warm the solver
            for clients, tag, t0 in ((1, "_1_client", 20.0), (args.clients, "", 30.0)):
                ms = _latencies(base_url, _bodies(model, clients * args.rounds, t0 + k), clients)
                figures[f"web_{model}_p50_ms{tag}"] = round(float(np.percentile(ms, 50)), 1)
                figures[f"web_{model}_p95_ms{tag}"] = round(float(np.percentile(ms, 95)), 1)
    bench.publish(__file__, figures, RESULTS)
    return figures


if __name__ == "__main__":
    main()

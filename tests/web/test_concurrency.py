"""Sixteen clients at once, across the three models, against a real server (issue 17: two concurrent
optimal-control solves once crashed the server). Every answer must equal the one a single client gets asking the
same questions one after the other, and the whole run is bounded in time."""

from __future__ import annotations

import copy
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest

from live_server import live_server
from paceline.io.scenario import load_scenario
from paceline.render.replay import scenario_to_dict
from paceline.web import create_app

CLIENTS = 16
#: Wall-clock bound of the concurrent round [s] (sequentially it takes a few seconds on this machine).
ROUND_BOUND_S = 120.0
#: Optimal-control answers are Ipopt solutions warm-started from whatever was solved before; they agree to the
#: solver's tolerance, not bit for bit [s].
OC_TOLERANCE_S = 1e-3

MODELS = {"equal-power": "breaking4", "critical-speed": "breaking4", "optimal-control": "breaking4-optimal"}


def _requests() -> list[dict[str, Any]]:
    """Sixteen distinct requests (no two share a cache entry): half optimal-control (the stateful solver), a quarter
    each of the others, on different temperatures."""
    out = []
    models = ["optimal-control", "equal-power", "optimal-control", "critical-speed"]
    for i in range(CLIENTS):
        model = models[i % 4]
        data = copy.deepcopy(scenario_to_dict(load_scenario(MODELS[model])))
        data["conditions"]["temperature_c"] = 16.0 + i * 0.5
        data["conditions"].pop("temperature_c_range", None)
        out.append({"scenario": data, "model": model})
    return out


def _answer(client: httpx.Client, body: dict[str, Any]) -> dict[str, Any]:
    r = client.post("/api/solve", json=body)
    assert r.status_code == 200, r.text[:300]
    return r.json()


def _same(a: dict[str, Any], b: dict[str, Any], model: str) -> None:
    assert a["id"] == b["id"]
    if model != "optimal-control":
        assert a == b  # deterministic models: the very same payload
        return
    assert a["finish_s"] == pytest.approx(b["finish_s"], abs=OC_TOLERANCE_S)
    for sa, sb in zip(a["splits"], b["splits"], strict=True):
        assert sa["time_s"] == pytest.approx(sb["time_s"], abs=OC_TOLERANCE_S)


@pytest.mark.slow
def test_sixteen_clients_get_the_sequential_answers() -> None:
    requests = _requests()
    with live_server(create_app(warm=False)) as base, httpx.Client(base_url=base, timeout=ROUND_BOUND_S) as c:
        sequential = [_answer(c, body) for body in requests]
    with live_server(create_app(warm=False)) as base:
        clients = [httpx.Client(base_url=base, timeout=ROUND_BOUND_S) for _ in range(CLIENTS)]
        try:
            t0 = time.monotonic()
            with ThreadPoolExecutor(CLIENTS) as pool:
                concurrent = list(pool.map(_answer, clients, requests))
            elapsed = time.monotonic() - t0
            assert clients[0].get("/api/models").status_code == 200  # the server is still up
        finally:
            for c in clients:
                c.close()
    assert elapsed < ROUND_BOUND_S
    for body, a, b in zip(requests, concurrent, sequential, strict=True):
        _same(a, b, body["model"])
    # the temperatures differ, so the answers must too (the test would pass vacuously otherwise)
    assert len({round(a["finish_s"], 6) for a in concurrent}) > CLIENTS // 2

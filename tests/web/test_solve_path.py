"""The editor's solve path remembers inputs, not output: a weather edit re-uses the athlete's calibration (it only
carries her power to the new air), a change of her performances recalibrates her (issue 23)."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from live_server import live_server
from paceline.chain import solve
from paceline.fit import athlete as fa
from paceline.io.scenario import scenario_from_dict
from paceline.web import create_app


@pytest.fixture(scope="module")
def client() -> Iterator[httpx.Client]:
    with live_server(create_app(warm=False)) as base, httpx.Client(base_url=base, timeout=60.0) as c:
        yield c


def test_temperature_edits_never_recalibrate_her_performances_do(
    client: httpx.Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[str] = []
    real = fa.calibration_effort

    def counted(scenario: Any, *args: Any) -> Any:
        calls.append(scenario.name)
        return real(scenario, *args)

    monkeypatch.setattr(fa, "calibration_effort", counted)
    fa.CALIBRATIONS.clear()
    base = client.get("/api/scenarios/breaking4").json()["scenario"]
    base["athlete"]["calibration"] = "performances"  # her performances calibrate her: they are the input here

    def finish(data: dict[str, Any]) -> float:
        r = client.post("/api/solve", json={"scenario": data, "model": "equal-power"})
        assert r.status_code == 200, r.text
        return float(r.json()["finish_s"])

    finishes = []
    for i in range(10):  # the first solve calibrates; nine temperature edits (in its range, 16-26 degC) follow
        data = copy.deepcopy(base)
        data["conditions"]["temperature_c"] = 16.0 + i
        finishes.append(finish(data))
    assert calls == ["breaking4"]
    assert len(set(finishes)) == 10  # solved afresh each time: warmer air is thinner
    fa.CALIBRATIONS.clear()  # oracle: the last edit solved from scratch, calibration included
    assert finishes[-1] == pytest.approx(solve(scenario_from_dict(data)).finish_s, abs=1e-3)
    calls.clear()
    faster = copy.deepcopy(base)
    faster["athlete"]["performances"][0]["time_s"] = base["athlete"]["performances"][0]["time_s"] * 0.99
    faster["athlete"]["performances"][0].pop("time", None)
    assert finish(faster) < finish(base)
    assert calls == ["breaking4"]  # her faster performance recalibrated her; the base's was remembered
    fa.CALIBRATIONS.clear()

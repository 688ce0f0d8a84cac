"""What the web app makes from an edited scenario: its TOML (re-solved by ``paceline plan FILE`` to the same time),
the plan as a zip, and the quick Monte Carlo; bad input is 422 naming the field."""

from __future__ import annotations

import io
import json
import time
import tomllib
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from live_server import live_server
from paceline.cli import main
from paceline.io.scenario import bundled_scenario_names, load_scenario, scenario_from_dict
from paceline.io.scenario_toml import to_toml
from paceline.web import create_app


@pytest.fixture(scope="module")
def client() -> Iterator[httpx.Client]:
    with live_server(create_app(warm=False)) as base, httpx.Client(base_url=base, timeout=120) as c:
        yield c


def run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> dict[str, Any]:
    with pytest.raises(SystemExit) as exc:
        main(list(args))
        raise SystemExit(0)
    out, err = capsys.readouterr()
    assert (exc.value.code or 0) == 0, err
    return dict(json.loads(out))


def test_toml_writer_round_trips_awkward_values() -> None:
    data = {
        "name": 'a "quoted"\nname',
        "x": 1.5e-7,
        "flag": False,
        "t": {"k y": [1, 2.0]},
        "rows": [{"a": 1}, {"a": 2}],
    }
    assert tomllib.loads(to_toml(data)) == {**data, "t": {"k y": [1, 2.0]}}


@pytest.mark.parametrize("name", bundled_scenario_names())
def test_exported_toml_plans_to_the_same_time(
    client: httpx.Client, name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = client.get(f"/api/scenarios/{name}").json()["scenario"]
    r = client.post("/api/export", json={"scenario": data})
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/toml")
    path = tmp_path / f"{name}.toml"
    path.write_text(r.text, encoding="utf-8")
    assert scenario_from_dict(tomllib.loads(r.text)) == load_scenario(name)
    model = load_scenario(name).model
    solved = client.post("/api/solve", json={"scenario": data, "model": model}).json()
    planned = run_cli(capsys, "plan", str(path), "--model", model, "--json")
    assert planned["finish_s"] == pytest.approx(solved["finish_s"], abs=0.01)


def test_make_the_plan_returns_the_zip(client: httpx.Client) -> None:
    data = client.get("/api/scenarios/breaking4-optimal").json()["scenario"]
    r = client.post("/api/plan", json={"scenario": data})
    assert r.status_code == 200 and r.headers["content-type"] == "application/zip"
    z = zipfile.ZipFile(io.BytesIO(r.content))
    names = {n.split("/", 1)[1] for n in z.namelist()}
    expected = {"plan.json", "splits.csv", "lights.csv", "lights.html", "cards.html", "report.html", "scenario.toml"}
    assert expected <= names
    pacers = {p["name"] for p in json.loads(z.read("breaking4-optimal-plan/plan.json"))["pacers"]}
    assert {f"cards/{p}.html" for p in pacers} | {f"briefings/{p}.md" for p in pacers} <= names


@pytest.mark.parametrize("endpoint", ["/api/export", "/api/plan", "/api/uncertainty"])
def test_bad_scenario_is_422_naming_the_field(client: httpx.Client, endpoint: str) -> None:
    data = client.get("/api/scenarios/kram2025").json()["scenario"]
    data["pacing"][0]["to_m"] = 99999.0
    r = client.post(endpoint, json={"scenario": data})
    assert r.status_code == 422
    body = r.json()
    assert body["field"] == "pacing[0].to_m" and body["detail"][0]["loc"] == ["body", "scenario", "pacing", 0, "to_m"]
    r = client.post(endpoint, json={"scenario": data, "extra": 1})
    assert r.status_code == 422


def test_quick_monte_carlo_reports_progress_then_p_target(
    client: httpx.Client, capsys: pytest.CaptureFixture[str]
) -> None:
    from paceline.web.plan_api import QUICK_DRAWS, QUICK_POOL

    data = client.get("/api/scenarios/kram2025").json()["scenario"]
    job = client.post("/api/uncertainty", json={"scenario": data}).json()
    deadline = time.monotonic() + 60
    while True:
        state = client.get(f"/api/uncertainty/{job['id']}").json()
        assert 0 <= state["n_done"] <= state["n"]
        if state["done"] or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    assert state["done"] and state["error"] is None
    # the page's figures are the command line's Monte Carlo of the same scenario, draws, pool and seed (oracle: the
    # CLI reads the bundled file, the page the scenario as the editor holds it): a wrong seed, draw count, pool,
    # target or summary statistic shows here
    cli = run_cli(
        capsys, "montecarlo", "kram2025", "-n", str(QUICK_DRAWS), "--pool", str(QUICK_POOL), "--seed", "0",
        "--workers", "1", "--json",
    )  # fmt: skip
    assert state["n_done"] == cli["n_done"] == QUICK_DRAWS
    assert state["target_s"] == cli["target_s"] and state["p_target"] == cli["p_target"]
    assert 0.0 < state["p_target"] < 1.0  # kram2025's median is near its target: an answer both sides could get wrong
    for key in ("median_s", "p05_s", "p95_s"):
        assert state[key] == pytest.approx(cli[key], abs=5e-4), key  # the CLI's JSON rounds to 1 ms
    assert client.get("/api/uncertainty/nosuchjob").status_code == 404


def test_a_flood_of_monte_carlos_runs_at_most_max_running_at_once(client: httpx.Client) -> None:
    # each POST used to start its own thread: 12 requests were 12 Monte Carlos computing at once (a client could
    # start thousands); now the newest MAX_RUNNING run and the older unfinished ones are superseded
    import threading

    from paceline.web.plan_api import MAX_RUNNING

    def mc_threads() -> int:
        return sum(t.name.startswith("paceline-mc") for t in threading.enumerate())

    data = client.get("/api/scenarios/kram2025").json()["scenario"]
    idle = mc_threads()  # workers other apps of this test session keep (each app has its own MAX_RUNNING)
    ids = [client.post("/api/uncertainty", json={"scenario": data}).json()["id"] for _ in range(12)]
    most = 0
    deadline = time.monotonic() + 120
    while True:
        most = max(most, mc_threads() - idle)
        states = [client.get(f"/api/uncertainty/{i}").json() for i in ids]
        if all(s["done"] for s in states) or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert most <= MAX_RUNNING
    assert all(s["done"] for s in states)
    for s in states[-MAX_RUNNING:]:  # the newest finish with their answer
        assert s["error"] is None and 0.0 <= s["p_target"] <= 1.0
    superseded = [s for s in states[:-MAX_RUNNING] if s["error"]]
    assert superseded and all("superseded by a newer Monte Carlo" in s["error"] for s in superseded)

"""Monte Carlo, sweeps and their execution: locally, in a process pool, and on a real local Dask cluster."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cli_runner import PACELINE
from cli_runner import run as run_cli
from paceline.errors import ScenarioError
from paceline.io.scenario import load_scenario
from paceline.models.equal_power import EqualPowerModel
from paceline.studies import uncertainty as U

BIN = Path(sys.executable).parent
POOL = 20  # small drafting pools keep each run fast (the full default is 200)


def mc_dict(**kw: object) -> dict[str, object]:
    out = U.monte_carlo(load_scenario("breaking4"), pool=POOL, **kw).to_dict()  # type: ignore[arg-type]
    out.pop("workers")
    return out


# --------------------------------------------------------------------------------------------------------------
# the vectorised model against the library's


@pytest.mark.parametrize("name", ["breaking4", "kram2025", "monaco2023"])
def test_nominal_draw_reproduces_the_equal_power_model(name: str) -> None:
    sc = load_scenario(name)
    problem = U.build_problem(sc)
    draws = U.draw_inputs(problem, 10, seed=0, pool=POOL, calibration_pool=20)
    model = EqualPowerModel()
    cal = model.calibrate(sc).power_w_kg
    assert problem.calibration_power(draws.nominal)[0] == pytest.approx(cal, rel=1e-9)
    # the quadrature in the unit-wind profile against the 5 m course: within a millisecond
    assert problem.time(draws.nominal)[0] == pytest.approx(model.solve(sc).finish_s, abs=1e-3)


def test_quadrature_is_exact_with_wind() -> None:
    sc = load_scenario("breaking4")  # 1 m/s wind from 270 deg; 3 m/s here
    data = U.scenario_data(sc)
    data["conditions"]["wind_speed_m_s"] = 3.0
    sc3 = U.apply_variations(data, {})
    problem = U.build_problem(sc3)
    draws = U.draw_inputs(problem, 10, seed=0, pool=POOL, calibration_pool=20)
    assert problem.time(draws.nominal)[0] == pytest.approx(EqualPowerModel().solve(sc3).finish_s, abs=1e-3)


# --------------------------------------------------------------------------------------------------------------
# Monte Carlo


@pytest.fixture(scope="module")
def mc_local() -> dict[str, object]:
    return mc_dict(n=6000, seed=7, workers=1)


def test_monte_carlo_summary_is_consistent(mc_local: dict[str, object]) -> None:
    r = mc_local
    for key in ("n", "seed", "median_s", "p05_s", "p95_s", "p_target", "sensitivity"):
        assert key in r
    assert r["n"] == r["n_done"] == 6000 and r["seed"] == 7
    assert r["p05_s"] < r["median_s"] < r["p95_s"]  # type: ignore[operator]
    assert 0.0 <= r["p_target"] <= 1.0  # type: ignore[operator]
    assert 0.0 <= r["p_best"] <= 1.0  # type: ignore[operator]
    # she ran 4:06.42 as raced: her best at the distance; the target is sub-4
    assert r["best_s"] == pytest.approx(246.42)
    assert r["p_target"] <= r["p_best"]  # type: ignore[operator]
    sens = r["sensitivity"]
    assert isinstance(sens, list) and len(sens) >= 6
    seconds = [s["seconds"] for s in sens]
    assert seconds == sorted(seconds, reverse=True)
    names = {s["input"] for s in sens}
    assert {"drafting", "form", "calibration_form", "temperature_c", "wind_speed_m_s", "cd_factor"} <= names
    # more shelter (the 95th percentile of the drafting draws) is faster; a windier night is slower
    by = {s["input"]: s for s in sens}
    assert by["drafting"]["high_s"] < by["drafting"]["low_s"]
    assert by["wind_speed_m_s"]["high_s"] > by["wind_speed_m_s"]["low_s"]
    assert by["form"]["rank_correlation"] < -0.3


def test_same_seed_same_numbers_whatever_the_workers(mc_local: dict[str, object]) -> None:
    assert mc_dict(n=6000, seed=7, workers=2) == mc_local
    other = mc_dict(n=6000, seed=8, workers=1)
    assert other["median_s"] != mc_local["median_s"]


def test_more_shelter_uncertainty_widens_the_range() -> None:
    sc = load_scenario("breaking4")
    narrow = U.monte_carlo(sc, n=4000, seed=3, workers=1, pool=POOL, shelter_spread=0.0)
    wide = U.monte_carlo(sc, n=4000, seed=3, workers=1, pool=POOL, shelter_spread=1.5)
    assert wide.percentile(95) - wide.percentile(5) > narrow.percentile(95) - narrow.percentile(5) + 0.5
    assert "drafting" not in {s["input"] for s in narrow.sensitivity}  # no spread: no swing to report


def test_tornado_plot_and_cli_json(tmp_path: Path) -> None:
    png = tmp_path / "tornado.png"
    res = run_cli("montecarlo", "kram2025", "-n", "3000", "--seed", "2", "--pool", str(POOL), "--workers", "1",
                  "--json", "--plot", str(png))  # fmt: skip
    assert res.returncode == 0, res.stderr
    out = json.loads(res.stdout)
    assert out["n"] == 3000 and out["seed"] == 2 and out["plot"] == str(png)
    assert png.stat().st_size > 10_000 and png.read_bytes()[:4] == b"\x89PNG"
    bad = run_cli("montecarlo", "breaking4", "-n", "0", "--json")
    assert bad.returncode == 2 and "-n" in bad.stderr and bad.stdout == ""


# --------------------------------------------------------------------------------------------------------------
# sweeps


def test_parse_vary_and_paths() -> None:
    v = U.parse_vary("conditions.temperature_c=10:30:5")
    assert v.values == (10.0, 15.0, 20.0, 25.0, 30.0) and v.numeric
    f = U.parse_vary("pacing[0].formation=single,ineos-v")
    assert f.values == ("single", "ineos-v") and not f.numeric
    for bad in ("conditions.temperature_c", "conditions.temperature_c=30:10:5", "pacing[x].formation=single"):
        with pytest.raises(ScenarioError, match="--vary"):
            U.parse_vary(bad)
    base = U.scenario_data(load_scenario("breaking4"))
    sc = U.apply_variations(base, {"pacing[*].formation": "single", "conditions.temperature_c": 30.0})
    assert {ph.formation for ph in sc.pacing} == {"single"} and sc.conditions.temperature_c == 30.0
    with pytest.raises(ScenarioError, match=r"^conditions\.temprature_c: unknown field"):
        U.apply_variations(base, {"conditions.temprature_c": 20.0})
    with pytest.raises(ScenarioError, match=r"^pacing\[9\]\.formation: index 9 is out of range"):
        U.apply_variations(base, {"pacing[9].formation": "single"})
    with pytest.raises(ScenarioError, match=r"^pacing\[0\]\.formation: .*nope"):
        U.apply_variations(base, {"pacing[0].formation": "nope"})


def test_latin_hypercube_is_stratified_and_reproducible() -> None:
    vs = [U.parse_vary("conditions.temperature_c=10:30:5"), U.parse_vary("pacing[*].formation=single,front-back")]
    a = U.sweep_points(vs, samples=10, seed=4)
    assert a == U.sweep_points(vs, samples=10, seed=4)
    temps = sorted(p["conditions.temperature_c"] for p in a)
    assert all(10 + 2 * i <= t <= 10 + 2 * (i + 1) for i, t in enumerate(temps))  # one per stratum
    assert {p["pacing[*].formation"] for p in a} == {"single", "front-back"}


def test_sweep_cli_bad_path_names_it(tmp_path: Path) -> None:
    out = tmp_path / "bad.parquet"
    res = run_cli("sweep", "breaking4", "--vary", "conditions.temprature_c=10:20:5", "--out", str(out), "--json")
    assert res.returncode == 2
    assert "conditions.temprature_c" in res.stderr and res.stdout == "" and not out.exists()


SWEEP_ARGS = [
    "sweep", "breaking4",
    "--vary", "conditions.temperature_c=10:30:0.1",
    "--vary", "pacing[*].formation=single,front-back,line-2",
    "--workers", "1", "--batch-size", "10", "--json",
]  # fmt: skip
SWEEP_POINTS = 201 * 3


def test_sweep_resumes_after_a_kill(tmp_path: Path) -> None:
    out = tmp_path / "sweep.parquet"
    proc = subprocess.Popen(
        [*PACELINE, *SWEEP_ARGS, "--out", str(out)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        while not out.exists() and proc.poll() is None:
            time.sleep(0.02)
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.wait(timeout=60)
    assert proc.returncode == -signal.SIGKILL, "the sweep finished before it could be killed"
    before = pd.read_parquet(out)
    assert 0 < len(before) < SWEEP_POINTS
    res = run_cli(*SWEEP_ARGS, "--out", str(out), "--plot", str(tmp_path / "heat.png"))
    assert res.returncode == 0, res.stderr
    summary = json.loads(res.stdout)
    assert summary["n_skipped"] == len(before) and summary["n_new"] == SWEEP_POINTS - len(before)
    after = pd.read_parquet(out)
    assert len(after) == SWEEP_POINTS and after["key"].is_unique
    assert (after["error"] == "").all()
    kept = after.set_index("key").loc[before["key"], "time_s"].to_numpy()
    np.testing.assert_array_equal(kept, before["time_s"].to_numpy())  # nothing lost or rewritten
    assert (tmp_path / "heat.png").stat().st_size > 10_000
    again = json.loads(run_cli(*SWEEP_ARGS, "--out", str(out)).stdout)
    assert again["n_new"] == 0 and again["n_rows"] == SWEEP_POINTS


# --------------------------------------------------------------------------------------------------------------
# a real local Dask cluster: a scheduler and two workers on 127.0.0.1


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Cluster:
    def __init__(self, tmp: Path) -> None:
        self.tmp = tmp
        self.port = _free_port()
        self.address = f"tcp://127.0.0.1:{self.port}"
        self.procs: dict[str, subprocess.Popen[bytes]] = {}
        self._start("scheduler", ["scheduler", "--host", "127.0.0.1", "--port", str(self.port), "--no-dashboard"])

    def _start(self, name: str, args: list[str]) -> None:
        log = (self.tmp / f"{name}.log").open("wb")
        self.procs[name] = subprocess.Popen([str(BIN / "dask"), *args], stdout=log, stderr=log, start_new_session=True)
        log.close()

    def start_worker(self, name: str) -> None:
        self._start(
            name,
            ["worker", self.address, "--no-nanny", "--nthreads", "1", "--no-dashboard", "--host", "127.0.0.1",
             "--name", name, "--death-timeout", "60"],
        )  # fmt: skip

    def wait_for_workers(self, n: int) -> None:
        from dask.distributed import Client

        with Client(self.address, timeout="60s", set_as_default=False) as client:
            client.wait_for_workers(n, timeout=120)

    def kill(self, name: str) -> None:
        proc = self.procs.pop(name)
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)

    def close(self) -> None:
        for name in [n for n in self.procs if n != "scheduler"] + ["scheduler"]:
            proc = self.procs.pop(name, None)
            if proc is None:
                continue
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=15)


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    c = Cluster(tmp_path_factory.mktemp("dask"))
    try:
        c.start_worker("w1")
        c.start_worker("w2")
        c.wait_for_workers(2)
        yield c
    finally:
        c.close()


def test_dask_montecarlo_equals_the_local_run(cluster: Cluster, mc_local: dict[str, object]) -> None:
    res = run_cli("montecarlo", "breaking4", "-n", "6000", "--seed", "7", "--pool", str(POOL),
                  "--scheduler", cluster.address, "--json")  # fmt: skip
    assert res.returncode == 0, res.stderr
    out = json.loads(res.stdout)
    assert out.pop("workers") == f"dask {cluster.address}"
    assert out == mc_local


def test_dask_sweep_equals_the_local_sweep(cluster: Cluster, tmp_path: Path) -> None:
    args = ["sweep", "breaking4", "--vary", "conditions.wind_speed_m_s=0:3:1", "--vary",
            "pacing[*].formation=single,front-back", "--batch-size", "3", "--json"]  # fmt: skip
    local = run_cli(*args, "--workers", "1", "--out", str(tmp_path / "local.parquet"))
    remote = run_cli(*args, "--scheduler", cluster.address, "--out", str(tmp_path / "dask.parquet"))
    assert local.returncode == 0 and remote.returncode == 0, local.stderr + remote.stderr
    a = pd.read_parquet(tmp_path / "local.parquet").sort_values("key").reset_index(drop=True)
    b = pd.read_parquet(tmp_path / "dask.parquet").sort_values("key").reset_index(drop=True)
    assert len(a) == 8
    pd.testing.assert_frame_equal(a, b)


def test_dask_run_survives_a_killed_worker(cluster: Cluster, mc_local: dict[str, object]) -> None:
    """Kill one of the two workers as soon as the first batch is back: Dask re-runs its work on the other."""
    sc = load_scenario("breaking4")
    seen: list[int] = []

    def progress(done: int, total: int) -> None:
        if not seen:
            cluster.kill("w2")
        seen.append(done)

    n = 40_000
    res = U.monte_carlo(sc, n=n, seed=7, pool=POOL, scheduler=cluster.address, batch_draws=1000, progress=progress)
    local = U.monte_carlo(sc, n=n, seed=7, pool=POOL, workers=1, batch_draws=1000)
    assert seen[0] < n and seen[-1] == n  # the worker died mid-run, and every batch came back
    assert res.n_done == n and not res.interrupted
    np.testing.assert_array_equal(res.times_s, local.times_s)
    # the cluster carries on with the survivor; put a second worker back for anything after this
    cluster.start_worker("w3")
    cluster.wait_for_workers(2)


def test_bench_cli_reports_the_figures() -> None:
    res = run_cli("bench", "--quick", "--json")
    assert res.returncode == 0, res.stderr
    figures = json.loads(res.stdout)
    for key in ("montecarlo_draws_per_s", "montecarlo_draws_per_s_2_workers", "equal_power_evals_per_s"):
        assert figures[key] > 0
    assert figures["montecarlo_speedup_2_workers"] == pytest.approx(
        figures["montecarlo_draws_per_s_2_workers"] / figures["montecarlo_draws_per_s"], rel=0.02
    )

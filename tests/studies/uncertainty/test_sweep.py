"""Parameter sweeps: paths, grids, Latin hypercubes, resuming after a kill, and a real local Dask cluster."""

from __future__ import annotations

import json
import signal
import subprocess
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from cli_runner import PACELINE
from cli_runner import run_here as run_cli
from paceline.errors import ScenarioError
from paceline.io.scenario import load_scenario
from paceline.studies.uncertainty.sweep import apply_variations, parse_vary, scenario_data, sweep_points


def test_parse_vary_and_paths() -> None:
    v = parse_vary("conditions.temperature_c=10:30:5")
    assert v.values == (10.0, 15.0, 20.0, 25.0, 30.0) and v.numeric
    f = parse_vary("pacing[0].formation=single,ineos-v")
    assert f.values == ("single", "ineos-v") and not f.numeric
    for bad in ("conditions.temperature_c", "conditions.temperature_c=30:10:5", "pacing[x].formation=single"):
        with pytest.raises(ScenarioError, match=r"^vary: "):
            parse_vary(bad)
    base = scenario_data(load_scenario("breaking4"))
    sc = apply_variations(base, {"pacing[*].formation": "single", "conditions.temperature_c": 30.0})
    assert {ph.formation for ph in sc.pacing} == {"single"} and sc.conditions.temperature_c == 30.0
    with pytest.raises(ScenarioError, match=r"^conditions\.temprature_c: unknown field"):
        apply_variations(base, {"conditions.temprature_c": 20.0})
    with pytest.raises(ScenarioError, match=r"^pacing\[9\]\.formation: index 9 is out of range"):
        apply_variations(base, {"pacing[9].formation": "single"})
    with pytest.raises(ScenarioError, match=r"^pacing\[0\]\.formation: .*nope"):
        apply_variations(base, {"pacing[0].formation": "nope"})


def test_latin_hypercube_is_stratified_and_reproducible() -> None:
    vs = [parse_vary("conditions.temperature_c=10:30:5"), parse_vary("pacing[*].formation=single,front-back")]
    a = sweep_points(vs, samples=10, seed=4)
    assert a == sweep_points(vs, samples=10, seed=4)
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
    "--vary", "conditions.temperature_c=10:30:0.2",
    "--vary", "pacing[*].formation=single,front-back,line-2",
    "--workers", "1", "--batch-size", "10", "--json",
]  # fmt: skip
SWEEP_POINTS = 101 * 3  # the first batch of 10 is on disk with 293 to go: killed well before the end


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


def test_dask_sweep_equals_the_local_sweep(cluster: Any, tmp_path: Path) -> None:
    args = ["sweep", "breaking4", "--vary", "conditions.wind_speed_m_s=0:3:1", "--vary",
            "pacing[*].formation=single,front-back", "--batch-size", "3", "--json"]  # fmt: skip
    local = run_cli(*args, "--workers", "1", "--out", str(tmp_path / "local.parquet"))
    remote = run_cli(*args, "--scheduler", cluster.address, "--out", str(tmp_path / "dask.parquet"))
    assert local.returncode == 0 and remote.returncode == 0, local.stderr + remote.stderr
    a = pd.read_parquet(tmp_path / "local.parquet").sort_values("key").reset_index(drop=True)
    b = pd.read_parquet(tmp_path / "dask.parquet").sort_values("key").reset_index(drop=True)
    assert len(a) == 8
    pd.testing.assert_frame_equal(a, b)

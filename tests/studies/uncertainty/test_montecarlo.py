"""Monte Carlo of a finishing time: the draws, and execution locally and on a real local Dask cluster."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from cli_runner import run_here as run_cli
from paceline.io.scenario import load_scenario
from paceline.studies.uncertainty.montecarlo import monte_carlo

POOL = 20  # small drafting pools keep each run fast (the full default is 200)


def mc_dict(**kw: object) -> dict[str, object]:
    out = monte_carlo(load_scenario("breaking4"), pool=POOL, **kw).to_dict()  # type: ignore[arg-type]
    out.pop("workers")
    return out


# --------------------------------------------------------------------------------------------------------------
# Monte Carlo


@pytest.fixture(scope="module")
def mc_local() -> dict[str, object]:
    return mc_dict(n=6000, seed=7, workers=1)


def test_monte_carlo_summary(mc_local: dict[str, object]) -> None:
    r = mc_local
    for key in ("n", "seed", "median_s", "p05_s", "p95_s", "p_target", "sensitivity"):
        assert key in r
    assert r["n"] == r["n_done"] == 6000 and r["seed"] == 7
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
    narrow = monte_carlo(sc, n=4000, seed=3, workers=1, pool=POOL, shelter_spread=0.0)
    wide = monte_carlo(sc, n=4000, seed=3, workers=1, pool=POOL, shelter_spread=1.5)
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


def test_dask_montecarlo_equals_the_local_run(cluster: Any, mc_local: dict[str, object]) -> None:
    res = run_cli("montecarlo", "breaking4", "-n", "6000", "--seed", "7", "--pool", str(POOL),
                  "--scheduler", cluster.address, "--json")  # fmt: skip
    assert res.returncode == 0, res.stderr
    out = json.loads(res.stdout)
    assert out.pop("workers") == f"dask {cluster.address}"
    assert out == mc_local


def test_dask_run_survives_a_killed_worker(cluster: Any, mc_local: dict[str, object]) -> None:
    """Kill one of the two workers as soon as the first batch is back: Dask re-runs its work on the other."""
    sc = load_scenario("breaking4")
    seen: list[int] = []

    def progress(done: int, total: int) -> None:
        if not seen:
            cluster.kill("w2")
        seen.append(done)

    n = 40_000
    res = monte_carlo(sc, n=n, seed=7, pool=POOL, scheduler=cluster.address, batch_draws=1000, progress=progress)
    local = monte_carlo(sc, n=n, seed=7, pool=POOL, workers=1, batch_draws=1000)
    assert seen[0] < n and seen[-1] == n  # the worker died mid-run, and every batch came back
    assert res.n_done == n and not res.interrupted
    np.testing.assert_array_equal(res.times_s, local.times_s)
    # the cluster carries on with the survivor; put a second worker back for anything after this
    cluster.start_worker("w3")
    cluster.wait_for_workers(2)


def test_ranks_average_ties_as_scipy_does() -> None:
    # the rank correlations rank with numpy; scipy.stats.rankdata is the independent oracle
    from scipy.stats import rankdata

    from paceline.studies.uncertainty.montecarlo import _ranks

    rng = np.random.default_rng(0)
    for x in (rng.normal(size=200), rng.integers(0, 6, 300).astype(float), np.ones(4), np.array([2.0])):
        np.testing.assert_allclose(_ranks(x), rankdata(x))


def test_the_scenarios_own_result_is_labelled_as_raced_not_a_best() -> None:
    from paceline.studies.uncertainty.montecarlo import athlete_best, best_label

    # breaking4's best at the mile is its own 4:06.42 (faster than Monaco's 4:07.64): the race itself, not a best
    best, source = athlete_best(load_scenario("breaking4"))
    assert best is not None
    assert best_label("breaking4", best, source, "F") == "the as-raced 4:06.42, breaking4"
    # breaking4-optimal has no result: her best is Monaco's, as raced there; a man's would be his
    best, source = athlete_best(load_scenario("breaking4-optimal"))
    assert best is not None
    assert best_label("breaking4-optimal", best, source, "F") == "her best 4:07.64, monaco2023 as raced"
    assert best_label("x", 223.73, "performance 2023-09-16", "M") == "his best 3:43.73, performance 2023-09-16"

"""Monte Carlo with the optimal-control model: the nominal draw is the single prediction, the numbers do not depend on
the workers, and the draws move the time the physical way."""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pytest

from bad_input import assert_clean_failure, run_cli
from paceline.chain import solve
from paceline.io.scenario import load_scenario
from paceline.studies.uncertainty.draws import draw_inputs
from paceline.studies.uncertainty.montecarlo import monte_carlo
from paceline.studies.uncertainty.montecarlo_oc import (
    CHUNK_DRAWS,
    build_oc_problem,
    draw_course,
    oc_task,
    solve_nominal,
)
from paceline.studies.uncertainty.montecarlo_problem import build_problem

POOL = 20  # a small drafting pool keeps each run fast (the default is 200)


@pytest.fixture(scope="module")
def setup() -> tuple[Any, Any, Any]:
    sc = load_scenario("breaking4")
    problem = build_problem(sc)
    draws = draw_inputs(problem, 6, 3, pool=POOL, calibration_pool=50)
    oc = build_oc_problem(sc, problem)
    solve_nominal(oc, draws.nominal)
    return sc, draws, oc


def _chunk(rows: list[dict[str, np.ndarray]]) -> dict[str, np.ndarray]:
    keys = ("target_shelter", "cd_factor", "kit_factor", "temperature_c", "relative_humidity", "wind_speed_m_s")
    return {k: np.concatenate([r[k] for r in rows]) for k in (*keys, "shoe_gain", "form")}


def test_nominal_draw_is_the_prediction(setup: tuple[Any, Any, Any]) -> None:
    """The nominal row, through the Monte Carlo's mapping and a worker's task, is `paceline predict --model
    optimal-control` (chain.solve) to 0.01 s; so is the result's nominal time."""
    sc, draws, oc = setup
    predicted = solve(sc, "optimal-control").finish_s
    # the mapping leaves the nominal course as the chain built it
    course = draw_course(oc, {k: v[0] for k, v in draws.nominal.items()})
    np.testing.assert_allclose(course.shelter, oc.course.shelter, atol=1e-12)
    assert course.air_density_kg_m3 == pytest.approx(oc.course.air_density_kg_m3, rel=1e-12)
    assert course.shoe_economy_gain == oc.course.shoe_economy_gain
    t = oc_task(oc, _chunk([draws.nominal]))
    assert abs(t[0] - predicted) < 0.01
    res = monte_carlo(sc, n=4, seed=1, pool=POOL, workers=1, model="optimal-control")
    assert abs(res.nominal_s - predicted) < 0.01
    assert res.to_dict()["model"] == "optimal-control"


def test_more_shelter_or_power_is_never_slower(setup: tuple[Any, Any, Any]) -> None:
    """Each drawn row with every formation's shelter raised (and, apart, with more power) finishes no later."""
    _, draws, oc = setup
    rows = [{k: v[i : i + 1] for k, v in draws.inputs.items()} for i in range(3)]
    base = oc_task(oc, _chunk(rows))
    for key, change in (
        ("target_shelter", lambda s: np.minimum(s + 0.05, 0.95)),
        ("form", lambda f: f * 1.01),
    ):
        more = [{**r, key: change(r[key])} for r in rows]
        t = oc_task(oc, _chunk(more))
        assert np.all(np.isfinite(t))
        assert np.all(t <= base + 1e-4), (key, t - base)
        assert np.all(t < base - 0.05), (key, t - base)  # and it matters (0.05 shelter ~ 1 s, 1 % power ~ 1.5 s)


def test_drawn_inputs_reach_the_course(setup: tuple[Any, Any, Any]) -> None:
    """A drawn row changes the course as its inputs say: shelter per formation, drag area, density, wind, shoes."""
    _, draws, oc = setup
    row = {k: v[0] for k, v in draws.inputs.items()}
    c = draw_course(oc, row)
    s = np.asarray(row["target_shelter"])
    np.testing.assert_allclose(c.shelter, s[oc.sample_group], atol=1e-12)  # bundled courses: best fit per phase
    assert c.drag_area_m2 == pytest.approx(oc.course.drag_area_m2 * row["cd_factor"] * row["kit_factor"], rel=1e-12)
    assert c.wind_speed_m_s == pytest.approx(row["wind_speed_m_s"])
    np.testing.assert_allclose(c.wind_along_m_s, row["wind_speed_m_s"] * oc.course.unit_wind)
    assert c.shoe_economy_gain == pytest.approx(row["shoe_gain"])
    warmer = draw_course(oc, {**row, "temperature_c": row["temperature_c"] + 10.0})
    assert warmer.air_density_kg_m3 < c.air_density_kg_m3  # warmer air is thinner


@pytest.mark.slow
def test_same_seed_same_numbers_on_1_and_2_workers() -> None:
    """The same seed gives the same times in-process and on a 2-process pool (chunks are fixed; each starts from
    the nominal solution, whichever worker runs it)."""
    sc = load_scenario("breaking4")
    n = 2 * CHUNK_DRAWS + 5
    one = monte_carlo(sc, n=n, seed=11, pool=POOL, workers=1, model="optimal-control")
    two = monte_carlo(sc, n=n, seed=11, pool=POOL, workers=2, model="optimal-control")
    assert one.n_done == two.n_done == n
    np.testing.assert_allclose(one.times_s, two.times_s, rtol=0, atol=1e-9)
    assert one.to_dict()["sensitivity"] == two.to_dict()["sensitivity"]
    other = monte_carlo(sc, n=n, seed=12, pool=POOL, workers=1, model="optimal-control")
    assert not np.allclose(one.times_s, other.times_s)


def test_cli_model_option() -> None:
    """`paceline montecarlo --model optimal-control` says its model; a model it cannot run is exit 2 naming --model."""
    r = run_cli("montecarlo", "breaking4", "--model", "optimal-control", "-n", "5", "--pool", "10", "--workers", "1",
                "--json")  # fmt: skip
    assert r.code == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["model"] == "optimal-control" and out["n_done"] == 5
    assert {d["input"] for d in out["distributions"]} >= {"drafting", "form", "athlete"}
    assert not any(d["input"].startswith("calibration") for d in out["distributions"])
    assert_clean_failure(run_cli("montecarlo", "breaking4", "--model", "critical-speed", "-n", "5"), "--model")


@pytest.mark.slow
def test_dask_gives_the_local_numbers(cluster: Any) -> None:
    """On a real Dask cluster (a scheduler and two worker processes) the same seed gives the in-process times."""
    sc = load_scenario("breaking4")
    n = CHUNK_DRAWS + 3
    local = monte_carlo(sc, n=n, seed=5, pool=POOL, workers=1, model="optimal-control")
    remote = monte_carlo(sc, n=n, seed=5, pool=POOL, scheduler=cluster.address, model="optimal-control")
    assert remote.workers == f"dask {cluster.address}" and remote.n_done == n
    np.testing.assert_allclose(remote.times_s, local.times_s, rtol=0, atol=1e-9)

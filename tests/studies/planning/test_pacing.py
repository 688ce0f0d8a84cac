"""Pacing advice from the optimal-control model: the optimum against even pace and the as-raced profile."""

from __future__ import annotations

import json

import numpy as np
import pytest

from cli_runner import run_here as run_cli
from paceline.io.scenario import load_scenario
from paceline.models.optimal_control import OCParams
from paceline.studies.planning.pacing import pacing_advice, shape_from_splits

N_TEST = 150
KIPYEGON_LIKE = OCParams(0.892, 12.2, 39.2, 3460.0, source="test values close to the fit to Kipyegon")


def test_pacing_advice_prices_profiles_against_the_optimum() -> None:
    sc = load_scenario("breaking4")
    adv = pacing_advice(sc, KIPYEGON_LIKE, n_intervals=N_TEST)
    laps = adv["optimal"]["laps"]
    # the split table at the lap lines of a mile: 9.344 m, then every 400 m to the finish
    np.testing.assert_allclose([lap["distance_m"] for lap in laps], [9.344, 409.344, 809.344, 1209.344, 1609.344])
    # an imposed profile is a constraint added to the same problem: it can never beat the optimum
    assert adv["even_pace"]["lost_s"] >= -1e-3
    assert adv["as_raced"]["lost_s"] >= -1e-3
    # Keller (1974): the optimum is not even pace; it costs little, a tenth of a second or so over a mile
    assert 0.0 < adv["even_pace"]["lost_s"] < 1.0
    assert adv["as_raced"]["actual_time_s"] == pytest.approx(sc.result.time_s)  # type: ignore[union-attr]


def test_shape_from_splits_gives_segment_speeds_at_midpoints() -> None:
    splits = [(400.0, 61.0), (800.0, 121.0)]
    x = np.array([0.0, 200.0, 600.0, 800.0])
    v = shape_from_splits(splits, x, start_loss_s=1.0)
    np.testing.assert_allclose(v, [400.0 / 60.0, 400.0 / 60.0, 400.0 / 60.0, 400.0 / 60.0])


def test_cli_pacing_json() -> None:
    r = run_cli("pacing", "breaking4", "--n-intervals", "100", "--json")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["model"] == "optimal-control"
    assert out["even_pace"]["lost_s"] >= -1e-3 and out["as_raced"] is not None
    assert set(out["optimal"]["laps"][0]) >= {"distance_m", "time_s", "segment_s", "segment_m"}
    bad = run_cli("pacing", "--n-intervals", "5")
    assert bad.returncode == 2 and "--n-intervals" in bad.stderr

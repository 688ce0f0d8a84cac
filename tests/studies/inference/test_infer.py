"""Tests of the Bayesian inference (studies/inference/infer.py, studies/inference/infer_model.py)."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest

from paceline.errors import ScenarioError
from paceline.studies.inference import infer as inf
from paceline.studies.inference import infer_model as im
from paceline.studies.inference import infer_races as ir


@pytest.fixture(scope="module")
def model() -> im.InferenceModel:
    return im.build_model(["breaking4_2025", "monaco_2023"])


def test_the_races_of_one_athlete_share_power_and_cd(model: im.InferenceModel) -> None:
    # Breaking4 calibrates on Monaco 2023 (the scenario's athlete.calibration), so the two are one group whose
    # calibration race is in the data: Monaco gets the pacer gap, Breaking4 its form and a shelter per phase
    assert len(model.groups) == 1
    names = model.names
    assert "form_breaking4_2025" in names and "form_monaco_2023" not in names
    assert "pacer_gap_monaco_2023_m" in names
    # five pacing phases in breaking4 (the as-raced scenario), all with pacers
    assert sum(n.startswith("shelter_breaking4_2025_") for n in names) == 5
    assert {"pace_cv", "power_factor", "cd_factor"} <= set(names)


@pytest.mark.parametrize(
    "prior",
    [
        im.Prior("u", "uniform", 0.8, 1.2, "", ""),
        im.Prior("l", "loguniform", 0.001, 0.05, "", ""),
        im.Prior("n", "lognormal", 0.0, 0.02, "", ""),
        im.Prior("s", "logitnormal", 0.3, 0.5, "", ""),
    ],
)
def test_free_coordinates_round_trip_with_the_jacobian(prior: im.Prior) -> None:
    theta = prior.sample(np.random.default_rng(1), 50)
    x = prior.to_free(theta)
    back, log_j = prior.from_free(x)
    np.testing.assert_allclose(back, theta, rtol=1e-10)
    h = 1e-6  # independent oracle: the derivative by central differences
    num = (prior.from_free(x + h)[0] - prior.from_free(x - h)[0]) / (2 * h)
    np.testing.assert_allclose(log_j, np.log(num), atol=1e-6)


def test_logpdf_is_the_sampled_distribution() -> None:
    # the logit-normal density integrates to 1 and matches a histogram of its draws (oracle: the sampler)
    prior = im.Prior("s", "logitnormal", 0.3, 0.5, "", "")
    grid = np.linspace(1e-4, 1 - 1e-4, 20001)
    dens = np.exp(prior.logpdf(grid) - 0.5 * math.log(2 * math.pi) - math.log(prior.b))
    assert np.trapezoid(dens, grid) == pytest.approx(1.0, abs=1e-3)
    draws = prior.sample(np.random.default_rng(0), 200_000)
    assert np.mean(draws < 0.5) == pytest.approx(np.trapezoid(dens[grid < 0.5], grid[grid < 0.5]), abs=0.005)


def test_gaussian_loglik_matches_scipy() -> None:
    from scipy.stats import multivariate_normal

    d = np.array([60.0, 61.0, 64.0])
    tc = ir.timing_covariance(np.array([0.1, 0.1, 0.01]))
    r = np.array([[0.3, -0.2, 0.5]])
    cv = np.array([0.01])
    cov = tc + np.diag((cv[0] * d) ** 2)
    assert im.gaussian_loglik(r, d, tc, cv)[0] == pytest.approx(multivariate_normal(np.zeros(3), cov).logpdf(r[0]))


def test_the_joint_kernel_is_the_races_one_by_one(model: im.InferenceModel) -> None:
    g = model.groups[0]
    theta = model.sample_prior(np.random.default_rng(3), 8)
    ll = model.curve_loglik(g, theta)
    for ci, c in enumerate(model.curves):
        one_by_one = sum(
            im.gaussian_loglik(
                model.race_times(r, g, theta, c) - r.observed_s, r.durations_s, r.timing_cov, theta[:, 0]
            )
            for r in g.races
        )
        np.testing.assert_allclose(ll[:, ci], one_by_one, rtol=1e-10)


def test_more_shelter_is_never_slower(model: im.InferenceModel) -> None:
    g = model.groups[0]
    b4 = next(r for r in g.races if r.race_id == "breaking4_2025")
    theta = model.sample_prior(np.random.default_rng(4), 16)
    more = theta.copy()
    for j in b4.shelter_params.values():
        more[:, j] = np.minimum(theta[:, j] + 0.1, 0.95)
    assert np.all(model.race_times(b4, g, more, "black2018") <= model.race_times(b4, g, theta, "black2018") + 1e-12)


def test_a_closer_calibration_pacer_shelters_more(model: im.InferenceModel) -> None:
    g = model.groups[0]
    monaco = next(r for r in g.races if r.race_id == "monaco_2023")
    theta = np.tile(model.sample_prior(np.random.default_rng(5), 1), (2, 1))
    assert g.gap_index is not None
    theta[:, g.gap_index] = [1.5, 5.0]
    s = model.shelters(monaco, g, theta)
    assert np.all(s[0, list(monaco.gap_phases)] > s[1, list(monaco.gap_phases)])


def _truth(model: im.InferenceModel) -> np.ndarray:
    """Known parameters: the prior's medians, with power, the first shelter and the gap moved off them."""
    prior = model.sample_prior(np.random.default_rng(7), 20_000)
    t = np.median(prior, axis=0)
    names = model.names
    t[names.index("power_factor")] = 1.05
    t[names.index("shelter_breaking4_2025_0-800m")] = 0.45
    t[names.index("pacer_gap_monaco_2023_m")] = 2.0
    t[names.index("pace_cv")] = 0.002
    return t


@pytest.mark.slow
def test_synthetic_splits_recover_the_parameters_they_were_made_with(model: im.InferenceModel) -> None:
    # splits simulated with the same kernel (black2018 curve) from known parameters; no noise
    truth = _truth(model)
    g = model.groups[0]
    races = []
    for r in g.races:
        t = model.race_times(r, g, truth[None, :], "black2018")[0]
        races.append(replace(r, observed_s=t))
    synth = replace(model, groups=[replace(g, races=races)])
    # a short chain (300 steps, the first quarter burn-in) shows what this test asks of the posterior, the truth
    # inside each 90 % interval and power moved off the prior; it does so for seeds 1, 2 and 3 (and at 600 and
    # 2000 steps). Convergence itself is checked on the full run (tests/cli/test_infer_cmds.py).
    out = inf.posterior_of(synth, draws=300, seed=1, predictive=(), require_convergence=False)
    rows = {p["name"]: p for p in out.posterior}
    for j, name in enumerate(model.names):
        if name == "pace_cv":  # noiseless splits only bound it from above
            continue
        assert rows[name]["p05"] <= truth[j] <= rows[name]["p95"], name
    # the splits moved power off the prior's middle (1.0): the data taught something
    assert not rows["power_factor"]["p05"] <= 1.0 <= rows["power_factor"]["p95"]


def test_split_rhat_of_independent_chains_is_one_and_of_shifted_chains_more() -> None:
    rng = np.random.default_rng(0)
    iid = rng.standard_normal((4000, 8, 1))
    assert inf.split_rhat(iid)[0] == pytest.approx(1.0, abs=0.005)
    drift = iid + np.linspace(0, 3, 4000)[:, None, None]
    assert inf.split_rhat(drift)[0] > 1.1


def test_bad_input_names_the_races() -> None:
    with pytest.raises(ScenarioError, match="races"):
        inf.infer(["no_such_race_2099"], draws=200)
    with pytest.raises(ScenarioError, match="draws"):
        inf.infer(["breaking4_2025"], draws=5)


def test_a_race_with_one_split_is_refused(tmp_path) -> None:
    csv = tmp_path / "one.csv"
    csv.write_text(
        "race_id,athlete,date,venue,event_m,split_m,time_s,note\n"
        "one_2024,Faith Kipyegon,2024-01-01,somewhere,1609.344,1609.344,250.0,\n"
    )
    with pytest.raises(ScenarioError, match="at least 2"):
        inf.infer([str(csv)], draws=200)


def test_too_short_a_chain_is_not_converged_and_says_what_to_change() -> None:
    with pytest.raises(inf.SamplerNotConverged, match="--draws"):
        inf.infer(["breaking4_2025", "monaco_2023"], draws=100)


def test_the_calibration_race_does_not_depend_on_the_order_races_are_named(model: im.InferenceModel) -> None:
    other = im.build_model(["monaco_2023", "breaking4_2025"])
    assert set(other.names) == set(model.names)
    assert other.groups[0].calibration.source == model.groups[0].calibration.source


def test_a_proposal_no_speed_can_run_has_zero_density_not_an_error(model: im.InferenceModel) -> None:
    # a differential-evolution move can propose a form factor far out in the free coordinates (seen on a user's
    # 5000 m: the run died with a traceback and 'power_w_kg: ... outside what running between 1 and 15 m/s costs')
    theta = model.sample_prior(np.random.default_rng(5), 3)
    bad = theta.copy()
    bad[1, model.names.index("form_breaking4_2025")] = 50.0  # lognormal: inside its support, no speed runs it
    lp = model.log_prob(bad)
    assert lp[1] == -np.inf
    np.testing.assert_allclose(lp[[0, 2]], model.log_prob(theta[[0, 2]]))

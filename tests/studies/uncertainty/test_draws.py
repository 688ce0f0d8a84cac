"""The Monte Carlo's inputs: the pacers' slot-holding jitter, the calibration race's pacer gap, the cost curve."""

from __future__ import annotations

import numpy as np
import pytest

from paceline.fit.effort import calibrated_power
from paceline.io.fitted import drafting_draws
from paceline.io.scenario import load_scenario
from paceline.physics.drafting import formation_shelter_draws
from paceline.studies.uncertainty.draws import draw_inputs
from paceline.studies.uncertainty.montecarlo_problem import CURVE_NAMES, Problem, build_problem

POOL = 20
N = 3000


@pytest.fixture(scope="module")
def problem() -> Problem:
    return build_problem(load_scenario("breaking4"))  # calibrated on monaco2023: two pacers 2.6 m and 4.5 m ahead


def test_no_jitter_and_no_gap_keep_the_drafting_tables(problem: Problem) -> None:
    # SD 0: every draw's target shelter is one of the drafting pool's (an independent computation of that table)
    d = draw_inputs(problem, 500, seed=2, pool=POOL, calibration_pool=50, slot_sd_m=0.0, gap_sd_m=0.0)
    pool = drafting_draws(POOL, 2)
    table = np.stack([formation_shelter_draws(problem.scenario.formation(g), pool) for g in problem.kernel.groups], 1)
    dist = np.abs(d.inputs["target_shelter"][:, None, :] - table[None, :, :]).max(axis=2).min(axis=1)
    assert dist.max() < 1e-12
    assert np.ptp(d.report["slot_jitter"]) == 0.0 and np.ptp(d.report["calibration_gap_m"]) == 0.0
    jittered = draw_inputs(problem, 500, seed=2, pool=POOL, calibration_pool=50)
    assert np.abs(jittered.inputs["target_shelter"] - d.inputs["target_shelter"]).max() > 0.01
    for key in ("form", "calibration_form", "cd_factor", "kit_factor", "temperature_c", "shoe_gain"):
        assert np.array_equal(jittered.inputs[key], d.inputs[key])  # the new inputs have a stream of their own
    assert jittered.nominal.keys() == d.nominal.keys()
    for key, value in d.nominal.items():
        assert np.array_equal(jittered.nominal[key], value)  # the central row: no jitter, the scenario's gap


def test_wider_jitter_spreads_the_shelter_and_never_narrows_the_interval(problem: Problem) -> None:
    spread, width = [], []
    for sd in (0.0, 0.3, 0.6):
        d = draw_inputs(problem, N, seed=4, pool=POOL, calibration_pool=100, slot_sd_m=sd, gap_sd_m=0.0)
        spread.append(float(np.std(d.report["slot_jitter"])))
        t = problem.time(d.inputs)
        width.append(float(np.percentile(t, 95) - np.percentile(t, 5)))
    assert spread[0] == 0.0 < spread[1] < spread[2]
    assert width[0] <= width[1] + 0.05 <= width[2] + 0.1  # tolerance: sampling noise of the percentiles
    assert width[2] > width[0] + 0.3


def test_pacers_further_ahead_in_the_calibration_race_mean_a_faster_target(problem: Problem) -> None:
    # less shelter in Monaco for the same time means she had more power, which makes Paris faster (the issue's
    # kram2025 figures: 2 m -> 4:01.01, 6 m -> 3:58.02)
    d = draw_inputs(problem, N, seed=5, pool=POOL, calibration_pool=100)
    near, far = d.oat["calibration_gap_m"]
    gaps = np.percentile(d.report["calibration_gap_m"], [5, 95])
    assert gaps[0] < 2.6 < gaps[1]
    s = [row["calibration_shelter"] @ problem.calibration_kernel.group_share for row in (near, d.nominal, far)]
    p = [problem.calibration_power(row)[0] for row in (near, d.nominal, far)]
    t = [problem.time(row)[0] for row in (near, d.nominal, far)]
    assert s[0] > s[1] > s[2]
    assert p[0] < p[1] < p[2]
    assert t[0] > t[1] > t[2]
    # and over the draws: power rises with the drawn gap
    order = np.argsort(d.report["calibration_gap_m"])
    lo, hi = order[: N // 4], order[-N // 4 :]
    assert np.median(d.inputs["calibration_power_w_kg"][hi]) > np.median(d.inputs["calibration_power_w_kg"][lo])


def test_the_curve_draw_uses_each_bundled_curve_in_both_races(problem: Problem) -> None:
    d = draw_inputs(problem, 4000, seed=6, pool=POOL, calibration_pool=400)
    shares = np.bincount(d.inputs["curve"].astype(int), minlength=len(CURVE_NAMES)) / 4000
    assert shares == pytest.approx(np.full(len(CURVE_NAMES), 1 / len(CURVE_NAMES)), abs=0.06)  # equally likely
    # each curve's calibration: the nominal row under that curve is the fit's own calibration under it (an
    # independently built kernel), and the target race runs under the same curve
    for i, name in enumerate(CURVE_NAMES):
        row = dict(d.nominal, curve=np.array([float(i)]))
        assert problem.calibration_power(row)[0] == pytest.approx(calibrated_power(problem.calibration, name)[0], 1e-5)
        assert problem.target_kernels()[i].curve == name
    times = problem.time(d.inputs)
    medians = [np.median(times[d.inputs["curve"] == i]) for i in range(len(CURVE_NAMES))]
    assert np.ptp(medians) > 1.0  # the curves differ by seconds (issue 14: 3:52.9-3:58.5 across them)
    fixed = draw_inputs(problem, 4000, seed=6, pool=POOL, calibration_pool=400, vary_curve=False)
    assert set(fixed.inputs["curve"]) == {float(problem.curve_index)}
    assert "cost_curve" not in fixed.oat and "cost_curve" in d.oat
    assert np.percentile(times, 95) - np.percentile(times, 5) > 0.9 * (
        np.percentile(problem.time(fixed.inputs), 95) - np.percentile(problem.time(fixed.inputs), 5)
    )


def _with_athlete(**fields: float) -> Problem:
    from paceline.io.scenario import scenario_from_dict

    data = load_scenario("breaking4").model_dump(exclude_none=True)
    data["athlete"].update(fields)
    return build_problem(scenario_from_dict(data))


def test_a_measured_drag_area_is_drawn_within_its_own_sd() -> None:
    # the Pugh route draws Cd/0.9 ~ U(0.8, 1.0)/0.9 (SD 0.0642); a measurement of 0.30 +- 0.006 m^2 draws CdA/0.30
    # with SD 0.02 (its uniform), and an exact one not at all
    pugh = draw_inputs(_with_athlete(), N, seed=3, pool=POOL, calibration_pool=400).inputs["cd_factor"]
    measured = _with_athlete(drag_area_m2=0.30, drag_area_sd_m2=0.006)
    drawn = draw_inputs(measured, N, seed=3, pool=POOL, calibration_pool=400)
    exact = draw_inputs(_with_athlete(drag_area_m2=0.30), N, seed=3, pool=POOL, calibration_pool=400)
    assert np.std(pugh) == pytest.approx(0.2 / 0.9 / np.sqrt(12.0), rel=0.08)
    assert np.std(drawn.inputs["cd_factor"]) == pytest.approx(0.02, rel=0.08)
    assert np.mean(drawn.inputs["cd_factor"]) == pytest.approx(1.0, abs=0.004)
    assert np.ptp(exact.inputs["cd_factor"]) == 0.0 and exact.inputs["cd_factor"][0] == 1.0
    rows = {r["input"]: r for r in drawn.distributions}
    assert "SD 0.006 m^2" in rows["cd_factor"]["distribution"]
    assert "fixed" in {r["input"]: r for r in exact.distributions}["cd_factor"]["distribution"]


def test_the_sampler_draws_what_the_table_says(problem: Problem) -> None:
    # one table (inputs.INPUTS) drives the draws, the one-at-a-time rows and the listed distributions
    from paceline.studies.uncertainty.inputs import INPUTS, PARAMETRIC, Setting

    d = draw_inputs(problem, N, seed=9, pool=POOL, calibration_pool=400)
    assert list(d.report) == [inp.key for inp in INPUTS] and set(d.labels) == set(d.report)
    assert [r["input"] for r in d.distributions] == [inp.key for inp in INPUTS]  # breaking4 draws all of them
    s = Setting(problem, POOL, 1.0)
    s.sd_form = s.sd_calibration = 0.01  # the lognormal SDs are checked through their time CV below
    for inp in INPUTS:
        if inp.law not in PARAMETRIC:
            continue
        v = d.report[inp.key]
        p = inp.params(s) if inp.params else ()
        if inp.law == "uniform":  # U(a, b): inside, and its SD (b - a) / sqrt(12)
            assert p[0] <= v.min() and v.max() <= p[1], inp.key
            assert np.std(v) == pytest.approx((p[1] - p[0]) / np.sqrt(12.0), rel=0.1), inp.key
        elif inp.law == "range":  # inside the condition's range, spread over it when it has one
            assert p[1] <= v.min() and v.max() <= p[2], inp.key
            assert (np.ptp(v) > 0.9 * (p[2] - p[1])) if p[2] > p[1] else np.ptp(v) == 0.0, inp.key
        elif inp.law == "normal":
            assert np.mean(v) == pytest.approx(p[0], abs=4 * p[1] / np.sqrt(v.size)), inp.key
            assert np.std(v) == pytest.approx(p[1], rel=0.1), inp.key
        # the one-at-a-time row moves that input alone, to its 5th and 95th percentile
        lo, hi = d.oat[inp.key]
        assert lo[inp.key][0] == pytest.approx(np.percentile(v, 5)) and hi[inp.key][0] == pytest.approx(
            np.percentile(v, 95)
        )
        assert all(np.array_equal(lo[k], d.nominal[k]) for k in d.nominal if k != inp.key), inp.key
    # form on the day: a log-normal power factor whose time CV is FORM_CV (0.8 %, Hopkins 2005)
    from paceline.fit.effort import FORM_CV

    rows = {k: np.repeat(v, N, axis=0) for k, v in d.nominal.items()}
    t = problem.time({**rows, "form": d.report["form"]})
    assert np.std(t) / np.mean(t) == pytest.approx(FORM_CV, rel=0.1)

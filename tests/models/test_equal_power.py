"""Equal-power and critical-speed models: published values, self-consistency and physical properties."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from paceline.chain import solve
from paceline.errors import ScenarioError
from paceline.fit.athlete import athlete_params
from paceline.io.scenario import Scenario, load_scenario, scenario_from_dict
from paceline.models.common import equivalent_solo_speed, power_of_solo_speed
from paceline.models.critical_speed import dprime_balance_m
from paceline.physics import metabolic


def variant(name: str, **changes: Any) -> Scenario:
    """A bundled scenario with some sections changed (``conditions={...}``, ``equipment={...}``, ``pacing=[...]``)."""
    sc = load_scenario(name)
    data = sc.model_dump(exclude_none=True)
    for key, value in changes.items():
        if isinstance(value, dict):
            data[key] = {**data.get(key, {}), **value}
        else:
            data[key] = value
    for rng in ("temperature_c_range", "wind_speed_m_s_range", "relative_humidity_range"):
        data.get("conditions", {}).pop(rng, None)
    return scenario_from_dict(data)


def solve_ep(sc: Scenario) -> Any:
    return solve(sc, "equal-power")


def solve_cs(sc: Scenario) -> Any:
    return solve(sc, "critical-speed")


def test_kram2025_reproduction() -> None:
    # da Silva, Hoogkamer, Kipp & Kram (2025) R. Soc. Open Sci. 12:241564, abstract: about 3:59.37 with one pacer
    # 1.2 m ahead and one 1.2 m behind, replaced at 800 m (model_anchors.md: reproduce within 1.5 s)
    race = solve_ep(load_scenario("kram2025"))
    assert race.finish_s == pytest.approx(239.37, abs=1.5)


def test_monaco_self_consistency() -> None:
    # calibrated on its own splits, the even-power race is within half a second of the 4:07.64 she ran
    sc = load_scenario("monaco2023")
    race = solve_ep(sc)
    assert race.finish_s == pytest.approx(247.64, abs=0.5)
    assert race.finish_s < 247.64  # even power beats the uneven pacing of the same average power


def test_linear_cost_curve_overshoots() -> None:
    # model_anchors.md: a nearly linear cost-speed curve gives about 3:52, far faster than 3:59.37. Oracle, to first
    # order: every curve is calibrated on her Monaco 4:07.64, and the drafting saves the same fraction of metabolic
    # power at a given speed whatever the curve (P_run(v) (1 + 6.13 F/(m g)), da Silva et al. 2022), so the time it
    # saves is that fraction over the elasticity E = dlnP/dlnv at mile pace: (4:07.64 - t) E is the same for every
    # curve. The neglected second-order terms are of the order of the relative change of speed (5 %): rel=0.05.
    sc = load_scenario("kram2025")
    v = 1609.344 / 243.6  # m/s, half-way between her Monaco pace and the prediction
    saved_times_e = {}
    for curve in ("black2018", "kipp2019", "batliner2018", "leger1984"):
        race = solve(sc, "equal-power", athlete=athlete_params(sc, "equal-power", curve=curve))
        lo, hi = power_of_solo_speed(v * np.array([0.9999, 1.0001]), sc.athlete.height_m, sc.athlete.mass_kg, curve)
        elasticity = float(np.log(hi / lo) / np.log(1.0001 / 0.9999))
        saved_times_e[curve] = (247.64 - race.finish_s) * elasticity
        if curve == "leger1984":
            assert elasticity < 1.3 and race.finish_s < 239.37 - 3.0  # nearly linear: over 3 s faster than the paper
    for curve, value in saved_times_e.items():
        assert value == pytest.approx(saved_times_e["black2018"], rel=0.05), curve


def test_critical_speed_from_records() -> None:
    # model_anchors.md: 1500 m 3:49.04 and 5000 m 14:05.20 give CS = 5.680 m/s, D' = 199 m, solo mile 4:08.3
    from paceline.fit.performances import fit_critical_speed
    from paceline.io.scenario import Performance

    perfs = [Performance(distance_m=1500, time_s=229.04), Performance(distance_m=5000, time_s=845.20)]
    fit = fit_critical_speed(perfs)
    assert fit.params["cs_m_s"] == pytest.approx(5.680, abs=0.001)
    assert fit.params["dprime_m"] == pytest.approx(199.0, abs=1.0)
    assert (1609.344 - fit.params["dprime_m"]) / fit.params["cs_m_s"] == pytest.approx(248.3, abs=0.1)


def test_speed_power_round_trip() -> None:
    v = np.linspace(3.0, 9.0, 25)
    k = 0.5 * 1.2 * 0.33 * (1 - 0.4)
    drag = k * v * v
    p = metabolic.metabolic_power_w_kg(v, drag, 42.0)
    assert metabolic.speed_at_power(p, k, 42.0) == pytest.approx(v, abs=1e-8)


def test_six_percent_per_percent_body_weight() -> None:
    # da Silva, Kram & Hoogkamer (2022): +6.13 % metabolic power per 1 % body weight of impeding force
    base = metabolic.metabolic_power_w_kg(6.0, 0.0, 60.0)
    one_pct = metabolic.metabolic_power_w_kg(6.0, 0.01 * 60.0 * 9.80665, 60.0)
    assert one_pct / base == pytest.approx(1.0613)


def test_curve_is_steeper_than_linear_at_mile_pace() -> None:
    # Kipp et al. (2019): above ~3 m/s a % saving buys less than that % in speed (elasticity > 1)
    v = 6.5
    for name in ("black2018", "batliner2018", "kipp2019"):
        el = metabolic.treadmill_power_slope(v, name) * v / metabolic.treadmill_power_w_kg(v, name)
        assert 1.3 < el < 2.0


def test_breaking4_prediction_is_faster_than_monaco() -> None:
    race = solve_ep(load_scenario("breaking4"))
    assert race.finish_s < 247.64  # 13 pacers never slow her down against her solo-ish record
    assert {a.name for a in race.assumptions} >= {"cost_curve", "calibration", "air_density", "mean_shelter"}


@pytest.mark.parametrize("model", ["equal-power", "critical-speed"])
def test_splits_and_race_tables(model: str) -> None:
    race = solve(load_scenario("breaking4"), model)
    sp = race.splits()
    assert sp[0]["distance_m"] == pytest.approx(9.344)  # first lap line of the mile
    assert sp[-1]["time_s"] == pytest.approx(race.finish_s, abs=1e-3)
    df = race.to_dataframe()
    assert {"x_m", "t_s", "v_m_s", "shelter", "drag_n"} <= set(df.columns)
    table = race.split_table(every_m=400)
    # the mile's 400 m splits end with 409.344 m, as reported (races.csv); speeds are distance over time
    assert table["distance_m"].tolist() == pytest.approx([400, 800, 1200, 1609.344])
    assert table["speed_m_s"].iloc[1] == pytest.approx(400 / (race.time_at(800) - race.time_at(400)), rel=1e-3)


def test_solo_race_from_performances_returns_the_performance_models_time() -> None:
    # a solo athlete known by performances: equal-power calibrates on the performance model's solo time over the
    # scenario's distance (fit.athlete), so solving that same solo race in the same air gives that time back
    from paceline.fit.performance_model import predict_time

    perfs = [{"distance_m": 1500, "time": "3:49.04"}, {"distance_m": 5000, "time": "14:05.20"}]
    sc = scenario_from_dict(
        {
            "name": "solo",
            "distance_m": 3000,
            "athlete": {"name": "x", "height_m": 1.57, "mass_kg": 42, "performances": perfs},
            "conditions": {"temperature_c": 20.0, "relative_humidity": 0.5, "wind_speed_m_s": 0.0},
        }
    )
    t_model = predict_time([1500.0, 5000.0], [229.04, 845.20], 3000.0).time_s
    assert solve_ep(sc).finish_s == pytest.approx(t_model, rel=2e-3)


def test_dprime_balance() -> None:
    t = np.linspace(0, 100, 1001)
    b = dprime_balance_m(t, np.full_like(t, 6.0), 5.0, 200.0)
    assert b[-1] == pytest.approx(100.0, rel=1e-6)  # 1 m/s above CS for 100 s
    rec = dprime_balance_m(t, np.full_like(t, 4.0), 5.0, 200.0)
    assert np.all(rec == 200.0)  # nothing to recover from a full tank


def test_equivalent_solo_speed_is_identity_solo() -> None:
    u = np.array([5.0, 6.0, 7.0])
    assert equivalent_solo_speed(power_of_solo_speed(u, 1.57, 42), 1.57, 42) == pytest.approx(u)


def test_calibration_needs_a_source() -> None:
    sc = scenario_from_dict({"name": "x", "distance_m": 1500, "athlete": {"name": "x", "height_m": 1.6, "mass_kg": 50}})
    with pytest.raises(ScenarioError, match=r"athlete\.calibration"):
        solve_ep(sc)
    with pytest.raises(ScenarioError, match=r"athlete\.performances"):
        solve_cs(sc)


# ---- physical properties (hypothesis) ------------------------------------------------------------------------

conditions = st.fixed_dictionaries(
    {
        "temperature_c": st.floats(5, 35),
        "relative_humidity": st.floats(0, 1),
        "wind_speed_m_s": st.floats(0, 5),
        "wind_from_deg": st.floats(0, 359),
    }
)


@settings(max_examples=12, deadline=None)
@given(cond=conditions, factor=st.floats(1.01, 1.3), model=st.sampled_from(["ep", "cs"]))
def test_more_drag_is_never_faster(cond: dict[str, float], factor: float, model: str) -> None:
    m = solve_ep if model == "ep" else solve_cs
    base = m(variant("breaking4", conditions=cond)).finish_s
    worse = m(variant("breaking4", conditions=cond, equipment={"cda_factor": factor})).finish_s
    assert worse >= base - 1e-9


@settings(max_examples=12, deadline=None)
@given(cond=conditions, d_t=st.floats(1, 10), model=st.sampled_from(["ep", "cs"]))
def test_denser_air_is_never_faster(cond: dict[str, float], d_t: float, model: str) -> None:
    m = solve_ep if model == "ep" else solve_cs
    warm = m(variant("breaking4", conditions=cond)).finish_s
    cold = m(variant("breaking4", conditions={**cond, "temperature_c": cond["temperature_c"] - d_t})).finish_s
    assert cold >= warm - 1e-9


@settings(max_examples=10, deadline=None)
@given(
    cond=conditions,
    forms=st.sampled_from([("solo", "monaco-2023"), ("monaco-2023", "single"), ("single", "front-back")]),
    model=st.sampled_from(["ep", "cs"]),
)
def test_better_shelter_is_never_slower(cond: dict[str, float], forms: tuple[str, str], model: str) -> None:
    from paceline.io.fitted import drafting_params
    from paceline.io.formations import get_formation
    from paceline.physics import drafting

    worse, better = forms
    best = drafting_params()
    assert drafting.formation_shelter(get_formation(better), best) >= drafting.formation_shelter(
        get_formation(worse), best
    )
    m = solve_ep if model == "ep" else solve_cs
    d = 1609.344
    t_worse = m(variant("kram2025", conditions=cond, pacing=[{"from_m": 0, "to_m": d, "formation": worse}]))
    t_better = m(variant("kram2025", conditions=cond, pacing=[{"from_m": 0, "to_m": d, "formation": better}]))
    assert t_better.finish_s <= t_worse.finish_s + 1e-9


def test_speed_at_power_vectorised_matches_scalar_solves() -> None:
    # the vectorised Newton solve (any shape, headwinds and tailwinds, shoe gains) equals one-by-one root finding
    from scipy.optimize import brentq

    rng = np.random.default_rng(1)
    p = rng.uniform(25, 40, 200)
    k = rng.uniform(0.05, 0.3, 200)
    w = rng.uniform(-4, 4, 200)
    g = rng.uniform(0.0, 0.04, 200)
    fast = metabolic.speed_at_power(p, k, 42.0, w, g)

    def resid(v: float, i: int) -> float:
        u = v - w[i]
        return float(metabolic.metabolic_power_w_kg(v, k[i] * u * abs(u), 42.0, g[i])) - p[i]

    ref = np.array([brentq(resid, 1.0, 15.0, args=(i,), xtol=1e-12) for i in range(200)])
    np.testing.assert_allclose(fast, ref, atol=1e-8)


def test_energy_spent_is_the_integral_of_metabolic_power() -> None:
    race = solve_ep(load_scenario("breaking4"))
    spent = race.energy_spent_j_kg()
    p = race.meta["power_w_kg"]  # the equal-power race holds one metabolic power throughout
    assert spent[-1] == pytest.approx(p * race.finish_s, rel=1e-9)
    assert np.all(np.diff(spent) > 0)


def test_offset_shelter_exchange_rate_round_trip() -> None:
    # running d metres wide with d x rate more shelter takes the same time as on the lane-1 line, to first order
    from paceline.models import common
    from paceline.models.course import build_course
    from paceline.models.equal_power import offset_shelter_exchange_rate
    from paceline.physics import track

    sc = load_scenario("kram2025")
    ath = athlete_params(sc, "equal-power")
    course = build_course(sc, step_m=5.0)
    power = ath.power_w_kg
    assert power is not None
    rate = offset_shelter_exchange_rate(course, power, ath.curve, sc.track.geometry(), shelter=0.6)
    assert 0.1 < rate < 0.5

    def t(shelter: float, offset: float) -> float:
        c = course.with_changes(
            shelter=np.full_like(course.shelter, shelter), line_scale=track.line_scale(course.track_pos_m, offset)
        )
        return float(common.finish_time_at_power(c, power, ath.curve))

    # one metre out: 4 laps x 2 pi m = 25.1 m more over the mile
    assert t(0.6, 1.3) - t(0.6, 0.3) == pytest.approx(25.13 / (1609.344 / t(0.6, 0.3)), rel=0.05)
    assert t(0.6 + 0.2 * rate, 0.5) == pytest.approx(t(0.6, 0.3), abs=0.01)  # 0.2 m: a 0.78 s effect cancelled

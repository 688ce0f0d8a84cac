"""Optimal-control race model: Keller's published figures and his closed-form optimum, the forward-simulation oracle,
physical properties."""

from __future__ import annotations

import dataclasses
import math
import re
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from paceline.errors import ScenarioError, SolverError
from paceline.io.scenario import load_scenario, scenario_from_dict
from paceline.models import collocation as col
from paceline.models import optimal_control as oc
from paceline.models.athlete import EqualPowerParams, OptimalControlParams
from paceline.models.course import Course, build_course

N_TEST = 150  # collocation intervals in tests (the model's default is 500)

# Keller (1973) Physics Today 26(9):42, men's world-record fit: tau = 0.892 s, F = 12.2 m/s^2,
# sigma = 9.93 cal/kg/s, E0 = 575 cal/kg; critical distance 291 m (all-out sprint up to it).
KELLER_TAU, KELLER_F, KELLER_SIGMA_CAL, KELLER_E0_CAL, KELLER_DC_M = 0.892, 12.2, 9.93, 575.0, 291.0

# Close to the fit to Kipyegon's four records with the air charged at its metabolic rate (the default aero_cost):
# sigma 39.23 W/kg, E0 3456 J/kg (see tests/fit/test_optimal_control.py).
KIPYEGON_LIKE = oc.OCParams(0.892, 12.2, 39.2, 3460.0, source="test values close to the fit to Kipyegon")


def _course(distance_m: float, kind: str = "road", drag: bool = False, **conditions: float) -> Course:
    sc = scenario_from_dict(
        {
            "name": "test",
            "distance_m": distance_m,
            "athlete": {"name": "runner", "height_m": 1.78, "mass_kg": 60.0, "sex": "M"},
            "track": {"kind": kind},
            "conditions": conditions,
        }
    )
    course = build_course(sc)
    return course if drag else course.with_changes(drag_area_m2=0.0)


def _athlete(params: oc.OCParams) -> OptimalControlParams:
    return OptimalControlParams(name="test", height_m=1.57, mass_kg=42.0, oc=params, source="test")


# ---------------------------------------------------------------------------------------------------------------
# Keller (1973): his parameters, his critical distance, his three-phase optimum
# ---------------------------------------------------------------------------------------------------------------
def test_keller_parameters_are_the_published_ones() -> None:
    p = oc.KELLER_1973
    assert p.tau_s == KELLER_TAU and p.f_max_m_s2 == KELLER_F
    assert p.sigma_w_kg == pytest.approx(KELLER_SIGMA_CAL * oc.CAL_J, rel=1e-3)
    assert p.e0_j_kg == pytest.approx(KELLER_E0_CAL * oc.CAL_J, rel=1e-3)


def test_keller_closed_form_critical_distance() -> None:
    """Independent of the solver: e(T) = 0 for the all-out sprint v = F tau (1 - exp(-t/tau)) at T near 27.7 s."""
    tau, f, sig, e0 = KELLER_TAU, KELLER_F, KELLER_SIGMA_CAL * oc.CAL_J, KELLER_E0_CAL * oc.CAL_J
    lo, hi = 10.0, 60.0
    for _ in range(60):
        t = 0.5 * (lo + hi)
        x = f * tau * (t - tau * (1 - math.exp(-t / tau)))
        lo, hi = (t, hi) if e0 + sig * t - f * x > 0 else (lo, t)
    assert x == pytest.approx(KELLER_DC_M, rel=0.01)


def test_keller_critical_distance_near_291_m() -> None:
    """Below the critical distance the optimum is an all-out sprint (f = F throughout); above it, it is not."""
    lo, hi = 250.0, 330.0
    for _ in range(8):
        mid = 0.5 * (lo + hi)
        race = oc.solve_course(_course(mid), oc.KELLER_1973, 100)
        if race.series["force_n_kg"].min() > 0.995 * KELLER_F:
            lo = mid
        else:
            hi = mid
    assert 0.5 * (lo + hi) == pytest.approx(KELLER_DC_M, rel=0.03)


def keller_three_phase_time_s(distance_m: float, p: oc.OCParams) -> float:
    """Keller's (1973, 1974) optimum for a distance above the critical one, computed without any solver.

    Full force F until the cruise speed V, cruise at V until the anaerobic energy is gone, then f v = sigma (the
    speed decays as v^2 = sigma tau + (V^2 - sigma tau) exp(-2 s / tau)) to the line; the best V is found by a
    golden-section search on the finishing time.
    """
    tau, fm, sig, e0 = p.tau_s, p.f_max_m_s2, p.sigma_w_kg, p.e0_j_kg

    def time_s(v_cruise: float) -> float:
        t1 = -tau * math.log(1.0 - v_cruise / (fm * tau))
        x1 = fm * tau * t1 - tau * v_cruise
        e1 = e0 + sig * t1 - fm * x1
        cruise_s = e1 / (v_cruise**2 / tau - sig)
        left = distance_m - x1 - v_cruise * cruise_s
        if left < 0:
            return math.inf
        s = np.linspace(0.0, 40.0, 40_001)  # after 40 s (45 tau) the speed is sqrt(sigma tau) to 1e-30
        v = np.sqrt(sig * tau + (v_cruise**2 - sig * tau) * np.exp(-2.0 * s / tau))
        x3 = np.concatenate([[0.0], np.cumsum(0.5 * (v[1:] + v[:-1]) * np.diff(s))])
        if left > x3[-1]:
            return t1 + cruise_s + s[-1] + (left - x3[-1]) / v[-1]
        return t1 + cruise_s + float(np.interp(left, x3, s))

    lo, hi = math.sqrt(sig * tau) * 1.0001, fm * tau * 0.9999
    g = (math.sqrt(5.0) - 1.0) / 2.0
    for _ in range(80):
        a, b = hi - g * (hi - lo), lo + g * (hi - lo)
        lo, hi = (lo, b) if time_s(a) < time_s(b) else (a, hi)
    return time_s(0.5 * (lo + hi))


@pytest.mark.parametrize("distance_m", [800.0, 1609.344, 5000.0])
def test_keller_three_phase_optimum_is_reproduced(distance_m: float) -> None:
    """On Keller's straight road without air, the collocation finds his three-phase optimum's time (0.01 %)."""
    race = oc.solve_course(_course(distance_m), oc.KELLER_1973, 300)
    assert race.finish_s == pytest.approx(keller_three_phase_time_s(distance_m, oc.KELLER_1973), rel=1e-4)
    # the middle phase is run at constant speed (Keller): v within 0.2 % from 30 % to 85 % of the race
    mid = (race.x_m > 0.3 * distance_m) & (race.x_m < 0.85 * distance_m)
    assert np.ptp(race.v_m_s[mid]) < 0.002 * race.v_m_s[mid].mean()


# ---------------------------------------------------------------------------------------------------------------
# the oracle: solve_ivp with the optimal force
# ---------------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("aero_cost", oc.AERO_COSTS)
def test_oracle_forward_simulation_agrees(aero_cost: str) -> None:
    """solve_ivp with the optimal force reproduces the collocation's time, distance and final energy (with the air
    charged either way: the oracle has its own implementation of the energy equation)."""
    course = build_course(load_scenario("breaking4"))
    params = KIPYEGON_LIKE.with_changes(aero_cost=aero_cost)
    race = oc.solve_course(course, params, 300)
    sim = oc.simulate_control(course, params, race)
    assert sim["distance_m"] == pytest.approx(course.distance_m, abs=1e-6)
    assert sim["time_s"] == pytest.approx(race.finish_s, rel=5e-4)
    assert sim["energy_j_kg"] == pytest.approx(race.series["energy_j_kg"][-1], abs=0.005 * KIPYEGON_LIKE.e0_j_kg)
    assert sim["min_energy_j_kg"] > -0.005 * KIPYEGON_LIKE.e0_j_kg


# ---------------------------------------------------------------------------------------------------------------
# the model behind the common interface
# ---------------------------------------------------------------------------------------------------------------
def test_model_solves_a_course_with_an_athlete() -> None:
    course = build_course(load_scenario("breaking4"))
    race = oc.OptimalControlModel(N_TEST).solve(course, _athlete(KIPYEGON_LIKE))
    direct = oc.solve_course(course, KIPYEGON_LIKE, N_TEST)
    assert race.scenario == "breaking4" == course.name
    assert race.finish_s == pytest.approx(direct.finish_s, abs=1e-6)
    mechanical = oc.OptimalControlModel(N_TEST, aero_cost="mechanical").solve(course, _athlete(KIPYEGON_LIKE))
    assert mechanical.meta["params"]["aero_cost"] == "mechanical"
    assert mechanical.finish_s < race.finish_s  # the air charged at its mechanical power only costs less
    equal_power = EqualPowerParams(name="test", height_m=1.57, mass_kg=42.0, power_w_kg=33.0)
    with pytest.raises(ScenarioError, match=r"optimal-control model needs OptimalControlParams.*equal-power") as exc:
        oc.OptimalControlModel(N_TEST).solve(course, equal_power)
    assert exc.value.field == "athlete"
    with pytest.raises(ScenarioError, match="is not OCParams"):
        oc.OptimalControlModel(N_TEST).solve(course, _athlete(KIPYEGON_LIKE).with_changes(oc=None))


def test_race_has_series_assumptions_and_meta() -> None:
    race = oc.solve_course(build_course(load_scenario("breaking4")), KIPYEGON_LIKE, N_TEST)
    for key in (
        "shelter",
        "drag_n",
        "force_n_kg",
        "energy_j_kg",
        "wind_along_m_s",
        "aerobic_power_w_kg",
        "metabolic_power_w_kg",
        "air_power_w_kg",
        "air_energy_j_kg",
    ):
        assert race.series[key].shape == race.x_m.shape
    assert race.model == "optimal-control"
    assert race.meta["solver"]["status"] in ("Solve_Succeeded", "Solved_To_Acceptable_Level")
    assert {a.name for a in race.assumptions} >= {"tau", "sigma", "e0", "f_max", "air_density", "aero_cost"}
    assert race.meta["params"]["aero_cost"] == "metabolic"
    assert any("da Silva, E. S., Kram, R. & Hoogkamer" in c for c in race.citations)
    f = race.series["force_n_kg"]
    assert np.all(f >= -1e-6) and np.all(f <= KIPYEGON_LIKE.f_max_m_s2 + 1e-6)
    assert race.series["energy_j_kg"].min() > -1e-3
    assert race.series["energy_j_kg"][-1] < 1.0  # a race to the line spends the whole tank
    assert race.v_m_s[0] == 0.0 and race.t_s[0] == 0.0
    assert '"optimal-control"' in race.to_json()


def test_warm_resolve_matches_cold() -> None:
    course = build_course(load_scenario("breaking4"))
    changed = course.with_changes(shelter=np.clip(course.shelter - 0.2, 0.0, None))
    oc.solve_course(course, KIPYEGON_LIKE, N_TEST)
    warm = oc.solve_course(changed, KIPYEGON_LIKE, N_TEST, warm=True)
    cold = oc.solve_course(changed, KIPYEGON_LIKE, N_TEST, warm=False)
    assert warm.meta["solver"]["warm_start"] and not cold.meta["solver"]["warm_start"]
    assert warm.finish_s == pytest.approx(cold.finish_s, abs=1e-4)


def test_aerobic_power_form() -> None:
    e = np.array([1.0, 0.5, 0.2, 0.1, 0.0])
    s = oc.aerobic_power_w_kg(e, 40.0, 0.25, 0.2)
    assert s[0] == pytest.approx(40.0, rel=1e-4) and s[1] == pytest.approx(40.0, rel=1e-4)
    assert s[-1] == pytest.approx(30.0, rel=1e-3)
    assert np.all(np.diff(s) <= 1e-12)
    np.testing.assert_allclose(oc.aerobic_power_w_kg(e, 40.0, 0.0, 0.2), 40.0)


def test_aerobic_decay_makes_the_race_slower() -> None:
    course = _course(1609.344)
    base = oc.solve_course(course, oc.KELLER_1973, N_TEST)
    decayed = oc.solve_course(course, oc.KELLER_1973.with_changes(sigma_decay=0.3), N_TEST)
    assert decayed.finish_s > base.finish_s


@settings(max_examples=9, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    distance=st.sampled_from([1500.0, 1609.344, 5000.0]),
    temperature_c=st.floats(0.0, 35.0),
    wind_speed_m_s=st.floats(0.0, 4.0),
    wind_from_deg=st.floats(0.0, 359.0),
    shelter=st.floats(0.0, 0.8),
)
def test_solves_from_cold_in_many_conditions(
    distance: float, temperature_c: float, wind_speed_m_s: float, wind_from_deg: float, shelter: float
) -> None:
    """From the cold guess in any weather: the tank is empty at the line, and the air (which here always blows
    slower than she runs, so it always holds her back) costs time against the same race without air."""
    course = _course(
        distance,
        kind="oval",
        drag=True,
        temperature_c=temperature_c,
        wind_speed_m_s=wind_speed_m_s,
        wind_from_deg=wind_from_deg,
    )
    course = course.with_changes(shelter=np.full_like(course.shelter, shelter))
    race = oc.solve_course(course, KIPYEGON_LIKE, N_TEST, warm=False)
    assert abs(race.series["energy_j_kg"][-1]) < 1.0
    no_air = oc.solve_course(course.with_changes(drag_area_m2=0.0), KIPYEGON_LIKE, N_TEST, warm=False)
    assert race.finish_s > no_air.finish_s


@settings(max_examples=5, deadline=None)
@given(factor=st.floats(1.05, 2.0), shelter=st.floats(0.0, 0.6), more=st.floats(0.05, 0.3))
def test_more_drag_never_faster_more_shelter_never_slower(factor: float, shelter: float, more: float) -> None:
    course = build_course(load_scenario("breaking4"))
    course = course.with_changes(shelter=np.full_like(course.shelter, shelter))
    base = oc.solve_course(course, KIPYEGON_LIKE, N_TEST).finish_s
    draggier = oc.solve_course(
        course.with_changes(drag_area_m2=course.drag_area_m2 * factor), KIPYEGON_LIKE, N_TEST
    ).finish_s
    sheltered = oc.solve_course(
        course.with_changes(shelter=np.full_like(course.shelter, shelter + more)), KIPYEGON_LIKE, N_TEST
    ).finish_s
    assert draggier >= base - 1e-6
    assert sheltered <= base + 1e-6


def test_errors() -> None:
    with pytest.raises(ScenarioError, match="tau_s"):
        oc.OCParams(tau_s=-1.0, f_max_m_s2=12.0, sigma_w_kg=40.0, e0_j_kg=2000.0)
    with pytest.raises(ScenarioError, match="sigma_decay"):
        oc.KELLER_1973.with_changes(sigma_decay=1.5)
    with pytest.raises(ScenarioError, match="aero_cost"):
        oc.KELLER_1973.with_changes(aero_cost="aerodynamic")
    with pytest.raises(ScenarioError, match="aero_cost"):
        oc.OptimalControlModel(aero_cost="free")
    with pytest.raises(ScenarioError, match="n_intervals"):
        oc.OptimalControlModel(n_intervals=5)
    with pytest.raises(ScenarioError, match="n_intervals"):
        oc.OptimalControlModel(n_intervals=10**9)  # refused before any memory is taken


def test_solver_failure_becomes_solver_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(col._IPOPT_OPTIONS, "ipopt.max_iter", 2)
    prob = col.CollocationProblem(37)  # a private instance, not the cached one
    gc = col.course_on_grid(_course(1500.0), 37)
    with pytest.raises(SolverError, match="Maximum_Iterations_Exceeded"):
        prob.solve(gc, oc.KELLER_1973)


# ---------------------------------------------------------------------------------------------------------------
# the metabolic cost of air resistance (aero_cost)
# ---------------------------------------------------------------------------------------------------------------
# da Silva, Kram & Hoogkamer (2022) J Appl Physiol 133:1032: metabolic power rises 6.13 % per 1 % of body weight of
# horizontal impeding force, P = P_run(v) (1 + 6.13 F / (m g)).
DA_SILVA_SLOPE = 6.13


@given(speed=st.floats(3.0, 9.0), drag=st.floats(-0.5, 0.5), tau=st.floats(0.5, 1.5))
def test_air_cost_is_the_da_silva_relation_at_steady_speed(speed: float, drag: float, tau: float) -> None:
    """At steady speed f = v / tau + D, so f v + (c - 1) D v = v^2 / tau (1 + 6.13 D / g): da Silva's form with
    Keller's still-air power v^2 / tau in place of the treadmill curve; linear in D, so a pushing wind (D < 0)
    lowers the cost."""
    f = speed / tau + drag
    total = f * speed + oc.air_power_w_kg(speed, drag, tau, 1.0) - drag * speed
    assert total == pytest.approx(speed**2 / tau * (1.0 + DA_SILVA_SLOPE * drag / 9.80665), rel=1e-12, abs=1e-12)
    assert oc.air_power_w_kg(speed, drag, tau, 0.0) == pytest.approx(drag * speed, rel=1e-12, abs=1e-15)
    if drag < 0:
        assert oc.air_power_w_kg(speed, drag, tau, 1.0) < 0


def test_air_cost_factor_at_mile_pace() -> None:
    # 6.13 x 6.7 / (9.80665 x 0.892) = 4.69: the air costs about 4.7 times its mechanical power at 6.7 m/s
    assert oc.air_cost_factor(6.7, 0.892) == pytest.approx(4.69, abs=0.01)


def test_without_air_both_aero_costs_are_kellers_model() -> None:
    """D = 0 (no drag area, with the pocket's shelter and the wind still in the course): identical races."""
    course = build_course(load_scenario("breaking4")).with_changes(drag_area_m2=0.0)
    races = [
        oc.solve_course(course, KIPYEGON_LIKE.with_changes(aero_cost=a), N_TEST, warm=False) for a in oc.AERO_COSTS
    ]
    a, b = races
    assert a.finish_s == pytest.approx(b.finish_s, rel=1e-12)
    np.testing.assert_allclose(a.v_m_s, b.v_m_s, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(a.series["energy_j_kg"], b.series["energy_j_kg"], rtol=1e-10, atol=1e-9)
    for race in races:
        assert np.all(race.series["air_power_w_kg"] == 0.0)
        np.testing.assert_allclose(race.series["metabolic_power_w_kg"], race.series["propulsive_power_w_kg"])


def test_metabolic_air_cost_charges_more_for_a_headwind_and_less_for_a_strong_tailwind() -> None:
    """Against the wind the surcharge costs time; with a tailwind faster than she runs (D < 0) it saves time."""
    course = build_course(load_scenario("breaking4"))
    still = course.with_changes(wind_along_m_s=np.zeros_like(course.wind_along_m_s))
    pushed = course.with_changes(wind_along_m_s=np.full_like(course.wind_along_m_s, 9.0))
    times = {}
    for label, c in (("still", still), ("pushed", pushed)):
        for a in oc.AERO_COSTS:
            race = oc.solve_course(c, KIPYEGON_LIKE.with_changes(aero_cost=a), N_TEST)
            times[label, a] = race.finish_s
            if label == "pushed":
                mid = (race.x_m > 100) & (race.x_m < 1500)
                assert np.all(race.series["drag_n"][mid] < 0)
                assert np.all(race.series["air_power_w_kg"][mid] < 0)
    assert times["still", "metabolic"] > times["still", "mechanical"] + 1.0
    assert times["pushed", "metabolic"] < times["pushed", "mechanical"] - 0.5


def test_the_same_problem_is_solved_once_and_a_changed_one_again(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    monkeypatch.setenv("PACELINE_CACHE_DIR", str(tmp_path))  # an empty disk cache: every first solve is counted
    course = build_course(load_scenario("breaking4"))
    solves: list[int] = []
    real = col.CollocationProblem.solve

    def counted(self: Any, *args: Any, **kwargs: Any) -> Any:
        solves.append(1)
        return real(self, *args, **kwargs)

    monkeypatch.setattr(col.CollocationProblem, "solve", counted)
    oc.SOLUTIONS.clear()
    first = oc.solve_course(course, KIPYEGON_LIKE, N_TEST)
    first.meta["target_s"] = 1.0  # a caller's change to its race is not remembered
    again = oc.solve_course(dataclasses.replace(course), KIPYEGON_LIKE, N_TEST)  # equal content, another object
    assert solves == [1] and again.finish_s == first.finish_s and "target_s" not in again.meta
    assert np.array_equal(again.v_m_s, first.v_m_s) and again.v_m_s is not first.v_m_s
    sheltered = course.with_changes(shelter=np.clip(course.shelter + 0.1, 0.0, 0.9))
    assert oc.solve_course(sheltered, KIPYEGON_LIKE, N_TEST).finish_s < first.finish_s and solves == [1, 1]
    oc.solve_course(course, KIPYEGON_LIKE.with_changes(sigma_w_kg=KIPYEGON_LIKE.sigma_w_kg * 1.01), N_TEST)
    assert solves == [1, 1, 1]
    oc.SOLUTIONS.clear()


def _counting_solves(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    solves: list[int] = []
    real = col.CollocationProblem.solve

    def counted(self: Any, *args: Any, **kwargs: Any) -> Any:
        solves.append(1)
        return real(self, *args, **kwargs)

    monkeypatch.setattr(col.CollocationProblem, "solve", counted)
    return solves


def test_a_new_process_reads_the_solution_from_disk(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> None:
    # the disk layer under SOLUTIONS: a process that did not solve the problem (the memo cleared) rebuilds the same
    # Race from the stored arrays without solving; a changed problem is another entry (solved)
    monkeypatch.setenv("PACELINE_CACHE_DIR", str(tmp_path))
    solves = _counting_solves(monkeypatch)
    course = build_course(load_scenario("breaking4"))
    oc.SOLUTIONS.clear()
    first = oc.solve_course(course, KIPYEGON_LIKE, N_TEST)
    assert solves == [1] and len(list((tmp_path / "oc_solution").glob("*.json"))) == 1
    oc.SOLUTIONS.clear()
    again = oc.solve_course(course, KIPYEGON_LIKE, N_TEST)
    assert solves == [1]
    assert np.array_equal(again.v_m_s, first.v_m_s) and np.array_equal(again.t_s, first.t_s)  # exact: JSON floats
    for k, series in first.series.items():
        assert np.array_equal(again.series[k], series), k
    assert again.meta == first.meta
    oc.SOLUTIONS.clear()
    oc.solve_course(course.with_changes(shelter=np.clip(course.shelter + 0.05, 0.0, 0.9)), KIPYEGON_LIKE, N_TEST)
    assert solves == [1, 1]
    oc.SOLUTIONS.clear()


@pytest.mark.parametrize(
    "damage",
    [
        lambda d: "{not json",
        lambda d: d.replace('"key": "', '"key": "0'),  # foreign: stored under another key
        lambda d: d.replace('"v": [', '"v": [1.0, '),  # one node too many
        lambda d: re.sub(r'"v": \[[^,]+', '"v": [NaN', d, count=1),  # a value not finite
        lambda d: d.replace('"stats"', '"statz"'),
    ],
)
def test_a_corrupt_stored_solution_is_solved_again(monkeypatch: pytest.MonkeyPatch, tmp_path: Any, damage: Any) -> None:
    monkeypatch.setenv("PACELINE_CACHE_DIR", str(tmp_path))
    solves = _counting_solves(monkeypatch)
    course = build_course(load_scenario("breaking4"))
    oc.SOLUTIONS.clear()
    fresh = oc.solve_course(course, KIPYEGON_LIKE, N_TEST, warm=False)  # a solve that keeps nothing
    oc.solve_course(course, KIPYEGON_LIKE, N_TEST)
    (path,) = (tmp_path / "oc_solution").glob("*.json")
    path.write_text(damage(path.read_text(encoding="utf-8")), encoding="utf-8")
    oc.SOLUTIONS.clear()
    again = oc.solve_course(course, KIPYEGON_LIKE, N_TEST)
    assert solves == [1, 1, 1]
    assert again.finish_s == pytest.approx(fresh.finish_s, abs=0.01)  # the solver's tolerance (a warm start)
    oc.SOLUTIONS.clear()


def test_without_a_disk_cache_every_process_solves(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PACELINE_CACHE_DIR", "off")
    solves = _counting_solves(monkeypatch)
    course = build_course(load_scenario("breaking4"))
    oc.SOLUTIONS.clear()
    first = oc.solve_course(course, KIPYEGON_LIKE, N_TEST)
    oc.SOLUTIONS.clear()
    again = oc.solve_course(course, KIPYEGON_LIKE, N_TEST)
    assert solves == [1, 1] and again.finish_s == pytest.approx(first.finish_s, abs=0.01)
    oc.SOLUTIONS.clear()

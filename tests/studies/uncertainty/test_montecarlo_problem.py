"""The Monte Carlo's problem: the one kernel against the chain, and its rows grouped by cost curve."""

from __future__ import annotations

import pytest

from paceline.chain import solve
from paceline.fit.athlete import athlete_params
from paceline.io.scenario import bundled_scenario_names, load_scenario
from paceline.studies.uncertainty.draws import draw_inputs
from paceline.studies.uncertainty.montecarlo_problem import Problem, build_problem, finish_times
from paceline.studies.uncertainty.sweep import apply_variations, scenario_data

POOL = 20  # small drafting pools keep each run fast (the full default is 200)


# --------------------------------------------------------------------------------------------------------------
# the vectorised model against the library's


@pytest.mark.parametrize("name", bundled_scenario_names())
def test_central_draw_equals_predict(name: str) -> None:
    # one kernel: the Monte Carlo's draw with every input at its central value is `predict` (equal-power) to 0.01 s
    sc = load_scenario(name)
    problem = build_problem(sc)
    draws = draw_inputs(problem, 10, seed=0, pool=POOL, calibration_pool=20)
    power = athlete_params(sc, "equal-power").power_w_kg  # calibrated, then carried to this air (altitude, heat)
    carried = problem.calibration_power(draws.nominal) * problem.environment_ratio(draws.nominal)
    assert carried[0] == pytest.approx(power, rel=1e-6)
    assert problem.time(draws.nominal)[0] == pytest.approx(solve(sc, "equal-power").finish_s, abs=0.01)


def test_quadrature_is_exact_with_wind() -> None:
    sc = load_scenario("breaking4")  # 1 m/s wind from 270 deg; 3 m/s here
    data = scenario_data(sc)
    data["conditions"]["wind_speed_m_s"] = 3.0
    sc3 = apply_variations(data, {})
    problem = build_problem(sc3)
    draws = draw_inputs(problem, 10, seed=0, pool=POOL, calibration_pool=20)
    assert problem.time(draws.nominal)[0] == pytest.approx(solve(sc3, "equal-power").finish_s, abs=1e-3)


# --------------------------------------------------------------------------------------------------------------
# rows grouped by cost curve


@pytest.fixture(scope="module")
def problem() -> Problem:
    return build_problem(load_scenario("breaking4"))


def test_grouping_by_curve_is_the_row_by_row_answer(problem: Problem) -> None:
    d = draw_inputs(problem, 60, seed=8, pool=POOL, calibration_pool=30)
    solver = problem.solver_inputs(d.inputs)
    kernels = problem.target_kernels()
    grouped = finish_times(kernels, solver)
    one_by_one = [
        kernels[int(solver["curve"][i])].finish_time(
            solver["power_w_kg"][i : i + 1],
            solver["k_drag"][i : i + 1],
            solver["wind_m_s"][i : i + 1],
            solver["shoe_gain"][i : i + 1],
        )[0]
        for i in range(60)
    ]
    assert grouped == pytest.approx(one_by_one, abs=1e-9)


def test_the_monte_carlos_drag_is_the_kernels(problem: Problem) -> None:
    # one drag coefficient (paceline.physics.aero.drag_coefficient_n_s2_m2): at the nominal inputs the k of each
    # formation the Monte Carlo solves with is the equal-power course's k on that formation's samples
    import numpy as np

    from paceline.chain import course_for, get_model
    from paceline.models.common import drag_coefficient_n_s2_m2

    d = draw_inputs(problem, 5, seed=0, pool=POOL, calibration_pool=20)
    k = problem.solver_inputs(d.nominal)["k_drag"][0]
    course = course_for(problem.scenario, get_model("equal-power"))
    k_course = drag_coefficient_n_s2_m2(course)
    formation = np.array(course.formations)[course.phase_index]
    for j, group in enumerate(problem.kernel.groups):
        assert k_course[formation == group] == pytest.approx(k[j], rel=1e-12), group
    # and a drawn drag factor and kit scale it, shelter scales 1 - s
    row = {key: v.copy() for key, v in d.nominal.items()}
    row["cd_factor"], row["kit_factor"] = np.array([1.1]), np.array([0.95])
    assert problem.solver_inputs(row)["k_drag"][0] == pytest.approx(k * 1.1 * 0.95, rel=1e-12)


def test_stacked_rows_are_the_row_by_row_answer(problem: Problem) -> None:
    # the nominal and one-at-a-time rows (a cost curve set on some only) solved in one call: each row's own time
    d = draw_inputs(problem, 60, seed=3, pool=POOL, calibration_pool=30)
    rows = [d.nominal, *(row for pair in d.oat.values() for row in pair)]
    assert any("curve" in r for r in rows) and any("curve" not in r for r in rows)
    stacked = problem.times(rows)
    assert stacked.shape == (len(rows),)
    assert list(stacked) == pytest.approx([problem.time(r)[0] for r in rows], abs=1e-6)
    with pytest.raises(ValueError, match="same inputs"):
        problem.times([d.nominal, {k: v for k, v in d.nominal.items() if k != "form"}])

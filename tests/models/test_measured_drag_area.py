"""A measured drag area (``[athlete] drag_area_m2``) goes through the whole equal-power chain: the race's course,
her calibration race and the solo reference course of her performances."""

from __future__ import annotations

from typing import Any

import pytest

from cli_runner import run_here as run
from paceline.chain import solve
from paceline.errors import ScenarioError
from paceline.fit.athlete import athlete_params, calibration_effort
from paceline.io.scenario import Scenario, load_scenario, scenario_from_dict
from paceline.models.course import build_course
from paceline.physics import aero


def with_drag_area(name: str, drag_area_m2: float | None, **athlete: Any) -> Scenario:
    data = load_scenario(name).model_dump(exclude_none=True)
    data["athlete"].update(athlete)
    if drag_area_m2 is None:
        data["athlete"].pop("drag_area_m2", None)
    else:
        data["athlete"]["drag_area_m2"] = drag_area_m2
    return scenario_from_dict(data)


def test_measured_value_equal_to_the_body_formula_changes_nothing() -> None:
    # an independent route to the same number: her Pugh/DuBois drag area given as a "measured" one
    base = load_scenario("kram2025")
    pugh = float(aero.drag_area(base.athlete.height_m, base.athlete.mass_kg))
    same = with_drag_area("kram2025", pugh)
    assert solve(same).finish_s == pytest.approx(solve(base).finish_s, abs=1e-9)


def test_race_and_calibration_race_use_her_measured_drag_area() -> None:
    sc = with_drag_area("kram2025", 0.25)
    assert build_course(sc, step_m=5.0).drag_area_m2 == pytest.approx(0.25 * sc.equipment.cda_factor)
    effort = calibration_effort(sc)  # Monaco 2023, re-run with her drag area
    monaco = load_scenario("monaco2023")
    assert effort.course.drag_area_m2 == pytest.approx(0.25 * monaco.equipment.cda_factor)
    rows = {a.name: a for a in solve(sc).assumptions}
    assert "measured 0.25 m^2" in rows["drag_area"].source


def test_performances_calibration_uses_it_too() -> None:
    sc = with_drag_area("kram2025", 0.25, calibration="performances")
    assert calibration_effort(sc).course.drag_area_m2 == pytest.approx(0.25)


def test_more_drag_area_more_to_gain_from_better_shelter() -> None:
    # kram2025 is sheltered far better than its calibration race (Monaco): at the same calibrated power, the more of
    # her power went into the air, the more the pacers give back, so the predicted time falls as her drag area grows
    times = [solve(with_drag_area("kram2025", a)).finish_s for a in (0.20, 0.30, 0.40)]
    assert times[0] > times[1] > times[2]


@pytest.mark.parametrize("model", ["critical-speed", "optimal-control"])
def test_models_that_fit_drag_from_the_body_refuse_it(model: str) -> None:
    sc = with_drag_area("kram2025", 0.25)
    with pytest.raises(ScenarioError, match="equal-power model only") as info:
        athlete_params(sc, model)
    assert info.value.field == "athlete.drag_area_m2"


def test_cli_bad_drag_area_exits_2_naming_the_field(tmp_path: Any) -> None:
    text = load_scenario_text_with("drag_area_m2 = 3.0")
    path = tmp_path / "bad.toml"
    path.write_text(text, encoding="utf-8")
    r = run("predict", str(path))
    assert r.returncode == 2
    assert "athlete.drag_area_m2" in r.stderr and "less than or equal to 1" in r.stderr


def load_scenario_text_with(line: str) -> str:
    from paceline.io.scenario import bundled_scenario_text

    text = bundled_scenario_text("kram2025")
    return text.replace('sex = "F"\ncalibration', f'sex = "F"\n{line}\ncalibration', 1)


def test_solo_scenario_carries_a_measured_drag_area() -> None:
    from paceline.io.scenario import Performance, solo_scenario

    perfs = [Performance(distance_m=1500, time_s=229.11), Performance(distance_m=5000, time_s=845.2)]
    sc = solo_scenario(perfs, 1609.344, 1.57, 42.0, drag_area_m2=0.25)
    assert sc.athlete.drag_area_m2 == 0.25
    assert solo_scenario(perfs, 1609.344, 1.57, 42.0).athlete.drag_area_m2 is None
    with pytest.raises(ScenarioError) as info:
        solo_scenario(perfs, 1609.344, 1.57, 42.0, drag_area_m2=2.0)
    assert info.value.field == "athlete.drag_area_m2"

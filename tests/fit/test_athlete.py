"""The calibration rule follows the athlete: a race calibrates only the athlete who ran it (same id, same body),
never a scenario's own [result] unless it says 'self'; the Monte Carlo's problem uses the same rule."""

from __future__ import annotations

from typing import Any

import pytest

from paceline.chain import solve
from paceline.errors import ScenarioError
from paceline.fit import athlete as fa
from paceline.fit.athlete import athlete_params, calibration_effort
from paceline.io.scenario import Scenario, load_scenario, scenario_from_dict


def _variant(scenario: str, **athlete: Any) -> Scenario:
    data = load_scenario(scenario).model_dump(exclude_none=True)
    data["athlete"] = {**data["athlete"], **athlete}
    return scenario_from_dict(data)


def test_bundled_race_calibrates_the_athlete_who_ran_it() -> None:
    effort = calibration_effort(load_scenario("breaking4"))
    assert effort.kind == "race" and effort.source.startswith("monaco2023")


@pytest.mark.parametrize(
    "change",
    [
        {"name": "A 4:17 miler", "id": "someone-else"},  # another athlete
        {"mass_kg": 80.0},  # another body under her name: another W/kg
    ],
)
def test_another_athletes_race_is_refused_without_performances(change: dict[str, Any]) -> None:
    sc = _variant("breaking4", performances=[], **change)
    with pytest.raises(ScenarioError) as exc:
        calibration_effort(sc)
    assert exc.value.field == "athlete.calibration" and "monaco2023" in str(exc.value)


def test_another_athletes_race_falls_back_to_her_performances() -> None:
    sc = _variant(
        "breaking4",
        name="A 4:17 miler",
        id="someone-else",
        height_m=1.65,
        mass_kg=50.0,
        performances=[{"distance_m": 1500, "time": "4:00.00"}, {"distance_m": 5000, "time": "15:00.00"}],
    )
    effort = calibration_effort(sc)
    assert effort.kind == "performances" and "monaco2023" in effort.source
    # she is slower than Kipyegon: her plan must be slower than Kipyegon's on the same night
    assert solve(sc).finish_s > solve(load_scenario("breaking4")).finish_s + 5.0


def _over(distance_m: float, performances: bool) -> Scenario:
    """Breaking4's athlete (calibration monaco2023, a mile) over another distance, unpaced."""
    data = load_scenario("breaking4").model_dump(exclude_none=True)
    data.update(distance_m=distance_m, pacing=[])
    for key in ("target", "target_s", "result"):
        data.pop(key, None)
    if not performances:
        data["athlete"]["performances"] = []
    return scenario_from_dict(data)


def test_a_race_calibrates_only_near_its_own_distance() -> None:
    # the mile's W/kg held over 5000 m predicted Kipyegon 12:56.60, 68 s under her own 5000 m in the file (14:05.20):
    # equal power is her power only near the calibration race's distance
    assert calibration_effort(_over(1500.0, performances=False)).kind == "race"  # the mile and the 1500 m: x1.07
    with pytest.raises(ScenarioError) as exc:
        calibration_effort(_over(5000.0, performances=False))
    assert exc.value.field == "athlete.calibration"
    assert "'monaco2023' is a 1609.34 m race" in str(exc.value) and "not this 5000 m one" in str(exc.value)
    # with her performances, they calibrate her instead, and the output says why
    sc = _over(5000.0, performances=True)
    effort = calibration_effort(sc)
    assert effort.kind == "performances" and "monaco2023" in effort.source
    own_5000_s = 14 * 60 + 5.20
    assert solve(sc).finish_s == pytest.approx(own_5000_s, rel=0.03)  # was 8 % under it


def test_own_result_only_when_self() -> None:
    # monaco2023 says calibration = "self": it replays the race on its own power (as raced 4:07.64)
    mon = load_scenario("monaco2023")
    assert calibration_effort(mon).kind == "race"
    assert solve(mon).finish_s == pytest.approx(mon.result.time_s, abs=0.5)  # type: ignore[union-attr]
    # without it, a scenario with a [result] calibrates on her performances, never on its own result
    no_self = _variant("monaco2023", calibration="performances")
    assert calibration_effort(no_self).kind == "performances"
    data = load_scenario("monaco2023").model_dump(exclude_none=True)
    del data["athlete"]["calibration"]
    assert calibration_effort(scenario_from_dict(data)).kind == "performances"
    # 'self' without a result is refused
    with pytest.raises(ScenarioError) as exc:
        calibration_effort(_variant("kram2025", calibration="self"))
    assert exc.value.field == "athlete.calibration"


def test_monte_carlo_uses_the_same_rule() -> None:
    from paceline.studies.uncertainty.montecarlo_problem import build_problem

    with pytest.raises(ScenarioError) as exc:
        build_problem(_variant("breaking4", performances=[], name="Someone", id="someone"))
    assert exc.value.field == "athlete.calibration"


def test_altitude_slows_the_plan_and_the_monte_carlo_agrees() -> None:
    # at 2000 m she lacks oxygen: the thinner air no longer makes the Breaking4 plan faster than at sea level
    from paceline.studies.uncertainty.draws import draw_inputs
    from paceline.studies.uncertainty.montecarlo_problem import build_problem

    def at(alt: float) -> Scenario:
        data = load_scenario("breaking4").model_dump(exclude_none=True)
        data["conditions"] = {**data["conditions"], "altitude_m": alt}
        return scenario_from_dict(data)

    low, high = solve(at(0.0)).finish_s, solve(at(2000.0)).finish_s
    assert high > low + 5.0
    problem = build_problem(at(2000.0))
    nominal = problem.time(draw_inputs(problem, 1, seed=0).nominal)[0]
    assert nominal == pytest.approx(high, rel=2e-3)


@pytest.mark.parametrize(("sex", "words"), [("F", ("her", "she")), ("M", ("him", "he"))])
def test_a_calibration_error_speaks_of_the_athlete_as_her_or_him(sex: str, words: tuple[str, str]) -> None:
    # another athlete's race, nothing else to calibrate on: the message says whom to calibrate, by athlete.sex
    sc = _variant("breaking4", name="A 4:17 miler", id="someone-else", sex=sex, performances=[])
    with pytest.raises(ScenarioError) as exc:
        calibration_effort(sc)
    him, he = words
    assert f"name a race {he} ran" in str(exc.value)
    with pytest.raises(ScenarioError) as exc:  # no race named, no performances
        calibration_effort(_variant("kram2025", sex=sex, performances=[], calibration=None))
    assert str(exc.value).startswith(f"athlete.calibration: nothing calibrates {him}: name a race {he} ran")


def _edited(sc: Scenario, **sections: Any) -> Scenario:
    data = sc.model_dump(exclude_none=True)
    for key, value in sections.items():
        data[key] = {**data[key], **value} if isinstance(value, dict) else value
    return scenario_from_dict(data)


@pytest.fixture
def calibrations(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The scenarios whose athlete was calibrated (an empty memo first)."""
    fa.CALIBRATIONS.clear()
    calls: list[str] = []
    real = fa.calibration_effort

    def counted(scenario: Scenario, *args: Any) -> Any:
        calls.append(scenario.name)
        return real(scenario, *args)

    monkeypatch.setattr(fa, "calibration_effort", counted)
    yield calls
    fa.CALIBRATIONS.clear()


def test_weather_formation_and_target_edits_never_recalibrate(calibrations: list[str]) -> None:
    base = load_scenario("breaking4")
    first = athlete_params(base, "equal-power")
    hot = _edited(base, conditions={"temperature_c": 25.0, "altitude_m": 1500.0})
    pacing = [{"from_m": 0.0, "to_m": base.distance_m, "formation": "solo"}]
    edits = [hot, _edited(base, target="4:05"), _edited(base, pacing=pacing)]
    powers = [athlete_params(sc, "equal-power").power_w_kg for sc in edits]
    assert calibrations == ["breaking4"]  # one calibration for the four scenarios
    # the power is still carried to each race's air: altitude costs aerobic power; the others change nothing
    assert powers[0] < first.power_w_kg and powers[1] == powers[2] == first.power_w_kg
    fa.CALIBRATIONS.clear()  # oracle: calibrated afresh, the hot race gets the same power
    assert athlete_params(hot, "equal-power").power_w_kg == powers[0]


def test_her_performances_or_body_recalibrate(calibrations: list[str]) -> None:
    base = _variant("breaking2")  # calibrated on her performances
    p0 = athlete_params(base, "equal-power").power_w_kg
    perfs = [p.model_dump(exclude_none=True) for p in base.athlete.performances]
    perfs[0]["time_s"] *= 0.99
    faster = athlete_params(_variant("breaking2", performances=perfs), "equal-power").power_w_kg
    heavier = athlete_params(_variant("breaking2", mass_kg=base.athlete.mass_kg + 1.0), "equal-power").power_w_kg
    assert len(calibrations) == 3 and faster > p0 and heavier != p0


def test_a_self_calibrated_race_recalibrates_on_its_own_weather(calibrations: list[str]) -> None:
    base = _variant("monaco2023", calibration="self")  # the race is its own calibration: its air is an input
    athlete_params(base, "equal-power")
    athlete_params(_edited(base, conditions={"temperature_c": base.conditions.temperature_c + 1.0}), "equal-power")
    assert len(calibrations) == 2

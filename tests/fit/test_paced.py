"""Paced performances as paced: the solo, still-air, sea-level equivalent through the one course model."""

from __future__ import annotations

import pytest

from paceline.chain import solve
from paceline.errors import ScenarioError
from paceline.fit.paced import solo_equivalent
from paceline.io.scenario import Performance, scenario_from_dict


def test_a_performance_that_says_nothing_is_kept() -> None:
    p = Performance(distance_m=1500, time_s=229.04)
    assert solo_equivalent(p, 1.57, 42.0) == 229.04


def test_round_trip_through_the_course_model() -> None:
    # her solo 1500 m in 3:50 at 20 degC, run behind a front-back pair: the chain predicts the paced time; that paced
    # time, said to be paced in that formation, converts back to 3:50 (same kernel both ways)
    base = {
        "name": "x",
        "distance_m": 1500.0,
        "athlete": {
            "name": "x",
            "height_m": 1.57,
            "mass_kg": 42.0,
            "performances": [{"distance_m": 1500, "time_s": 230.0}, {"distance_m": 5000, "time_s": 850.0}],
        },
        "conditions": {"temperature_c": 20.0, "relative_humidity": 0.5, "altitude_m": 0.0, "wind_speed_m_s": 0.0},
    }
    solo = solve(scenario_from_dict({**base, "pacing": [{"from_m": 0, "to_m": 1500, "formation": "solo"}]})).finish_s
    paced = solve(
        scenario_from_dict({**base, "pacing": [{"from_m": 0, "to_m": 1500, "formation": "front-back"}]})
    ).finish_s
    assert paced < solo - 1.0  # shelter makes her faster
    back = solo_equivalent(Performance(distance_m=1500, time_s=paced, formation="front-back"), 1.57, 42.0)
    assert back == pytest.approx(solo, abs=0.05)


def test_monaco_mile_is_slower_solo() -> None:
    # her 4:07.64 behind Monaco's pacers is worth more than 4:07.64 alone in still air
    p = Performance(distance_m=1609.344, time_s=247.64, race="monaco2023")
    assert solo_equivalent(p, 1.57, 42.0) > 247.64 + 1.0


def test_altitude_performance_is_faster_at_sea_level() -> None:
    # a 10 000 m at Mexico City's 2240 m: short of oxygen there, faster at sea level
    p = Performance(distance_m=10000, time_s=1767.4, altitude_m=2240.0)
    assert solo_equivalent(p, 1.70, 57.0) < 1767.4 * 0.96


def test_race_of_another_distance_is_refused() -> None:
    with pytest.raises(ScenarioError) as exc:
        solo_equivalent(Performance(distance_m=1500, time_s=229.0, race="monaco2023"), 1.57, 42.0, "p[0]")
    assert exc.value.field == "p[0].race"


def test_a_plan_is_not_a_race_that_was_run() -> None:
    # kram2025 is da Silva et al.'s what-if formation: no [result], so no performance was run in it
    with pytest.raises(ScenarioError, match="a plan, not a race that was run") as exc:
        solo_equivalent(Performance(distance_m=1609.344, time_s=246.42, race="kram2025"), 1.57, 42.0, "p[0]")
    assert exc.value.field == "p[0].race"


@pytest.mark.parametrize("name", ["nope", "/etc/passwd"])
def test_an_unknown_formation_names_the_performance(name: str) -> None:
    # the error named pacing[0].formation, a field of no scenario the user wrote
    with pytest.raises(ScenarioError, match=r"is not a formation; allowed .*front-back") as exc:
        solo_equivalent(Performance(distance_m=1500, time_s=229.0, formation=name), 1.57, 42.0, "p[0]")
    assert exc.value.field == "p[0].formation"

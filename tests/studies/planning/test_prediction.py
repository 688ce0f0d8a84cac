"""The prediction study (what ``paceline predict`` prints), tested at the study level, not through the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from paceline.errors import ScenarioError
from paceline.fit import calculators as calc
from paceline.fit.performances import read_performances_csv
from paceline.io.scenario import load_scenario
from paceline.jsonable import to_jsonable
from paceline.studies.planning.prediction import (
    RacePrediction,
    performance_requirements,
    predict,
    predict_from_performances,
    uses_performance_model,
    with_formation,
)

KIPYEGON_CSV = Path(__file__).resolve().parents[3] / "examples" / "kipyegon_performances.csv"
MILE_M = 1609.344


@pytest.fixture(scope="module")
def kipyegon() -> list:
    return read_performances_csv(KIPYEGON_CSV, *performance_requirements(None))


@pytest.fixture(scope="module")
def solo_mile(kipyegon: list) -> RacePrediction:
    return predict_from_performances(kipyegon, MILE_M, athlete="Faith Kipyegon")


@pytest.fixture(scope="module")
def paced_mile(kipyegon: list) -> RacePrediction:
    return predict_from_performances(kipyegon, MILE_M, athlete="Faith Kipyegon", formation="line-3")


def test_the_race_interval_holds_its_median_and_is_the_solo_interval_carried_by_one_ratio(
    solo_mile: RacePrediction, paced_mile: RacePrediction
) -> None:
    for res in (solo_mile, paced_mile):
        ab = res.ability
        assert ab is not None and res.interval_s == ab.interval_s
        lo, hi = ab.interval_s
        assert lo < res.race.finish_s < hi  # the interval contains the race's own prediction
        assert ab.solo.low_s < ab.solo.time_s < ab.solo.high_s
        ratio = res.race.finish_s / ab.solo.time_s
        # one ratio carries every end of the interval: its relative width is the solo interval's
        assert lo / ab.solo.low_s == pytest.approx(ratio, rel=1e-12)
        assert hi / ab.solo.high_s == pytest.approx(ratio, rel=1e-12)
        assert hi / lo == pytest.approx(ab.solo.high_s / ab.solo.low_s, rel=1e-12)
    # her solo is the same athlete on the same day in both: only the race (and so the ratio) differs
    assert paced_mile.ability is not None and solo_mile.ability is not None
    assert paced_mile.ability.solo == solo_mile.ability.solo
    # pacers who shelter her make the race faster than her solo, and the interval moves with it
    assert paced_mile.race.finish_s < solo_mile.race.finish_s
    assert paced_mile.interval_s is not None and solo_mile.interval_s is not None
    assert paced_mile.interval_s[1] < solo_mile.interval_s[1]


def test_alone_in_still_air_the_race_is_the_solo_prediction(solo_mile: RacePrediction) -> None:
    # the solo scenario is the solo, still-air, sea-level, 20 degC race the performance model predicts, and the
    # equal-power model is calibrated on that prediction: the ratio is 1 (up to the model's lap geometry)
    assert solo_mile.ability is not None
    assert solo_mile.ability.ratio == pytest.approx(1.0, abs=2e-3)
    # Kipyegon's mile world record 4:07.64 (Monaco 2023, paced: a Wavelight and pacers) lies inside her solo interval
    lo, hi = solo_mile.ability.solo.low_s, solo_mile.ability.solo.high_s
    assert lo < 247.64 < hi


def test_the_nearest_exponent_carries_her_nearest_performance_to_the_prediction(kipyegon: list) -> None:
    res = predict_from_performances(kipyegon, 3000.0, athlete="Faith Kipyegon")
    ab = res.ability
    assert ab is not None and ab.nearest_distance_m == 5000.0  # nearest in log distance: ln(5/3) < ln(3000/1609)
    assert ab.exponent_from_nearest is not None and ab.extrapolated is None  # 3000 m lies between her distances
    from paceline.fit.paced import solo_equivalents

    near = next(p for p in solo_equivalents(res.scenario.athlete) if p.distance_m == ab.nearest_distance_m)
    carried = calc.riegel_time(near.time_s, near.distance_m, 3000.0, ab.exponent_from_nearest)
    assert carried == pytest.approx(ab.solo.time_s, rel=1e-9)  # a round trip through Riegel's law
    at_a_performance = predict_from_performances(kipyegon, 5000.0, athlete="Faith Kipyegon").ability
    assert at_a_performance is not None and at_a_performance.nearest_distance_m is None  # she ran 5000 m


def test_beyond_her_performances_it_says_so(kipyegon: list) -> None:
    res = predict_from_performances(kipyegon, 10000.0, sex="F")
    assert res.ability is not None and res.ability.extrapolated is not None
    assert "longer than the longest performance (5000 m)" in res.ability.extrapolated
    rows = dict(res.rows())
    assert "beyond the performances" in rows
    assert res.sex == "F" and "90 % interval (her ability)" in rows  # --sex says whose ability it is


def test_the_json_and_the_rows_say_the_same(paced_mile: RacePrediction) -> None:
    data = json.loads(json.dumps(to_jsonable(paced_mile.to_dict()), allow_nan=False))
    pm = data["performance_model"]
    assert data["time_s"] == pytest.approx(paced_mile.race.finish_s)
    assert pm["interval_90_s"] == pytest.approx(list(paced_mile.interval_s or ()))
    assert paced_mile.body is not None and data["athlete"]["body_source"] == paced_mile.body.source
    rows = dict(paced_mile.rows())
    assert rows["predicted"] == paced_mile.race.finish
    assert rows["90 % interval (her ability)"].count(" to ") == 1  # her sex is listed: "her", not "the athlete's"
    # the last split is the finish, to the millimetre
    assert rows[f"split {MILE_M:.3f} m"] == paced_mile.race.finish


def test_a_scenario_prediction_reproduces_kram2025() -> None:
    res = predict(load_scenario("kram2025"))
    # da Silva et al. (2025), Kipyegon's mile behind pacers as Kram modelled it: 3:59.37
    assert res.race.finish_s == pytest.approx(239.37, abs=1.5)
    assert res.ability is None and "performance_model" not in res.to_dict()
    assert res.to_dict()["athlete"]["body_source"] == "scenario kram2025"


def test_holding_one_formation_the_whole_race() -> None:
    sc = load_scenario("breaking4")
    alone = predict(sc, formation="solo")
    assert alone.scenario.name == "breaking4+solo" and len(alone.scenario.pacing) == 1
    assert alone.scenario.target_s == sc.target_s
    # the pacers' shelter is worth seconds: without it she is slower than as planned (more drag is never faster)
    assert alone.race.finish_s > predict(sc).race.finish_s + 1.0
    with pytest.raises(ScenarioError, match="'nope' is not a formation"):
        with_formation(sc, "nope")


def test_bad_input_names_the_field(kipyegon: list) -> None:
    with pytest.raises(ScenarioError, match=r"^distance_m: -5 is not allowed"):
        predict_from_performances(kipyegon, -5.0)
    with pytest.raises(ScenarioError, match=r"^height_m: "):
        predict_from_performances(kipyegon, MILE_M, height_m=5.0)


def test_which_models_state_her_ability() -> None:
    assert uses_performance_model(None) and uses_performance_model("equal-power")
    assert not uses_performance_model("critical-speed")
    assert performance_requirements("critical-speed") == (None, 2)  # two parameters: two distances
    distances, n = performance_requirements(None)
    assert n == 1 and distances is not None and distances[0] <= 800.0 and distances[1] >= 42195.0

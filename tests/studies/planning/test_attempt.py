"""The plan study (everything ``paceline plan`` prints), tested at the study level, not through the CLI."""

from __future__ import annotations

import json

import pytest

from paceline.errors import InfeasibleError
from paceline.io.scenario import load_scenario, scenario_from_dict
from paceline.jsonable import to_jsonable
from paceline.studies.planning.attempt import Attempt, plan_attempt, splits_200_400
from paceline.studies.planning.plan import make_plan

# A 5000 m on the track (12.5 laps: its 400 m splits end with a 200 m tail), solo, on her own performances
FIVE_K = {
    "name": "five-k",
    "distance_m": 5000.0,
    "athlete": {
        "name": "Test Runner",
        "height_m": 1.57,
        "mass_kg": 42.0,
        "sex": "F",
        "calibration": "performances",
        "performances": [{"distance_m": 1500.0, "time_s": 229.11}, {"distance_m": 5000.0, "time_s": 845.2}],
    },
    "pacing": [{"from_m": 0.0, "to_m": 5000.0, "formation": "solo"}],
}


@pytest.fixture(scope="module")
def breaking4() -> Attempt:
    return plan_attempt(load_scenario("breaking4"))


def test_the_split_tables_sum_to_the_finish_time(breaking4: Attempt) -> None:
    race = breaking4.race
    for rows in (race.split_rows(), breaking4.splits_200_400()):
        assert sum(r["segment_s"] for r in rows) == pytest.approx(race.finish_s, rel=1e-12)
        assert sum(r["segment_m"] for r in rows) == pytest.approx(race.distance_m, rel=1e-12)
        assert rows[-1]["time_s"] == pytest.approx(race.finish_s, rel=1e-12)
        assert rows[-1]["time"] == race.finish


def test_the_400m_column_of_a_mile(breaking4: Attempt) -> None:
    race = breaking4.race
    rows = {round(r["distance_m"], 3): r for r in breaking4.splits_200_400()}
    # 200 m marks between the 400 m ones have no 400 m time; at 400, 800 and 1200 m it is the last 400 m run
    assert rows[200.0]["last_400_s"] is None and rows[1000.0]["last_400_s"] is None
    for d in (400.0, 800.0, 1200.0):
        expected = float(race.time_at(d)) - float(race.time_at(d - 400.0))
        assert rows[d]["last_400_s"] == pytest.approx(expected, rel=1e-9)
        assert rows[d]["last_400_s"] == pytest.approx(rows[d]["segment_s"] + rows[d - 200.0]["segment_s"], rel=1e-9)
    # the mile's last 400 m split is its 409.344 m stretch, as the 400 m table reports it
    assert rows[1609.344]["last_400_s"] == pytest.approx(race.finish_s - float(race.time_at(1200.0)), rel=1e-9)


def test_the_400m_column_at_a_5000m_finish_is_the_last_400m() -> None:
    race = make_plan(scenario_from_dict(FIVE_K)).race
    rows = {round(r["distance_m"], 3): r for r in splits_200_400(race)}
    # the 400 m table ends with a 200 m tail (4800-5000 m); the column shows the last 400 m (4600-5000 m) instead
    last = rows[5000.0]["last_400_s"]
    assert last == pytest.approx(race.finish_s - float(race.time_at(4600.0)), rel=1e-9)
    assert last == pytest.approx(rows[5000.0]["segment_s"] + rows[4800.0]["segment_s"], rel=1e-9)
    assert last > 1.8 * rows[5000.0]["segment_s"]


def test_without_a_rotation_the_attempt_is_the_plan(breaking4: Attempt) -> None:
    assert breaking4.rotation is None
    assert breaking4.to_dict() == make_plan(load_scenario("breaking4")).to_dict()
    json.dumps(to_jsonable(breaking4.to_dict()), allow_nan=False)  # JSON as it stands


def test_a_proposed_rotation_is_planned_and_reported() -> None:
    sc = load_scenario("breaking4-optimal")
    att = plan_attempt(sc, optimise_rotation=True)
    assert att.rotation is not None and att.scenario is att.rotation.scenario
    data = att.to_dict()
    assert data["rotation"] == att.rotation.to_dict()
    n = len(att.rotation.notes)
    assert att.plan.notes[:n] == [f"rotation: {x}" for x in att.rotation.notes]  # its notes lead the plan's
    # every pacer the rotation assigned can hold the pace of the stint it was given
    margins = [r.margin for r in att.plan.roles if r.margin is not None]
    assert margins and min(margins) >= -1e-6
    with pytest.raises(InfeasibleError):
        plan_attempt(load_scenario("breaking4"), optimise_rotation=True)  # no pacer's capability is known

"""What a report shows, gathered: a race .json read back, a scenario planned, a real race analysed, P(target)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from paceline.chain import solve
from paceline.errors import ScenarioError
from paceline.io.scenario import load_scenario
from paceline.studies.analysis.report_inputs import race_from_dict, report_inputs
from paceline.studies.planning.plan import make_plan


def test_race_json_round_trip(tmp_path: Path) -> None:
    race = solve(load_scenario("monaco2023"))
    path = tmp_path / "race.json"
    path.write_text(race.to_json(max_samples=None), encoding="utf-8")
    back = race_from_dict(json.loads(path.read_text(encoding="utf-8")))
    assert back.finish_s == pytest.approx(race.finish_s)
    inp = report_inputs(path, with_uncertainty=False)
    assert inp.race.finish == race.finish and inp.kind == "prediction"
    assert inp.scenario is not None and inp.scenario.name == "monaco2023"  # a bundled scenario's race finds it


@pytest.mark.parametrize("name", ["breaking2", "kram2025"])
def test_race_json_of_any_distance_and_sampling_reads_back(name: str) -> None:
    race = solve(load_scenario(name))
    for samples in (None, 300):
        back = race_from_dict(json.loads(race.to_json(max_samples=samples)))
        assert back.finish_s == pytest.approx(race.finish_s, rel=1e-3)


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda d: d["series"]["t_s"].__setitem__(5, float("nan")), r"^race: series 't_s' must be a list of finite"),
        (lambda d: d.__setitem__("distance_m", -5.0), r"^race: distance_m -5 is not allowed; a race is 100 to"),
        (lambda d: d.__setitem__("distance_m", 1e300), r"^race: distance_m 1e\+300 is not allowed"),
        (lambda d: d["series"]["x_m"].__setitem__(-1, 1700.0), r"^race: series x_m ends at 1700 m, not at distance_m"),
        (lambda d: d["series"].__setitem__("v_m_s", [1e308] * len(d["series"]["v_m_s"])), r"a runner's speed is 0 to"),
    ],
    ids=["nan-time", "negative-distance", "huge-distance", "distance-not-the-end", "absurd-speed"],
)
def test_a_race_json_with_impossible_numbers_is_refused(tmp_path: Path, edit: Any, message: str) -> None:
    # a NaN time or a 1e308 m/s speed gave a report of NaNs (exit 0); a negative or huge distance, exit 1
    data = json.loads(solve(load_scenario("breaking4")).to_json())
    edit(data)
    path = tmp_path / "race.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(ScenarioError, match=message):
        report_inputs(path, with_uncertainty=False)


def test_a_deeply_nested_json_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "deep.json"
    path.write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")  # was exit 1: RecursionError
    with pytest.raises(ScenarioError, match=r"^race: .*nests arrays or objects too deep"):
        report_inputs(path)


def test_bad_inputs_name_the_field(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError, match=r"^scenario: 'nowhere' is not a scenario or a race"):
        report_inputs("nowhere")
    bad = tmp_path / "bad.json"
    bad.write_text('{"distance_m": 1}', encoding="utf-8")
    with pytest.raises(ScenarioError, match=r"^race: "):
        report_inputs(bad)
    with pytest.raises(ScenarioError, match=r"^race: no such file"):
        report_inputs(tmp_path / "missing.json")
    with pytest.raises(ScenarioError, match=r"^scenario: give a scenario, a race, or a plan"):
        report_inputs(None)


def test_a_scenario_with_pacers_is_planned_and_a_given_plan_is_used() -> None:
    sc = load_scenario("breaking4")
    inp = report_inputs(sc, with_uncertainty=False)
    assert inp.plan is not None and inp.race is inp.plan.race and inp.kind == "prediction"
    assert inp.race.finish_s == pytest.approx(solve(sc).finish_s, rel=1e-12)  # the plan's race is the chain's
    assert inp.p_target is None and inp.monte_carlo is None  # no Monte Carlo asked for
    plan = make_plan(sc)
    given = report_inputs(None, plan=plan, p_target=0.25)
    assert given.plan is plan and given.race is plan.race and given.p_target == 0.25 and given.p_target_note == "given"


def test_a_real_race_is_analysed() -> None:
    inp = report_inputs("breaking4_2025")
    assert inp.kind == "real race" and inp.analysis is not None
    assert inp.race is inp.analysis.race and inp.p_target is None  # P(target) is for predictions
    # the reconstruction ends at the reported finish: Kipyegon's 4:06.42 in Paris, 26 June 2025
    assert inp.analysis.finish_s == pytest.approx(246.42, abs=0.01)

"""The scenario of a real race: it must describe that race (its distance) and the athlete who ran it."""

from __future__ import annotations

from pathlib import Path

import pytest

from paceline.errors import ScenarioError
from paceline.io.races import bundled_race_names, load_race
from paceline.io.scenario import bundled_scenario_text
from paceline.studies.analysis.race_scenario import scenario_for_race


@pytest.mark.parametrize("race", bundled_race_names())
def test_every_bundled_race_reads_with_its_own_scenario(race: str) -> None:
    splits = load_race(race)
    sc, _ = scenario_for_race(splits)
    assert sc.distance_m == pytest.approx(splits.event_m)


def test_a_scenario_of_another_athlete_is_refused(tmp_path: Path) -> None:
    # `paceline analyze breaking4_2025 --scenario MEN.toml` read Kipyegon's splits with a 1.86 m, 68 kg body and
    # reported 33.49 W/kg instead of 32.74 under her name, without a word
    text = bundled_scenario_text("breaking4").replace('name = "Faith Kipyegon"', 'name = "Jakob Ingebrigtsen"')
    text = text.replace('id = "faith-kipyegon"', 'id = "jakob-ingebrigtsen"')
    path = tmp_path / "men.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ScenarioError) as exc:
        scenario_for_race(load_race("breaking4_2025"), path)
    assert exc.value.field == "scenario"
    assert "describes Jakob Ingebrigtsen" in str(exc.value) and "run by Faith Kipyegon" in str(exc.value)
    # her own scenario of another race of the same distance is fine (the user's choice of formation and weather)
    sc, _ = scenario_for_race(load_race("breaking4_2025"), "monaco2023")
    assert sc.name == "monaco2023"


def test_a_scenario_of_another_distance_is_refused() -> None:
    with pytest.raises(ScenarioError, match=r"^scenario: scenario 'breaking2' is 42195 m but race"):
        scenario_for_race(load_race("breaking4_2025"), "breaking2")

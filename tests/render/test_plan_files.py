"""The plan's files: one card and one briefing per pacer, whatever the pacers are called."""

from __future__ import annotations

from pathlib import Path

from paceline.io.scenario import bundled_scenario_text, load_scenario
from paceline.render.plan_files import file_stems, plan_files, safe_name
from paceline.studies.planning.plan import make_plan


def test_names_that_look_alike_as_files_stay_apart() -> None:
    assert safe_name("a/b") == safe_name("a_b") == "a_b"
    assert file_stems(["a/b", "a_b", "M1", "m1", "a_b-2", ""]) == ["a_b", "a_b-2", "M1", "m1-2", "a_b-2-2", "pacer"]


def test_every_pacer_keeps_a_card_and_a_briefing(tmp_path: Path) -> None:
    # pacers 'a/b' and 'a_b' both wrote cards/a_b.html: 13 pacers, 12 cards, one card silently lost
    path = tmp_path / "collide.toml"
    text = bundled_scenario_text("breaking4").replace('"M1"', '"a/b"').replace('"M2"', '"a_b"')
    path.write_text(text, encoding="utf-8")
    plan = make_plan(load_scenario(path))
    files = plan_files(plan)
    n = len({r.name for r in plan.roles})
    assert n == 13
    assert len([f for f in files if f.startswith("cards/")]) == n
    assert len([f for f in files if f.startswith("briefings/")]) == n
    assert "a/b" in files["cards/a_b.html"] and "a_b" in files["cards/a_b-2.html"]

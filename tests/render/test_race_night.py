"""The lights operator's sheet, the machine file and the pacer cards as printed pages, and their CLI commands."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path
from typing import Any

import pytest

from cli_runner import run_here as run
from paceline.io.scenario import load_scenario
from paceline.render.lights_sheet import LIGHTS_CSV_SCHEMA, lights_csv, lights_sheet_html
from paceline.render.pacer_cards import briefing_markdown, pacer_cards_html, plan_info
from paceline.render.plan_files import plan_files
from paceline.studies.planning.handover import handovers, pacer_cards
from paceline.studies.planning.marks import lights_sheet
from paceline.studies.planning.plan import make_plan


@pytest.fixture(scope="module")
def plan() -> Any:
    return make_plan(load_scenario("breaking4-optimal"))


def test_machine_file_has_the_documented_columns_and_round_trips(plan: Any) -> None:
    text = lights_csv(plan.lights)
    back = list(csv.DictReader(io.StringIO(text)))
    assert list(back[0]) == list(LIGHTS_CSV_SCHEMA)
    assert len(back) == len(plan.lights)
    for row, orig in zip(back[::97], plan.lights[::97], strict=True):
        assert float(row["time_s"]) == pytest.approx(orig["time_s"], abs=5e-4)
        assert row["colour"] == {"target": "green", "plan": "blue"}[row["train"]]


def test_sheet_page_names_every_train_and_shows_each_mark(plan: Any) -> None:
    sheet = lights_sheet(plan.scenario, plan.race)
    page = lights_sheet_html(sheet, spacing_m=1.0)
    for tr in sheet["trains"]:
        assert tr["label"] in page
    assert page.count("<tr class='line'>") == 5  # the finish line: 9.344 m, then four laps
    assert "@page" in page and "lap 0 runs from the start" in page
    # the finish time of each train is formatted once, from the unrounded seconds
    from paceline.timefmt import format_time

    assert f"finish {format_time(plan.race.finish_s)}" in page


def test_cards_one_page_per_pacer_with_diagram_handover_and_marks(plan: Any) -> None:
    cards = pacer_cards(plan)
    page = pacer_cards_html(cards, handovers(plan.roles, plan.scenario.distance_m), plan_info(plan))
    assert page.count("<section class='card'") == len({r.name for r in plan.roles})
    assert "break-after: page" in page and page.count("<svg") == sum(len(c["stints"]) for c in cards)
    assert "Handovers: the whole team" in page
    for card in cards:
        text = briefing_markdown(card, plan_info(plan))
        assert "her 200/400 m" not in text and "| lap | mark you pass |" in text
        for st in card["stints"]:
            if st["dy_m"] == 0:  # an in-line pacer is not told about running further on the outside
                assert "outside her" not in " ".join(st["notes"])


def test_plan_files_hold_the_sheet_and_the_cards(plan: Any) -> None:
    files = plan_files(plan)
    names = {r.name for r in plan.roles}
    assert {f"cards/{n}.html" for n in names} | {f"briefings/{n}.md" for n in names} <= set(files)
    assert {"plan.json", "splits.csv", "lights.csv", "lights.html", "cards.html"} <= set(files)
    assert json.loads(files["plan.json"])["finish_s"] == pytest.approx(plan.race.finish_s, abs=1e-3)


def test_lights_cli_sheet_csv_json_and_road(tmp_path: Path) -> None:
    out = tmp_path / "lights.csv"
    r = run("lights", "kram2025", "--csv", str(out), "--json", "--spacing-m", "5")
    assert r.returncode == 0, r.stderr
    d = json.loads(r.stdout)
    assert set(d) >= {"sheet", "machine"} and d["machine"]["columns"] == LIGHTS_CSV_SCHEMA
    rows = list(csv.DictReader(io.StringIO(out.read_text())))
    assert len(rows) == len(d["machine"]["rows"])
    assert [t["train"] for t in d["sheet"]["trains"]] == ["target", "plan", "lead-pacer"]
    r = run("lights", "kram2025")
    assert r.returncode == 0 and "lead-pacer" in r.stdout and "line" in r.stdout
    r = run("lights", "breaking2")
    assert r.returncode == 2 and "pacing lights need a track" in r.stderr and r.stdout == ""


def test_brief_cli_json_and_html(tmp_path: Path) -> None:
    html = tmp_path / "cards.html"
    r = run("brief", "breaking4-optimal", "--json", "--html", str(html))
    assert r.returncode == 0, r.stderr
    d = json.loads(r.stdout)
    assert {c["name"] for c in d["cards"]} and d["handovers"]
    assert len(re.findall(r"<section class='card'", html.read_text())) == len(d["cards"])
    r = run("brief", "breaking4-optimal", "--pacer", "nobody")
    assert r.returncode == 2 and "--pacer" in r.stderr

"""The HTML report: written whole, self-contained (nothing fetched from elsewhere), every section present."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from paceline.chain import solve
from paceline.errors import ScenarioError
from paceline.io.scenario import load_scenario
from paceline.render.report import SECTIONS, race_from_dict, write_report

_EXTERNAL = re.compile(r"""(?:src|href|action|poster|data)\s*=\s*["']?\s*(?:https?:)?//""", re.I)


def _external_refs(text: str) -> list[str]:
    """Attributes or CSS that would make a browser fetch something from another host."""
    hits = [m.group(0) for m in _EXTERNAL.finditer(text)]
    hits += re.findall(r"url\(\s*['\"]?\s*(?:https?:)?//[^)]*\)", text, re.I)
    hits += re.findall(r"@import", text, re.I)
    hits += re.findall(r"<(?:script|link|iframe|object|embed)\b[^>]*>", text, re.I)
    return hits


@pytest.fixture(scope="module")
def breaking4_report(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, object], str]:
    path = tmp_path_factory.mktemp("report") / "breaking4.html"
    info = write_report("breaking4", path)
    return info, path.read_text(encoding="utf-8")


def test_written_whole_with_every_section(breaking4_report: tuple[dict[str, object], str]) -> None:
    info, text = breaking4_report
    assert text.startswith("<!doctype html>") and text.rstrip().endswith("</html>")
    for sid in SECTIONS:
        assert f'<section id="{sid}">' in text
    assert info["sections"] == list(SECTIONS)
    race = solve(load_scenario("breaking4"))
    assert info["time"] == race.finish
    assert race.finish in text and "3:59.99" in text and "4:06.42" in text  # predicted, target, as raced
    assert text.count("<svg") >= 2  # race profile and formations, inline


def test_self_contained(breaking4_report: tuple[dict[str, object], str]) -> None:
    _, text = breaking4_report
    assert _external_refs(text) == []


def test_the_checker_catches_external_references() -> None:
    # the self-containment check must be able to fail
    assert _external_refs('<img src="https://cdn.example.com/x.png">')
    assert _external_refs("<script src='//cdn.example.com/plotly.js'></script>")
    assert _external_refs('<div style="background: url(http://example.com/a.png)">')
    assert _external_refs('<link rel="stylesheet" href="style.css">')
    assert not _external_refs('<a href="#splits">Splits</a>')


def test_plan_parts_and_citations(breaking4_report: tuple[dict[str, object], str]) -> None:
    _, text = breaking4_report
    # pacers of the bundled roster, their briefings and the light trains (paceline.studies.planning.plan)
    for name in ("M1", "W1", "M8"):
        assert f"Briefing: {name}" in text
    assert "green lights" in text
    assert "Hoogkamer" in text and "Pugh" in text  # citations actually used by the model
    assert "P(target)" in text


def test_race_json_round_trip(tmp_path: Path) -> None:
    race = solve(load_scenario("monaco2023"))
    path = tmp_path / "race.json"
    path.write_text(race.to_json(max_samples=None), encoding="utf-8")
    back = race_from_dict(json.loads(path.read_text(encoding="utf-8")))
    assert back.finish_s == pytest.approx(race.finish_s)
    info = write_report(path, tmp_path / "r.html", with_uncertainty=False)
    assert info["time"] == race.finish


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
        write_report(path, tmp_path / "r.html", with_uncertainty=False)
    assert not (tmp_path / "r.html").exists()


def test_a_deeply_nested_json_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "deep.json"
    path.write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")  # was exit 1: RecursionError
    with pytest.raises(ScenarioError, match=r"^race: .*nests arrays or objects too deep"):
        write_report(path, tmp_path / "r.html")


def test_bad_inputs_name_the_field(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError, match=r"^scenario: 'nowhere' is not a scenario or a race"):
        write_report("nowhere", tmp_path / "r.html")
    bad = tmp_path / "bad.json"
    bad.write_text('{"distance_m": 1}', encoding="utf-8")
    with pytest.raises(ScenarioError, match=r"^race: "):
        write_report(bad, tmp_path / "r.html")
    assert not (tmp_path / "r.html").exists()  # nothing half-written


def test_cli_report_json(tmp_path: Path) -> None:
    out = tmp_path / "m.html"
    r = subprocess.run(
        [sys.executable, "-m", "paceline", "report", "monaco2023", "-o", str(out), "--json"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert r.returncode == 0, r.stderr
    info = json.loads(r.stdout)
    assert info["path"] == str(out) and out.stat().st_size == info["bytes"]
    assert info["scenario"] == "monaco2023"
    bad = subprocess.run(
        [sys.executable, "-m", "paceline", "report", "nowhere", "-o", str(out)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert bad.returncode == 2 and bad.stderr.startswith("paceline: error: scenario: ")

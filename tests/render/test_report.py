"""The HTML report: written whole, self-contained (nothing fetched from elsewhere), every section present, and
rendered from results without solving or sampling anything."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from paceline.chain import solve
from paceline.io.scenario import load_scenario
from paceline.render.report import SECTIONS, write_report
from paceline.studies.analysis.report_inputs import ReportInputs, report_inputs

_EXTERNAL = re.compile(r"""(?:src|href|action|poster|data)\s*=\s*["']?\s*(?:https?:)?//""", re.I)


def _external_refs(text: str) -> list[str]:
    """Attributes or CSS that would make a browser fetch something from another host."""
    hits = [m.group(0) for m in _EXTERNAL.finditer(text)]
    hits += re.findall(r"url\(\s*['\"]?\s*(?:https?:)?//[^)]*\)", text, re.I)
    hits += re.findall(r"@import", text, re.I)
    hits += re.findall(r"<(?:script|link|iframe|object|embed)\b[^>]*>", text, re.I)
    return hits


def _no_compute(*args: object, **kwargs: object) -> None:
    raise AssertionError("render solved or sampled")


#: Every function that solves a race, makes a plan, reconstructs a real race or draws a Monte Carlo sample.
COMPUTE = (
    ("paceline.chain", "solve"),
    ("paceline.studies.planning.plan", "make_plan"),
    ("paceline.studies.analysis.race_analysis", "analyze"),
    ("paceline.studies.uncertainty.montecarlo", "monte_carlo"),
)


def _write_without_computing(inp: ReportInputs, path: Path) -> dict[str, object]:
    """Write the report with every solve, plan, analysis and sampler replaced by a function that fails."""
    import importlib

    with pytest.MonkeyPatch.context() as mp:
        for module, name in COMPUTE:
            mp.setattr(importlib.import_module(module), name, _no_compute)
        return write_report(inp, path)


@pytest.fixture(scope="module")
def breaking4_inputs() -> ReportInputs:
    return report_inputs("breaking4")


@pytest.fixture(scope="module")
def breaking4_report(
    tmp_path_factory: pytest.TempPathFactory, breaking4_inputs: ReportInputs
) -> tuple[dict[str, object], str]:
    path = tmp_path_factory.mktemp("report") / "breaking4.html"
    info = _write_without_computing(breaking4_inputs, path)
    return info, path.read_text(encoding="utf-8")


def test_the_checker_catches_a_render_that_computes(tmp_path: Path) -> None:
    # the guard must be able to fail: gathering the inputs under it solves, and is caught
    with pytest.MonkeyPatch.context() as mp:
        for module, name in COMPUTE:
            import importlib

            mp.setattr(importlib.import_module(module), name, _no_compute)
        with pytest.raises(AssertionError, match="render solved or sampled"):
            report_inputs("monaco2023", with_uncertainty=False)


def test_a_real_race_renders_without_computing(tmp_path: Path) -> None:
    inp = report_inputs("breaking4_2025")
    assert inp.kind == "real race" and inp.analysis is not None
    info = _write_without_computing(inp, tmp_path / "real.html")
    text = (tmp_path / "real.html").read_text(encoding="utf-8")
    assert info["kind"] == "real race" and '<section id="time-lost">' in text and "Where the time went" in text


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


def test_p_target_is_the_monte_carlo_s_own(breaking4_inputs: ReportInputs, breaking4_report: tuple) -> None:
    # the figure shown is the fraction of the gathered draws under the target, not a number render made up
    mc = breaking4_inputs.monte_carlo
    sc = breaking4_inputs.scenario
    assert mc is not None and sc is not None and sc.target_s is not None
    assert breaking4_inputs.p_target == pytest.approx(mc.probability_under(sc.target_s))
    info, text = breaking4_report
    assert info["p_target"] == breaking4_inputs.p_target
    assert f"{100 * breaking4_inputs.p_target:.0f} %" in text


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

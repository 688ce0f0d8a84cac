"""The race-analysis figure: drawn on a bare Figure, the backend left alone, the file type checked first."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import paceline
from paceline.errors import ScenarioError
from paceline.io.races import load_race
from paceline.render.analysis_plot import analysis_figure, plot_analysis
from paceline.studies.analysis.race_analysis import analyze


def test_figure_leaves_the_backend_alone(tmp_path: Path) -> None:
    import matplotlib

    backend = matplotlib.get_backend()
    an = analyze(load_race("breaking4_2025"))
    fig = analysis_figure(an)
    assert len(fig.axes) == 3
    # the waterfall: race, one bar per cause, reference
    assert len(fig.axes[2].patches) == len(an.steps) + 2
    out = plot_analysis(an, tmp_path / "sub" / "b4.svg")
    assert out.read_text().lstrip().startswith("<?xml")
    assert matplotlib.get_backend() == backend


def test_no_backend_switching_in_the_library() -> None:
    calls = []
    for path in Path(paceline.__file__).parent.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            func = node.func if isinstance(node, ast.Call) else None
            if (
                isinstance(func, ast.Attribute)
                and func.attr == "use"
                and isinstance(func.value, ast.Name)
                and func.value.id in ("matplotlib", "mpl")
            ):
                calls.append(f"{path.name}:{node.lineno}")
    assert not calls


def test_file_type_is_checked_before_any_work(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError, match=r"^--plot: 'fig.gif': the figure must be .png or .svg or .pdf"):
        plot_analysis(None, "fig.gif")  # type: ignore[arg-type]  # refused before the analysis is touched

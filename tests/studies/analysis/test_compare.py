"""Comparison of two races: the published difference, and what a comparison with itself must give."""

from __future__ import annotations

import functools

import pytest

from paceline.errors import ScenarioError
from paceline.io.races import load_race
from paceline.studies.analysis.compare import COMPARE_CAUSES, compare
from paceline.studies.analysis.race_analysis import Analysis, analyze


@functools.cache
def analysed(name: str) -> Analysis:
    return analyze(load_race(name))


def test_monaco_against_breaking4() -> None:
    # Monaco 2023 4:07.64 vs Breaking4 2025 4:06.42: 1.22 s (reference/races.csv)
    cmp = compare(analysed("monaco_2023"), analysed("breaking4_2025"))
    assert cmp.difference_s == pytest.approx(1.22, abs=1e-9)
    assert list(cmp.attribution) == list(COMPARE_CAUSES)
    assert cmp.attribution["shelter"] > 0  # Monaco was the less sheltered race
    # the same athlete in the same kit (both scenarios: 1.57 m, 42 kg, no suit or shoe factor)
    assert cmp.attribution["athlete and kit"] == pytest.approx(0.0, abs=1e-12)


def test_compare_with_itself_is_zero() -> None:
    a = analysed("breaking4_2025")
    for cause, seconds in compare(a, a).attribution.items():
        assert seconds == pytest.approx(0.0, abs=1e-9), cause


def test_compare_different_distances_is_an_error() -> None:
    with pytest.raises(ScenarioError, match="same distance"):
        compare(analysed("breaking4_2025"), analysed("florence_2023"))

"""A list of performances as the performance model takes it: the rows it refuses (named) and when a new distance
lies beyond them."""

from __future__ import annotations

import pytest

from paceline.errors import ScenarioError
from paceline.fit.performance_inputs import beyond_span, check_performances


@pytest.mark.parametrize(
    ("d", "t", "field"),
    [
        ([1500.0, 5000.0], [229.0, 228.0], "performances[1].time"),
        ([1500.0, 1500.0], [229.0, 231.0], "performances"),
        ([400.0, 1500.0], [50.0, 229.0], "performances[0].distance_m"),
        ([1500.0, 100000.0], [229.0, 30000.0], "performances[1].distance_m"),
    ],
)
def test_bad_performances_name_row_and_field(d: list[float], t: list[float], field: str) -> None:
    with pytest.raises(ScenarioError) as exc:
        check_performances(d, t)
    assert exc.value.field == field


def test_beyond_span_says_which_side_and_nothing_inside() -> None:
    # her 1500 m and 5000 m: a mile lies between them, an 800 m below and a marathon above; the ends count as inside
    d = [1500.0, 5000.0]
    assert beyond_span(d, 1609.344) is None and beyond_span(d, 1500.0) is None and beyond_span(d, 5000.0) is None
    assert beyond_span(d, 800.0) == "extrapolated: 800 m is shorter than the shortest performance (1500 m)"
    assert beyond_span(d, 42195.0) == "extrapolated: 42195 m is longer than the longest performance (5000 m)"

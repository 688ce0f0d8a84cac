import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from paceline.errors import ScenarioError
from paceline.physics import track


def test_lane_lengths_match_reference(track_reference: list[dict[str, str]]) -> None:
    # reference/track_standard_400m.csv, World Athletics geometry, to 0.01 m
    assert len(track_reference) == 8
    for row in track_reference:
        lane = int(row["lane"])
        assert track.lane_lap_length_m(lane) == pytest.approx(float(row["lap_m"]), abs=0.01)
        assert track.STANDARD_TRACK.kerb_radius_m + track.lane_offset_m(lane) == pytest.approx(
            float(row["radius_m"]), abs=0.005
        )


def test_lane1_is_exactly_400() -> None:
    assert track.lane_lap_length_m(1) == pytest.approx(400.0, abs=1e-9)


def test_one_metre_out_costs_4_40_per_lap() -> None:
    # 2 pi (1.0 - 0.30) = 4.398 m (DESIGN.md)
    assert track.extra_distance_per_lap_m(1.0) == pytest.approx(4.40, abs=0.005)
    assert track.lap_length_m(1.0) - track.lap_length_m(0.30) == pytest.approx(4.398, abs=0.001)


@pytest.mark.parametrize(
    ("event", "before"),
    [
        ("mile", 9.344),
        ("1500m", 300.0),
        ("800m", 0.0),
        ("1000m", 200.0),
        ("3000m", 200.0),
        ("5000m", 200.0),
        ("10000m", 0.0),
        ("2000m", 0.0),
    ],
)
def test_start_positions(event: str, before: float) -> None:
    assert track.start_before_finish_m(track.EVENTS_M[event]) == pytest.approx(before, abs=1e-6)


def test_1500_starts_100m_after_the_finish_line() -> None:
    assert track.start_position_m(1500.0) == pytest.approx(100.0)


def test_mile_one_metre_out() -> None:
    # the mile start is on the home straight: only 4 full laps of bends add distance, 4 x 4.398 m
    assert track.distance_run_m(1609.344, 1.0) == pytest.approx(1609.344 + 4 * 2 * math.pi * 0.7, abs=1e-6)
    assert track.distance_run_m(1609.344, 1.0) == pytest.approx(1627.0, abs=0.1)


def test_1500_bend_accounting() -> None:
    # 1500 m starts on bend 1, 100 m in: 3 laps + the remaining 15.6 m of bend 1 + bend 2 in the first 300 m
    bend = track.STANDARD_TRACK.bend_m
    angle = track.bend_angle_between(100.0, 1600.0)
    assert angle == pytest.approx(3 * 2 * math.pi + (bend - 100.0 + bend) / track.STANDARD_TRACK.reference_radius_m)


def test_position_is_continuous_and_closed() -> None:
    s = np.linspace(0, 400, 40001)
    x, y, _heading, curv = track.position(s, 0.30)
    step = np.hypot(np.diff(x), np.diff(y))
    assert step.max() == pytest.approx(0.01, rel=1e-3)  # unit speed along the lane-1 line
    assert x[0] == pytest.approx(x[-1]) and y[0] == pytest.approx(y[-1])
    assert np.sum(step) == pytest.approx(400.0, abs=1e-3)
    assert np.isclose(curv[s < track.STANDARD_TRACK.bend_m - 1], 1 / 36.8).all()


def test_finish_line_geometry() -> None:
    x, y, heading, _curv = track.position(0.0, 0.30)
    assert float(x) == pytest.approx(track.STANDARD_TRACK.straight_m / 2)
    assert float(y) == pytest.approx(-36.8)
    assert float(heading) == pytest.approx(0.0)


@given(st.floats(0, 400, exclude_max=True), st.floats(0.0, 9.0))
def test_heading_matches_direction_of_travel(s: float, d: float) -> None:
    ds = 1e-4
    x0, y0, h, _ = track.position(s, d)
    x1, y1, _, _ = track.position(s + ds, d)
    ang = math.atan2(float(y1 - y0), float(x1 - x0))
    assert math.cos(ang - float(h)) > 0.999


@given(st.floats(0.0, 9.0))
def test_line_scale_outer_runs_further(d: float) -> None:
    s = np.linspace(0, 400, 4001)[:-1]
    scale = track.line_scale(s, d)
    assert np.mean(scale) * 400 == pytest.approx(float(track.lap_length_m(d)), rel=1e-3)


def test_bad_inputs() -> None:
    with pytest.raises(ScenarioError, match="lane"):
        track.lane_offset_m(0)
    with pytest.raises(ScenarioError, match="offset_m"):
        track.distance_run_m(1609.344, -0.5)
    with pytest.raises(ScenarioError, match="event_m"):
        track.start_before_finish_m(-100)

"""Altitude and heat: the published anchors reproduced, physical properties, and the rule that a heat cost is only
applied over the durations its source covers."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from paceline.physics import environment as env


def test_published_anchors() -> None:
    # Buskirk et al. (1967): VO2max 26 % lower at 4000 m than at 300 m
    assert env.vo2max_fraction(4000.0) == pytest.approx(0.74)
    assert env.vo2max_fraction(300.0) == env.vo2max_fraction(0.0) == 1.0
    # Duffield & Dawson: aerobic share 60 % (800 m), 77 % (1500 m), 86 % (3000 m)
    assert env.aerobic_share([800.0, 1500.0, 3000.0]) == pytest.approx([0.60, 0.77, 0.86])
    # Ely et al. (2007): top men 1.7, 2.5, 3.3, 4.5 % off the course record by WBGT quartile; against the coolest
    cost = env.heat_time_cost(np.array(env.ELY_WBGT_C), 7500.0)
    assert cost == pytest.approx(np.array([0.0, 0.8, 1.6, 2.8]) / 100.0)


def test_no_heat_cost_outside_the_durations_its_source_covers() -> None:
    # a 4-minute mile in Monaco's 30 degC gets no marathon penalty; a 2:05 marathon at the same WBGT does
    assert env.heat_time_cost(env.wbgt_shade_c(30.0, 0.6), 247.64) == 0.0
    assert env.heat_time_cost(env.wbgt_shade_c(30.0, 0.6), 7500.0) > 0.03
    assert "no heat cost" in env.heat_note(30.0, 0.6, 247.64)


@settings(max_examples=50, deadline=None)
@given(
    h1=st.floats(0, 4000),
    h2=st.floats(0, 4000),
    d=st.floats(800, 42195),
)
def test_higher_is_never_more_aerobic_power(h1: float, h2: float, d: float) -> None:
    lo, hi = sorted((h1, h2))
    assert env.altitude_power_factor(hi, d) <= env.altitude_power_factor(lo, d) + 1e-12


@settings(max_examples=50, deadline=None)
@given(t1=st.floats(0, 40), t2=st.floats(0, 40), rh=st.floats(0, 1))
def test_hotter_is_never_faster_in_a_marathon(t1: float, t2: float, rh: float) -> None:
    lo, hi = sorted((t1, t2))
    assert env.heat_power_factor(hi, rh, 7500.0) <= env.heat_power_factor(lo, rh, 7500.0) + 1e-12


def test_longer_races_lose_more_at_altitude() -> None:
    # more of a longer race's energy is aerobic, so more of it is lost where oxygen is short
    f = [env.altitude_power_factor(2240.0, d) for d in (800.0, 1609.344, 5000.0, 42195.0)]
    assert f == sorted(f, reverse=True)

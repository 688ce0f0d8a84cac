"""The attribution's reference states: a property of the shelter substitution."""

from __future__ import annotations

import functools

from hypothesis import given, settings
from hypothesis import strategies as st

from paceline.io.races import load_race
from paceline.physics.metabolic import DEFAULT_CURVE, get_curve
from paceline.studies.analysis.attribution import Reference, reference_air_density, reference_states, time_at_power
from paceline.studies.analysis.race_analysis import Analysis, analyze


@functools.cache
def breaking4() -> Analysis:
    return analyze(load_race("breaking4_2025"))


@settings(max_examples=30, deadline=None)
@given(st.floats(0.0, 0.9), st.floats(0.0, 0.9))
def test_more_shelter_never_slows_the_reference(s1: float, s2: float) -> None:
    an = breaking4()
    rho = reference_air_density(Reference())
    cost = get_curve(DEFAULT_CURVE)
    lo, hi = sorted((s1, s2))
    t_lo, t_hi = (
        time_at_power(
            reference_states(an.course, s, Reference(), rho, an.course.line_scale, 0.8)[-1][1], an.power_w_kg, cost
        )
        for s in (lo, hi)
    )
    assert t_hi <= t_lo + 1e-12

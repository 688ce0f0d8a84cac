"""Reconstruction of a race from its splits: the start from rest, exact splits, no invented shape."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from paceline.io.races import RaceSplits, bundled_race_names, load_race, parse_races
from paceline.studies.analysis.reconstruction import (
    KELLER_TAU_S,
    reconstruct,
    standing_start_lag_s,
    standing_start_time_s,
)

#: Keller (1973), Physics Today 26(9) 42-47: maximal propulsive force per kg fitted to the men's sprint records
#: (reference/model_anchors.md): no acceleration from rest can exceed it.
KELLER_F_M_S2 = 12.2


def splits_of(dist: list[float], times: list[float], event_m: float) -> RaceSplits:
    rows = "\n".join(f"syn,S,2024-01-01,X,{event_m},{d},{t}," for d, t in zip(dist, times, strict=True))
    return parse_races("race_id,athlete,date,venue,event_m,split_m,time_s,note\n" + rows, "syn.csv")[0]


# ---- standing start -----------------------------------------------------------------------------------------
def test_standing_start_lag_is_tau() -> None:
    # Keller (1973): x = V (t - tau (1 - exp(-t/tau))), so far from the start the lag is tau
    assert standing_start_lag_s(400.0, 6.6) == pytest.approx(KELLER_TAU_S, abs=1e-12)
    t = standing_start_time_s(np.array([0.0, 0.01, 5.0, 50.0]), 6.6)
    v, tau = 6.6, KELLER_TAU_S
    x_back = v * (t - tau * (1 - np.exp(-t / tau)))
    np.testing.assert_allclose(x_back, [0.0, 0.01, 5.0, 50.0], atol=1e-10)


def test_start_from_rest_follows_keller() -> None:
    """Off the line the speed is Keller's V (1 - exp(-t / tau)): the acceleration is V / tau at the gun, and never
    more than Keller's maximal propulsive force per kg."""
    rec = reconstruct(load_race("breaking4_2025"))
    t = np.linspace(0.0, 0.02, 21)
    x = rec.start_speed_m_s * (t - KELLER_TAU_S * (1 - np.exp(-t / KELLER_TAU_S)))
    v = rec.speed_at(x)
    a0 = (v[1] - v[0]) / (t[1] - t[0])
    assert a0 == pytest.approx(rec.start_speed_m_s / KELLER_TAU_S, rel=1e-2)
    xs = np.linspace(0.0, 60.0, 6001)
    acc = np.diff(rec.speed_at(xs)) / np.diff(rec.time_at(xs))
    assert np.max(acc) <= KELLER_F_M_S2


# ---- reconstruction -----------------------------------------------------------------------------------------
@pytest.mark.parametrize("method", ["smooth", "pchip"])
@pytest.mark.parametrize("name", bundled_race_names())
def test_reconstruction_passes_through_every_split(name: str, method: str) -> None:
    sp = load_race(name)
    rec = reconstruct(sp, method=method)
    assert rec.max_split_error_s() < 1e-8  # exact to rounding
    race = rec.to_race()
    assert race.model == "reconstruction"
    np.testing.assert_allclose(np.atleast_1d(race.time_at(sp.split_m)), sp.time_s, atol=1e-6)
    assert race.v_m_s[0] == 0.0  # from rest
    assert np.all(race.v_m_s[1:] > 0)


@pytest.mark.parametrize("name", ["breaking4_2025", "monaco_2023", "florence_2023"])
def test_no_invented_oscillation(name: str) -> None:
    """Past the start, the cruise speed stays between the slowest and fastest neighbouring split averages, and
    is monotone through every segment whose average lies between its neighbours'."""
    sp = load_race(name)
    rec = reconstruct(sp)
    seg = sp.segments()
    # cruise split averages: the first segment's time less the standing-start lag
    cruise = np.diff(np.concatenate([[0.0], rec.cruise_time(sp.split_m)]))
    np.testing.assert_allclose(cruise, [s[2] for s in seg] - np.eye(len(seg))[0] * rec.lag_s, atol=1e-9)
    means = cruise / np.diff(np.concatenate([[0.0], sp.split_m]))  # pace [s/m]
    for k, (x0, x1, _) in enumerate(seg):
        x = np.linspace(x0, x1, 400)
        p = rec.cruise_pace(x)
        nb = [means[j] for j in (k - 1, k + 1) if 0 <= j < means.size]
        spread = max(abs(means[k] - m) for m in nb)
        assert np.all(p >= means[k] - spread - 1e-12) and np.all(p <= means[k] + spread + 1e-12)
        left = means[k - 1] if k else None
        right = means[k + 1] if k + 1 < means.size else None
        if (left is None or left < means[k]) and (right is None or means[k] < right):
            assert np.all(np.diff(p) >= -1e-12)
        if (left is None or left > means[k]) and (right is None or means[k] > right):
            assert np.all(np.diff(p) <= 1e-12)


def test_even_splits_give_constant_speed() -> None:
    sp = splits_of([400, 800, 1200, 1600], [60.0 * k + KELLER_TAU_S for k in (1, 2, 3, 4)], 1600)
    rec = reconstruct(sp)
    v = rec.speed_at(np.linspace(100, 1600, 50))
    np.testing.assert_allclose(v, 400 / 60.0, rtol=1e-6)  # 60 s laps plus the start lag (exp(-t/tau) ~ 1e-8)


@settings(max_examples=25, deadline=None)
@given(
    st.lists(st.floats(0.9, 1.1), min_size=2, max_size=6),
    st.lists(st.floats(0.5, 1.5), min_size=6, max_size=6),
    st.sampled_from(["smooth", "pchip"]),
)
def test_random_splits_are_reproduced(factors: list[float], lengths: list[float], method: str) -> None:
    """Any splits (uneven laps, uneven segment lengths) are passed through exactly, at a positive pace."""
    n = len(factors)
    dist = list(np.cumsum([400.0 * f for f in lengths[:n]]))
    times = list(np.cumsum([60.0 * f * g for f, g in zip(factors, lengths, strict=False)]) + 1.0)
    sp = splits_of(dist, times, dist[-1])
    rec = reconstruct(sp, method=method)
    assert rec.max_split_error_s() < 1e-6
    assert np.all(rec.cruise_pace(np.linspace(0, dist[-1], 200)) > 0)


def test_split_positions_as_the_data_says() -> None:
    """Splits at the finish-line crossings (9.344, 409.344, ... m) are honoured as well as at the 400 m marks."""
    d = [409.344, 809.344, 1209.344, 1609.344]
    sp = splits_of(d, [62.0, 123.0, 184.0, 245.0], 1609.344)
    rec = reconstruct(sp)
    np.testing.assert_allclose(rec.time_at(np.array(d)), [62.0, 123.0, 184.0, 245.0], atol=1e-9)


def test_bad_method_names_the_parameter() -> None:
    from paceline.errors import ScenarioError

    with pytest.raises(ScenarioError, match=r"^method: 'cubic' is not a reconstruction method"):
        reconstruct(load_race("breaking4_2025"), method="cubic")

"""Race analysis: reconstruction through every split, shape preservation, attribution that adds up, the CLI."""

from __future__ import annotations

import functools
import json
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cli_runner import run
from paceline.io.races import RaceSplits, bundled_race_names, load_race, parse_races
from paceline.studies.analysis import (
    KELLER_TAU_S,
    Analysis,
    Reference,
    analyze,
    compare,
    reconstruct,
    standing_start_lag_s,
    standing_start_time_s,
)


@functools.cache
def analysed(name: str) -> Analysis:
    return analyze(load_race(name))


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


# ---- reconstruction -----------------------------------------------------------------------------------------
@pytest.mark.parametrize("method", ["smooth", "pchip"])
@pytest.mark.parametrize("name", bundled_race_names())
def test_reconstruction_passes_through_every_split(name: str, method: str) -> None:
    sp = load_race(name)
    rec = reconstruct(sp, method=method)
    assert rec.max_split_error_s() < 0.01
    assert rec.max_split_error_s() < 1e-8  # in fact exact to rounding
    race = rec.to_race()
    assert race.model == "reconstruction"
    np.testing.assert_allclose(np.atleast_1d(race.time_at(sp.split_m)), sp.time_s, atol=0.01)
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


def test_standing_start_accelerates_plausibly() -> None:
    rec = reconstruct(load_race("breaking4_2025"))
    x = np.linspace(0, 60, 601)
    v = rec.speed_at(x)
    t = rec.time_at(x)
    acc = np.diff(v) / np.diff(t)
    assert np.max(acc) < 10.0  # below a sprinter's ~10 m/s^2 out of the blocks
    assert v[np.searchsorted(x, 20.0)] > 0.9 * v[-1]  # up to speed within about 20 m


@settings(max_examples=25, deadline=None)
@given(
    st.lists(st.floats(0.9, 1.1), min_size=2, max_size=6),
    st.sampled_from(["smooth", "pchip"]),
)
def test_random_splits_are_reproduced(factors: list[float], method: str) -> None:
    n = len(factors)
    dist = [400.0 * (i + 1) for i in range(n)]
    times = list(np.cumsum([60.0 * f for f in factors]) + 1.0)
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


# ---- physics and attribution --------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["breaking4_2025", "monaco_2023"])
def test_attribution_adds_up(name: str) -> None:
    an = analysed(name)
    assert sum(an.time_lost.values()) == pytest.approx(an.total_vs_reference_s, abs=1e-9)
    assert an.finish_s - an.reference_s == pytest.approx(an.total_vs_reference_s, abs=1e-12)
    assert list(an.time_lost) == ["pacing", "shelter", "wind", "air density", "outside the running line"]


def test_attribution_physics_signs() -> None:
    b4 = analysed("breaking4_2025")
    mo = analysed("monaco_2023")
    # the reference shelter is the best named formation: it beats both races' pockets
    assert b4.time_lost["shelter"] > 0 and mo.time_lost["shelter"] > 0
    # Monaco had far less shelter (one pacer ~4 m ahead, alone from 1100 m) than the Breaking4 pocket
    assert mo.time_lost["shelter"] > b4.time_lost["shelter"]
    # Breaking4's pocket put her 1.3 m from the kerb: metres run wide cost time; Monaco ran the line
    assert b4.time_lost["outside the running line"] > 0.5
    assert mo.time_lost["outside the running line"] == pytest.approx(0.0, abs=1e-9)
    # still air in Monaco (scenario): no wind share; hot air (30 degC) is thinner than the reference: a gain
    assert mo.time_lost["wind"] == pytest.approx(0.0, abs=1e-9)
    assert mo.time_lost["air density"] < 0
    # uneven pacing at the same average power costs time (Jensen: speed is concave in power)
    assert b4.time_lost["pacing"] > 0 and mo.time_lost["pacing"] > 0


def test_solo_reference_makes_shelter_a_gain() -> None:
    an = analyze(load_race("breaking4_2025"), reference=Reference(formation="solo"))
    assert an.time_lost["shelter"] < 0
    assert sum(an.time_lost.values()) == pytest.approx(an.total_vs_reference_s, abs=1e-9)


def test_even_race_has_no_pacing_loss() -> None:
    """A race run at constant metabolic power (the equal-power model's own output) loses ~nothing to pacing."""
    from paceline.io.scenario import load_scenario
    from paceline.models import common
    from paceline.models.course import build_course
    from paceline.physics.metabolic import DEFAULT_CURVE

    sc = load_scenario("monaco2023")
    course = build_course(sc, step_m=1.0, breaks_m=[400, 800, 1200])
    v = common.speeds_at_power(course, 33.0, DEFAULT_CURVE)
    t = common.cumulative_time_s(course, v)
    d = [400.0, 800.0, 1200.0, 1609.344]
    times = [float(np.interp(x, course.x_m, t)) + KELLER_TAU_S for x in d]
    rows = "\n".join(f"even,Faith Kipyegon,2023-07-21,X,1609.344,{x},{tt:.6f}," for x, tt in zip(d, times, strict=True))
    sp = parse_races("# scenario: monaco2023\nrace_id,athlete,date,venue,event_m,split_m,time_s,note\n" + rows)[0]
    an = analyze(sp)
    assert an.power_w_kg == pytest.approx(33.0, rel=2e-3)
    assert abs(an.time_lost["pacing"]) < 0.02


def test_energy_balance_monaco_near_exhaustion() -> None:
    """Monaco 2023 was an all-out world record: with CS/D' fitted to her 1500/5000 m records, D' should be close
    to used up at the finish (a check of the whole chain, not a literature value)."""
    an = analysed("monaco_2023")
    assert an.energy["dprime_m"] > 100
    assert abs(an.energy["dprime_at_finish_m"]) < 0.25 * an.energy["dprime_m"]


def test_compare_adds_up_to_1_22_s() -> None:
    # Monaco 2023 4:07.64 vs Breaking4 2025 4:06.42: 1.22 s (reference/races.csv)
    cmp = compare(analysed("monaco_2023"), analysed("breaking4_2025"))
    assert cmp.difference_s == pytest.approx(1.22, abs=1e-9)
    assert sum(cmp.attribution.values()) == pytest.approx(1.22, abs=1e-9)
    assert cmp.attribution["shelter"] > 0  # Monaco was the less sheltered race
    assert cmp.attribution["athlete and kit"] == pytest.approx(0.0, abs=1e-12)  # same athlete, no kit benefit


def test_compare_with_itself_is_zero() -> None:
    a = analysed("breaking4_2025")
    cmp = compare(a, a)
    for v in cmp.attribution.values():
        assert v == pytest.approx(0.0, abs=1e-9)


def test_compare_different_distances_is_an_error() -> None:
    from paceline.errors import ScenarioError

    with pytest.raises(ScenarioError, match="same distance"):
        compare(analysed("breaking4_2025"), analyze(load_race("florence_2023")))


def test_race_without_scenario(tmp_path: Path) -> None:
    # a race file with no "# scenario:" line is analysed with a generic athlete, and says so
    bundled = Path(__file__).resolve().parents[1] / "src" / "paceline" / "data" / "races" / "ineos159_2019.csv"
    lines = [ln for ln in bundled.read_text().splitlines() if not ln.startswith("# scenario:")]
    f = tmp_path / "ineos_no_scenario.csv"
    f.write_text("\n".join(lines) + "\n")
    an = analyze(load_race(f))
    assert an.reconstruction.max_split_error_s() < 0.01
    assert sum(an.time_lost.values()) == pytest.approx(an.total_vs_reference_s, abs=1e-9)
    assert any("assumed" in a.source for a in an.assumptions)


# ---- command line ---------------------------------------------------------------------------------------------
def test_cli_analyze_json_and_plot(tmp_path: Path) -> None:
    fig = tmp_path / "b4.png"
    r = run("analyze", "breaking4_2025", "--json", "--plot", str(fig))
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    for key in ("race_id", "finish_s", "laps", "attribution", "time_lost", "profile_max_split_error_s"):
        assert key in out
    assert out["race_id"] == "breaking4_2025"
    assert out["finish_s"] == pytest.approx(246.42)
    assert [lap["time_s"] for lap in out["laps"]] == pytest.approx([60.20, 60.55, 61.09, 64.58])
    assert set(out["laps"][0]) >= {"lap", "from_m", "to_m", "time_s", "speed_m_s"}
    assert out["profile_max_split_error_s"] < 0.01
    assert sum(a["seconds"] for a in out["attribution"]) == pytest.approx(out["total_vs_reference_s"], abs=1e-3)
    assert fig.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_cli_new_csv_same_format(tmp_path: Path) -> None:
    p = tmp_path / "my_race.csv"
    p.write_text(
        "# a club runner's mile, splits from a stopwatch\n"
        "race_id,athlete,date,venue,event_m,split_m,time_s,note\n"
        "club_mile,J. Doe,2024-05-01,Local track,1609.344,409.344,1:12.5,at the line\n"
        "club_mile,J. Doe,2024-05-01,Local track,1609.344,809.344,2:24.0,\n"
        "club_mile,J. Doe,2024-05-01,Local track,1609.344,1209.344,3:37.9,\n"
        "club_mile,J. Doe,2024-05-01,Local track,1609.344,1609.344,4:48.0,\n"
    )
    r = run("analyze", str(p), "--json")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["race_id"] == "club_mile" and out["finish_s"] == pytest.approx(288.0)
    assert out["profile_max_split_error_s"] < 0.01
    r = run("analyze", str(p), "--plot", str(tmp_path / "x.svg"))
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "x.svg").read_text().lstrip().startswith("<?xml")


def test_cli_compare_json() -> None:
    r = run("compare", "monaco_2023", "breaking4_2025", "--json")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["difference_s"] == pytest.approx(1.22, abs=1e-6)
    assert sum(out["attribution"].values()) == pytest.approx(1.22, abs=1e-3)


def test_cli_bad_plot_suffix() -> None:
    r = run("analyze", "breaking4_2025", "--plot", "fig.pdf")
    assert r.returncode == 2
    assert "--plot" in r.stderr

"""The drafting surrogate: its fit to the published studies, its physical properties, formations on the bends."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import read_reference_csv
from paceline.errors import ScenarioError
from paceline.io.formations import Formation, Slot, get_formation, load_formation_file
from paceline.physics import drafting
from paceline.physics.track import STANDARD_TRACK

FEW = settings(max_examples=40, deadline=None)
gaps = st.floats(0.0, 8.0, allow_nan=False)
laterals = st.floats(0.0, 3.0, allow_nan=False)


@pytest.fixture(scope="module")
def draws() -> list[drafting.DraftParams]:
    return drafting.parameter_draws()


# ---- the published values -------------------------------------------------------------------------------------


def _single_ahead_values() -> list[float]:
    """Published shelter of a runner with one runner directly ahead at 1.0-1.3 m (or at an unstated gap)."""
    out = []
    for row in read_reference_csv("drafting_studies.csv"):
        one_ahead = row["configuration"].startswith("one runner directly ahead") or row["configuration"].startswith(
            "2 runners in line"
        )
        gap_ok = not row["gap_m"] or 1.0 <= float(row["gap_m"]) <= 1.3
        if one_ahead and gap_ok:
            out.append(float(row["reduction"]))
    return out


def test_single_runner_ahead_inside_published_range() -> None:
    # drafting_studies.csv: Pugh 1971 0.80 at 1.0 m, Polidori et al. 2020 0.58 at 1.3 m, Schickhofer & Hanson
    # 2021 0.70 at 1.0 m (unverified), Li et al. 2025 0.67, in-line CFD 0.504 (2 runners in line)
    values = _single_ahead_values()
    assert min(values) == pytest.approx(0.504) and max(values) == pytest.approx(0.80)
    for gap in np.linspace(1.0, 1.3, 7):
        r = drafting.pair_shelter(gap, 0.0)
        assert min(values) <= r <= max(values), gap


def test_draws_cover_the_checked_studies(draws: list[drafting.DraftParams]) -> None:
    # Polidori et al. 2020 (CFD): 0.58 at 1.3 m; Li et al. 2025 (CFD): 0.67; Pugh 1971: 0.80 at 1.0 m
    at13 = drafting.shelter_of_positions_draws([1.3], [0.0], draws)
    at10 = drafting.shelter_of_positions_draws([1.0], [0.0], draws)
    assert np.percentile(at13, 5) < 0.58 < np.percentile(at13, 95)
    assert np.percentile(at10, 5) < 0.67 < np.percentile(at10, 95)
    assert np.percentile(at10, 95) > 0.80 - 0.05


def test_fit_reproduces_the_studies() -> None:
    res = drafting.fit()
    assert res.rms_error < 0.08
    for s, p in zip(res.studies, res.predicted, strict=True):
        tol = 0.12 if s.status == "checked" else 0.16
        assert abs(p - s.reduction) < tol, s.label


def test_fit_keeps_the_orderings_within_studies() -> None:
    p = drafting.default_params()

    def sh(study: str, configuration: str) -> float:
        slots, _, _ = drafting.STUDY_GEOMETRY[(study, configuration)]
        return drafting.combined_shelter([a for a, _ in slots], [b for _, b in slots], p)

    # Polidori et al. 2020: directly behind one runner (0.58) beats the gap between two abreast (0.38)
    assert sh("Polidori et al.", "one runner directly ahead") > sh("Polidori et al.", "two runners abreast ahead")
    # Li et al. 2025: V of three (0.89) > one ahead and one behind (0.72) > one ahead (0.67)
    v = sh("Li et al.", "three ahead in a V (4 runners)")
    ab = sh("Li et al.", "one ahead and one behind")
    a = sh("Li et al.", "one runner directly ahead (2 runners)")
    assert v > ab > a
    # in-line CFD: 2 < 3 < 4 runners in line (0.504, 0.573, 0.631)
    lines = [sh("(in-line CFD)", f"{n} runners in line (last runner)") for n in (2, 3, 4)]
    assert lines[0] < lines[1] < lines[2]


def test_every_study_row_has_a_geometry_matching_its_gap() -> None:
    studies = drafting.load_studies()
    assert len(studies) == len(read_reference_csv("drafting_studies.csv"))
    for s in studies:
        ahead = [dx for dx, _ in s.slots if dx > 0]
        assert ahead, s.label
        if s.gap_m is not None:
            assert min(ahead) == pytest.approx(s.gap_m), s.label
        assert s.geometry
        assert 0 < s.weight <= 1


def test_unverified_rows_weigh_less() -> None:
    w = {(s.status, s.geometry_assumed): s.weight for s in drafting.load_studies()}
    assert w[("unverified", False)] < w[("checked", False)]
    assert w[("checked", True)] < w[("checked", False)]


def test_behind_gain_is_small_and_positive() -> None:
    p = drafting.default_params()
    r = drafting.pair_shelter(-1.2, 0.0, p)
    assert 0.0 < r < 0.2
    assert drafting.pair_shelter(-20.0, 0.0, p) < 1e-3
    assert drafting.pair_shelter(20.0, 0.0, p) < 1e-3
    assert drafting.pair_shelter(1.3, 3.0, p) < 1e-3  # well to the side


# ---- physical properties ----------------------------------------------------------------------------------------


@FEW
@given(gap=st.floats(0.3, 6.0), behind=st.floats(0.5, 4.0), dy=laterals)
def test_ahead_and_behind_at_least_ahead_alone(gap: float, behind: float, dy: float) -> None:
    for p in (drafting.default_params(), *drafting.parameter_draws()[:10]):
        alone = drafting.combined_shelter([gap], [0.0], p)
        both = drafting.combined_shelter([gap, -behind], [0.0, dy], p)
        assert both >= alone - 1e-12


@FEW
@given(dx=st.floats(-8.0, 8.0), dy1=laterals, dy2=laterals)
def test_never_increases_with_lateral_offset(dx: float, dy1: float, dy2: float) -> None:
    lo, hi = sorted((dy1, dy2))
    for p in (drafting.default_params(), *drafting.parameter_draws()[:10]):
        assert drafting.pair_shelter(dx, hi, p) <= drafting.pair_shelter(dx, lo, p) + 1e-12
        assert drafting.pair_shelter(dx, -hi, p) <= drafting.pair_shelter(dx, -lo, p) + 1e-12


@FEW
@given(g1=gaps, g2=gaps, dy=laterals)
def test_never_increases_with_gap_beyond_the_peak(g1: float, g2: float, dy: float) -> None:
    for p in (drafting.default_params(), *drafting.parameter_draws()[:10]):
        near, far = sorted((g1 + p.peak_gap_m, g2 + p.peak_gap_m))
        assert drafting.pair_shelter(far, dy, p) <= drafting.pair_shelter(near, dy, p) + 1e-12
        # and a runner further behind helps no more than one closer behind
        assert drafting.pair_shelter(-far, dy, p) <= drafting.pair_shelter(-near, dy, p) + 1e-12


@FEW
@given(
    slots=st.lists(st.tuples(st.floats(-10, 10), st.floats(-5, 5)), min_size=0, max_size=15),
    k=st.integers(0, 199),
)
def test_every_shelter_in_zero_one(slots: list[tuple[float, float]], k: int) -> None:
    p = drafting.parameter_draws()[k]
    dx = [a for a, _ in slots]
    dy = [b for _, b in slots]
    r = drafting.combined_shelter(dx, dy, p)
    assert 0.0 <= r < 1.0
    assert r <= p.cap
    if slots:
        pr = np.asarray(drafting.pair_shelter(dx, dy, p))
        assert np.all((pr >= 0.0) & (pr < 1.0))
        assert r >= pr.max() - 1e-12  # another runner never removes shelter


def test_many_pacers_hit_the_cap() -> None:
    p = drafting.default_params()
    r = drafting.combined_shelter([1.0] * 20, [0.0] * 20, p)
    assert r == pytest.approx(p.cap)
    assert r < 1.0


def test_vectorised_pair_matches_scalar() -> None:
    dx = np.array([-2.0, 0.2, 0.8, 1.3, 4.0])
    dy = np.array([0.0, 0.9, 0.3, -0.6, 0.0])
    vec = drafting.pair_shelter(dx, dy)
    assert isinstance(vec, np.ndarray) and vec.shape == (5,)
    for i in range(5):
        assert vec[i] == pytest.approx(drafting.pair_shelter(float(dx[i]), float(dy[i])))


def test_draws_are_deterministic_per_seed() -> None:
    a = drafting.parameter_draws(20, seed=3)
    b = drafting.parameter_draws(20, seed=3)
    c = drafting.parameter_draws(20, seed=4)
    assert a == b
    assert a != c
    assert len({d.strength for d in a}) > 10  # the study effect varies
    with pytest.raises(ScenarioError):
        drafting.parameter_draws(0)


def test_params_validate() -> None:
    with pytest.raises(ScenarioError, match="cap"):
        drafting.DraftParams(cap=1.0)
    with pytest.raises(ScenarioError, match="lateral_width_m"):
        drafting.DraftParams(lateral_width_m=0.0)


# ---- formations ------------------------------------------------------------------------------------------------


def test_formation_shelter_and_range(draws: list[drafting.DraftParams]) -> None:
    assert drafting.formation_shelter(get_formation("solo")) == 0.0
    assert drafting.formation_shelter_range(get_formation("solo")) == (0.0, 0.0, 0.0)
    best, lo, hi = drafting.formation_shelter_range(get_formation("front-back"), draws)
    assert 0 < lo < best < hi < 1
    # da Silva et al. (2025) modelled this configuration with 70-76 % (press reports, not checked); the studies'
    # spread must reach it
    assert hi > 0.66


# ---- formations through the bends -------------------------------------------------------------------------------


def test_pacer_one_metre_out_runs_2_pi_metres_more_per_lap() -> None:
    form = Formation("t", (Slot("out", 1.3, 1.0), Slot("in", -1.3, -0.2), Slot("on", 1.3, 0.0)), athlete_offset_m=0.5)
    lines = drafting.pacer_lines(form, 0.0, STANDARD_TRACK.lap_m)
    out, inner, on = lines
    assert out.extra_m == pytest.approx(2 * math.pi * 1.0, abs=1e-9)  # 6.283 m per lap
    assert inner.extra_m == pytest.approx(-2 * math.pi * 0.2, abs=1e-9)
    assert on.extra_m == pytest.approx(0.0, abs=1e-9)
    assert out.speed_ratio_bend == pytest.approx((36.5 + 1.5) / (36.5 + 0.5))
    assert out.speed_ratio == pytest.approx(out.distance_m / (out.distance_m - out.extra_m))
    assert inner.speed_ratio < 1.0 < out.speed_ratio


def test_pacer_lines_per_lap() -> None:
    form = get_formation("breaking4-pocket")
    lines = drafting.pacer_lines(form, 390.656, 390.656 + 1609.344)  # the mile, start 9.344 m before the line
    for pl in lines:
        assert len(pl.laps) == 5  # part lap, 4 full laps... split at every finish-line crossing
        assert sum(e for _, _, e, _ in pl.laps) == pytest.approx(pl.extra_m)
        assert pl.laps[0][1] == pytest.approx(400.0)


def test_straights_need_no_extra_speed() -> None:
    form = Formation("t", (Slot("out", 1.3, 1.0),))
    straight = STANDARD_TRACK.bend_m + 10.0  # back straight
    (pl,) = drafting.pacer_lines(form, straight, straight + 50.0)
    assert pl.extra_m == pytest.approx(0.0, abs=1e-9)
    assert pl.speed_ratio == pytest.approx(1.0)


def test_slot_inside_kerb_is_an_error_naming_the_slot() -> None:
    form = Formation("bad", (Slot("inner-one", 1.3, -0.5),), athlete_offset_m=0.3)
    with pytest.raises(ScenarioError, match=r"inner-one.*inside"):
        drafting.pacer_lines(form, 0.0, 400.0)


def test_slot_beyond_allowed_lanes_is_an_error() -> None:
    form = Formation("wide", (Slot("far-out", 1.3, 2.0),), athlete_offset_m=0.3)
    with pytest.raises(ScenarioError, match=r"far-out.*1 allowed lanes"):
        drafting.pacer_lines(form, 0.0, 400.0, lanes=1)
    drafting.pacer_lines(form, 0.0, 400.0, lanes=2)


# ---- design ------------------------------------------------------------------------------------------------------


def test_design_beats_named_formations_under_the_same_constraints(tmp_path, draws) -> None:  # type: ignore[no-untyped-def]
    res = drafting.design_formation(2, min_spacing_m=0.9, lanes=2, draws=draws, max_iter=40)
    form = res.formation
    assert form.n_pacers == 2
    assert res.min_spacing_m >= 0.9 - 1e-9
    drafting.check_slots(form, lanes=2)
    assert all(form.athlete_offset_m + s.dy_m >= 0.2 - 1e-9 for s in form.slots)
    for name in ("line-2", "front-back"):
        q = float(np.quantile(drafting.formation_shelter_draws(get_formation(name), draws), 0.10))
        assert res.shelter_pessimistic >= q - 1e-6, name
    assert res.shelter_low <= res.shelter_pessimistic <= res.shelter_high
    # written as TOML, it loads as a formation (by path, as a scenario would)
    path = tmp_path / "mine.toml"
    path.write_text(drafting.formation_to_toml(form), encoding="utf-8")
    back = get_formation(str(path))
    assert back == load_formation_file(path)
    assert back.slots == form.slots and back.athlete_offset_m == form.athlete_offset_m


def test_design_rejects_bad_input() -> None:
    with pytest.raises(ScenarioError, match="--pacers"):
        drafting.design_formation(0)
    with pytest.raises(ScenarioError, match="--lanes"):
        drafting.design_formation(2, lanes=9)

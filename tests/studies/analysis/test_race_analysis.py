"""Race analysis: physics along a real race against published values, and properties of the attribution."""

from __future__ import annotations

import functools
import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from paceline.io.athletes import body_for
from paceline.io.races import RaceSplits, load_race, parse_races
from paceline.models import common
from paceline.physics.constants import G
from paceline.physics.metabolic import DEFAULT_CURVE, get_curve, treadmill_power_w_kg
from paceline.studies.analysis.attribution import Reference, reference_air_density, reference_states
from paceline.studies.analysis.race_analysis import Analysis, analyze
from paceline.studies.analysis.race_physics import analysis_course
from paceline.studies.analysis.race_scenario import scenario_for_race
from paceline.studies.analysis.reconstruction import KELLER_TAU_S
from paceline.studies.analysis.reference import reference_line_scale

HEADER = "race_id,athlete,date,venue,event_m,split_m,time_s,note\n"
RACES = Path(__file__).resolve().parents[3] / "src" / "paceline" / "data" / "races"


@functools.cache
def analysed(name: str) -> Analysis:
    return analyze(load_race(name))


def without_scenario(tmp_path: Path, name: str) -> RaceSplits:
    """A bundled race file with its ``# scenario:`` line removed (analysed with a minimal scenario)."""
    lines = [ln for ln in (RACES / f"{name}.csv").read_text().splitlines() if not ln.startswith("# scenario:")]
    f = tmp_path / f"{name}_no_scenario.csv"
    f.write_text("\n".join(lines) + "\n")
    return load_race(f)


def even_power_race(power_w_kg: float, event_m: float, n_splits: int, athlete: str = "J. Doe") -> RaceSplits:
    """Splits of a solo race at constant metabolic power on the minimal scenario's course, from rest."""
    d = [event_m * (i + 1) / n_splits for i in range(n_splits)]
    draft = parse_races(HEADER + "\n".join(f"even,{athlete},2024-01-01,X,{event_m},{x},{x}," for x in d))[0]
    sc, _ = scenario_for_race(draft)
    course = analysis_course(sc, draft)
    t = common.cumulative_time_s(course, common.speeds_at_power(course, power_w_kg, DEFAULT_CURVE))
    times = [float(np.interp(x, course.x_m, t)) + KELLER_TAU_S for x in d]
    rows = "\n".join(f"even,{athlete},2024-01-01,X,{event_m},{x},{tt!r}," for x, tt in zip(d, times, strict=True))
    return parse_races(HEADER + rows)[0]


# ---- physics along the race against published values -----------------------------------------------------------
def test_drag_along_a_solo_race_matches_pugh(tmp_path: Path) -> None:
    """Kipyegon (1.57 m, 42 kg) alone at 4:00 mile pace: A = 0.266 BSA = 0.366 m^2, Cd 0.9, rho 1.20 kg/m^3 give
    about 8.9 N and 59.5 W (reference/model_anchors.md, Aerodynamics; Pugh 1971, DuBois BSA)."""
    an = analyze(without_scenario(tmp_path, "monaco_2023"))  # solo, still air: drag = 1/2 rho CdA v^2
    s = an.race.series
    k = s["drag_n"][1:] / s["cruise_speed_m_s"][1:] ** 2
    np.testing.assert_allclose(k, k[0], rtol=1e-12)
    k_at_1_20 = k[0] * 1.20 / an.course.air_density_kg_m3
    v_mile_4_00 = 1609.344 / 240.0
    assert k_at_1_20 * v_mile_4_00**2 == pytest.approx(8.9, abs=0.05)
    assert k_at_1_20 * v_mile_4_00**3 == pytest.approx(59.5, abs=0.3)
    np.testing.assert_allclose(s["drag_power_w"], s["drag_n"] * s["cruise_speed_m_s"], rtol=1e-12)


def test_metabolic_power_charges_drag_at_6_13_percent_per_body_weight() -> None:
    """da Silva, Kram & Hoogkamer (2022), J Appl Physiol 133: +6.13 % metabolic power per 1 % body weight of
    horizontal impeding force, on the treadmill cost of the speed (no shoe gain in Breaking4's scenario)."""
    an = analysed("breaking4_2025")
    s, c = an.race.series, an.course
    assert c.shoe_economy_gain == 0.0
    flat = treadmill_power_w_kg(s["cruise_speed_m_s"], DEFAULT_CURVE)
    np.testing.assert_allclose(s["metabolic_power_w_kg"] / flat - 1, 6.13 * s["drag_n"] / (c.mass_kg * G), rtol=1e-9)


def test_monaco_world_record_used_up_d_prime() -> None:
    """CS and D' from Kipyegon's 1500 m (3:49.04) and 5000 m (14:05.20) records are 5.680 m/s and 199 m
    (reference/model_anchors.md); her Monaco world record (4:07.64, reference/races.csv) was all-out, so the
    balance ends within 5 % of D' of empty."""
    an = analysed("monaco_2023")
    assert an.energy["cs_m_s"] == pytest.approx(5.680, abs=0.002)
    assert an.energy["dprime_m"] == pytest.approx(199.0, abs=1.0)
    assert abs(an.energy["dprime_at_finish_m"]) <= 0.05 * an.energy["dprime_m"]


# ---- properties of the attribution ----------------------------------------------------------------------------
@settings(max_examples=8, deadline=None)
@given(
    st.floats(24.0, 40.0),
    st.sampled_from([(800.0, 2), (1500.0, 4), (1609.344, 4), (5000.0, 12)]),
)
def test_a_race_run_as_its_reference_loses_nothing(power_w_kg: float, event: tuple[float, int]) -> None:
    """Even metabolic power, solo, still reference air, on the running line: the race *is* its reference, so
    every share is 0 s, and the metabolic power read back along the race is the power it was run at."""
    an = analyze(even_power_race(power_w_kg, *event), reference=Reference(formation="solo"))
    assert an.power_w_kg == pytest.approx(power_w_kg, rel=1e-9)
    np.testing.assert_allclose(an.race.series["metabolic_power_w_kg"], power_w_kg, rtol=1e-9)
    for cause, seconds in an.time_lost.items():
        assert seconds == pytest.approx(0.0, abs=1e-6), cause


def test_running_wide_costs_the_extra_metres_at_the_reference_speed() -> None:
    """Breaking4 ran the pocket (its offset d from the kerb) for three laps, six bends, then the running line ("the
    clean inside line she held into the final 300m"): every bend at d costs pi (d - 0.30) m (2 pi (d - 0.30) per
    lap: track geometry, reference/track_standard_400m.csv), and at the reference's even power that distance takes
    metres / speed."""
    an = analysed("breaking4_2025")
    phases = an.scenario.phases()
    d = an.scenario.formation(phases[0].formation).athlete_offset_m
    wide = [p for p in phases if an.scenario.formation(p.formation).athlete_offset_m == d]
    assert (wide[0].from_m, wide[-1].to_m) == (0.0, 1200.0) and len(wide) == 3
    assert {an.scenario.formation(p.formation).athlete_offset_m for p in phases[3:]} == {0.30}

    def extra(scale: np.ndarray) -> float:
        return float(np.sum(0.5 * (scale[1:] + scale[:-1] - 2) * np.diff(an.course.x_m)))

    line_m = an.scenario.track.geometry().lane1_line_m
    assert line_m == 0.30
    assert extra(an.course.line_scale) == pytest.approx(6 * math.pi * (d - line_m), rel=0.01)
    # the reference runs its own formation's line (the arrowhead's 1.2 m) for all eight bends of the mile
    ref_d = an.reference["athlete_offset_m"]
    assert ref_d == an.scenario.formation(an.reference["formation"]).athlete_offset_m
    line = reference_line_scale(an.course, an.scenario, ref_d)
    assert extra(line) == pytest.approx(8 * math.pi * (ref_d - line_m), rel=0.01)
    rho = reference_air_density(Reference())
    states = reference_states(an.course, an.reference["shelter"], Reference(), rho, line, ref_d)
    v = common.speeds_at_power(states[-2][1], an.power_w_kg, get_curve(DEFAULT_CURVE))
    np.testing.assert_allclose(v, v[0], rtol=1e-12)  # uniform conditions: one speed
    lost = (extra(an.course.line_scale) - extra(line)) / v[0]
    assert an.time_lost["outside the running line"] == pytest.approx(lost, rel=1e-5)
    assert lost < 0  # the reference runs wider than she did


def test_attribution_physics_signs() -> None:
    b4 = analysed("breaking4_2025")
    mo = analysed("monaco_2023")
    # the reference shelter is the best named formation: it beats both races' pockets
    assert b4.time_lost["shelter"] > 0 and mo.time_lost["shelter"] > 0
    # Monaco had far less shelter (pacers 2.6-4.5 m ahead to 950 m, then alone) than the Breaking4 pocket
    assert mo.time_lost["shelter"] > b4.time_lost["shelter"]
    # Monaco ran the lane-1 line, the runnable reference the arrowhead's 1.2 m line: the race *gained* the metres
    # the reference runs wide, more than Breaking4 did (she ran 0.8 m out for three laps)
    assert mo.time_lost["outside the running line"] < b4.time_lost["outside the running line"] < 0
    # still air (its scenario): no share for the wind
    assert mo.time_lost["wind"] == pytest.approx(0.0, abs=1e-9)
    # hot air (30 degC) is thinner than the reference's 20 degC: a gain
    assert mo.time_lost["air density"] < 0
    # uneven pacing at the same average power costs time (Jensen: speed is concave in power)
    assert b4.time_lost["pacing"] > 0 and mo.time_lost["pacing"] > 0


def test_solo_reference_makes_shelter_a_gain() -> None:
    an = analyze(load_race("breaking4_2025"), reference=Reference(formation="solo"))
    assert an.reference["shelter"] == 0.0
    assert an.time_lost["shelter"] < 0


def test_even_race_has_no_pacing_loss() -> None:
    """A race run at constant metabolic power on its own course (Monaco's scenario) loses nothing to pacing."""
    from paceline.io.scenario import load_scenario
    from paceline.models.course import build_course

    sc = load_scenario("monaco2023")
    course = build_course(sc, step_m=1.0, breaks_m=[400, 800, 1200])
    t = common.cumulative_time_s(course, common.speeds_at_power(course, 33.0, DEFAULT_CURVE))
    d = [400.0, 800.0, 1200.0, 1609.344]
    times = [float(np.interp(x, course.x_m, t)) + KELLER_TAU_S for x in d]
    rows = "\n".join(f"even,Faith Kipyegon,2023-07-21,X,1609.344,{x},{tt:.6f}," for x, tt in zip(d, times, strict=True))
    an = analyze(parse_races("# scenario: monaco2023\n" + HEADER + rows)[0])
    assert an.power_w_kg == pytest.approx(33.0, rel=2e-3)
    assert abs(an.time_lost["pacing"]) < 0.02


# ---- the athlete of a race without a scenario ------------------------------------------------------------------
def test_race_without_scenario_uses_the_one_body_rule(tmp_path: Path) -> None:
    """Kipchoge is not in the reference data but his body is listed (athlete_bodies.csv: 1.67 m, 52 kg), and the
    output says where it came from."""
    sp = without_scenario(tmp_path, "ineos159_2019")
    an = analyze(sp)
    body = body_for(sp.athlete)
    assert (an.scenario.athlete.height_m, an.scenario.athlete.mass_kg) == (body.height_m, body.mass_kg)
    notes = {a.name: a for a in an.assumptions}
    assert notes["athlete_body"].source == body.source
    assert (body.height_m, body.mass_kg) == (1.67, 52.0) and "listed body" in body.source
    assert an.energy["note"].startswith("fewer than 2 performances")


def test_reference_athlete_without_scenario_gets_her_body_and_records(tmp_path: Path) -> None:
    """Kipyegon is in reference/athletes.csv: 1.57 m, 42 kg, and her records for the D' balance."""
    an = analyze(without_scenario(tmp_path, "monaco_2023"))
    ath = an.scenario.athlete
    assert (ath.height_m, ath.mass_kg) == (1.57, 42.0)
    assert {a.name: a.source for a in an.assumptions}["athlete_body"] == "Faith Kipyegon, reference/athletes.csv"
    assert len(ath.performances) >= 2 and "cs_m_s" in an.energy


def test_scenario_of_another_distance_names_the_parameter() -> None:
    from paceline.errors import ScenarioError

    with pytest.raises(ScenarioError, match=r"^scenario: scenario 'breaking2' is 42195 m"):
        analyze(load_race("breaking4_2025"), scenario="breaking2")

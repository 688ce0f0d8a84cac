"""The race plan: pacer roles, lights, briefings, rules, rotation, goal search, and the files it writes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from cli_runner import run_here as run
from paceline.errors import InfeasibleError, ScenarioError
from paceline.io.scenario import Pacer, Performance, load_scenario, scenario_from_dict
from paceline.physics import track
from paceline.studies.planning.plan import (
    RIEGEL_EXPONENT,
    light_schedule,
    make_plan,
    pacer_capability_speed,
)


@pytest.fixture(scope="module")
def b4_plan() -> Any:
    return make_plan(load_scenario("breaking4"))


def test_plan_json_keys_and_splits(b4_plan: Any) -> None:
    d = b4_plan.to_dict()
    assert {"scenario", "model", "finish_s", "finish", "target_s", "splits", "pacers", "lights"} <= set(d)
    assert d["splits"][-1]["time_s"] == pytest.approx(d["finish_s"], abs=1e-3)
    for p in d["pacers"]:
        assert {"name", "slot", "enter_m", "leave_m", "distance_run_m", "required_pace_s_per_400"} <= set(p)
    # 400 m splits end with the 409.344 m last segment, as mile splits are reported (races.csv)
    assert d["splits_400m"][-2]["distance_m"] == pytest.approx(1200.0)


def test_outside_pacers_run_further_and_faster(b4_plan: Any) -> None:
    # a slot held in track coordinates: a line d from the kerb runs 2 pi (d - 0.30) per lap more (DESIGN.md)
    for r in b4_plan.roles:
        sc = b4_plan.scenario
        geom = sc.track.geometry()
        start = track.start_position_m(sc.distance_m, geom)
        angle = track.bend_angle_between(start + r.enter_m + r.dx_m, start + r.leave_m + r.dx_m, geom)
        extra = (r.offset_m - geom.lane1_line_m) * angle  # her race distance is on the lane-1 line
        assert r.distance_run_m == pytest.approx(r.leave_m - r.enter_m + extra, abs=0.05)
        if r.dy_m > 0.05:
            assert r.required_speed_m_s > (r.leave_m - r.enter_m) / (r.leave_s - r.enter_s)


def test_lights_monotonic_cover_race_and_agree_with_splits(b4_plan: Any) -> None:
    sc, race = b4_plan.scenario, b4_plan.race
    rows = light_schedule(sc, race, spacing_m=1.0)
    for train in ("target", "plan"):
        tr = [r for r in rows if r["train"] == train]
        t = np.array([r["time_s"] for r in tr])
        x = np.array([r["race_distance_m"] for r in tr])
        assert np.all(np.diff(t) > 0) and np.all(np.diff(x) > 0)
        assert x[0] < 1.0 and x[-1] == pytest.approx(sc.distance_m)
        assert np.max(np.diff(x)) <= 1.0 + 1e-9
        if train == "plan":
            for s in race.splits():
                assert np.interp(s["distance_m"], x, t) == pytest.approx(s["time_s"], abs=0.01)
        else:
            assert t[-1] == pytest.approx(sc.target_s)
            assert np.allclose(t, sc.target_s * x / sc.distance_m, atol=1e-3)
    plan_rows = [r for r in rows if r["train"] == "plan"]
    assert {r["lap"] for r in plan_rows} == {0, 1, 2, 3, 4}  # the mile: 9.344 m then four laps
    assert all(0 <= r["rail_pos_m"] < 400 for r in rows)


def test_light_spacing_must_be_positive(b4_plan: Any) -> None:
    with pytest.raises(ScenarioError, match="spacing"):
        light_schedule(b4_plan.scenario, b4_plan.race, spacing_m=0.0)


def test_riegel_capability() -> None:
    # Riegel (1981): t2 = t1 (d2/d1)^1.06; a 1:46 800 m runner holds 800 (t/106)^(1/1.06) m in t seconds
    p = Pacer(name="x", performances=(Performance(distance_m=800, time_s=106.0),))
    v, src = pacer_capability_speed(p, 106.0)
    assert v == pytest.approx(800 / 106.0)
    v2, _ = pacer_capability_speed(p, 240.0)
    d = 800 * (240.0 / 106.0) ** (1 / RIEGEL_EXPONENT)
    assert v2 == pytest.approx(d / 240.0) and v2 < v and "Riegel" in src


def test_rules_flag_breaking4_and_pass_a_clean_plan(b4_plan: Any) -> None:
    status = {r.rule: r.status for r in b4_plan.rules}
    # as raced, all 13 pacers start (no report of any joining mid-race): TR 6.3.1 holds; men pacing a woman breach
    assert status["TR 6.3.1"] == "ok"
    assert status["CR 32 (women's records)"] == "breach"
    fresh = load_scenario("breaking4-optimal")  # a fresh team enters from outside the race at 800 m
    rules = {r.rule: r.status for r in make_plan(fresh).rules}
    assert rules["TR 6.3.1"] == "breach"
    clean = load_scenario("monaco2023")  # women pacers who started the race
    rules = {r.rule: r.status for r in make_plan(clean).rules}
    assert rules["TR 6.3.1"] == "ok" and rules["CR 32 (women's records)"] == "ok"


def test_infeasible_pacer_is_flagged() -> None:
    data = load_scenario("breaking4-optimal").model_dump(exclude_none=True)
    data["pacers"][0]["performances"] = [{"distance_m": 800, "time_s": 140.0}]  # a 2:20 800 m runner
    pl = make_plan(scenario_from_dict(data))
    slow = [r for r in pl.roles if r.name == data["pacers"][0]["name"]]
    assert slow and slow[0].margin is not None and slow[0].margin < 0
    assert any("is asked for" in n for n in pl.notes)


def test_rotation_drops_what_nobody_can_hold() -> None:
    from paceline.studies.planning.rotation import optimise_rotation

    data = load_scenario("breaking4-optimal").model_dump(exclude_none=True)
    for p in data["pacers"]:
        p["performances"] = [{"distance_m": 800, "time_s": 150.0}]  # 2:30 800 m runners: 5.3 m/s, she runs 6.7
    res = optimise_rotation(scenario_from_dict(data))
    n_slots = sum(len(ph["pacers"]) for ph in data["pacing"])
    assert len(res.notes) >= n_slots and not res.assignments  # every slot nobody can hold is reported
    for a in res.assignments:
        assert a["margin"] >= 0
    with pytest.raises(InfeasibleError):
        optimise_rotation(load_scenario("breaking4"))  # no pacer capabilities to check


def test_goal_levers_reach_the_target() -> None:
    from paceline.studies.planning.goal import what_would_it_take

    sc = load_scenario("breaking4")
    res = what_would_it_take(sc, 239.99)
    levers = {r["lever"]: r for r in res["levers"]}
    assert {
        "shelter",
        "pacers",
        "shoe_economy_gain",
        "cda_factor",
        "temperature_c",
        "wind_speed_m_s",
        "fitness_pct",
    } <= set(levers)
    # a lever said to be reachable reaches the target when applied (round trip through a fresh scenario)
    shoe = levers["shoe_economy_gain"]
    assert shoe["reachable"]
    data = sc.model_dump(exclude_none=True)
    data["equipment"]["shoe_economy_gain"] = shoe["needed"]
    from paceline.chain import solve

    assert solve(scenario_from_dict(data), "equal-power").finish_s == pytest.approx(239.99, abs=0.02)
    assert res["combination"]["reachable"]
    assert res["combination"]["time_s"] == pytest.approx(239.99, abs=0.02)


def test_plan_cli_writes_files(tmp_path: Path) -> None:
    out = tmp_path / "plan"
    r = run("plan", "breaking4-optimal", "--out", str(out), "--json")
    assert r.returncode == 0, r.stderr
    d = json.loads(r.stdout)
    for name in ("plan.json", "splits.csv", "lights.csv", "lights.html", "cards.html"):
        assert (out / name).is_file(), name
    briefs = sorted(p.stem for p in (out / "briefings").glob("*.md"))
    cards = sorted(p.stem for p in (out / "cards").glob("*.html"))
    assert briefs == cards == sorted({p["name"] for p in d["pacers"]})
    text = (out / "briefings" / "A1.md").read_text()
    assert "Step off" in text and "s per 400 m" in text


def test_plan_cli_human_output() -> None:
    r = run("plan")
    assert r.returncode == 0, r.stderr
    for part in ("Lap splits", "Pacers", "Shelter along the race", "Lights", "pacing rules"):
        assert part in r.stdout


def test_bad_out_writes_nothing(tmp_path: Path) -> None:
    f = tmp_path / "file"
    f.write_text("x")
    r = run("plan", "--out", str(f))
    assert r.returncode == 2 and "--out" in r.stderr
    assert f.read_text() == "x"


def test_bad_scenario_writes_nothing(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    text = (
        Path(__file__).resolve().parents[3] / "src" / "paceline" / "data" / "scenarios" / "breaking4.toml"
    ).read_text()
    bad.write_text(text.replace("to_m = 1609.344", "to_m = 1700", 1))
    out = tmp_path / "out"
    r = run("plan", str(bad), "--out", str(out))
    assert r.returncode == 2
    assert "pacing[4].to_m: 1700 is beyond the race distance 1609.34" in r.stderr
    assert not out.exists()


def test_lights_and_goal_cli() -> None:
    r = run("lights", "--json")
    assert r.returncode == 0, r.stderr
    d = json.loads(r.stdout)
    assert d["machine"]["rows"] and d["sheet"]["trains"]
    r = run("goal", "--target", "3:59.99", "--json")
    assert r.returncode == 0, r.stderr
    assert {"lever", "current", "needed", "reachable"} <= set(json.loads(r.stdout)["levers"][0])
    r = run("goal", "--target", "3:5x")
    assert r.returncode == 2 and "--target" in r.stderr
    r = run("lights", "--format", "csv")  # --format is gone: --csv FILE and --json
    assert r.returncode == 2 and "--format" in r.stderr


def test_plan_report_option(tmp_path: Path) -> None:
    html = tmp_path / "plan.html"
    r = run("plan", "breaking4-optimal", "--report", str(html), "--json")
    assert r.returncode == 0, r.stderr
    text = html.read_text()
    assert "breaking4-optimal" in text and "Pacing lights" in text
    assert str(html) in json.loads(r.stdout)["written"]


@pytest.mark.parametrize("target", ["0:10", "2:30", "2:00:00:00"])
def test_impossible_target_is_refused(target: str) -> None:
    # a mile in 2:30 is 10.7 m/s, faster than the 100 m world record's mean speed (9.58 s: 10.44 m/s)
    r = run("goal", "--target", target)
    assert r.returncode == 2 and "--target" in r.stderr and r.stdout == ""


def test_impossible_target_in_a_scenario_is_refused() -> None:
    data = load_scenario("breaking4").model_dump(exclude_none=True)
    data["target_s"] = 100.0
    with pytest.raises(ScenarioError, match=r"target: 1:40\.00 for 1609\.34 m"):
        scenario_from_dict(data)


def test_unreachable_but_plausible_target_is_an_answer() -> None:
    from paceline.studies.planning.goal import what_would_it_take

    res = what_would_it_take(load_scenario("breaking4"), 210.0)  # 3:30: a plausible speed, out of every lever's reach
    assert not res["combination"]["reachable"]
    assert not any(r["reachable"] for r in res["levers"])


def test_a_measured_drag_area_and_how_it_is_drawn_are_in_the_notes() -> None:
    from paceline.io.scenario import scenario_from_dict
    from paceline.studies.planning.plan import make_plan

    data = load_scenario("kram2025").model_dump(exclude_none=True)
    data["athlete"].update(drag_area_m2=0.30, drag_area_sd_m2=0.02)
    notes = make_plan(scenario_from_dict(data)).notes
    assert any("drag area is 0.3 m^2" in n and "SD 0.02 m^2" in n for n in notes)
    assert not any("drag area" in n for n in make_plan(load_scenario("kram2025")).notes)


# ---- the lead-pacer train follows each phase's lead gap ---------------------------------------------------------


def _phased(phases: list[tuple[float, float, list[float]]], sex: str = "F") -> Any:
    """A Kipyegon mile whose phases hold pacers at the given ``dx_m`` in line (and a rival 1.5 m behind)."""
    forms, pacing = {}, []
    for i, (a, b, dxs) in enumerate(phases):
        slots = [{"name": f"s{j}", "dx_m": dx, "dy_m": 0.0} for j, dx in enumerate(dxs)]
        forms[f"f{i}"] = {"slots": [*slots, {"name": "rival", "dx_m": -1.5, "dy_m": 0.0}]}
        pacing.append({"from_m": a, "to_m": b, "formation": f"f{i}"})
    return scenario_from_dict(
        {
            "name": "phased",
            "distance_m": 1609.344,
            "target": "3:59.99",
            "athlete": {"name": "Faith Kipyegon", "height_m": 1.57, "mass_kg": 42, "calibration": "monaco2023"},
            "formations": forms,
            "pacing": pacing,
        }
    )


#: Bowerman Mile 2023 as reported: two pacers in line ahead (2.6 m, 1.3 m) to 400 m, one (1.3 m) to 1000 m, then
#: nobody ahead (a rival a step behind throughout).
BOWERMAN_LIKE = [(0.0, 400.0, [1.3, 2.6]), (400.0, 1000.0, [1.3]), (1000.0, 1609.344, [])]


def test_lead_gap_is_each_phases_own_lead_and_zero_where_nobody_is_ahead() -> None:
    from paceline.studies.planning.lead_gap import LEAD_GAP_RAMP, lead_gaps
    from paceline.studies.planning.plan import train_times

    sc = _phased(BOWERMAN_LIKE)
    assert lead_gaps(sc) == [(0.0, 400.0, 2.6), (400.0, 1000.0, 1.3), (1000.0, 1609.344, 0.0)]
    race = make_plan(sc).race
    # once each change is made (1.3 m at 1 m per 20 m: her 26 m from the boundary), the front is the phase's gap
    # ahead of her: the lights are lit when she is that gap short of them; from 1000 m on nobody is ahead: the plan
    x = np.array([200.0, 390.0, 400 + 1.3 / LEAD_GAP_RAMP + 5.0, 700.0, 999.0, 1100.0, 1500.0, sc.distance_m])
    gap = np.array([2.6, 2.6, 1.3, 1.3, 1.3, 0.0, 0.0, 0.0])
    lead = train_times(sc, race, "lead-pacer", x)
    assert lead == pytest.approx(np.asarray(race.time_at(x - gap)), abs=1e-9)
    assert lead[-3:] == pytest.approx(train_times(sc, race, "plan", x[-3:]), abs=1e-12)
    assert lead[-1] == pytest.approx(race.finish_s)


def test_lead_pacer_lights_never_run_backwards_when_the_gap_changes() -> None:
    from paceline.studies.planning.lead_gap import LEAD_GAP_RAMP, lead_gap_knots

    # a gap that grows by 4.1 m at 400 m and shrinks by 4.1 m at 800 m (Breaking4's 0.5 m / 4.6 m slots)
    sc = _phased([(0.0, 400.0, [0.5]), (400.0, 800.0, [4.6]), (800.0, 1609.344, [0.5])])
    race = make_plan(sc).race
    ys, gs = lead_gap_knots(sc)
    # the gap moves no faster than LEAD_GAP_RAMP per metre of race: the lights' pace stays within 5 % of the plan's
    assert np.all(np.abs(np.diff(gs) / np.diff(ys)) <= LEAD_GAP_RAMP + 1e-12)
    assert np.interp([300.0, 600.0, 1000.0], ys, gs) == pytest.approx([0.5, 4.6, 0.5])
    rows = light_schedule(sc, race, spacing_m=0.1, trains=("lead-pacer",))
    x = np.array([r["race_distance_m"] for r in rows])
    t = np.array([r["time_s"] for r in rows])
    assert np.all(np.diff(x) > 0)
    assert np.all(np.diff(t[x > 0.5 + 1e-6]) > 0)  # lit one after another once the front has left its start
    assert np.all(t[x <= 0.5 - 1e-6] == 0.0)  # the front starts the race the first gap ahead of her


def test_lead_pacer_label_names_each_phases_gap() -> None:
    from paceline.studies.planning.plan import train_label, train_times

    sc = _phased(BOWERMAN_LIKE)
    race = make_plan(sc).race
    assert train_label(sc, race, "lead-pacer") == (
        "lead-pacer: the plan 2.6 m ahead of her to 400 m, 1.3 m ahead to 1000 m, then with her (each change at 1 m "
        "per 20 m): what the lead pacer follows (white)"
    )
    one = _phased([(0.0, 800.0, [1.2]), (800.0, 1609.344, [1.2])])  # the same gap all race: one phrase (kram2025)
    assert train_label(one, race, "lead-pacer") == (
        "lead-pacer: the plan 1.2 m ahead of her: what the lead pacer follows (white)"
    )
    alone = _phased([(0.0, 1609.344, [])])
    assert "the plan itself (nobody runs ahead of her)" in train_label(alone, race, "lead-pacer")
    x = np.linspace(0.0, alone.distance_m, 50)
    assert train_times(alone, race, "lead-pacer", x) == pytest.approx(train_times(alone, race, "plan", x))
